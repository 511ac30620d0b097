"""The campaign's mails to a structure, in French: its declaration validated, rejected (with the
reason), and the reminder before the window closes.

Each says what happened or what is expected, by when, and the link to the page where it is
done; it is written for a mission locale's director, who may not know bilan. None carries a
figure: not even the structure's own declaration, which its page shows once signed in.
"""

from __future__ import annotations

import datetime as dt

from shared.declarations.campaign_window import Window
from shared.french_dates import day_in_words
from shared.mail.outbox import Letter, MailConfig
from shared.models import Structure
from shared.regions import REGIONS

SIGNATURE = (
    "--\n"
    "Ce message est envoyé automatiquement par bilan, le service des chiffres clés du\n"
    "réseau des missions locales et PAIO. Merci de ne pas y répondre : pour toute\n"
    "question sur votre déclaration, adressez-vous à votre DRTEFP.\n"
)
SIGN_IN = (
    "Connectez-vous avec le jeton d'accès de votre structure (celui que vous utilisez pour\n"
    "la déclaration) ; la page s'ouvre ensuite."
)
EXPECTED = (
    "Ce qui est attendu, pour l'année {year} :\n"
    "- le nombre de professionnels de la structure au 31 décembre {year} ;\n"
    "- ses financements de l'année, en euros : activité principale, activités\n"
    "  spécifiques et fonds gérés ;\n"
    "- la part de chaque financeur (État, conseil régional, conseil général, communes et\n"
    "  EPCI, FSE, autres) dans l'activité principale et les activités spécifiques.\n"
)


def _who(structure: Structure) -> str:
    return f"{structure.name} ({structure.structure_id})"


def _drtefp(structure: Structure) -> str:
    return f"la DRTEFP {REGIONS.get(structure.region, structure.region)}"


def _decider(role: str, structure: Structure) -> str:
    return _drtefp(structure) if role == "validator" else "l'administration nationale"


def _deadline(window: Window) -> str:
    """What the structure can still do, by when, as the window stands."""
    if window.phase in ("open", "upcoming"):
        assert window.closes_on is not None
        return (
            f"avant la clôture de la campagne, le {day_in_words(window.closes_on, weekday=True)}"
            " inclus"
        )
    if window.phase == "closed":
        assert window.closes_on is not None
        return (
            f"(la campagne est close depuis le {day_in_words(window.closes_on)} : "
            "demandez à votre DRTEFP comment transmettre une déclaration hors délai)"
        )
    return "dès que possible"


def form_path(year: int, structure_id: str) -> str:
    return f"/declarations/{year}/{structure_id}/saisie"


def page_path(year: int, structure_id: str) -> str:
    return f"/declarations/{year}/{structure_id}"


def validated_letter(
    config: MailConfig,
    structure: Structure,
    year: int,
    role: str,
    day: dt.date,
    comment: str | None,
) -> Letter:
    """The mail of a validation."""
    said = f"\nCommentaire joint à la validation :\n\n  « {comment} »\n" if comment else ""
    body = (
        "Bonjour,\n\n"
        f"La déclaration annuelle ICARE {year} (personnel et financements) de "
        f"{_who(structure)}\na été validée par {_decider(role, structure)} le "
        f"{day_in_words(day)}.\n{said}\n"
        f"Elle sera prise en compte dans le bilan national de l'année {year}. Aucune autre\n"
        "démarche n'est attendue de votre part pour cette année.\n\n"
        f"Pour la consulter :\n{config.link(page_path(year, structure.structure_id))}\n"
        f"{SIGN_IN}\n\n{SIGNATURE}"
    )
    return Letter(
        subject=f"Déclaration ICARE {year} validée - {structure.name}",
        body=body,
    )


def rejected_letter(
    config: MailConfig,
    structure: Structure,
    year: int,
    role: str,
    day: dt.date,
    reason: str,
    window: Window,
) -> Letter:
    """The mail of a rejection: the reason, and what to do by when."""
    body = (
        "Bonjour,\n\n"
        f"La déclaration annuelle ICARE {year} (personnel et financements) de "
        f"{_who(structure)}\na été rejetée par {_decider(role, structure)} le "
        f"{day_in_words(day)}, pour le motif suivant :\n\n  « {reason} »\n\n"
        f"Corrigez la déclaration et transmettez-la à nouveau {_deadline(window)} :\n"
        f"{config.link(form_path(year, structure.structure_id))}\n{SIGN_IN}\n\n"
        f"Une fois transmise à nouveau, elle sera examinée par {_drtefp(structure)}.\n\n"
        f"{SIGNATURE}"
    )
    return Letter(
        subject=f"Déclaration ICARE {year} rejetée, à corriger - {structure.name}",
        body=body,
    )


def reminder_letter(
    config: MailConfig,
    structure: Structure,
    year: int,
    window: Window,
    rejection: tuple[dt.date, str] | None,
) -> Letter:
    """The reminder of a structure that has not declared (``rejection``: the day and reason of
    its declaration's rejection, when it was rejected and not sent again)."""
    assert window.closes_on is not None and window.days_left is not None
    closes = day_in_words(window.closes_on, weekday=True)
    left = window.days_left
    when = {0: "ce soir", 1: "demain soir"}.get(left, f"dans {left} jours")
    if rejection is None:
        state = f"La déclaration de {_who(structure)} n'a pas encore été transmise."
    else:
        day, reason = rejection
        state = (
            f"La déclaration de {_who(structure)} a été rejetée le {day_in_words(day)},\n"
            f"pour le motif suivant :\n\n  « {reason} »\n\n"
            "Elle doit être corrigée et transmise à nouveau."
        )
    body = (
        "Bonjour,\n\n"
        f"La campagne des déclarations annuelles ICARE de l'année {year} se termine le\n"
        f"{closes} inclus, {when}.\n\n{state}\n\n"
        f"{EXPECTED.format(year=year)}\n"
        f"Saisir la déclaration :\n{config.link(form_path(year, structure.structure_id))}\n"
        f"{SIGN_IN}\nLe formulaire propose de partir des valeurs de votre dernière déclaration\n"
        "validée, s'il y en a une.\n\n"
        f"Une fois transmise, la déclaration est validée par {_drtefp(structure)}.\n\n"
        f"{SIGNATURE}"
    )
    return Letter(
        subject=f"Rappel : déclaration ICARE {year} à transmettre avant le "
        f"{day_in_words(window.closes_on)}",
        body=body,
    )
