"""Serving a WSGI app with waitress: many idle clients held cheaply, bodies over the limit
refused before they are read, ambiguous framing answered and closed.

Waitress reads each request — headers and body — on its event loop (``poll``), and hands
only complete requests to its threads: an idle, slow (slowloris) or keep-alive client
costs a file descriptor and a few kilobytes, never a thread. Its defaults are tuned here
for SPEC §7.7 (a thousand idle connections leave every route answering within a second),
as measured by ``benchmarks/idle_connections.py`` (docs/performance.md, "Crowds of clients"):

- ``connection_limit``: 4 096 open connections (default 100: the 101st client waited in
  the listen queue behind idle ones), within the open-files limit, which the process
  raises to its hard limit;
- ``asyncore_use_poll``: ``select()`` fails past file descriptor 1 024;
- ``channel_timeout`` 60 s (default 120), checked every 10 s: an idle connection is
  closed after a minute of silence;
- headers at most 64 KiB, and at most 64 KiB of a body in memory (then a temporary
  file): what a crowd of slow senders can make the process hold stays bounded.

Waitress reads a whole request body before it calls the application, so the
application's own size check comes too late: ``max_request_body_size`` makes waitress
answer ``413`` from the ``Content-Length`` header alone (SPEC §5), and the answers
waitress gives itself (413, 400 for malformed HTTP) are the same JSON errors as the
application's. A request with both ``Content-Length`` and ``Transfer-Encoding`` is
served (the chunked framing wins) and its connection closed after the answer, so that
nothing sent behind it on that connection is served (RFC 9112 §6.1): a proxy that read
the other framing would disagree about where the next request starts.
"""

from __future__ import annotations

import errno
import json
import resource
import socket

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

_CODES = {400: "malformed", 413: "too_large", 431: "too_large", 501: "not_implemented"}

CONNECTION_LIMIT = 4096
# Waitress's settings that are the same for every deployment (the docstring above says why).
TUNING: dict[str, object] = {
    "asyncore_use_poll": True,
    "channel_timeout": 60,  # seconds of silence before an idle connection is closed
    "cleanup_interval": 10,  # seconds between two looks for idle connections
    "backlog": 2048,  # connections the kernel queues until waitress accepts them
    "max_request_header_size": 64 * 1024,  # bytes
    "inbuf_overflow": 64 * 1024,  # bytes of a body held in memory, then a temporary file
}
# File descriptors kept for the rest of the process (database, broker, logs, temporary
# files of bodies being read) out of the open-files limit.
RESERVED_FILES = 256


class ListenError(Exception):
    """The service cannot listen where its settings say; the message names the setting."""


class _JsonErrorTask(ErrorTask):
    def execute(self) -> None:
        error = self.request.error
        body = json.dumps(
            {
                "error": _CODES.get(error.code, "bad_request"),
                "message": f"{error.reason.lower()}: {error.body}",
            }
        ).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Parser(HTTPRequestParser):
    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        # Waitress pops Transfer-Encoding while parsing; ask for the original lines.
        names = {
            line.split(b":", 1)[0].strip().lower()
            for line in header_plus.split(b"\r\n")[1:]
            if b":" in line
        }
        if {b"content-length", b"transfer-encoding"} <= names:
            # The task answers with "Connection: close" and the channel drops the requests
            # queued behind this one.
            self.headers["CONNECTION"] = "close"
            self.connection_close = True


class _Channel(HTTPChannel):
    error_task_class = _JsonErrorTask
    parser_class = _Parser


def raise_open_files_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit; the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # An unlimited hard limit is still capped by the kernel (nr_open): ask for 65 536.
    wanted = hard if hard != resource.RLIM_INFINITY else 65_536
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return soft if soft != resource.RLIM_INFINITY else wanted
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError):
        return soft
    return wanted


def connection_limit(open_files: int) -> int:
    """How many connections to keep open with ``open_files`` descriptors: at most 4 096,
    and never below waitress's 100."""
    return max(100, min(CONNECTION_LIMIT, open_files - RESERVED_FILES))


def check_can_listen(host: str, port: int, port_setting: str) -> None:
    """Raise ListenError, naming the setting at fault, unless ``host:port`` is free."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ListenError(f"BILAN_HOST={host!r} is refused: {exc.strerror}") from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            # As waitress binds: a port left in TIME_WAIT by a previous run is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise _listen_error(exc, host, port, port_setting) from None


def _listen_error(exc: OSError, host: str, port: int, port_setting: str) -> ListenError:
    if exc.errno == errno.EADDRINUSE:
        return ListenError(
            f"{port_setting}={port} is refused: port {port} on {host} is already in use"
        )
    if exc.errno == errno.EACCES:
        return ListenError(
            f"{port_setting}={port} is refused: this user may not listen on port {port}"
        )
    return ListenError(f"BILAN_HOST={host!r} is refused: cannot listen there ({exc.strerror})")


def serve(
    app: object, *, host: str, port: int, port_setting: str, threads: int, ident: str,
    max_body: int,
) -> None:  # fmt: skip
    """Serve ``app`` until interrupted, refusing bodies over ``max_body`` bytes unread;
    ListenError, naming ``port_setting`` or BILAN_HOST, if it cannot listen."""
    open_files = raise_open_files_limit()
    dispatchers: dict[int, object] = {}
    try:
        server = create_server(
            app,
            dispatchers,
            host=host,
            port=port,
            threads=threads,
            ident=ident,
            # waitress refuses from this size on; a body of exactly max_body bytes is accepted.
            max_request_body_size=max_body + 1,
            connection_limit=connection_limit(open_files),
            **TUNING,
        )
    except ValueError as exc:  # waitress: a host it cannot resolve
        raise ListenError(f"BILAN_HOST={host!r} is refused: {exc}") from None
    except OSError as exc:
        raise _listen_error(exc, host, port, port_setting) from None
    # One listening server per address of the host (IPv4 and IPv6 for "localhost").
    for listening in dispatchers.values():
        if isinstance(listening, BaseWSGIServer):
            listening.channel_class = _Channel
    server.run()
