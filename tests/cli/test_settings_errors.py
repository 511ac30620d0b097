"""A bad BILAN_* value stops any command with one line naming the setting (SPEC §6)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import main
from tests.support.settings import REFUSED


@pytest.mark.parametrize("name, value", [(name, values[0]) for name, values in REFUSED.items()])
@pytest.mark.parametrize("command", [["token", "list"], ["db", "upgrade"], ["up", "--demo"]])
def test_a_bad_setting_stops_the_command_in_one_line(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, name: str, value: str,
    command: list[str],
) -> None:  # fmt: skip
    monkeypatch.setenv(name, value)
    done = CliRunner().invoke(main, command)
    assert done.exit_code == 1
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert done.output.count("\n") == 1, done.output
    assert done.output.startswith(f"Error: {name}="), done.output
