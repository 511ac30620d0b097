"""The aggregate service: Celery workers applying recorded batches to the live counters."""
