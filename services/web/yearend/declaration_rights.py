"""Who may see, fill in and decide a structure's declaration, on the pages; and the domain's
refusals said in French.

The rules are shared.declarations.workflow's — a structure its own, a validator those of
its region's structures (their region of today), an admin all — checked here before a
page shows anything, so that a refusal is a French 403 page and says nothing of the
declaration (the API answers its JSON refusals, unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.http.errors import ApiError
from services.web.parameters import is_structure_id
from services.web.signin.identity import Identity
from shared.declarations.fields import DeclarationError
from shared.declarations.workflow import authorize_read
from shared.regions import REGIONS
from shared.storage.models.registry import Structure

# The domain's refusals (shared.declarations), as the pages say them.
REFUSALS = {
    "already_validated": (
        "Cette déclaration est validée : elle ne peut plus changer, sauf si la DRTEFP la rejette."
    ),
    "invalid_transition": (
        "Cette déclaration a changé entre-temps : elle n'est plus dans l'état attendu. "
        "Rechargez la page."
    ),
    "inactive_structure": (
        "Cette structure n'était pas ouverte cette année-là : elle n'a pas de déclaration à faire."
    ),
    "unknown_structure": "Cette structure n'est pas dans le répertoire.",
    "not_found": "Cette structure n'a pas transmis de déclaration pour cette année.",
    "invalid": "Indiquez le motif du rejet.",
    "campaign_closed": (
        "La campagne de déclaration de cette année n'est pas ouverte en ce moment : pour une "
        "déclaration hors délai, adressez-vous à votre DRTEFP."
    ),
    "purged_year": (
        "Les données individuelles de cette année ont été purgées : ses chiffres sont "
        "définitifs et ses déclarations ne changent plus."
    ),
}


def refusal(exc: DeclarationError) -> str:
    """A domain refusal in French."""
    return REFUSALS.get(exc.code, "Cette action n'est pas possible.")


@dataclass(frozen=True)
class Rights:
    """What the signed-in identity may do with one structure's declarations."""

    read: bool
    submit: bool
    decide: bool


def structure_or_404(db: Session, structure_id: str) -> Structure:
    """The structure of the path, or a French 404."""
    structure = db.get(Structure, structure_id) if is_structure_id(structure_id) else None
    if structure is None:
        raise ApiError(404, "unknown_structure", REFUSALS["unknown_structure"])
    return structure


def rights_of(db: Session, identity: Identity, structure: Structure) -> Rights:
    """The identity's rights on ``structure``: a French 403 if it may not even read."""
    try:
        authorize_read(db, identity.caller, structure.structure_id)
    except DeclarationError:
        raise ApiError(403, "forbidden", _not_yours(identity, structure)) from None
    admin = identity.role == "admin"
    return Rights(
        read=True,
        submit=admin or identity.role == "structure",
        decide=admin or identity.role == "validator",
    )


def _not_yours(identity: Identity, structure: Structure) -> str:
    if identity.role == "validator":
        region = REGIONS.get(structure.region, structure.region)
        return (
            f"Cette structure est de la région {region} : vous validez les déclarations de "
            f"la région {REGIONS.get(identity.caller.region or '', '')} seulement."
        )
    return "Votre jeton vous ouvre la déclaration de votre structure seulement."
