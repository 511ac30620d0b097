"""Prometheus metrics of the ingest process."""

from __future__ import annotations

from prometheus_client import Counter

EVENTS_ACCEPTED = Counter("bilan_ingest_events_accepted_total", "New events durably recorded")
EVENTS_DUPLICATE = Counter(
    "bilan_ingest_events_duplicate_total", "Events received again with identical content"
)
REQUESTS = Counter("bilan_ingest_requests_total", "POST /v1/events answers", ["status"])
