"""The deployment, read: docker-compose.yml (Docker cannot run here) and the demo of
`bilan up`, whose token must not be on a command line (ps shows those to every user)."""

from __future__ import annotations

from pathlib import Path

import yaml

from cli.up import demo_command

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def services() -> dict[str, dict[str, object]]:
    compose = yaml.safe_load(COMPOSE.read_text())
    found: dict[str, dict[str, object]] = compose["services"]
    return found


def test_flower_needs_basic_auth_from_the_environment() -> None:
    flower = services()["flower"]
    environment = flower["environment"]
    assert isinstance(environment, dict)
    # ${VAR:?message}: compose refuses to start without it.
    assert str(environment["FLOWER_BASIC_AUTH"]).startswith("${FLOWER_BASIC_AUTH:?")
    assert not any("basic" in str(part) for part in flower["entrypoint"])  # type: ignore[attr-defined]
    assert flower["ports"] == ["127.0.0.1:5555:5555"]


def test_no_fixed_secret_and_secure_cookies() -> None:
    text = COMPOSE.read_text()
    assert "change-me" not in text
    for name, service in services().items():
        environment = service.get("environment") or {}
        assert "BILAN_SECRET_KEY" not in environment, name  # type: ignore[operator]
    web_environment = services()["web"]["environment"]
    assert web_environment["BILAN_HTTPS"] == "1"  # type: ignore[index]


def test_the_demo_token_goes_in_the_environment() -> None:
    command, env = demo_command("bilan_secret", 8081, 150, {"PATH": "/bin"})
    assert "bilan_secret" not in " ".join(command)
    assert "--token" not in command
    assert env["BILAN_TOKEN"] == "bilan_secret"
    assert env["PATH"] == "/bin"
