"""The ways a mail leaves bilan: an SMTP relay (``BILAN_SMTP_URL``), or a folder where each
mail is written as a ``.eml`` file (``BILAN_MAIL_DIR``, the demo's: a newcomer opens them
with a mail client or a text editor).

SMTP is the standard library's ``smtplib``: one connection for all the mails of a run, and
each command's answer read on its own, so that the relay's refusal of one address
(``Refused``, a 5xx: the mail is not tried again) or a temporary one (``Deferred``, a 4xx:
tried again later) is told apart from a relay that cannot be reached or refuses bilan
itself (``Unreachable``: every mail waits). Every exchange waits at most
``BILAN_SMTP_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import os
import smtplib
import tempfile
from pathlib import Path
from typing import Protocol

from shared.config import Settings, smtp_host_port
from shared.mail.message import Outgoing, message_of

# How a folder's file names say what each mail is.
FILE_KINDS = {"reminder": "relance", "validated": "validation", "rejected": "rejet"}


class Refused(Exception):
    """The relay refused this mail for good (its address, its content)."""


class Deferred(Exception):
    """The relay did not take this mail now, but may later."""


class Unreachable(Exception):
    """No mail can leave now: the relay cannot be reached or refuses bilan, the folder cannot
    be written."""


class Transport(Protocol):
    """A way out: opened once per run, then given the mails one by one."""

    def open(self) -> None: ...

    def send(self, mail: Outgoing) -> None: ...

    def close(self) -> None: ...


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(said.split())}"


class SmtpTransport:
    """An SMTP relay, without authentication (a relay of the private network:
    docs/operations.md)."""

    def __init__(self, host: str, port: int, sender: str, timeout: float) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        try:
            self._smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            self._smtp.ehlo_or_helo_if_needed()
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise Unreachable(f"SMTP relay {self.host}:{self.port} unreachable: {exc}") from None

    def send(self, mail: Outgoing) -> None:
        smtp = self._smtp
        assert smtp is not None, "open() first"
        try:
            eight_bit = smtp.has_extn("8bitmime")
            data = message_of(mail, self.sender, readable=False, eight_bit=eight_bit).as_bytes()
            code, text = smtp.mail(self.sender, ["BODY=8BITMIME"] if eight_bit else [])
            if code != 250:
                self._reset()
                refusal = _reply(code, text)
                raise Unreachable(f"the relay refused the sender {self.sender}: {refusal}")
            code, text = smtp.rcpt(mail.recipient)
            if code not in (250, 251):
                self._reset()
                raise (Refused if code >= 500 else Deferred)(_reply(code, text))
            code, text = smtp.data(data)
            if code != 250:
                self._reset()
                raise (Refused if code >= 500 else Deferred)(_reply(code, text))
        except smtplib.SMTPDataError as exc:  # DATA itself refused
            self._reset()
            raise (Refused if exc.smtp_code >= 500 else Deferred)(
                _reply(exc.smtp_code, exc.smtp_error)
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise Unreachable(f"SMTP relay {self.host}:{self.port}: {exc}") from None

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class FolderTransport:
    """Each mail written as ``<folder>/<date>_<kind>_<structure>_<id>.eml``, complete on disk
    before it counts as sent (written aside, synced, then renamed)."""

    def __init__(self, folder: str, sender: str) -> None:
        self.folder, self.sender = Path(folder), sender

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Unreachable(f"mail folder {self.folder}: {exc}") from None

    def send(self, mail: Outgoing) -> None:
        data = message_of(mail, self.sender, readable=True, eight_bit=True).as_bytes()
        kind = FILE_KINDS.get(mail.kind, mail.kind)
        name = f"{mail.created_at:%Y-%m-%d_%H%M%S}_{kind}_{mail.structure_id}_{mail.id}.eml"
        try:
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.folder / name)
        except OSError as exc:
            raise Unreachable(f"mail folder {self.folder}: {exc}") from None

    def close(self) -> None:
        pass


def transport_for(settings: Settings) -> Transport:
    """The way out the settings give (``settings.mail_on`` must be true)."""
    if settings.smtp_url is not None:
        host, port = smtp_host_port(settings.smtp_url)
        return SmtpTransport(host, port, settings.sender, settings.smtp_timeout_seconds)
    assert settings.mail_dir is not None, "no way out: check settings.mail_on first"
    return FolderTransport(settings.mail_dir, settings.sender)
