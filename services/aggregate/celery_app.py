"""The workers' Celery application, configured from the environment."""

from __future__ import annotations

from celery import Celery

from shared.config import load_settings
from shared.pipeline.queue import configure_celery


def create_celery() -> Celery:
    app = Celery(
        "bilan",
        include=[
            "services.aggregate.tasks",
            "services.aggregate.mail_tasks",
            "services.aggregate.retention_tasks",
        ],
    )
    return configure_celery(app, load_settings())


app = create_celery()
