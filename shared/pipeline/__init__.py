"""From a posted batch to exact counters: recording batches (ingestion), applying them exactly
once (counters), retractions, the recomputation from the log and ``bilan verify``.

May import the domain modules of ``shared/`` and ``shared.storage``.
"""
