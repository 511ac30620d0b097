"""The bilan domain: event schema, figure definitions, models and configuration.

Nothing here imports from ``services/``: every service builds on this package.
"""
