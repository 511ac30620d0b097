"""The operators' commands: `bilan verify` and `bilan retractions`."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import update

from cli.main import main
from shared.storage.models.counters import FigureCounts
from tests.support.events import apply_all, event, record


def test_verify_command(env, sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("1"), event("2", youth="B")])
    apply_all(sessions)
    agreed = CliRunner().invoke(main, ["verify", "--quiet"])
    assert agreed.exit_code == 0, agreed.output
    assert "cells agree with the log (years 2007; 2 events applied, 0 pending)" in agreed.output

    with sessions.begin() as session:
        session.execute(
            update(FigureCounts)
            .where(FigureCounts.period == "2007", FigureCounts.scope == "national")
            .values(youths_in_contact=5)
        )
    differed = CliRunner().invoke(main, ["verify", "--year", "2007", "--quiet"])
    assert differed.exit_code == 1
    assert "2007\tnational\tyouths_in_contact\t5\t2" in differed.output
    assert "1 difference(s)" in differed.output


def test_retractions_command_lists_the_inert_ones(env, sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("r", "retraction", retracts="a", youth="Other")])
        record(session, [event("a"), event("r-ok", "retraction", retracts="a")])
    listed = CliRunner().invoke(main, ["retractions"])
    assert listed.exit_code == 0, listed.output
    assert "r\ta\tyouth_id differs from its target's" in listed.output
    assert "r-ok" not in listed.output
