"""Settings come from the environment only, timing knobs included; a value that cannot be
used is refused with the setting named, never replaced by a default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.config import SWEEP_SECONDS, load_settings
from shared.environment import SettingError
from tests.support.settings import REFUSED


def test_timing_settings_are_read_from_the_environment() -> None:
    settings = load_settings(
        {"BILAN_TASK_SECONDS": "0", "BILAN_SWEEP_SECONDS": "0.5", "BILAN_STALE_SECONDS": "4"}
    )
    assert (settings.task_seconds, settings.sweep_seconds, settings.stale_seconds) == (0, 0.5, 4)


def test_timing_defaults_are_the_production_ones() -> None:
    settings = load_settings({})
    assert (settings.task_seconds, settings.sweep_seconds, settings.stale_seconds) == (30, 5, 20)
    assert settings.sweep_seconds == SWEEP_SECONDS


def test_a_claim_is_larger_on_postgresql_than_on_sqlite_unless_set() -> None:
    """SQLite has one writer: ingest waits for a whole claim there."""
    postgres = {"BILAN_DATABASE_URL": "postgresql+psycopg://bilan@db:5432/bilan"}
    assert load_settings(postgres).events_per_claim == 50_000
    assert load_settings({}).events_per_claim == 20_000  # the embedded SQLite file
    set_here = {**postgres, "BILAN_EVENTS_PER_CLAIM": "1000"}
    assert load_settings(set_here).events_per_claim == 1000


def test_statistical_confidentiality_is_off_unless_set() -> None:
    assert load_settings({}).public_min_count == 0
    assert load_settings({"BILAN_PUBLIC_MIN_COUNT": "5"}).public_min_count == 5


def test_every_setting_has_refused_values() -> None:
    source = (Path(__file__).resolve().parents[2] / "shared" / "config.py").read_text()
    assert set(re.findall(r'"(BILAN_[A-Z_]+)"', source)) == set(REFUSED)


@pytest.mark.parametrize(
    "name, value", [(name, value) for name, values in REFUSED.items() for value in values]
)
def test_a_bad_value_is_refused_with_the_setting_named(name: str, value: str) -> None:
    with pytest.raises(SettingError) as refused:
        load_settings({name: value})
    assert refused.value.name == name
    message = str(refused.value)
    assert message.startswith(f"{name}=") and "\n" not in message
    if name == "BILAN_SECRET_KEY":
        assert value not in message  # a secret is never printed


@pytest.mark.parametrize(
    "name, value, attribute, expected",
    [
        ("BILAN_WEB_PORT", "65535", "web_port", 65535),
        ("BILAN_INGEST_PORT", " 1 ", "ingest_port", 1),
        ("BILAN_HTTPS", "Yes", "https", True),
        ("BILAN_HTTPS", "off", "https", False),
        ("BILAN_CLAIM_PAUSE_SECONDS", "0", "claim_pause_seconds", 0),
        ("BILAN_PROXY_HOPS", "2", "proxy_hops", 2),
        ("BILAN_BROKER_URL", "embedded", "broker_url", "embedded"),
        ("BILAN_BROKER_URL", "redis://127.0.0.1:6379/3", "broker_url", "redis://127.0.0.1:6379/3"),
        ("BILAN_AUTH_FAILURE_LIMIT", "5/second", "auth_failure_limit", "5/second"),
    ],
)
def test_good_values_are_read(name: str, value: str, attribute: str, expected: object) -> None:
    assert getattr(load_settings({name: value}), attribute) == expected


def test_mail_is_off_unless_a_way_out_is_set(tmp_path: Path) -> None:
    settings = load_settings({})
    assert not settings.mail_on
    assert (settings.reminder_days, settings.smtp_timeout_seconds) == ((14, 3), 10)
    # The links go to the local pages, the sender is of their host, until told otherwise.
    assert settings.links_base == "http://localhost:8080"
    assert settings.sender == "noreply@localhost"
    relay = load_settings(
        {
            "BILAN_SMTP_URL": "smtp://relay.example.org:2525",
            "BILAN_PUBLIC_URL": "https://bilan.example.gouv.fr/",
            "BILAN_REMINDER_DAYS": "3, 21,14,3",
        }
    )
    assert relay.mail_on and relay.smtp_url == "smtp://relay.example.org:2525"
    assert relay.links_base == "https://bilan.example.gouv.fr"
    assert relay.sender == "noreply@bilan.example.gouv.fr"
    assert relay.reminder_days == (21, 14, 3)
    folder = load_settings({"BILAN_MAIL_DIR": str(tmp_path / "mails"), "BILAN_WEB_PORT": "9000"})
    assert folder.mail_on and folder.mail_dir == str(tmp_path / "mails")
    assert folder.links_base == "http://localhost:9000"
    given = load_settings({"BILAN_MAIL_FROM": "icare@dgefp.example.gouv.fr"})
    assert given.sender == "icare@dgefp.example.gouv.fr"


def test_one_way_out_only(tmp_path: Path) -> None:
    with pytest.raises(SettingError) as refused:
        load_settings({"BILAN_SMTP_URL": "smtp://relay", "BILAN_MAIL_DIR": str(tmp_path)})
    assert str(refused.value) == (
        f"BILAN_MAIL_DIR={str(tmp_path)!r} is refused: BILAN_SMTP_URL is set too: give one of them"
    )


def test_a_relay_password_is_never_printed() -> None:
    with pytest.raises(SettingError) as refused:
        load_settings({"BILAN_SMTP_URL": "smtp://bilan:hunter2@relay"})
    assert "hunter2" not in str(refused.value)
