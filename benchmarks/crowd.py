"""The crowd of hostile clients of ``idle_connections.py`` (SPEC §7.7): connections held open
on one server while requests are timed — idle ones that never send a byte, slowloris ones whose
headers trickle one short line a second and never end, keep-alive ones that made one request
and stay — and how many of them the server has closed by then."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

TIMEOUT = 10.0  # of every request timed, and of the crowd's sockets


class Crowd:
    """Connections held open on one server while requests are timed."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.sockets: dict[str, list[socket.socket]] = {"idle": [], "slow": [], "keepalive": []}
        self._stop = threading.Event()
        self._trickle: threading.Thread | None = None
        self.refused = 0
        self.unanswered = 0

    def _connect(self) -> socket.socket | None:
        """A new connection; None once one was not accepted within a second (the server's
        queue is full: the rest are counted as refused without trying)."""
        if self.refused:
            self.refused += 1
            return None
        try:
            conn = socket.create_connection((self.host, self.port), timeout=1.0)
        except OSError:
            self.refused += 1
            return None
        conn.settimeout(TIMEOUT)
        return conn

    def open(self, idle: int, slow: int, keepalive: int) -> None:
        head = f"Host: {self.host}:{self.port}\r\n"
        for _ in range(idle):
            if conn := self._connect():
                self.sockets["idle"].append(conn)
        for _ in range(slow):
            if conn := self._connect():
                conn.sendall(f"GET /healthz HTTP/1.1\r\n{head}".encode())
                self.sockets["slow"].append(conn)
        # The keep-alive clients ask at once, then each reads its answer before a common
        # deadline: one not answered by then is held all the same, counted as unanswered.
        asking = []
        for _ in range(keepalive):
            if conn := self._connect():
                with contextlib.suppress(OSError):
                    conn.sendall(f"GET /healthz HTTP/1.1\r\n{head}\r\n".encode())
                asking.append(conn)
        deadline = time.monotonic() + TIMEOUT / 2
        for conn in asking:
            try:
                conn.settimeout(max(0.01, deadline - time.monotonic()))
                _read_answer(conn)
            except OSError:
                self.unanswered += 1
            self.sockets["keepalive"].append(conn)
        self._trickle = threading.Thread(target=self._trickle_slow, daemon=True)
        self._trickle.start()

    def _trickle_slow(self) -> None:
        n = 0
        while not self._stop.wait(1.0):
            n += 1
            for conn in self.sockets["slow"]:
                with contextlib.suppress(OSError):
                    conn.send(f"X-Slow-{n}: 1\r\n".encode())

    def closed_by_server(self) -> dict[str, int]:
        """How many of each kind the server has closed (EOF or reset waiting to be read)."""
        counts = {}
        for kind, conns in self.sockets.items():
            closed = 0
            for conn in conns:
                conn.setblocking(False)
                try:
                    closed += conn.recv(1, socket.MSG_PEEK) == b""
                except BlockingIOError:
                    pass
                except OSError:
                    closed += 1
                finally:
                    conn.setblocking(True)
            counts[kind] = closed
        return counts

    def close(self) -> None:
        self._stop.set()
        if self._trickle is not None:
            self._trickle.join()
        for conns in self.sockets.values():
            for conn in conns:
                conn.close()
            conns.clear()


def _read_answer(conn: socket.socket) -> None:
    """Read one small answer with a Content-Length (the crowd's /healthz)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("closed within the answer")
        body += chunk


@contextlib.contextmanager
def crowd_on(url: str, idle: int, slow: int, keepalive: int) -> Iterator[Crowd]:
    parts = urlsplit(url)
    crowd = Crowd(parts.hostname or "127.0.0.1", parts.port or 80)
    try:
        crowd.open(idle, slow, keepalive)
        yield crowd
    finally:
        crowd.close()
