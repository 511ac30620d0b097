"""/declarations in pages of 50 structures, the filters kept in every page's link; a page
that does not exist is a French 404."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.pagination import Pagination
from shared.registry import StructureFields, upsert_structure
from tests.support.web import connect


@pytest.fixture
def many(sessions: sessionmaker[Session], registry: object) -> None:
    """117 structures more in Alsace (42): 120 in all, 117 of them in Alsace."""
    with sessions.begin() as session:
        for i in range(117):
            fields = StructureFields(name=f"Antenne {i:03d}", kind="paio", region="42")
            upsert_structure(session, f"PAIO-42-{i:03d}", fields)


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr id="structure-([^"]+)"', page)


def test_the_list_is_cut_in_pages_that_keep_the_filters(
    client: FlaskClient, tokens: dict[str, str], many: None
) -> None:
    connect(client, tokens["admin"])
    first = html.unescape(client.get("/declarations?year=2007").get_data(as_text=True))
    assert len(rows_of(first)) == 50
    assert "120 structures : 1 à 50 affichées (page 1 sur 3)" in first
    assert 'aria-label="Pages de la liste des structures"' in first
    assert '<a class="fr-pagination__link" aria-current="page" title="Page 1">1</a>' in first
    assert 'href="/declarations?year=2007&page=2"' in first
    last = html.unescape(client.get("/declarations?year=2007&page=3").get_data(as_text=True))
    assert len(rows_of(last)) == 20
    assert "101 à 120 affichées (page 3 sur 3)" in last
    # Every structure is on one page, once.
    pages = [
        rows_of(
            html.unescape(client.get(f"/declarations?year=2007&page={n}").get_data(as_text=True))
        )
        for n in (1, 2, 3)
    ]
    everyone = [row for page in pages for row in page]
    assert len(everyone) == len(set(everyone)) == 120

    filtered = html.unescape(
        client.get("/declarations?year=2007&region=42&kind=paio&q=antenne").get_data(as_text=True)
    )
    assert "117 structures correspondent aux filtres : 1 à 50 affichées (page 1 sur 3)" in filtered
    assert 'href="/declarations?year=2007&region=42&kind=paio&q=antenne&page=2"' in filtered
    second = html.unescape(
        client.get("/declarations?year=2007&region=42&kind=paio&q=antenne&page=2").get_data(
            as_text=True
        )
    )
    assert rows_of(second)[0] == "PAIO-42-050"
    assert 'href="/declarations?year=2007&region=42&kind=paio&q=antenne"' in second  # page 1


def test_a_page_that_does_not_exist_is_a_french_404(
    client: FlaskClient, tokens: dict[str, str], many: None
) -> None:
    connect(client, tokens["admin"])
    for page in ("4", "0", "x", "99999999999"):
        answer = client.get(f"/declarations?year=2007&page={page}")
        assert answer.status_code == 404, page
        assert "Cette page de la liste n'existe pas : elle en a 3 pages." in html.unescape(
            answer.get_data(as_text=True)
        )
    # A short list has one page and no pagination.
    short = client.get("/declarations?year=2007&region=11").get_data(as_text=True)
    assert "fr-pagination" not in short and len(rows_of(short)) == 2


def test_page_numbers_skip_the_far_ones() -> None:
    def numbers(current: int, pages: int) -> list[int | None]:
        return Pagination(current, 10, pages * 10, "x", {}).numbers()

    assert numbers(1, 3) == [1, 2, 3]
    assert numbers(1, 10) == [1, 2, 3, None, 10]
    assert numbers(6, 10) == [1, None, 4, 5, 6, 7, 8, None, 10]
    assert numbers(10, 10) == [1, None, 8, 9, 10]
