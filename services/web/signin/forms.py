"""The sign-in forms: ``/connexion``'s, for every role that has pages, and ``/admin``'s, for an
admin token only (its own title, label and hint)."""

from __future__ import annotations

from dataclasses import dataclass

TOKEN_LABEL = "Jeton d'accès"


@dataclass(frozen=True)
class SignInForm:
    """Where a sign-in form posts (None: ``/connexion``) and how it names the token."""

    endpoint: str | None = None
    token_label: str = TOKEN_LABEL
    hint: str | None = None
    title: str = "Connexion"


CONNEXION_FORM = SignInForm()
ADMIN_FORM = SignInForm(
    endpoint="signin.admin_sign_in",
    token_label="Jeton d'administration",
    hint="Créé par bilan token create --role admin.",
    title="Administration : connexion",
)
