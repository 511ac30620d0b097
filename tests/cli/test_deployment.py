"""The deployment, read: docker-compose.yml (Docker cannot run here) and the demo of
`bilan up`, whose token must not be on a command line (ps shows those to every user)."""

from __future__ import annotations

import re
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


def test_the_proxy_is_the_only_way_in() -> None:
    found = services()
    for name in ("ingest", "web"):
        assert "ports" not in found[name], name
        environment = found[name]["environment"]
        assert isinstance(environment, dict)
        assert str(environment["BILAN_PROXY_HOPS"]) == "${BILAN_PROXY_HOPS:-1}", name
    proxy = found["proxy"]
    assert proxy["ports"] == ["8081:8081", "8080:8080"]
    assert str(proxy["image"]).startswith("nginx:")


def test_the_proxy_is_given_every_variable_of_its_template() -> None:
    proxy = services()["proxy"]
    root = COMPOSE.parent
    mounts = {target: root / source for source, target, _ in
              (str(volume).split(":") for volume in proxy["volumes"])}  # type: ignore[attr-defined]  # fmt: skip
    assert mounts["/etc/nginx/nginx.conf"].is_file()
    (template,) = mounts["/etc/nginx/templates"].glob("*.conf.template")
    # The image renders templates/NAME.conf.template into conf.d/NAME.conf, which the
    # mounted nginx.conf includes.
    assert f"include /etc/nginx/conf.d/{template.name.removesuffix('.template')};" in (
        mounts["/etc/nginx/nginx.conf"].read_text()
    )
    variables = set(re.findall(r"\$\{(\w+)\}", template.read_text()))
    assert variables == set(proxy["environment"])  # type: ignore[arg-type]


def test_the_mails_go_through_a_relay_the_operator_names() -> None:
    for name in ("worker", "web", "migrate"):
        environment = services()[name]["environment"]
        assert isinstance(environment, dict)
        # ${VAR:?message}: compose refuses to start without them.
        assert str(environment["BILAN_SMTP_URL"]).startswith("${BILAN_SMTP_URL:?"), name
        assert str(environment["BILAN_PUBLIC_URL"]).startswith("${BILAN_PUBLIC_URL:?"), name
    # What compose passes when they are given is what bilan reads.
    from shared.config import load_settings

    settings = load_settings(
        {"BILAN_SMTP_URL": "smtp://relay-host:25", "BILAN_MAIL_FROM": "",
         "BILAN_PUBLIC_URL": "https://bilan.example.gouv.fr"}
    )  # fmt: skip
    assert settings.mail_on and settings.sender == "noreply@bilan.example.gouv.fr"
