"""Where bilan keeps things: engines and sessions, the typed models, the Alembic schema and its
migrations, set-based statements, the data version, and whether a failed commit took effect.

May import the domain modules of ``shared/``; nothing from the other subpackages.
"""
