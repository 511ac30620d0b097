"""`bilan up --demo` seeds the previous year's declarations in every state, once, so that a
newcomer can consolidate a year that has ended and read a provisional report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cli.up import _seed_demo_campaign
from shared.consolidation.jobs import consolidate
from shared.declarations.campaign import structure_statuses
from shared.registry import import_structures
from shared.report.versions import read_report
from shared.storage.db import engine_for
from shared.storage.models.declarations import Declaration, DeclarationAudit
from simulator.declarations import CAMPAIGN_SHARES, simulate_campaign
from simulator.registry import demo_structures


def test_the_demo_campaign_has_every_state_and_is_seeded_once(
    sessions: sessionmaker[Session], database_url: str, capsys: Any
) -> None:
    with sessions.begin() as session:
        import_structures(session, demo_structures())
    _seed_demo_campaign(sessions, today=dt.date(2026, 3, 1))
    with sessions() as session:
        states = Counter(s.status for s in structure_statuses(session, 2025))
        audits = session.scalar(select(func.count()).select_from(DeclarationAudit))
    assert sum(states.values()) == 486
    assert states["validated"] == round(CAMPAIGN_SHARES["validated"] * 486)
    assert states["submitted"] > 0 and states["rejected"] > 0 and states["none"] > 0
    assert states["validated"] > states["submitted"] + states["rejected"] + states["none"]
    # Written through the workflow: a submission, then a decision, each audited.
    assert audits == 486 - states["none"] + states["validated"] + states["rejected"]
    said = capsys.readouterr().out
    assert f"demo: the declarations of 2025 ({states['validated']} validated" in said

    # A second `bilan up --demo` on the same database leaves them as they are.
    _seed_demo_campaign(sessions, today=dt.date(2026, 3, 1))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Declaration)) == 486 - states["none"]
    assert capsys.readouterr().out == ""

    # The year has ended: it consolidates into a provisional report.
    version = consolidate(engine_for(database_url), 2025)
    with sessions() as session:
        report = read_report(session, 2025, version)
        assert report is not None
    assert f'"declarations_validated":{states["validated"]}' in report.document


def test_the_campaign_is_the_same_on_every_run() -> None:
    first = simulate_campaign(2025, 0.02, 1, demo_structures())
    second = simulate_campaign(2025, 0.02, 1, demo_structures())
    assert first.states == second.states and first.missing == second.missing


def test_the_demo_campaign_runs_with_addresses_and_a_window_open_today(
    sessions: sessionmaker[Session], capsys: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    import msgspec

    from cli.up import DEMO_MAIL_FOLDER, _seed_demo_mail, demo_mail_env
    from shared.config import load_settings
    from shared.declarations.campaign_window import window_of
    from shared.declarations.reminders import latest_reached
    from shared.storage.models.registry import Structure

    with sessions.begin() as session:
        rows = [(sid, msgspec.structs.replace(f, email=None)) for sid, f in demo_structures()]
        import_structures(session, rows)  # a registry of a demo run before addresses existed
    today = dt.date(2026, 12, 7)
    _seed_demo_mail(sessions, today=today)
    said = capsys.readouterr().out
    assert "demo: contact addresses given to 462 structures" in said
    assert "demo: the campaign of 2025 is open from 2026-11-07 to 2026-12-21" in said
    with sessions() as session:
        window = window_of(session, 2025, today)
        paris = session.get_one(Structure, "ML-11-001")
    assert paris.email == "contact@ml-11-001.missions-locales.example"
    reached = latest_reached(window, (14, 3))
    assert reached is not None and reached.days_before == 14  # due as the demo starts
    # Once only: a second run leaves the addresses and the window as they are.
    _seed_demo_mail(sessions, today=today + dt.timedelta(days=3))
    assert capsys.readouterr().out == ""

    monkeypatch.chdir(tmp_path)
    env, folder = demo_mail_env({"PATH": "/bin"}, load_settings({}))
    assert folder == str(tmp_path / DEMO_MAIL_FOLDER) and env["BILAN_MAIL_DIR"] == folder
    relay = load_settings({"BILAN_SMTP_URL": "smtp://relay.example.org"})
    assert demo_mail_env({"PATH": "/bin"}, relay) == ({"PATH": "/bin"}, None)
