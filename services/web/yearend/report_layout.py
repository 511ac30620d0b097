"""What the frozen report's page shows from its figures: the key figures laid out like the
2007 report's "Chiffres clés" page, and a few bar charts.

The key figures are six blocks — the network, the youths, access to a job or training,
CIVIS, funding, funders — each a big headline figure and its details, with their shares
as the 2007 page gives them (``40 % des sorties``). Every key of the report is in one
block (checked below); the wording is shared.labels'. The charts are computed from the
figures alone: a bar per row, its length the row's share of a total. Beside each figure
stands its change from the previous year's frozen report (``year_changes``).
"""

from __future__ import annotations

from typing import Any

from services.web.formatting import (
    NOT_AVAILABLE,
    format_change,
    format_figure,
    format_percent,
    format_value,
)
from shared.declarations.fields import FUNDER_KEYS
from shared.labels import LABELS, plural_form
from shared.report import SECTIONS
from shared.report_keys import REPORT_KEYS
from shared.series import change_from_previous

Figures = dict[str, Any]
# The blocks' titles are the report's sections' (shared.report), in their order.
TITLES = [title for title, _ in SECTIONS]


def _text(figures: Figures, key: str) -> str:
    return format_figure(figures, key)  # "n.d." for a rate without denominator


def _share(figures: Figures, part: str, whole: str) -> str:
    total = figures[whole]
    return format_percent(figures[part] / total) if total else NOT_AVAILABLE


def _item(figures: Figures, key: str, of: str | None = None, note: str = "") -> dict[str, Any]:
    """A detail line: its value, its label (agreeing with it: "1 jeune") and, when ``of`` is
    given, its share of it."""
    share = None if of is None else f"{_share(figures, key, of)}{note}"
    label = LABELS[key].agreeing(figures[key])
    return {"key": key, "value": _text(figures, key), "label": label, "share": share}


def key_blocks(year: int, figures: Figures) -> list[dict[str, Any]]:
    """The six blocks of the "Chiffres clés" page: title, headline (key, value, label),
    an optional note (key, text, and its end: the change of a key's figure stands between
    them) and the details."""
    exits = " des sorties"
    local = sum(figures[f"funder_share_{k}"] for k in ("region", "department", "municipalities"))
    funders = [_item(figures, f"funder_share_{k}") for k in FUNDER_KEYS]
    blocks: list[dict[str, Any]] = [
        {
            "title": f"{TITLES[0]} au 31 décembre {year}",
            "headline": (
                "structures",
                _text(figures, "structures"),
                plural_form(figures["structures"], "structure", "structures"),
            ),
            "items": [_item(figures, k) for k in ("missions_locales", "paio", "professionals")],
        },
        {
            "title": "Les jeunes accompagnés",
            "headline": (
                "youths_interviewed",
                _text(figures, "youths_interviewed"),
                plural_form(
                    figures["youths_interviewed"],
                    "jeune accompagné, reçu en entretien individuel",
                    "jeunes accompagnés, reçus en entretien individuel",
                ),
            ),
            "items": [
                _item(figures, k)
                for k in ("youths_first_reception", "youths_in_contact", "youths_received")
            ]
            + [_item(figures, "interviews")],
        },
        {
            "title": TITLES[2],
            "headline": (
                "youths_with_access",
                _text(figures, "youths_with_access"),
                plural_form(
                    figures["youths_with_access"],
                    "jeune a accédé à un emploi ou à une formation",
                    "jeunes ont accédé à un emploi ou à une formation",
                ),
            ),
            "items": [
                _item(figures, k)
                for k in (
                    "access_rate",
                    "youths_employment",
                    "youths_subsidized_or_work_study",
                    "youths_training",
                )
            ],
        },
        {
            "title": TITLES[3],
            "headline": (
                "civis_entries",
                _text(figures, "civis_entries"),
                LABELS["civis_entries"].agreeing(figures["civis_entries"]),
            ),
            "items": [_item(figures, "civis_exits")]
            + [
                _item(figures, f"civis_exits_{k}", "civis_exits", exits)
                for k in ("durable_employment", "non_durable_employment", "training", "other")
            ],
        },
        {
            "title": TITLES[4],
            "headline": (
                "cost_per_youth",
                _text(figures, "cost_per_youth"),
                "par jeune accompagné",
            ),
            "note": (
                "funding_total",
                f"{_text(figures, 'funding_total')} de financement public",
                ", dont :",
            ),
            "items": [
                _item(figures, f"funding_{k}", "funding_total")
                for k in ("main", "specific", "managed_funds")
            ],
        },
        {
            "title": TITLES[5],
            "headline": (
                "funder_share_state",
                format_percent(figures["funder_share_state"]),
                f"État, {format_percent(local)} collectivités territoriales",
            ),
            "note": (
                None,
                "Répartition de l'activité principale et des activités spécifiques",
                " :",
            ),
            "items": funders,
        },
    ]
    return blocks


def _shown(blocks: list[dict[str, Any]]) -> set[str]:
    keys = set()
    for block in blocks:
        keys.add(block["headline"][0])
        keys.update(item["key"] for item in block["items"])
        if block.get("note") and block["note"][0]:
            keys.add(block["note"][0])
    return keys


# Every figure of a report stands in one block.
assert _shown(key_blocks(2007, dict.fromkeys(REPORT_KEYS, 0))) == set(REPORT_KEYS)


def year_changes(figures: Figures, previous: Figures | None) -> dict[str, str]:
    """Each key figure's change from ``previous`` (the previous year's report; None: there
    is none), as printed beside it: ``+1 200 (+3,2 %)``, or "n.d." (shared.series)."""
    keys = [key for key in REPORT_KEYS if key in figures and key in LABELS]
    changes = change_from_previous(figures, previous, keys)
    return {key: format_change(changes[key], LABELS[key].format) for key in keys}


def _bars(figures: Figures, keys: tuple[str, ...], total: float) -> list[dict[str, Any]]:
    """Rows of a horizontal bar chart: label, value, share of ``total`` (0..1) and its text."""
    return [
        {
            "key": key,
            "label": LABELS[key].label,
            "value": figures[key],
            "text": format_value(figures[key], LABELS[key].format),
            "share": (figures[key] / total) if total else 0.0,
            "share_text": format_percent((figures[key] / total) if total else 0.0, 1),
        }
        for key in keys
    ]


def charts_of(figures: Figures) -> list[dict[str, Any]]:
    """The report's charts, computed from its figures only.

    Each is a bar per row, its length the row's share of a total; ``share_column`` says
    whether the values table shows that share beside the value (not when the value is
    itself the share).
    """
    access = ("youths_with_access", "youths_employment", "youths_subsidized_or_work_study")
    reasons = ("durable_employment", "non_durable_employment", "training", "other")
    return [
        {
            "title": "Accès à l'emploi et à la formation des jeunes reçus en entretien",
            "rows": _bars(figures, (*access, "youths_training"), figures["youths_interviewed"]),
            "note": "en proportion des jeunes reçus en entretien individuel",
            "share_column": True,
        },
        {
            "title": "Sorties du CIVIS selon le motif",
            "rows": _bars(
                figures, tuple(f"civis_exits_{r}" for r in reasons), figures["civis_exits"]
            ),
            "note": "en proportion des jeunes sortis du CIVIS",
            "share_column": True,
        },
        {
            "title": "Répartition du financement",
            "rows": _bars(
                figures,
                ("funding_main", "funding_specific", "funding_managed_funds"),
                figures["funding_total"],
            ),
            "note": "en proportion du financement total",
            "share_column": True,
        },
        {
            "title": "Part de chaque financeur",
            "rows": _bars(figures, tuple(f"funder_share_{k}" for k in FUNDER_KEYS), 1.0),
            "note": "activité principale et activités spécifiques",
            "share_column": False,
        },
    ]


def charts_data(charts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What static/rapport.js draws: per chart, its bars in percent and their texts; the
    bars named short (shared.labels), so that two charts side by side on A4 keep every
    name whole (the table under each has the full wording)."""
    return [
        {
            "title": chart["title"],
            "labels": [LABELS[row["key"]].short for row in chart["rows"]],
            "percents": [round(100 * row["share"], 2) for row in chart["rows"]],
            "texts": [row["text"] for row in chart["rows"]],
            "shares": [row["share_text"] for row in chart["rows"]],
        }
        for chart in charts
    ]
