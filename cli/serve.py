"""Serving a WSGI app with waitress, bodies over the limit refused before they are read.

Waitress reads a whole request body before it calls the application, so the
application's own size check comes too late: ``max_request_body_size`` makes
waitress answer ``413`` from the ``Content-Length`` header alone (SPEC §5), and
the answers waitress gives itself (413, 400 for malformed HTTP) are the same JSON
errors as the application's.
"""

from __future__ import annotations

import json

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

_CODES = {400: "malformed", 413: "too_large", 431: "too_large", 501: "not_implemented"}


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


class _Channel(HTTPChannel):
    error_task_class = _JsonErrorTask


def serve(app: object, *, host: str, port: int, threads: int, ident: str, max_body: int) -> None:
    """Serve ``app`` until interrupted, refusing bodies over ``max_body`` bytes unread."""
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident=ident,
        # waitress refuses from this size on; a body of exactly max_body bytes is accepted.
        max_request_body_size=max_body + 1,
    )
    server.channel_class = _Channel
    server.run()
