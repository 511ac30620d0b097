"""What every page shares: the header and its links, the vendored assets, the stylesheet and
the French formatting of figures."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.web.formatting import (
    format_count,
    format_number,
    format_percent,
    format_time,
    pending_label,
)
from tests.support.web import NNBSP, make_app
from tests.support.web import page_text as page


def test_header_menu_and_skip_links(client: FlaskClient) -> None:
    text = page(client, "/")
    assert '<a class="fr-nav__link" href="/" aria-current="page">Chiffres clés</a>' in text
    assert 'href="#contenu"' in text
    assert '<main id="contenu"' in text
    assert 'role="banner"' in text
    assert 'role="contentinfo"' in text


@pytest.fixture
def fake_modules(tmp_path: Path) -> Path:
    """An npm install holding just the files the pages link."""
    root = tmp_path / "node_modules"
    for path, body in (
        ("@gouvfr/dsfr/dist/dsfr.min.css", "body{}"),
        ("@gouvfr/dsfr/dist/utility/icons/icons.min.css", ".fr-icon{}"),
        ("@gouvfr/dsfr/dist/dsfr.module.min.js", "export{}"),
        ("chart.js/dist/chart.umd.min.js", "window.Chart=function(){}"),
        ("secret.txt", "not served"),
    ):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(body)
    return root


def test_vendor_assets_are_served_by_the_app(
    database_url: str, registry: Any, fake_modules: Path
) -> None:
    client = make_app(database_url, FRONTEND_MODULES=fake_modules).test_client()
    text = page(client, "/")
    assert '<html lang="fr" class="dsfr">' in text
    for url in (
        "/vendor/dsfr/dsfr.min.css",
        "/vendor/dsfr/utility/icons/icons.min.css",
        "/vendor/dsfr/dsfr.module.min.js",
        "/vendor/chart.js/chart.umd.min.js",
    ):
        assert f'"{url}"' in text, url
        response = client.get(url)
        assert response.status_code == 200, url
        assert "max-age=86400" in response.headers["Cache-Control"]
    assert client.get("/vendor/dsfr/dsfr.min.css").mimetype == "text/css"
    for url in (
        "/vendor/dsfr/../../../secret.txt",
        "/vendor/dsfr/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/vendor/left-pad/index.js",
        "/vendor/dsfr/nope.css",
    ):
        assert client.get(url).status_code == 404, url


def test_pages_work_without_node_modules(
    database_url: str, registry: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="services.web.assets"):
        app = make_app(database_url, FRONTEND_MODULES=tmp_path / "nothing")
    assert "web assets missing (chart.js, dsfr)" in caplog.text
    client = app.test_client()
    text = page(client, "/")
    assert '<html lang="fr" class="no-dsfr">' in text
    assert "/vendor/" not in text
    assert 'href="/static/bilan.css"' in text
    assert "data-figure=" in text
    assert client.get("/vendor/dsfr/dsfr.min.css").status_code == 404


def test_stylesheet_is_served(client: FlaskClient) -> None:
    text = page(client)
    assert 'href="/static/bilan.css"' in text
    response = client.get("/static/bilan.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"


def test_french_formatting() -> None:
    assert format_number(0) == "0"
    assert format_number(999) == "999"
    assert format_number(1000) == f"1{NNBSP}000"
    assert format_number(1_130_000) == f"1{NNBSP}130{NNBSP}000"
    assert format_number(475.5) == "476"
    assert format_percent(0.48) == f"48{NNBSP}%"
    assert format_percent(0.485) == f"49{NNBSP}%"
    assert format_percent(0.0) == f"0{NNBSP}%"
    assert format_percent(1.0) == f"100{NNBSP}%"
    assert format_percent(0.396, 1) == f"39,6{NNBSP}%"
    assert pending_label(0) == "à jour"
    assert pending_label(1) == "1 événement en cours d'intégration"
    assert pending_label(12_345) == f"12{NNBSP}345 événements en cours d'intégration"
    # French puts 0 and 1 in the singular.
    assert format_count(0, "déclaration validée", "déclarations validées") == (
        "0 déclaration validée"
    )
    assert format_count(1, "rejetée", "rejetées") == "1 rejetée"
    assert format_count(2, "rejetée", "rejetées") == "2 rejetées"
    winter = dt.datetime(2007, 1, 15, 13, 5, 3, tzinfo=dt.UTC)
    summer = dt.datetime(2007, 7, 15, 13, 5, 3, tzinfo=dt.UTC)
    assert (format_time(winter), format_time(summer)) == ("14:05:03", "15:05:03")


def test_one_rule_for_plurals_and_not_available_rates() -> None:
    from services.web.formatting import format_change, format_day, format_figure
    from services.web.reports.field import ReportField
    from services.web.reports.key_figures import key_blocks
    from shared.figures import with_derived
    from shared.publication.labels import LABELS, plural_form
    from shared.publication.series import Change
    from shared.report.keys import REPORT_KEYS

    assert [plural_form(n, "jeune", "jeunes") for n in (0, 1, 1.5, 2, 10)] == [
        "jeune",
        "jeune",
        "jeune",
        "jeunes",
        "jeunes",
    ]
    assert LABELS["civis_exits"].agreeing(0) == "jeune sorti du CIVIS"
    assert LABELS["youths_with_access"].agreeing(1) == (
        "jeune a accédé à l'emploi ou à la formation"
    )
    assert LABELS["youths_in_contact"].agreeing(None) == "jeunes en contact"  # not shown
    assert LABELS["civis_exits_other"].agreeing(1) == "dont autres motifs"  # no agreement
    assert format_change(Change(0.019, 0.05), "percent").startswith(f"+1,9{NNBSP}pt ")
    assert format_change(Change(0.0196, 0.05), "percent").startswith(f"+2,0{NNBSP}pts ")
    assert format_day(dt.date(2026, 12, 1)) == "1er décembre 2026"
    assert format_day(dt.date(2026, 12, 7)) == "7 décembre 2026"
    # A rate whose denominator is zero does not exist: "n.d.", never "0 %".
    assert format_figure(with_derived({}), "access_rate") == "n.d."
    assert format_figure(with_derived({"youths_interviewed": 2}), "access_rate") == f"0{NNBSP}%"
    # The report page: the same rule.
    figures = dict.fromkeys(REPORT_KEYS, 0) | {"youths_in_contact": 1, "structures": 1}
    blocks = key_blocks(2007, figures, ReportField(structures=1, validated=0))
    items = {item["key"]: item for block in blocks for item in block["items"]}
    assert blocks[0]["headline"][2] == "structure"
    assert blocks[1]["headline"][2] == "jeune accompagné, reçu en entretien individuel"
    assert items["youths_in_contact"]["label"] == "jeune en contact"
    assert items["civis_exits"]["label"] == "jeune sorti du CIVIS"
    assert items["access_rate"]["value"] == "n.d."
    assert items["civis_exits_other"]["share"] == "n.d. des sorties"
