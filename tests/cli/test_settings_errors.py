"""A bad BILAN_* value stops any command with one line naming the setting (SPEC §6)."""

from __future__ import annotations

import socket

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


@pytest.mark.parametrize("service", ["ingest", "web"])
def test_a_port_in_use_stops_the_service_in_one_line(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        setting = f"BILAN_{service.upper()}_PORT"
        monkeypatch.setenv(setting, str(port))
        done = CliRunner().invoke(main, [service])
    assert done.exit_code == 1
    assert done.output == (
        f"Error: {setting}={port} is refused: port {port} on 127.0.0.1 is already in use\n"
    )


def test_a_host_that_cannot_be_listened_on_is_named(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILAN_HOST", "192.0.2.1")  # TEST-NET-1: no interface of this machine
    done = CliRunner().invoke(main, ["web"])
    assert done.exit_code == 1
    assert done.output.startswith("Error: BILAN_HOST='192.0.2.1' is refused: cannot listen")
    assert done.output.count("\n") == 1
