"""A decision mails its structure once, in the decision's own transaction, and says in French
what happened and what to do; a structure declares within its window only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.declarations.campaign_window import (
    WindowRefused,
    check_window,
    proposed_window,
    save_window,
)
from shared.declarations.fields import DeclarationError
from shared.declarations.workflow import REJECTED, VALIDATED, decide, submit
from shared.mail.outbox import MailConfig
from shared.publication.french_dates import day_in_words
from shared.registry import set_contact
from shared.storage.models.mail import Mail
from shared.times import paris_today
from tests.support.declarations import declaration_fields

ADMIN = Caller(1, "admin", frozenset(), None)
VALIDATOR = Caller(2, "validator", frozenset(), "11")
PARIS = Caller(3, "structure", frozenset({"ML-11-001"}), None)
CONFIG = MailConfig(sender="noreply@bilan.example.org", links_base="https://bilan.example.org")


def mails(sessions: sessionmaker[Session]) -> list[Mail]:
    with sessions() as session:
        return list(session.scalars(select(Mail).order_by(Mail.id)))


@pytest.fixture
def paris(sessions: sessionmaker[Session], registry: Any) -> sessionmaker[Session]:
    with sessions.begin() as session:
        set_contact(session, "ML-11-001", "direction@ml-paris.example.org")
        submit(session, PARIS, 2007, "ML-11-001", declaration_fields())
    return sessions


def test_each_decision_mails_once(paris: sessionmaker[Session]) -> None:
    sessions = paris
    with sessions.begin() as session:
        decide(session, VALIDATOR, 2007, "ML-11-001", VALIDATED, mail=CONFIG)
    with sessions.begin() as session, pytest.raises(DeclarationError):
        decide(session, VALIDATOR, 2007, "ML-11-001", VALIDATED, mail=CONFIG)  # refused: no mail
    with sessions.begin() as session:
        decide(session, VALIDATOR, 2007, "ML-11-001", REJECTED, "FSE absent", mail=CONFIG)
    with sessions.begin() as session:
        submit(session, PARIS, 2007, "ML-11-001", declaration_fields())
        decide(session, ADMIN, 2007, "ML-11-001", VALIDATED, "Conforme", mail=CONFIG)
    found = mails(sessions)
    assert [(m.kind, m.recipient, m.status) for m in found] == [
        ("validated", "direction@ml-paris.example.org", "pending"),
        ("rejected", "direction@ml-paris.example.org", "pending"),
        ("validated", "direction@ml-paris.example.org", "pending"),
    ]
    assert len({m.key for m in found}) == len({m.message_id for m in found}) == 3
    validated, rejected, again = found
    assert validated.subject == "Déclaration ICARE 2007 validée - Mission locale de Paris"
    text = " ".join(validated.body.split())
    assert "a été validée par la DRTEFP Île-de-France le" in text
    assert "https://bilan.example.org/declarations/2007/ML-11-001" in text
    assert (
        rejected.subject == "Déclaration ICARE 2007 rejetée, à corriger - Mission locale de Paris"
    )
    text = " ".join(rejected.body.split())
    assert "pour le motif suivant : « FSE absent »" in text
    assert "\nhttps://bilan.example.org/declarations/2007/ML-11-001/saisie\n" in rejected.body
    # 2007 has no window: nothing closes, the structure corrects it as soon as it can.
    assert "transmettez-la à nouveau dès que possible." in text
    text = " ".join(again.body.split())
    assert "par l'administration nationale" in text and "« Conforme »" in text


def test_no_address_no_mail_and_no_mail_without_a_way_out(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    with sessions.begin() as session:
        submit(session, ADMIN, 2007, "ML-11-002", declaration_fields())
        decide(session, ADMIN, 2007, "ML-11-002", VALIDATED, mail=CONFIG)  # no address
        set_contact(session, "PAIO-24-001", "paio@chartres.example.org")
        submit(session, ADMIN, 2007, "PAIO-24-001", declaration_fields())
        decide(session, ADMIN, 2007, "PAIO-24-001", VALIDATED)  # mail off
    assert mails(sessions) == []


def test_a_decision_rolled_back_takes_its_mail_with_it(paris: sessionmaker[Session]) -> None:
    sessions = paris
    with pytest.raises(RuntimeError), sessions.begin() as session:
        decide(session, VALIDATOR, 2007, "ML-11-001", VALIDATED, mail=CONFIG)
        raise RuntimeError("the commit fails")
    assert mails(sessions) == []


def test_a_rejection_in_an_open_window_says_until_when(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    today = paris_today()
    year = today.year - 1
    with sessions.begin() as session:
        set_contact(session, "ML-11-001", "direction@ml-paris.example.org")
        submit(session, PARIS, year, "ML-11-001", declaration_fields())
        save_window(session, ADMIN, year, dt.date(year, 1, 1), today + dt.timedelta(days=3))
        decide(session, VALIDATOR, year, "ML-11-001", REJECTED, "FSE absent", mail=CONFIG)
        save_window(session, ADMIN, year, dt.date(year, 1, 1), today - dt.timedelta(days=1))
        submit(session, ADMIN, year, "ML-11-001", declaration_fields())
        decide(session, VALIDATOR, year, "ML-11-001", REJECTED, "Effectif", mail=CONFIG)
    open_, closed = (" ".join(m.body.split()) for m in mails(sessions))
    closes = day_in_words(today + dt.timedelta(days=3), weekday=True)
    assert f"transmettez-la à nouveau avant la clôture de la campagne, le {closes} inclus." in open_
    assert "; la campagne est close depuis le" in closed
    assert "demandez à votre DRTEFP comment transmettre une déclaration hors délai." in closed


def test_a_structure_declares_within_its_window_only(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    today = paris_today()
    day = dt.timedelta(days=1)
    for opens, closes, allowed in (
        (today, today, True),  # both ends included
        (today - 10 * day, today, True),
        (today, today + 10 * day, True),
        (today - 10 * day, today - day, False),  # closed
        (today + day, today + 10 * day, False),  # not yet open
    ):
        with sessions.begin() as session:
            save_window(session, ADMIN, today.year, opens, closes)
        with sessions.begin() as session:
            if allowed:
                submit(session, PARIS, today.year, "ML-11-001", declaration_fields())
            else:
                with pytest.raises(DeclarationError) as refused:
                    submit(session, PARIS, today.year, "ML-11-001", declaration_fields())
                assert refused.value.code == "campaign_closed"
                assert f"from {opens} to {closes} included (Europe/Paris)" in refused.value.message
                # Admins are not bound by it.
                submit(session, ADMIN, today.year, "ML-11-001", declaration_fields())


@pytest.mark.parametrize(
    ("opens", "closes", "code", "field"),
    [
        (dt.date(2008, 6, 30), dt.date(2008, 4, 1), "closes_before_opens", "closes_on"),
        (dt.date(2006, 12, 31), dt.date(2008, 6, 30), "opens_too_early", "opens_on"),
        (dt.date(2008, 4, 1), dt.date(2010, 1, 1), "closes_too_late", "closes_on"),
    ],
)
def test_a_window_that_cannot_be_the_years_is_refused(
    opens: dt.date, closes: dt.date, code: str, field: str
) -> None:
    with pytest.raises(WindowRefused) as refused:
        check_window(2007, opens, closes)
    assert (refused.value.code, refused.value.field) == (code, field)
    check_window(2007, dt.date(2007, 1, 1), dt.date(2009, 12, 31))  # the widest
    check_window(2007, *proposed_window(2007))
    assert proposed_window(2007) == (dt.date(2008, 4, 1), dt.date(2008, 6, 30))
