"""The event simulator behind ``bilan simulate`` and ``bilan up --demo``.

``registry`` holds the demo registry (the 486 structures of 2007), ``generate``
streams a realistic year of events together with the exact figures it holds,
and ``post`` sends a stream of events to an ingest service or to an NDJSON file.
"""
