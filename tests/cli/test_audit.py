"""``bilan audit [--since D]``: the admin actions of the command line (a token created and
revoked, a purge) and the reads, newest first; nothing before D."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from cli.main import main
from shared.audit.reads import EXACT, TOKEN, Read, ReadNotes


def test_the_command_line_actions_and_the_reads(
    env: dict[str, str], sessions: Any, registry: Any
) -> None:
    runner = CliRunner()
    created = runner.invoke(main, ["token", "create", "--role", "validator", "--region", "11"])
    assert created.exit_code == 0, created.output
    assert runner.invoke(main, ["token", "revoke", "1"]).exit_code == 0
    ReadNotes(sessions).note(Read(1, TOKEN, "validator", EXACT, "region:11", 2007))
    out = runner.invoke(main, ["audit"]).output.splitlines()
    actions = [
        line.split("\t")
        for line in out[1 : out.index(next(x for x in out if x.startswith("# reads")))]
    ]
    assert [(a[1], a[2], a[4], a[5]) for a in actions] == [
        ("-", "operator", "token.revoked", "token 1"),
        ("-", "operator", "token.created", "token 1"),
    ]
    assert actions[1][6] == "role validator, region 11"
    assert out[-1].split("\t")[1:] == ["1", "token", "validator", "exact", "region:11", "2007"]
    later = runner.invoke(main, ["audit", "--since", "2999-01-01"]).output.splitlines()
    assert len(later) == 2  # the two headers only
