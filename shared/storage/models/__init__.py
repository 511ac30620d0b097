"""The database tables, as typed SQLAlchemy 2 models, one module per concern: ``base`` (the
declarative base), ``registry``, ``access``, ``log`` (the source of truth), ``counters`` (the
live counters derived from it), ``publication`` (the public edition), ``declarations``,
``consolidation``, ``mail``, ``profiles`` and ``retention``.

Importers name the module a model lives in; nothing is re-exported here. The imports below only
make sure that ``Base.metadata`` holds every table (Alembic, ``create_all``, the schema tests),
whichever model was imported first.
"""

from shared.storage.models import (  # noqa: F401
    access,
    audit,
    consolidation,
    counters,
    declarations,
    log,
    mail,
    profiles,
    publication,
    registry,
    retention,
)
