"""What the dashboard is asked for: its query parameters (``Filters``), checked, and the
*edition* of the dashboard that answers (``Edition``: the public one at ``/``, the exact one of
the signed-in at ``/chiffres-exacts``).

The filters live in the URL, so what the page shows is a link: a year, a region or a
structure (the narrower wins), and the sort of the breakdown table. A bad one is an
``ApiError`` whose French message the page shows (``MESSAGES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from services.http.errors import ApiError
from services.web.live.tables import COLUMNS
from services.web.parameters import is_structure_id, optional, parse_year
from shared.regions import REGIONS

Order = Literal["asc", "desc"]
ORDERS: tuple[str, ...] = get_args(Order)
SORTS: tuple[str, ...] = ("label", *(key for key, _ in COLUMNS))

# French messages of the page's errors, by the code of the ApiError the page shows.
# ``invalid_view``: the ``view`` parameter of /export.csv (a URL's word, kept) names no table.
MESSAGES = {
    "invalid_year": "L'année demandée n'est pas valide.",
    "invalid_sort": "Le tri demandé n'est pas valide.",
    "invalid_view": "La vue demandée n'est pas valide.",
    "unknown_region": "Cette région n'existe pas.",
    "unknown_structure": "Cette structure n'est pas dans le répertoire.",
}


@dataclass(frozen=True)
class Edition:
    """One edition of the dashboard: whether it is exact for everyone who may open it, and
    the endpoints of its page, its data call and its CSV export."""

    exact: bool
    page: str
    data: str
    export: str


PUBLIC = Edition(False, "live.index", "live_data.dashboard_json", "live_data.export_csv")
EXACT = Edition(
    True, "live.exact_index", "live_data.exact_dashboard_json", "live_data.exact_export_csv"
)

# A query parameter's value, or None to leave it out of the URL.
Argument = str | int | None


@dataclass(frozen=True)
class Filters:
    """The page's query parameters, checked: what the URL of a shareable dashboard holds."""

    year: int
    region: str | None
    structure: str | None
    sort: str
    order: Order

    # Any: url_for's keyword arguments, which the result is splatted into, are (its own
    # ``_anchor``, ``_external``… beside the query's).
    def args(self, **changes: Argument) -> dict[str, Any]:
        """The query parameters of these filters (with ``changes``), without empty ones."""
        values: dict[str, Argument] = {
            "year": self.year,
            "region": self.region,
            "structure": self.structure,
            "sort": None if self.sort == "label" else self.sort,
            "order": None if self.order == "asc" else self.order,
        }
        values.update(changes)
        if values.get("sort") == "label":
            values["sort"] = None
        if values.get("order") == "asc":
            values["order"] = None
        return {key: value for key, value in values.items() if value is not None}


def page_error(code: str, status: int) -> ApiError:
    """The page's error: its status, and its message in French."""
    return ApiError(status, code, MESSAGES[code])


def read_filters() -> Filters:
    """The filters of the current request; an ApiError with a French message if bad.

    The form sends both selects: a structure, the narrower choice, wins over a region.
    """
    try:
        year = parse_year(optional("year"))
    except ApiError:
        raise page_error("invalid_year", 400) from None
    structure = optional("structure")
    if structure and not is_structure_id(structure):
        raise page_error("unknown_structure", 404)
    region = None if structure else optional("region")
    if region and region not in REGIONS:
        raise page_error("unknown_region", 404)
    sort = optional("sort") or "label"
    if sort not in SORTS:
        raise page_error("invalid_sort", 400)
    order = optional("order") or "asc"
    if order not in ORDERS:
        raise page_error("invalid_sort", 400)
    return Filters(
        year=year, region=region, structure=structure, sort=sort, order=cast(Order, order)
    )
