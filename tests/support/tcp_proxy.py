"""A TCP proxy in front of a real server (PostgreSQL, Redis), to break connections at the
moment a test chooses: refuse new ones, or cut one when the client sends a given message —
before it reaches the server, or after, dropping the server's answer."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to ``target`` until told otherwise."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.refusing = False  # new connections closed at once
        self._cut_on: bytes | None = None
        self._cut_after = False
        self.cut = threading.Event()  # set once a connection was cut
        self._lock = threading.Lock()
        self._closed = False
        self._links: list[_Link] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_when_sent(self, marker: bytes, *, after_server_got_it: bool) -> None:
        """Cut the next connection whose client sends ``marker``: before it reaches the
        server, or after (the server's answer is then dropped: the client never sees it)."""
        with self._lock:
            self._cut_on, self._cut_after = marker, after_server_got_it
            self.cut.clear()

    def drop_connections(self) -> None:
        """Close every connection open through the proxy (a server gone, for its clients)."""
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            link.close()

    def close(self) -> None:
        self._closed = True
        self.listener.close()
        self.drop_connections()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            link = _Link(self, client, server)
            with self._lock:
                self._links.append(link)
            link.start()

    def _take_cut(self, data: bytes) -> bool | None:
        """If ``data`` holds the armed marker: disarm and say whether to forward it first."""
        with self._lock:
            if self._cut_on is None or self._cut_on not in data:
                return None
            self._cut_on = None
            return self._cut_after


class _Link:
    """One proxied connection: a thread each way."""

    def __init__(self, proxy: TcpProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy, self.client, self.server = proxy, client, server
        self.drop_answer = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._upstream, daemon=True).start()
        threading.Thread(target=self._downstream, daemon=True).start()

    def _upstream(self) -> None:
        for data in _chunks(self.client):
            forward_first = self.proxy._take_cut(data)
            if forward_first is None:
                if not _send(self.server, data):
                    break
                continue
            if forward_first:
                self.drop_answer.set()  # the downstream thread cuts on the server's answer
                _send(self.server, data)
                return
            self._cut()
            return
        self.close()

    def _downstream(self) -> None:
        for data in _chunks(self.server):
            if self.drop_answer.is_set():
                self._cut()  # the server has answered (it committed): the client never knows
                return
            if not _send(self.client, data):
                break
        self.close()

    def _cut(self) -> None:
        self.close()
        self.proxy.cut.set()

    def close(self) -> None:
        for conn in (self.client, self.server):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()


def _chunks(conn: socket.socket) -> Iterator[bytes]:
    while True:
        try:
            data = conn.recv(65536)
        except OSError:
            return
        if not data:
            return
        yield data


def _send(conn: socket.socket, data: bytes) -> bool:
    try:
        conn.sendall(data)
    except OSError:
        return False
    return True
