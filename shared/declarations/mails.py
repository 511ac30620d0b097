"""The campaign's mails to a structure, in French: its declaration validated, rejected (with the
reason), and the reminder before the window closes.

Each says what happened or what is expected, by when, and the link to the page where it is
done; it is written for a mission locale's director, who may not know bilan. None carries a
figure: not even the structure's own declaration, which its page shows once signed in.
Paragraphs are wrapped at 72 columns; links and the quoted reason stay whole.
"""

from __future__ import annotations

import datetime as dt
import textwrap

from shared.declarations.campaign_window import Window
from shared.mail.outbox import Letter, MailConfig
from shared.publication.french_dates import day_in_words
from shared.regions import REGIONS
from shared.storage.models.registry import Structure

WIDTH = 72
SIGNATURE_TEXT = (
    "Ce message est envoyé automatiquement par bilan, le service des chiffres clés du réseau "
    "des missions locales et PAIO. Merci de ne pas y répondre : pour toute question sur votre "
    "déclaration, adressez-vous à votre DRTEFP."
)
SIGN_IN = (
    "Connectez-vous avec le jeton d'accès de votre structure, celui de la déclaration : "
    "la page s'ouvre ensuite."
)


NBSP = "\u00a0"


def _typeset(text: str) -> str:
    """French spacing: a no-break space before ``:`` ``;`` ``»`` and after ``«``, so that no
    line starts with one."""
    for mark in (":", ";", "»"):
        text = text.replace(f" {mark}", f"{NBSP}{mark}")
    return text.replace("« ", f"«{NBSP}")


def _paragraph(text: str) -> str:
    return textwrap.fill(_typeset(text), WIDTH, break_long_words=False, break_on_hyphens=False)


def _quoted(text: str) -> str:
    """A person's words (a reason), quoted and indented, wrapped (its spaces and line breaks
    evened out, its words as written)."""
    return textwrap.fill(
        _typeset(f"« {' '.join(text.split())} »"),
        WIDTH,
        initial_indent="    ",
        subsequent_indent="    ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _body(*blocks: str) -> str:
    """The mail's text: ``Bonjour,``, its blocks, the signature (one blank line between)."""
    signature = "-- \n" + _paragraph(SIGNATURE_TEXT)  # "-- ": mail clients' signature mark
    return "\n\n".join(("Bonjour,", *blocks, signature)) + "\n"


def _structure(structure: Structure) -> str:
    return f"la {structure.name} ({structure.structure_id})"


def _drtefp(structure: Structure) -> str:
    return f"la DRTEFP {REGIONS.get(structure.region, structure.region)}"


def _decider(role: str, structure: Structure) -> str:
    return _drtefp(structure) if role == "validator" else "l'administration nationale"


def _by_when(window: Window) -> str:
    """By when a rejected declaration is sent again, as the window stands."""
    if window.phase in ("open", "upcoming"):
        assert window.closes_on is not None
        closes = day_in_words(window.closes_on, weekday=True)
        return f"avant la clôture de la campagne, le {closes} inclus"
    if window.phase == "closed":
        assert window.closes_on is not None
        return (
            f"; la campagne est close depuis le {day_in_words(window.closes_on)} : demandez à "
            "votre DRTEFP comment transmettre une déclaration hors délai"
        )
    return "dès que possible"


def form_path(year: int, structure_id: str) -> str:
    """The declaration form's path."""
    return f"/declarations/{year}/{structure_id}/saisie"


def page_path(year: int, structure_id: str) -> str:
    """The declaration page's path."""
    return f"/declarations/{year}/{structure_id}"


def _link(label: str, address: str) -> str:
    return f"{label}\n{address}\n{_paragraph(SIGN_IN)}"


def validated_letter(
    config: MailConfig,
    structure: Structure,
    year: int,
    role: str,
    day: dt.date,
    comment: str | None,
) -> Letter:
    """The mail of a validation (``comment``: the validator's, if any)."""
    blocks = [
        _paragraph(
            f"La déclaration annuelle ICARE {year} (personnel et financements) de "
            f"{_structure(structure)} a été validée par {_decider(role, structure)} le "
            f"{day_in_words(day)}."
        )
    ]
    if comment:
        blocks.append("Commentaire joint à la validation :\n\n" + _quoted(comment))
    blocks += [
        _paragraph(
            f"Elle sera prise en compte dans le bilan national de l'année {year}. Aucune autre "
            "démarche n'est attendue de votre part pour cette année."
        ),
        _link("Pour la consulter :", config.link(page_path(year, structure.structure_id))),
    ]
    return Letter(
        subject=f"Déclaration ICARE {year} validée - {structure.name}", body=_body(*blocks)
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
    blocks = [
        _paragraph(
            f"La déclaration annuelle ICARE {year} (personnel et financements) de "
            f"{_structure(structure)} a été rejetée par {_decider(role, structure)} le "
            f"{day_in_words(day)}, pour le motif suivant :"
        ),
        _quoted(reason),
        _paragraph(f"Corrigez la déclaration et transmettez-la à nouveau {_by_when(window)}."),
        _link("Corriger la déclaration :", config.link(form_path(year, structure.structure_id))),
        _paragraph(f"Une fois transmise à nouveau, elle sera examinée par {_drtefp(structure)}."),
    ]
    return Letter(
        subject=f"Déclaration ICARE {year} rejetée, à corriger - {structure.name}",
        body=_body(*blocks),
    )


EXPECTED = (
    "Ce qui est attendu, pour l'année {year} :\n"
    "- le nombre de professionnels de la structure au 31 décembre {year} ;\n"
    "- ses financements de l'année, en euros : activité principale,\n"
    "  activités spécifiques et fonds gérés ;\n"
    "- la part de chaque financeur (État, conseil régional, conseil général,\n"
    "  communes et EPCI, FSE, autres) dans l'activité principale et les\n"
    "  activités spécifiques."
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
    left = window.days_left
    when = {0: "ce soir", 1: "demain soir"}.get(left, f"dans {left} jours")
    blocks = [
        _paragraph(
            f"La campagne des déclarations annuelles ICARE de l'année {year} se termine le "
            f"{day_in_words(window.closes_on, weekday=True)} inclus, {when}."
        )
    ]
    if rejection is None:
        blocks.append(
            _paragraph(f"La déclaration de {_structure(structure)} n'a pas encore été transmise.")
        )
    else:
        day, reason = rejection
        blocks += [
            _paragraph(
                f"La déclaration de {_structure(structure)} a été rejetée le "
                f"{day_in_words(day)}, pour le motif suivant :"
            ),
            _quoted(reason),
            "Elle doit être corrigée et transmise à nouveau.",
        ]
    blocks += [
        EXPECTED.format(year=year),
        _link("Saisir la déclaration :", config.link(form_path(year, structure.structure_id))),
        _paragraph(
            "Le formulaire propose de partir des valeurs de votre dernière déclaration validée, "
            f"s'il y en a une. Une fois transmise, la déclaration est validée par "
            f"{_drtefp(structure)}."
        ),
    ]
    return Letter(
        subject=f"Rappel : déclaration ICARE {year} à transmettre avant le "
        f"{day_in_words(window.closes_on)}",
        body=_body(*blocks),
    )
