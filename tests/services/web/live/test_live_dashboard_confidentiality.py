"""Statistical confidentiality on the dashboard: ``/``, ``/donnees.json`` and ``/export.csv``
show a visitor none of the values the JSON API withholds from him, nor the rates, shares
and changes that would give them back — each is the one mark ``s`` (secret statistique),
which claims no bound, explained in a note and in a legend under each table — and the rest
exactly.

What is withheld is taken from the API (``/v1/figures`` and its breakdowns without a token,
tested on their own), the exact values from the same API with a token: every place of the
page, of its data and of its exports where a cell's value shows is checked against both.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any, NamedTuple

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.formatting import NOT_AVAILABLE, format_figure, format_percent
from services.web.live.tables import COLUMNS
from shared.figures import FIGURE_KEYS, rate_undefined
from shared.publication.labels import LABELS
from shared.publication.spreadsheets import spreadsheet_number
from tests.services.web.live.conftest import MIN_COUNT
from tests.support.dashboard import Shown, csv_table, read_dashboard
from tests.support.events import STRUCTURES, apply_all, event, random_events, record
from tests.support.web import bearer, json_of, page_text

MARK = "s"
TITLE = "Secret statistique : valeur non publiée"
REASONS = [key for key in FIGURE_KEYS if key.startswith("civis_exits_")]
SCOPES = ["", "&region=11", "&region=24", *(f"&structure={sid}" for sid in STRUCTURES)]
YEARS = [2007, 2008]  # the random events fall on 2006-12-31 … 2008-01-01


class Truth(NamedTuple):
    """A cell as the API gives it: its exact values, and what a visitor does not see."""

    exact: dict[str, Any]
    withheld: list[str]

    def value(self, key: str) -> Any:
        return None if key in self.withheld else self.exact[key]

    def text(self, key: str) -> str:
        """How the page shows the value: the mark, or the exact value the French way."""
        if key in self.withheld:
            return MARK
        return format_figure(self.exact, key)  # "n.d." for a rate without denominator

    def shown(self, key: str) -> Shown:
        return Shown(self.text(key), key in self.withheld)

    def share(self, reason: str) -> Shown:
        """A CIVIS exit reason's share of the exits: withheld with either."""
        if reason in self.withheld or "civis_exits" in self.withheld:
            return Shown(MARK, True)
        exits = self.exact["civis_exits"]
        return Shown(format_percent(self.exact[reason] / exits) if exits else NOT_AVAILABLE, False)


def _get(client: FlaskClient, url: str, token: str | None = None) -> dict[str, Any]:
    response = client.get(url, headers=bearer(token) if token else {})
    assert response.status_code == 200, response.get_data(as_text=True)
    answer: dict[str, Any] = response.get_json()
    return answer


def _cell(client: FlaskClient, token: str, url: str) -> Truth:
    exact = _get(client, url, token)["figures"]
    return Truth(exact, _get(client, url)["suppressed"])


def _rows(client: FlaskClient, token: str, url: str) -> dict[str, Truth]:
    exact = {row["key"]: row["figures"] for row in _get(client, url, token)["rows"]}
    public = {row["key"]: row["suppressed"] for row in _get(client, url)["rows"]}
    return {key: Truth(values, public[key]) for key, values in exact.items()}


class Expected(NamedTuple):
    scope: Truth
    previous: Truth
    total: Truth
    breakdown: dict[str, Truth]
    months: dict[str, Truth]


def expected(client: FlaskClient, token: str, year: int, query: str) -> Expected:
    """What the dashboard of ``year`` and ``query`` is made of, from the API."""
    structure = query.partition("structure=")[2]
    region = STRUCTURES[structure].region if structure else query.partition("region=")[2]
    within = f"&region={region}" if region else ""
    by = "structure" if region else "region"
    total = _cell(client, token, f"/v1/figures?year={year}{within}")
    assert total.withheld == []  # the totals are always published
    return Expected(
        scope=_cell(client, token, f"/v1/figures?year={year}{query}"),
        previous=_cell(client, token, f"/v1/figures?year={year - 1}{query}"),
        total=total,
        breakdown=_rows(client, token, f"/v1/figures/breakdown?year={year}&by={by}{within}"),
        # The scope's own months: a structure's too.
        months=_rows(client, token, f"/v1/figures/breakdown?year={year}&by=month{query}"),
    )


def _change_withheld(expected: Expected, key: str) -> bool:
    # value − change gives the year before's value back, and the reader must not know
    # whether a year whose youths in contact are withheld had any data.
    before = expected.previous.withheld
    return key in expected.scope.withheld or key in before or "youths_in_contact" in before


def check_data(dashboard: dict[str, Any], expected: Expected) -> None:
    """/donnees.json: nulls, marks and ``suppressed`` where the API withholds; exact elsewhere."""
    scope = expected.scope
    assert dashboard["figures"] == {key: scope.value(key) for key in FIGURE_KEYS}
    assert dashboard["suppressed"] == scope.withheld
    assert dashboard["display"] == {key: scope.text(key) for key in FIGURE_KEYS}
    assert dashboard["civis_shares"] == {reason: scope.share(reason).text for reason in REASONS}
    for key, change in dashboard["changes"].items():
        if _change_withheld(expected, key):
            assert (change["state"], change["absolute"], change["relative"]) == (
                "withheld",
                None,
                None,
            ), key
            assert (change["value"], change["display"]) == (
                MARK,
                f"{MARK} par rapport à {dashboard['previous_year']}",
            ), key
        elif change["state"] == "change":
            now, before = scope.exact[key], expected.previous.exact[key]
            assert change["absolute"] == pytest.approx(now - before), key
        else:
            assert change["state"] == "not_available"
            assert expected.previous.exact["youths_in_contact"] == 0 or (
                rate_undefined(scope.exact, key) or rate_undefined(expected.previous.exact, key)
            ), key
    for rows, truths in (
        (dashboard["breakdown"]["rows"], expected.breakdown),
        (dashboard["months"]["rows"], expected.months),
    ):
        assert sorted(row["key"] for row in rows) == sorted(truths)
        for row in rows:
            truth = truths[row["key"]]
            assert row["figures"] == {key: truth.value(key) for key in FIGURE_KEYS}, row["key"]
            assert row["suppressed"] == truth.withheld
            assert row["display"] == {key: truth.text(key) for key, _ in COLUMNS}
    total = dashboard["breakdown"]["total"]
    assert total["figures"] == expected.total.exact and total["suppressed"] == []
    # Each table's legend names the marks its cells use.
    tables = (
        ("breakdown", [*expected.breakdown.values(), expected.total]),
        ("months", list(expected.months.values())),
    )
    for table, truths in tables:
        texts = {truth.text(key) for truth in truths for key, _ in COLUMNS}
        assert dashboard[table]["marks"] == [m for m in (MARK, NOT_AVAILABLE) if m in texts], table
    blocks = bool(scope.withheld) or any(
        c["state"] == "withheld" for c in dashboard["changes"].values()
    )
    assert ("s" in dashboard["marks"]) == blocks


def check_page(html: str, dashboard: dict[str, Any], expected: Expected) -> None:
    """The page: each value the API withholds is the mark in its <abbr>; the rest exact."""
    page = read_dashboard(html)
    scope = expected.scope
    assert page.figures == {key: scope.shown(key) for key in FIGURE_KEYS}
    assert page.shares == {reason: scope.share(reason) for reason in REASONS}
    assert page.changes == {key: change["display"] for key, change in dashboard["changes"].items()}
    tables = (
        ("breakdown", dashboard["breakdown"]["rows"], expected.breakdown),
        ("months", dashboard["months"]["rows"], expected.months),
    )
    for name, rows, truths in tables:
        assert [label for label, _ in page.rows[name]] == [row["label"] for row in rows]
        for (_, cells), row in zip(page.rows[name], rows, strict=True):
            assert cells == [truths[row["key"]].shown(key) for key, _ in COLUMNS], row["key"]
    [(_, total)] = page.rows["breakdown-total"]
    assert total == [expected.total.shown(key) for key, _ in COLUMNS]
    for name, marks in (
        ("figures", dashboard["marks"]),
        ("breakdown", dashboard["breakdown"]["marks"]),
        ("months", dashboard["months"]["marks"]),
    ):
        assert legend_marks(html, name) == marks, name
    # The dashboard embedded for the charts is the data call's: nulls where withheld.
    embedded = re.search(
        r'<script type="application/json" id="dashboard-data">(.*?)</script>', html
    )
    assert embedded
    kept = json.loads(embedded.group(1))
    for moment in ("as_of", "clock"):
        kept.pop(moment), dashboard.pop(moment)
    assert kept == dashboard


def legend_marks(html: str, name: str) -> list[str]:
    """The marks a table's legend shows (none when the legend is hidden)."""
    found = re.search(rf'<p class="[^"]*table-marks" data-marks="{name}"( hidden)?>(.*?)</p>', html)
    assert found, name
    if found.group(1):
        return []
    return re.findall(r'<span data-mark="([^"]+)">', found.group(2))


def check_csv(rows: list[list[str]], truths: dict[str, Truth], total: Truth | None) -> None:
    """An export: the mark as text where the API withholds, the note of its meaning last."""
    header, *lines, note = rows
    assert note == [expected_note()]
    columns = [LABELS[key].csv_header for key in FIGURE_KEYS]
    assert header[:4] == ["Année", "Périmètre", header[2], "Code"]
    assert header[4:] == columns
    for line in lines:
        truth = total if line[3] == "" else truths[line[3]]
        assert truth is not None
        shown = [
            MARK
            if key in truth.withheld
            else NOT_AVAILABLE
            if rate_undefined(truth.exact, key)
            else spreadsheet_number(truth.exact[key], percent=key == "access_rate")
            for key in FIGURE_KEYS
        ]
        assert line[4:] == shown, line[:4]
    assert len(lines) == len(truths) + (total is not None)


def expected_note() -> str:
    return (
        f"« s » : secret statistique — valeur non publiée parce qu'elle porte sur moins de "
        f"{MIN_COUNT} jeunes ou permettrait d'en retrouver une par différence. Les taux, les "
        "parts et les évolutions calculés à partir d'une telle valeur portent la même marque. "
        "Les chiffres de l'année pour la France entière et pour chaque région sont toujours "
        "publiés."
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_visitor_sees_no_withheld_value_anywhere(
    public: FlaskClient, sessions: sessionmaker[Session], registry: Any, admin_token: str, seed: int
) -> None:
    with sessions.begin() as session:
        record(session, random_events(random.Random(seed), 300))
    apply_all(sessions)
    hidden_nonzero = 0  # withheld values that are not 0: what a leak would show
    by_previous = 0  # changes withheld for the year before's value alone
    for year in YEARS:
        for query in SCOPES:
            truth = expected(public, admin_token, year, query)
            url = f"?year={year}{query}"
            dashboard = _get(public, f"/donnees.json{url}")
            check_data(dashboard, truth)
            response = public.get(f"/{url}")
            assert response.status_code == 200
            check_page(response.get_data(as_text=True), dashboard, truth)
            # Each table's total first: the breakdown's region (or nation), the scope's year.
            check_csv(csv_table(public, f"/export.csv{url}"), truth.breakdown, truth.total)
            check_csv(csv_table(public, f"/export.csv{url}&view=month"), truth.months, truth.scope)
            for cell in (truth.scope, *truth.breakdown.values(), *truth.months.values()):
                hidden_nonzero += sum(1 for key in cell.withheld if cell.exact[key])
            by_previous += sum(
                1
                for key in FIGURE_KEYS
                if key not in truth.scope.withheld and _change_withheld(truth, key)
            )
    assert hidden_nonzero > 0 and by_previous > 0


# Île-de-France in 2007: three youths interviewed at Paris, one at Créteil (both withheld),
# and six contacts at each.
SMALL = [
    *(event(f"p{n}", "interview", on="2007-03-05", youth=f"P{n}") for n in range(3)),
    event("c0", "interview", on="2007-03-06", structure="ML-11-002", youth="C0"),
    *(
        event(f"k{n}", "contact", on="2007-04-02", structure=f"ML-11-00{1 + n % 2}", youth=f"K{n}")
        for n in range(12)
    ),
]


@pytest.fixture
def small(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, SMALL)
    apply_all(sessions)


def test_the_mark_is_explained_beside_the_tables(public: FlaskClient, small: None) -> None:
    html = page_text(public, "/?year=2007&structure=ML-11-001")
    assert f'<abbr class="withheld" title="{TITLE}">s</abbr>' in html
    note = html.split('id="secret-statistique">', 1)[1].split("</p>", 1)[0]
    assert note == expected_note()
    # The note comes before the tables it explains, and each legend links to it.
    assert html.index('id="secret-statistique"') < html.index('id="table-repartition"')
    assert legend_marks(html, "figures") == ["s", "n.d."]  # no 2006: changes n.d.
    assert legend_marks(html, "breakdown") == ["s"]
    # A structure's rows withheld whole from the public; their total is its published year
    # figure, whose share of a zero is "n.d.".
    assert legend_marks(html, "profiles") == ["s", "n.d."]
    assert (
        html.count('(<a class="fr-link fr-text--xs" href="#secret-statistique">voir la note</a>)')
        == 5
    )
    # Members of the network are told where the exact figures are, for the same dashboard.
    assert "Vous êtes membre du réseau ?" in html
    assert (
        '<a class="fr-link" href="/chiffres-exacts?year=2007&structure=ML-11-001">'
        "Connectez-vous pour voir les chiffres exacts</a>"
    ) in html
    dashboard = json_of(public, "/donnees.json?year=2007&structure=ML-11-001")
    assert dashboard["confidentiality"] == {
        "min_count": MIN_COUNT,
        "mark": MARK,
        "title": TITLE,
        "note": expected_note(),
    }


def test_a_value_withheld_to_protect_another_claims_no_bound(
    public: FlaskClient, sessions: sessionmaker[Session], registry: Any
) -> None:
    # Île-de-France: one youth interviewed at Paris, six at Créteil. Paris's 1 is withheld,
    # and Créteil's 6 with it (the region's 7 minus 6 would give it back): "< 5" would be
    # false of Créteil's 6, and would tell the reader which of the two is the small one.
    with sessions.begin() as session:
        record(
            session,
            [
                event("p0", "interview", on="2007-03-05", youth="P0"),
                *(
                    event(
                        f"c{n}", "interview", on="2007-03-06", structure="ML-11-002", youth=f"C{n}"
                    )
                    for n in range(6)
                ),
            ],
        )
    apply_all(sessions)
    dashboard = json_of(public, "/donnees.json?year=2007&region=11")
    rows = {row["key"]: row for row in dashboard["breakdown"]["rows"]}
    for key in ("ML-11-001", "ML-11-002"):
        assert rows[key]["figures"]["youths_interviewed"] is None
        assert rows[key]["display"]["youths_interviewed"] == "s"
    html = page_text(public, "/?year=2007&structure=ML-11-002")
    page = read_dashboard(html)
    assert page.figures["youths_interviewed"] == Shown("s", True)
    assert page.changes["youths_interviewed"] == "s par rapport à 2006"
    assert "< 5" not in html and "&lt; 5" not in html
    rows_csv = csv_table(public, "/export.csv?year=2007&region=11")
    assert "< 5" not in str(rows_csv)
    paris = next(line for line in rows_csv if line[3] == "ML-11-002")
    assert paris[4 + FIGURE_KEYS.index("youths_interviewed")] == "s"


def test_sorting_by_a_withheld_figure_keeps_the_names_order(
    public: FlaskClient, small: None
) -> None:
    for order in ("asc", "desc"):
        url = f"/donnees.json?year=2007&region=11&sort=youths_interviewed&order={order}"
        rows = json_of(public, url)["breakdown"]["rows"]
        assert [row["figures"]["youths_interviewed"] for row in rows] == [None, None]
        # Créteil, Paris: by exact value (1, 3) the descending order would tell which is more.
        assert [row["key"] for row in rows] == ["ML-11-002", "ML-11-001"], order
    # Published values are still sorted, around the withheld ones.
    rows = json_of(public, "/donnees.json?year=2007&sort=youths_interviewed&order=desc")[
        "breakdown"
    ]["rows"]
    assert rows[0]["key"] == "11" and rows[0]["figures"]["youths_interviewed"] == 4


def test_off_the_dashboard_is_as_before(client: FlaskClient, small: None) -> None:
    dashboard = json_of(client, "/donnees.json?year=2007&structure=ML-11-001")
    assert "suppressed" not in dashboard and dashboard["confidentiality"] is None
    assert dashboard["figures"]["youths_interviewed"] == 3
    assert all("suppressed" not in row for row in dashboard["breakdown"]["rows"])
    html = page_text(client, "/?year=2007&structure=ML-11-001")
    assert "withheld" not in html.split('<div id="figures"', 1)[1].split("<script", 1)[0]
    assert "secret-statistique" not in html and "Connectez-vous pour voir" not in html
    rows = csv_table(client, "/export.csv?year=2007&region=11")
    assert "secret statistique" not in rows[-1][0]
