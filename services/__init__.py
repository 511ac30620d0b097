"""The three processes of bilan: ingest, aggregate (Celery workers) and web."""
