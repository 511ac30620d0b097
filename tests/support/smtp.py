"""A real SMTP server inside a test (aiosmtpd, on a free port), keeping what it accepted.

It can refuse an address for good (550) or for now (451), and hold a mail after its text
arrived and before it answers (``hold``), so that a test can kill the sender at that
moment: a mail that the server never answered 250 is not received.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.processes import free_port


@dataclass(frozen=True)
class Received:
    """A mail the server accepted."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        content: str = body.get_content()
        return content.replace("\r\n", "\n")  # as sent over SMTP

    def as_received(self) -> str:
        """The mail as its reader sees it: the headers that matter, then its text."""
        headers = ("From", "To", "Date", "Subject", "Message-ID")
        lines = [f"{name}: {self.message[name]}" for name in headers]
        return "\n".join(lines) + "\n\n" + self.text


@dataclass
class Inbox:
    """The handler of the server: what it accepted, what it refuses, what it holds."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    # While set, a mail whose text arrived waits here for the test's word: True accepts it,
    # False drops it (the sender was killed meanwhile: its connection is gone).
    hold: threading.Event | None = None
    held: threading.Event = field(default_factory=threading.Event)
    verdict: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.defer:
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold is not None:
            self.held.set()
            hold = self.hold
            await asyncio.get_running_loop().run_in_executor(None, hold.wait)
            if not self.verdict:
                return "451 4.3.0 Dropped by the test"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), message))
        return "250 2.0.0 Ok: queued"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [mail for mail in self.received if address in mail.recipients]

    def all(self) -> list[Received]:
        with self.lock:
            return list(self.received)


class SmtpServer:
    """An aiosmtpd server on ``port``, stopped and started again at will (a relay down)."""

    def __init__(self, inbox: Inbox, port: int | None = None) -> None:
        self.inbox = inbox
        self.port = port or free_port()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@contextmanager
def smtp_server(inbox: Inbox | None = None) -> Iterator[SmtpServer]:
    """A running SMTP server for the test's duration."""
    server = SmtpServer(inbox or Inbox())
    server.start()
    try:
        yield server
    finally:
        if server.inbox.hold is not None:
            server.inbox.hold.set()
        server.stop()
