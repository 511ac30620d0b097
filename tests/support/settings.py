"""Values every setting of shared/config.py refuses (its tests and the commands' tests)."""

from __future__ import annotations

# At least one refused value per setting; every BILAN_* name of shared/config.py must be here.
REFUSED: dict[str, list[str]] = {
    "BILAN_DATABASE_URL": ["not a url", "nosuchdialect://host/db"],
    "BILAN_BROKER_URL": ["redis", "nosuchtransport://host"],
    "BILAN_INGEST_PORT": ["abc", "0", "65536", "70000", "-1", "8081.5", "1_000", "\u0668\u0660"],
    "BILAN_WEB_PORT": ["abc", "65536", " 80 80"],
    "BILAN_SECRET_KEY": ["too short"],
    "BILAN_HOST": ["two words", "\t"],
    "BILAN_TASK_SECONDS": ["-1", "soon", "nan", "inf"],
    "BILAN_SWEEP_SECONDS": ["0", "-5"],
    "BILAN_STALE_SECONDS": ["0", "x"],
    "BILAN_EVENTS_PER_CLAIM": ["0", "-10", "1e3"],
    "BILAN_CLAIM_PAUSE_SECONDS": ["-0.1"],
    "BILAN_HTTPS": ["maybe", "2"],
    "BILAN_SESSION_HOURS": ["0", "eight"],
    "BILAN_AUTH_FAILURE_LIMIT": ["ten", "0/minute", "-1/minute"],
    "BILAN_RATE_LIMIT_STORAGE": ["nosuchstore://x", "redis"],
    "BILAN_PROXY_HOPS": ["-1", "one"],
    "BILAN_PUBLIC_MIN_COUNT": ["-5", "5.0"],
    "BILAN_PUBLISH_SECONDS": ["-1", "often", "inf"],
    "BILAN_SMTP_URL": [
        "relay:25",
        "http://relay",
        "smtp://",
        "smtp://relay:0",
        "smtp://relay:99999",
        "smtp://relay:port",
        "smtp://user:secret@relay",
        "smtp://relay/path",
    ],
    "BILAN_MAIL_DIR": ["/dev/null"],
    "BILAN_MAIL_FROM": ["bilan", "Bilan <noreply@example.org>", "noreply@localhost"],
    "BILAN_PUBLIC_URL": [
        "bilan.example.org",
        "ftp://bilan.example.org",
        "https://x/?a=1",
        "https://",
        "https://bilan.example.org:99999",
    ],
    "BILAN_REMINDER_DAYS": ["14,x", "-3", "14,,3", "400", "14;3"],
    "BILAN_SMTP_TIMEOUT_SECONDS": ["0", "soon"],
    "BILAN_RETENTION_YEARS": ["0", "-2", "two", "101", "2.5"],
    "BILAN_AUDIT_RETENTION_DAYS": ["0", "-1", "a year", "36501"],
}
