"""Year-end consolidation (SPEC §1.4, §5): recompute, reconcile, merge, freeze.

A job recomputes every event figure of the year from the log (never from the
counters), reads the live counters in the same snapshot, reports where they
differ (never fixing anything), adds the registry and the validated declarations,
and writes an immutable report version with its diff to the previous one.

- ``snapshot``: one consistent read of a year, reconciled, and the frozen document;
- ``jobs``: a job's life (queue, claim, heartbeat, freeze, sweep, in-process run).

The recomputation itself is ``shared.pipeline.recompute``; the frozen versions are read by
``shared.report.versions``.
"""
