"""The ``bilan`` command (SPEC §6): one entry point for every process and admin task."""
