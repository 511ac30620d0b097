"""What the frozen report's page shows from its figures: the key figures laid out like the
2007 report's "Chiffres clés" page, and a few bar charts.

The key figures are six blocks — the network, the youths, access to a job or training,
CIVIS, funding, funders — each a big headline figure and its details, with their shares
as the 2007 page gives them (``40 % des sorties``). Every key of the report is in one
block (checked below); the wording is shared.publication.labels'. The charts are computed from the
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
)
from services.web.reports.field import ReportField
from shared.publication.labels import LABELS, plural_form
from shared.publication.series import Change, change_from_previous
from shared.report.document import FUNDER_SHARES, SECTIONS
from shared.report.document import unavailable as report_unavailable
from shared.report.keys import DECLARATION_KEYS, REPORT_KEYS

Figures = dict[str, Any]
# The blocks' titles are the report's sections' (shared.report.document), in their order.
TITLES = [title for title, _ in SECTIONS]


def unavailable(figures: Figures, key: str, field: ReportField) -> bool:
    """Whether a figure does not exist ("n.d.", shared.report.document)."""
    return report_unavailable(figures, key, field.validated)


def _text(figures: Figures, key: str, field: ReportField) -> str:
    if unavailable(figures, key, field):
        return NOT_AVAILABLE
    return format_figure(figures, key)  # "n.d." for a rate without denominator too


def _share(figures: Figures, part: str, whole: str, field: ReportField) -> str:
    total = figures[whole]
    if not total or unavailable(figures, part, field):
        return NOT_AVAILABLE  # a share of nothing does not exist
    return format_percent(figures[part] / total)


def _item(
    figures: Figures,
    key: str,
    field: ReportField,
    of: str | None = None,
    note: str = "",
    covers: str | None = None,
) -> dict[str, Any]:
    """A detail line: its value, its label (agreeing with it: "1 jeune"), when ``of`` is
    given its share of it, and what it ``covers`` when that is not the whole network (the
    declarations' figures)."""
    share = None if of is None else f"{_share(figures, key, of, field)}{note}"
    return {
        "key": key,
        "value": _text(figures, key, field),
        "label": LABELS[key].agreeing(figures[key]),
        "share": share,
        "field": covers,
    }


def key_blocks(year: int, figures: Figures, field: ReportField) -> list[dict[str, Any]]:
    """The six blocks of the "Chiffres clés" page: title, headline (key, value, label),
    an optional note (key, text, and its end: the change of a key's figure stands between
    them), what the block's figures cover when they rest on the declarations (``field``),
    and the details."""
    exits = " des sorties"
    covers = field.sentence
    shares = [figures[f"funder_share_{k}"] for k in ("region", "department", "municipalities")]
    local = NOT_AVAILABLE if unavailable(figures, FUNDER_SHARES[0], field) else None
    funders = [_item(figures, key, field) for key in FUNDER_SHARES]
    blocks: list[dict[str, Any]] = [
        {
            "title": f"{TITLES[0]} au 31 décembre {year}",
            "headline": (
                "structures",
                _text(figures, "structures", field),
                plural_form(figures["structures"], "structure", "structures"),
            ),
            "items": [_item(figures, k, field) for k in ("missions_locales", "paio")]
            + [_item(figures, "professionals", field, covers=covers)],
        },
        {
            "title": "Les jeunes accompagnés",
            "headline": (
                "youths_interviewed",
                _text(figures, "youths_interviewed", field),
                plural_form(
                    figures["youths_interviewed"],
                    "jeune accompagné, reçu en entretien individuel",
                    "jeunes accompagnés, reçus en entretien individuel",
                ),
            ),
            "items": [
                _item(figures, k, field)
                for k in ("youths_first_reception", "youths_in_contact", "youths_received")
            ]
            + [_item(figures, "interviews", field)],
        },
        {
            "title": TITLES[2],
            "headline": (
                "youths_with_access",
                _text(figures, "youths_with_access", field),
                plural_form(
                    figures["youths_with_access"],
                    "jeune a accédé à un emploi ou à une formation",
                    "jeunes ont accédé à un emploi ou à une formation",
                ),
            ),
            "items": [
                _item(figures, k, field)
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
                _text(figures, "civis_entries", field),
                LABELS["civis_entries"].agreeing(figures["civis_entries"]),
            ),
            "items": [_item(figures, "civis_exits", field)]
            + [
                _item(figures, f"civis_exits_{k}", field, "civis_exits", exits)
                for k in ("durable_employment", "non_durable_employment", "training", "other")
            ],
        },
        {
            "title": TITLES[4],
            "headline": (
                "cost_per_youth",
                _text(figures, "cost_per_youth", field),
                "par jeune accompagné",
            ),
            "note": (
                "funding_total",
                f"{_text(figures, 'funding_total', field)} de financement public",
                ", dont :",
            ),
            "field": covers,
            "items": [
                _item(figures, f"funding_{k}", field, "funding_total")
                for k in ("main", "specific", "managed_funds")
            ],
        },
        {
            "title": TITLES[5],
            "headline": (
                "funder_share_state",
                _text(figures, "funder_share_state", field),
                f"État, {local or format_percent(sum(shares))} collectivités territoriales",
            ),
            "note": (
                None,
                "Répartition de l'activité principale et des activités spécifiques",
                " :",
            ),
            "field": covers,
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
assert _shown(key_blocks(2007, dict.fromkeys(REPORT_KEYS, 0), ReportField(1, 1))) == set(
    REPORT_KEYS
)


def year_changes(
    figures: Figures,
    previous: Figures | None,
    field: ReportField,
    previous_field: ReportField | None,
) -> dict[str, str]:
    """Each key figure's change from ``previous`` (the previous year's report; None: there
    is none), as printed beside it: ``+1 200 (+3,2 %)``, or "n.d." (shared.publication.series). A
    staff
    or funding figure changes from one year to the next only between two complete reports:
    otherwise the two rest on different structures, and their gap says nothing."""
    keys = [key for key in REPORT_KEYS if key in figures and key in LABELS]
    changes = change_from_previous(figures, previous, keys)
    comparable = field.complete and previous_field is not None and previous_field.complete
    for key in DECLARATION_KEYS:
        if key in changes and not comparable:
            changes[key] = Change(None, None)
    return {key: format_change(changes[key], LABELS[key].format) for key in keys}


def _bars(
    figures: Figures, keys: tuple[str, ...], total: float, field: ReportField
) -> list[dict[str, Any]]:
    """Rows of a horizontal bar chart: label, value, share of ``total`` (0..1) and its text
    ("n.d." and no bar when the value or the total does not exist)."""
    rows = []
    for key in keys:
        missing = not total or unavailable(figures, key, field)
        share = 0.0 if missing else figures[key] / total
        rows.append(
            {
                "key": key,
                "label": LABELS[key].label,
                "value": figures[key],
                "text": _text(figures, key, field),
                "share": share,
                "share_text": NOT_AVAILABLE if missing else format_percent(share, 1),
            }
        )
    return rows


def charts_of(figures: Figures, field: ReportField) -> list[dict[str, Any]]:
    """The report's charts, computed from its figures only.

    Each is a bar per row, its length the row's share of a total; ``share_column`` says
    whether the values table shows that share beside the value (not when the value is
    itself the share). The funding charts say what they cover (``field``).
    """
    access = ("youths_with_access", "youths_employment", "youths_subsidized_or_work_study")
    reasons = ("durable_employment", "non_durable_employment", "training", "other")
    covers = field.sentence
    return [
        {
            "title": "Accès à l'emploi et à la formation des jeunes reçus en entretien",
            "rows": _bars(
                figures, (*access, "youths_training"), figures["youths_interviewed"], field
            ),
            "note": "en proportion des jeunes reçus en entretien individuel",
            "share_column": True,
        },
        {
            "title": "Sorties du CIVIS selon le motif",
            "rows": _bars(
                figures, tuple(f"civis_exits_{r}" for r in reasons), figures["civis_exits"], field
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
                field,
            ),
            "note": f"en proportion du financement total, {covers}",
            "share_column": True,
        },
        {
            "title": "Part de chaque financeur",
            "rows": _bars(figures, FUNDER_SHARES, 1.0, field),
            "note": f"activité principale et activités spécifiques, {covers}",
            "share_column": False,
        },
    ]


def charts_data(charts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What static/rapport.js draws: per chart, its bars in percent and their texts; the
    bars named short (shared.publication.labels), so that two charts side by side on A4 keep every
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
