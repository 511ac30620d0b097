"""``GET /v1/figures/breakdown?by=sex|age|education_level``: one row per category of the
dimension, zeros included, nationally, in a region or in a structure (SPEC §4.2, §5)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.figures import FIGURE_KEYS
from shared.profiles import DIMENSIONS
from shared.publication.confidentiality import DISTINCT
from tests.services.web.live.conftest import MIN_COUNT
from tests.support.events import apply_all, event, record
from tests.support.web import bearer


def first(event_id: str, youth: str, profile: dict[str, Any] | None, **fields: Any):
    found = event(event_id, "first_reception", youth=youth, **fields)
    if profile is not None:
        found["youth"] = profile
    return found


EVENTS = [
    first("fa", "A", {"sex": "F", "birth_year": 1988, "education_level": "V"}),
    event("ia", youth="A"),
    event("ia2", youth="A", on="2007-04-02"),
    first("fb", "B", {"sex": "M"}, structure="PAIO-24-001"),
    event("ib", youth="B", structure="PAIO-24-001"),
    event("oc", "outcome", youth="C", outcome="training", structure="ML-11-002"),
    first("fc", "C", None, structure="ML-11-002"),
    # C's profile comes from an earlier year, at another structure.
    first("fc0", "C", {"sex": "F", "birth_year": 1991}, on="2006-10-10"),
]


@pytest.fixture
def profiled(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)


def rows_of(client: FlaskClient, query: str, **kwargs: Any) -> dict[str, dict[str, Any]]:
    response = client.get(f"/v1/figures/breakdown?year=2007&{query}", **kwargs)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["year"] == 2007
    return {row["key"]: row for row in body["rows"]}


def test_one_row_per_sex_with_every_figure(client: FlaskClient, profiled: None) -> None:
    rows = rows_of(client, "by=sex")
    assert list(rows) == ["F", "M", "unknown"]
    assert list(rows["F"]["figures"]) == list(FIGURE_KEYS)
    women, men = rows["F"]["figures"], rows["M"]["figures"]
    assert (women["youths_in_contact"], women["youths_interviewed"], women["interviews"]) == (
        2,
        1,
        2,
    )
    assert women["youths_first_reception"] == 2
    assert (men["youths_in_contact"], men["interviews"]) == (1, 1)
    assert rows["unknown"]["figures"]["youths_in_contact"] == 0  # zeros included
    national = client.get("/v1/figures?year=2007").get_json()["figures"]
    for key in ("youths_in_contact", "youths_interviewed", "interviews"):
        assert sum(row["figures"][key] for row in rows.values()) == national[key]


def test_ages_reached_in_the_year_and_levels(client: FlaskClient, profiled: None) -> None:
    ages = rows_of(client, "by=age")
    assert list(ages) == list(DIMENSIONS["age"])
    counts = {key: row["figures"]["youths_in_contact"] for key, row in ages.items()}
    assert counts == {"under_16": 0, "16_17": 1, "18_21": 1, "22_25": 0, "26_plus": 0,
                      "unknown": 1}  # fmt: skip
    levels = rows_of(client, "by=education_level")
    assert levels["V"]["figures"]["youths_in_contact"] == 1
    assert levels["unknown"]["figures"]["youths_in_contact"] == 2


def test_within_a_region_and_a_structure(client: FlaskClient, profiled: None) -> None:
    centre = rows_of(client, "by=sex&region=24")
    assert centre["M"]["figures"]["youths_in_contact"] == 1
    assert centre["F"]["figures"]["youths_in_contact"] == 0
    creteil = rows_of(client, "by=sex&structure=ML-11-002")
    assert creteil["F"]["figures"]["youths_with_access"] == 0  # no interview there
    assert creteil["F"]["figures"]["youths_in_contact"] == 1


def test_parameters_refused(client: FlaskClient, profiled: None) -> None:
    for query, status in (
        ("by=sex&through=2007-03-31", 400),
        ("by=sex&region=11&structure=ML-11-001", 400),
        ("by=sex&structure=NOPE", 404),
        ("by=sex&region=99", 404),
        ("by=gender", 400),
    ):
        assert client.get(f"/v1/figures/breakdown?year=2007&{query}").status_code == status


def test_readers_without_a_token_see_the_edition_protected_cell_by_cell(
    public: FlaskClient, sessions: sessionmaker[Session], profiled: None, tokens: dict[str, str]
) -> None:
    """Confidentiality on: the nation's and a region's rows are the public edition's — each
    value exact or withheld (null, its key in ``suppressed``), every small count withheld —
    and a structure's are withheld whole (not in the edition); a token's holder reads them
    exact."""
    with sessions.begin() as session:  # enough women of 1987 to publish some of their values
        record(
            session, [first(f"w{n}", f"W{n}", {"sex": "F", "birth_year": 1987}) for n in range(9)]
        )
    apply_all(sessions)
    published = 0
    for scope in ("", "&region=11", "&region=24"):
        for by in DIMENSIONS:
            shown = rows_of(public, f"by={by}{scope}")
            exact = rows_of(public, f"by={by}{scope}", headers=bearer(tokens["source"]))
            for key, row in shown.items():
                truth = exact[key]["figures"]
                hidden = {k for k, v in row["figures"].items() if v is None}
                assert set(row["suppressed"]) == hidden
                for figure, value in row["figures"].items():
                    assert value is None or value == truth[figure]
                    if figure in DISTINCT and 0 < truth[figure] < MIN_COUNT:
                        assert value is None, (scope, by, key, figure)
                published += sum(1 for k, v in row["figures"].items() if v and k in DISTINCT)
                assert "suppressed" not in exact[key]
    assert published > 0  # not everything withheld: the edition publishes profile values
    structure = rows_of(public, "by=sex&structure=ML-11-001")
    assert all(set(row["figures"].values()) == {None} for row in structure.values())
    assert all(row["suppressed"] == list(FIGURE_KEYS) for row in structure.values())
