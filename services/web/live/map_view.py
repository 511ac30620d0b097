"""The dashboard's map of the regions: a choropleth of one figure of the year, by region.

The values are the year cells of the 26 regions of 2007 — never withheld (statistical
confidentiality never withholds a region's year, ``shared/publication/confidentiality.py``), read
as the
rest of the page: the live counters, or for a reader without a token the public edition. For
each figure a reader may choose, the regions fall into at most ``CLASSES`` classes of about as
many regions each (quantiles), their bounds rounded so that a legend reads at a glance. The
page (``templates/_map.html``) renders the legends and the table of the same values;
``static/map.js`` fetches ``/carte/regions.svg``, colours each region by its class's shade and
makes it a link to the region's view.
"""

from __future__ import annotations

import itertools
import math
from typing import Any
from urllib.parse import urlencode

from flask import url_for
from sqlalchemy.orm import Session

from services.web.formatting import alphabetical, format_figure, format_value
from services.web.live import public
from services.web.live.view import Filters
from shared.figures import rate_undefined
from shared.publication.labels import LABELS
from shared.regions import REGIONS
from shared.scopes import scope_key, year_period

# What the map can show: the headline counts per region, and the access rate; the first
# is shown first.
MAP_FIGURES: tuple[str, ...] = (
    "youths_interviewed",
    "youths_in_contact",
    "youths_with_access",
    "access_rate",
    "civis_entries",
)
DEFAULT_FIGURE = MAP_FIGURES[0]
CLASSES = 5
# The shades of the sequential palette, light to dark (static/bilan.css, ``.shade-0`` to
# ``.shade-4``: each darker than the one before, in grayscale too).
SHADES = 5
# A region whose rate does not exist (nobody interviewed): no shade of the palette, hatched.
NOT_AVAILABLE_SHADE = "nd"


def class_bounds(values: list[float], percent: bool, classes: int = CLASSES) -> list[float]:
    """The lower bounds of the classes above the first, increasing: quantiles of ``values``
    rounded down (a count to two significant digits, a rate to a whole percent), kept only
    when a value falls in the class they open (so that no class of the legend is empty).

    When many regions share one value (zeros, early in a year), the quantiles of the
    distinct values are taken instead if they give more classes: regions that differ
    should not look alike.
    """
    ordered = sorted(values)
    if not ordered:
        return []
    bounds = _kept(_quantiles(ordered, percent, classes), ordered)
    if len(bounds) < classes - 1:
        spread = _kept(_quantiles(sorted(set(ordered)), percent, classes), ordered)
        bounds = spread if len(spread) > len(bounds) else bounds
    return bounds


def _quantiles(ordered: list[float], percent: bool, classes: int) -> list[float]:
    last = len(ordered) - 1
    picked = {ordered[min(math.ceil(k * len(ordered) / classes), last)] for k in range(1, classes)}
    return sorted({_rounded_down(value, percent) for value in picked})


def _kept(candidates: list[float], ordered: list[float]) -> list[float]:
    kept: list[float] = []
    for i, bound in enumerate(candidates):
        upper = candidates[i + 1] if i + 1 < len(candidates) else math.inf
        if bound > ordered[0] and any(bound <= value < upper for value in ordered):
            kept.append(bound)
    return kept


def _rounded_down(value: float, percent: bool) -> float:
    if percent:
        return math.floor(round(value * 100, 6)) / 100
    if value < 10:
        return float(math.floor(value))
    digits = 10 ** (int(math.log10(value)) - 1)
    return float(int(value) // digits * digits)


def class_of(value: float, bounds: list[float]) -> int:
    """The class of ``value``: how many lower bounds it reaches."""
    return sum(1 for bound in bounds if value >= bound)


def legend(bounds: list[float], key: str) -> list[dict[str, Any]]:
    """Each class's colour and wording, in French: "moins de 2 000", "de 2 000 à moins de
    4 000", "4 000 ou plus"; a single class (every region alike) reads "toutes les régions"."""
    kind = LABELS[key].format
    texts = [format_value(bound, kind) for bound in bounds]
    if not texts:
        labels = ["toutes les régions"]
    else:
        labels = [f"moins de {texts[0]}"]
        labels += [f"de {low} à moins de {high}" for low, high in itertools.pairwise(texts)]
        labels.append(f"{texts[-1]} ou plus")
    # With fewer classes, they spread over the palette from its lightest to its darkest.
    return [
        {"label": text, "shade": shade}
        for text, shade in zip(labels, shades(len(labels)), strict=True)
    ]


def shades(count: int) -> list[int]:
    """The palette's shades of ``count`` classes, spread from lightest to darkest."""
    if count == 1:
        return [SHADES - 1]
    return [round(i * (SHADES - 1) / (count - 1)) for i in range(count)]


def map_context(
    session: Session,
    filters: Filters,
    current_region: str | None,
    page: str = "live.index",
    exact: bool = False,
) -> dict[str, Any]:
    """The map of ``filters.year``: per region its values, their texts, classes and link (the
    URL the Région select gives, on the endpoint ``page``: the public dashboard or the exact
    one), the legend of each figure, the current region marked.

    The regions' year cells are never withheld; a reader without a token reads them, as the
    rest of his page, from the public edition (``exact``: the live counters).
    """
    period = year_period(filters.year)
    view = public.view_for(
        session, [(period, scope_key("region", code)) for code in REGIONS], exact=exact
    )
    values = {code: view.values_of((period, scope_key("region", code))) for code in REGIONS}
    index_url = url_for(page)
    legends, bounds_of = {}, {}
    for key in MAP_FIGURES:
        defined = [float(v[key]) for v in values.values() if not rate_undefined(v, key)]
        bounds = class_bounds(defined, LABELS[key].format == "percent")
        bounds_of[key] = bounds
        legends[key] = legend(bounds, key)
        if len(defined) < len(values):
            legends[key].append({"label": "n.d. : taux non défini", "shade": NOT_AVAILABLE_SHADE})
    regions = []
    for code in sorted(REGIONS, key=lambda c: alphabetical(REGIONS[c])):
        figures = values[code]
        target = filters.args(region=code, structure=None)
        regions.append(
            {
                "code": code,
                "name": REGIONS[code],
                "href": f"{index_url}?{urlencode(target)}",
                "current": code == current_region,
                "values": {key: figures[key] for key in MAP_FIGURES},
                "display": {key: format_figure(figures, key) for key in MAP_FIGURES},
                "shades": {
                    key: NOT_AVAILABLE_SHADE
                    if rate_undefined(figures, key)
                    else legends[key][class_of(figures[key], bounds_of[key])]["shade"]
                    for key in MAP_FIGURES
                },
            }
        )
    figures_meta = [
        {"key": key, "short": LABELS[key].short, "header": LABELS[key].csv_header}
        for key in MAP_FIGURES
    ]
    return {
        "year": filters.year,
        "figures": figures_meta,
        "default": DEFAULT_FIGURE,
        "legends": legends,
        "regions": regions,
        "svg_url": url_for("live.regions_svg"),
    }
