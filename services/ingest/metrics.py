"""Prometheus metrics of the ingest process (``GET /metrics``).

- ``bilan_ingest_requests_total{route,method,status}``: every answer the application gives
  (waitress's own 413s and 400s never reach it), by URL rule — not only POST /v1/events.
- ``bilan_ingest_request_seconds{route,method}``: the time from the request's start in the
  application to its answer, body reading included.
- ``bilan_ingest_events_accepted_total`` / ``…_duplicate_total``: events of 202 answers.
- ``bilan_ingest_events_rejected_total{code}``: the invalid events of 422 answers, by the
  code of SPEC §5 (``invalid``, ``unknown_structure``, ``conflict``, ``forbidden_structure``,
  ``purged_year``).
- ``bilan_pending_events``: events recorded but not yet applied (all years), read when
  scraped with one query on the partial index of unapplied batches.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Iterable

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.orm import Session

from services.http.answers import JsonBlueprint
from shared.pipeline.live import pending_events

bp = JsonBlueprint("metrics", __name__)

EVENTS_ACCEPTED = Counter("bilan_ingest_events_accepted_total", "New events durably recorded")
EVENTS_DUPLICATE = Counter(
    "bilan_ingest_events_duplicate_total", "Events received again with identical content"
)
EVENTS_REJECTED = Counter(
    "bilan_ingest_events_rejected_total",
    "Invalid events of refused batches (422), by error code",
    ["code"],
)
REQUESTS = Counter(
    "bilan_ingest_requests_total",
    "HTTP answers of the ingest application, by URL rule, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "bilan_ingest_request_seconds",
    "Time from the start of a request in the application to its answer, by URL rule",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PENDING = Gauge(
    "bilan_pending_events", "Events recorded but not yet applied to the counters (all years)"
)


def count_rejected(codes: Iterable[str]) -> None:
    """Count the invalid events of a refused batch, by code."""
    for code, number in Tally(codes).items():
        EVENTS_REJECTED.labels(code=code).inc(number)


def metrics_text(session: Session) -> Response:
    """The metrics, the pending events read now."""
    PENDING.set(pending_events(session))
    # CONTENT_TYPE_LATEST carries its charset: given as the whole header, not as a mimetype
    # to which Flask would add a second one.
    return Response(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


@bp.get("/metrics")
def metrics() -> Response:
    with current_app.extensions["read_sessions"]() as session:
        return metrics_text(session)


def init_app(app: Flask) -> None:
    """Time and count every answer; ``GET /metrics``."""
    app.register_blueprint(bp)

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    # Registered first, so it runs last: it counts the status actually answered (after the
    # limit on failed authentications turned a 401 into a 429).
    @app.after_request
    def _count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        REQUESTS.labels(route=route, method=request.method, status=str(response.status_code)).inc()
        started = g.get("started")
        if started is not None:
            LATENCY.labels(route=route, method=request.method).observe(
                time.perf_counter() - started
            )
        return response
