"""The audit of personal data's governance (SPEC §7.6, docs/operations.md "Personal data"):
who read exact figures or declarations' contents (``reads``: one row per reader, kind, scope
and year per hour, written off the request path) and every admin action (``actions``:
appended in the action's own transaction), kept ``BILAN_AUDIT_RETENTION_DAYS``.
"""
