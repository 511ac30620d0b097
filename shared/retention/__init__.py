"""Retention of personal data (SPEC §6 ``bilan purge``, §7.6): which years are closed
(``closure``), what blocks a year's purge (``eligibility``) and the purge itself (``purge``).

A purge deletes the youth-level records of a year (events, retractions, per-youth state,
the profiles no later year needs) and keeps every figure: the counters, the profile cells and
the frozen reports are aggregates, and they stay what they were. See docs/operations.md,
"Données personnelles".
"""
