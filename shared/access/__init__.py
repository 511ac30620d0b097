"""Who may read and write: API tokens, the web's signed-in sessions, the secrets every
replica shares, and the count of failed authentications.

May import the domain modules of ``shared/`` and ``shared.storage``; never HTTP or ``services/``.
"""
