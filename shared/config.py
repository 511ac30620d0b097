"""Configuration read from the environment, in one place.

Every process (ingest, worker, web, CLI) reads the same variables, so that the
embedded defaults and a production deployment run the very same code. A value that
cannot be used is refused (``SettingError``, one line naming the variable), never
replaced by a default: a port of 70000 or a negative count is a mistake to fix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from shared.environment import SettingError, count, flag, integer, port, seconds, text, url

EMBEDDED = "embedded"

# Timing defaults (seconds); the fault tests shorten them through the environment.
TASK_SECONDS = 30.0  # an apply task hands over to a new one after this long
SWEEP_SECONDS = 5.0  # how often every worker re-sends what waits
STALE_SECONDS = 20.0  # a running consolidation whose heartbeat is older lost its worker
PUBLISH_SECONDS = 5.0  # the public edition's pace (statistical confidentiality on)
SESSION_HOURS = 8.0
AUTH_FAILURE_LIMIT = "10/minute"
MIN_SECRET_KEY_LENGTH = 32
REMINDER_DAYS = (14, 3)  # days before a campaign closes when the late are reminded
SMTP_TIMEOUT_SECONDS = 10.0
SMTP_PORT = 25
AUDIT_RETENTION_DAYS = 365  # how long the access audit keeps its rows


@dataclass(frozen=True)
class Settings:
    """Where the database and broker are, the ports, and the workers' timing."""

    database_url: str
    broker_url: str
    ingest_port: int
    web_port: int
    # None: the web draws one and keeps it in the database (shared/access/secrets.py).
    secret_key: str | None
    host: str
    task_seconds: float = TASK_SECONDS
    sweep_seconds: float = SWEEP_SECONDS
    stale_seconds: float = STALE_SECONDS
    # Events per claim of a worker (one transaction): large enough to spread each
    # statement's cost over many events, small enough to keep locks and memory short.
    events_per_claim: int = 50_000
    # After a claim of less than a quarter of that, a worker waits this long before the next.
    claim_pause_seconds: float = 0.25
    # Served over HTTPS (behind a TLS proxy): Secure cookies and Strict-Transport-Security.
    https: bool = False
    # How long an /admin session lasts.
    session_hours: float = SESSION_HOURS
    # Failed authentications allowed per client address (then 429), and where they are counted.
    auth_failure_limit: str = AUTH_FAILURE_LIMIT
    rate_limit_storage: str = "memory://"
    # Reverse proxies in front that set X-Forwarded-For/-Proto (0: the client is the peer).
    proxy_hops: int = 0
    # Statistical confidentiality (shared/publication/confidentiality.py): counts of fewer youths
    # than
    # this in a structure or a month are not shown to readers without a token; 0: off.
    public_min_count: int = 0
    # The workers publish what those readers see at most this often (shared/publication/edition.py).
    publish_seconds: float = PUBLISH_SECONDS
    # Mail (shared/mail/): an SMTP relay ``smtp://host:port``, or a folder each mail is written
    # to (the demo's); neither: bilan sends no mail. At most one of them.
    smtp_url: str | None = None
    mail_dir: str | None = None
    # The sender of the mails (``None``: noreply@ the public address's host), and the address
    # of the pages their links lead to (``None``: http://localhost:<web port>).
    mail_from: str | None = None
    public_url: str | None = None
    # Days before a campaign closes when structures that have not declared are reminded.
    reminder_days: tuple[int, ...] = REMINDER_DAYS
    # How long one exchange with the SMTP relay may take (a mail being sent is someone
    # else's to retry only 8 times this long after it was claimed: shared/mail/delivery.py).
    smtp_timeout_seconds: float = SMTP_TIMEOUT_SECONDS
    # Personal data (shared/retention/): the workers purge by themselves the eligible years
    # older than this many full years (None: off, only ``bilan purge`` deletes).
    retention_years: int | None = None
    # The access audit's rows (shared/audit/) older than this many days are deleted.
    audit_retention_days: int = AUDIT_RETENTION_DAYS

    @property
    def broker_is_embedded(self) -> bool:
        return self.broker_url == EMBEDDED

    @property
    def mail_on(self) -> bool:
        """Whether bilan sends mails (an SMTP relay or a folder is set)."""
        return self.smtp_url is not None or self.mail_dir is not None

    @property
    def links_base(self) -> str:
        """The address the mails' links start with, without a trailing slash."""
        return self.public_url or f"http://localhost:{self.web_port}"

    @property
    def sender(self) -> str:
        """The mails' From address."""
        if self.mail_from:
            return self.mail_from
        return f"noreply@{urlsplit(self.links_base).hostname or 'localhost'}"


def default_database_url() -> str:
    """A SQLite file under the working directory, as the spec asks."""
    return f"sqlite:///{Path.cwd() / 'bilan.db'}"


def rate_limit_storage(broker_url: str, given: str | None) -> str:
    """Where failed authentications are counted: given, else the broker's Redis (shared by
    every replica), else this process's memory."""
    if given:
        return given
    if broker_url.startswith(("redis://", "rediss://")):
        return broker_url
    return "memory://"


def _database_url(env: Mapping[str, str]) -> str:
    raw = text(env, "BILAN_DATABASE_URL")
    if raw is None:
        return default_database_url()
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(raw).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise SettingError(
            "BILAN_DATABASE_URL", env["BILAN_DATABASE_URL"], f"not a database URL ({exc})"
        ) from None
    return raw


def _broker_url(env: Mapping[str, str]) -> str:
    raw = text(env, "BILAN_BROKER_URL")
    if raw is None or raw == EMBEDDED:
        return EMBEDDED
    from kombu.transport import TRANSPORT_ALIASES

    scheme, separator, _ = raw.partition("://")
    if not separator or scheme.partition("+")[0] not in TRANSPORT_ALIASES:
        raise SettingError(
            "BILAN_BROKER_URL",
            env["BILAN_BROKER_URL"],
            f"expected {EMBEDDED!r} or a broker URL such as redis://host:6379/0",
        )
    return raw


def _rate_limit(env: Mapping[str, str]) -> str:
    raw = text(env, "BILAN_AUTH_FAILURE_LIMIT")
    if raw is None:
        return AUTH_FAILURE_LIMIT
    from limits import parse

    try:
        if parse(raw).amount < 1:
            raise ValueError("at least one failure")
    except ValueError:
        raise SettingError(
            "BILAN_AUTH_FAILURE_LIMIT", env["BILAN_AUTH_FAILURE_LIMIT"],
            "expected failures per period, such as 10/minute",
        ) from None  # fmt: skip
    return raw


def _rate_limit_store(env: Mapping[str, str], broker_url: str) -> str:
    raw = text(env, "BILAN_RATE_LIMIT_STORAGE")
    if raw is not None:
        from limits.errors import ConfigurationError
        from limits.storage import storage_from_string

        try:
            # Builds the client only: nothing is reached before the first count.
            storage_from_string(raw)
        except (ConfigurationError, ValueError):
            raise SettingError(
                "BILAN_RATE_LIMIT_STORAGE", env["BILAN_RATE_LIMIT_STORAGE"],
                "expected memory:// or a store URL such as redis://host:6379/1",
            ) from None  # fmt: skip
    return rate_limit_storage(broker_url, raw)


def _secret_key(env: Mapping[str, str]) -> str | None:
    raw = env.get("BILAN_SECRET_KEY") or None
    if raw is not None and len(raw) < MIN_SECRET_KEY_LENGTH:
        raise SettingError(
            "BILAN_SECRET_KEY", "…", f"at least {MIN_SECRET_KEY_LENGTH} characters, or unset "
            "(a random key is then kept in the database)",
        )  # fmt: skip
    return raw


def _host(env: Mapping[str, str]) -> str:
    raw = env.get("BILAN_HOST", "")
    if raw and (not raw.strip() or any(c.isspace() for c in raw)):
        raise SettingError("BILAN_HOST", raw, "expected a host name or an IP address")
    return raw or "127.0.0.1"


def _smtp_url(env: Mapping[str, str]) -> str | None:
    expected = "expected smtp://host or smtp://host:port, the SMTP relay that sends the mails"
    parts = url(env, "BILAN_SMTP_URL", ("smtp",), expected)
    if parts is None:
        return None
    if parts.username or parts.password:
        raise SettingError(
            "BILAN_SMTP_URL", "…", "no credentials: give a relay that accepts bilan's host "
            "without them (docs/operations.md, \"The campaign and its mails\")",
        )  # fmt: skip
    if parts.path not in ("", "/"):
        raise SettingError("BILAN_SMTP_URL", env["BILAN_SMTP_URL"], expected)
    return parts.geturl()


def smtp_host_port(smtp_url: str) -> tuple[str, int]:
    """The relay's host and port of a ``BILAN_SMTP_URL`` (checked by load_settings)."""
    parts = urlsplit(smtp_url)
    assert parts.hostname is not None
    return parts.hostname, parts.port or SMTP_PORT


def _mail_dir(env: Mapping[str, str], smtp_url: str | None) -> str | None:
    raw = text(env, "BILAN_MAIL_DIR")
    if raw is None:
        return None
    if smtp_url is not None:
        raise SettingError(
            "BILAN_MAIL_DIR", env["BILAN_MAIL_DIR"], "BILAN_SMTP_URL is set too: give one of them"
        )
    path = Path(raw).expanduser()
    if "\x00" in raw or (path.exists() and not path.is_dir()):
        raise SettingError("BILAN_MAIL_DIR", env["BILAN_MAIL_DIR"], "expected a folder")
    return str(path.absolute())


def _mail_from(env: Mapping[str, str]) -> str | None:
    raw = text(env, "BILAN_MAIL_FROM")
    if raw is None:
        return None
    from shared.mail.addresses import AddressError, check_address

    try:
        return check_address(raw)
    except AddressError as exc:
        raise SettingError("BILAN_MAIL_FROM", env["BILAN_MAIL_FROM"], str(exc)) from None


def _public_url(env: Mapping[str, str]) -> str | None:
    expected = "expected the pages' public address, such as https://bilan.example.gouv.fr"
    parts = url(env, "BILAN_PUBLIC_URL", ("http", "https"), expected)
    return None if parts is None else parts.geturl().rstrip("/")


def _reminder_days(env: Mapping[str, str]) -> tuple[int, ...]:
    raw = text(env, "BILAN_REMINDER_DAYS")
    if raw is None:
        return REMINDER_DAYS
    parts = [part.strip() for part in raw.split(",")]
    if not all(part.isascii() and part.isdigit() and int(part) <= 366 for part in parts):
        raise SettingError(
            "BILAN_REMINDER_DAYS", env["BILAN_REMINDER_DAYS"],
            "expected days before closing from 0 to 366, separated by commas, such as 14,3",
        )  # fmt: skip
    return tuple(sorted({int(part) for part in parts}, reverse=True))


def _retention_years(env: Mapping[str, str]) -> int | None:
    # 0 is refused rather than taken for "off": a year would be purged the day it is
    # consolidated, before its campaign of declarations has even opened.
    years = integer(env, "BILAN_RETENTION_YEARS", 0, 1, 100,
                    "expected a number of full years from 1 to 100, or unset (off)")  # fmt: skip
    return years or None


def _audit_retention_days(env: Mapping[str, str]) -> int:
    return integer(env, "BILAN_AUDIT_RETENTION_DAYS", AUDIT_RETENTION_DAYS, 1, 36_500,
                   "expected a number of days from 1 to 36500")  # fmt: skip


def _claim(database_url: str) -> int:
    """The default events per claim. A claim's cells (some 500 structures × the months and
    the profile categories) are upserted whatever its size: on PostgreSQL, claims of
    50 000 events rather than 20 000 made the pipeline 27 % faster (docs/performance.md).
    SQLite has one writer: ingest waits for the whole claim, which stays at 20 000."""
    return 20_000 if database_url.startswith("sqlite") else 50_000


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of this process, from ``environ`` (default: the environment); a
    ``SettingError`` names the first variable whose value cannot be used."""
    env = os.environ if environ is None else environ
    broker_url = _broker_url(env)
    smtp_url = _smtp_url(env)
    database_url = _database_url(env)
    return Settings(
        database_url=database_url,
        broker_url=broker_url,
        ingest_port=port(env, "BILAN_INGEST_PORT", 8081),
        web_port=port(env, "BILAN_WEB_PORT", 8080),
        secret_key=_secret_key(env),
        host=_host(env),
        task_seconds=seconds(env, "BILAN_TASK_SECONDS", TASK_SECONDS, zero=True),
        sweep_seconds=seconds(env, "BILAN_SWEEP_SECONDS", SWEEP_SECONDS),
        stale_seconds=seconds(env, "BILAN_STALE_SECONDS", STALE_SECONDS),
        events_per_claim=count(env, "BILAN_EVENTS_PER_CLAIM", _claim(database_url), low=1),
        claim_pause_seconds=seconds(env, "BILAN_CLAIM_PAUSE_SECONDS", 0.25, zero=True),
        https=flag(env, "BILAN_HTTPS"),
        session_hours=seconds(env, "BILAN_SESSION_HOURS", SESSION_HOURS),
        auth_failure_limit=_rate_limit(env),
        rate_limit_storage=_rate_limit_store(env, broker_url),
        proxy_hops=count(env, "BILAN_PROXY_HOPS", 0),
        public_min_count=count(env, "BILAN_PUBLIC_MIN_COUNT", 0),
        publish_seconds=seconds(env, "BILAN_PUBLISH_SECONDS", PUBLISH_SECONDS, zero=True),
        smtp_url=smtp_url,
        mail_dir=_mail_dir(env, smtp_url),
        mail_from=_mail_from(env),
        public_url=_public_url(env),
        reminder_days=_reminder_days(env),
        smtp_timeout_seconds=seconds(env, "BILAN_SMTP_TIMEOUT_SECONDS", SMTP_TIMEOUT_SECONDS),
        retention_years=_retention_years(env),
        audit_retention_days=_audit_retention_days(env),
    )
