"""Declarations (SPEC §5): validation rules, role boundaries, state machine, audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.declarations.fields import DeclarationError, DeclarationFields, check_fields
from shared.declarations.figures import completeness
from shared.declarations.workflow import decide, history, submit
from shared.registry import StructureFields, upsert_structure
from tests.support.declarations import DECLARATION as VALID
from tests.support.declarations import declaration_fields as fields

ADMIN = Caller(1, "admin", frozenset(), None)
PARIS = Caller(2, "structure", frozenset({"ML-11-001"}), None)
CHARTRES = Caller(3, "structure", frozenset({"PAIO-24-001"}), None)
VALIDATOR_11 = Caller(4, "validator", frozenset(), "11")
VALIDATOR_24 = Caller(5, "validator", frozenset(), "24")
SOURCE = Caller(6, "source", frozenset(), None)


def body(value: dict[str, Any]) -> bytes:
    return msgspec.json.encode(value)


def error_of(call: Any) -> DeclarationError:
    with pytest.raises(DeclarationError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        ({"professionals": -1}, "invalid", "$.professionals"),
        ({"professionals": 1.5}, "invalid", "$.professionals"),
        ({"funding": {**VALID["funding"], "main": -5}}, "invalid", "$.funding.main"),
        ({"funders": {**VALID["funders"], "esf": -1}}, "invalid", "$.funders.esf"),
        ({"funding": {"main": 1, "specific": 2}}, "invalid", "managed_funds"),
        ({"funders": {**VALID["funders"], "lottery": 1}}, "invalid", "lottery"),
        ({"extra": 1}, "invalid", "extra"),
        ({"funders": {**VALID["funders"], "other": 40_001}}, "funders_mismatch", "$.funders"),
        ({"funding": {**VALID["funding"], "specific": 0}}, "funders_mismatch", "$.funders"),
    ],
)
def test_every_validation_rule_has_a_precise_error(
    change: dict[str, Any], code: str, where: str
) -> None:
    # The shape is msgspec's to check (the web answers "invalid"), the sums check_fields'.
    try:
        decoded = msgspec.json.decode(body({**VALID, **change}), type=DeclarationFields)
    except msgspec.ValidationError as exc:
        assert code == "invalid"
        assert where in str(exc)
        return
    error = error_of(lambda: check_fields(decoded))
    assert error.code == code
    assert where in error.message


def test_managed_funds_are_not_covered_by_funders() -> None:
    check_fields(fields())  # funders = main + specific, managed funds aside


def test_unknown_and_inactive_structures(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        upsert_structure(
            session,
            "ML-53-009",
            StructureFields(
                name="Fermée",
                kind="mission_locale",
                region="53",
                opened_on=dt.date(2001, 1, 1),
                closed_on=dt.date(2006, 12, 31),
            ),
        )
    with sessions.begin() as session:
        error = error_of(lambda: submit(session, ADMIN, 2007, "ML-99-999", fields()))
        assert error.code == "unknown_structure"
        error = error_of(lambda: submit(session, ADMIN, 2007, "ML-53-009", fields()))
        assert error.code == "inactive_structure"
        submit(session, ADMIN, 2006, "ML-53-009", fields())  # active in 2006


def test_role_boundaries_for_submitting(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        for caller, code in (
            (CHARTRES, "forbidden_structure"),
            (VALIDATOR_11, "forbidden"),
            (SOURCE, "forbidden"),
        ):
            error = error_of(lambda c=caller: submit(session, c, 2007, "ML-11-001", fields()))
            assert error.code == code
        row, created = submit(session, PARIS, 2007, "ML-11-001", fields())
        assert created and row.status == "submitted" and row.region == "11"
        _, created = submit(session, ADMIN, 2007, "PAIO-24-001", fields())
        assert created


def test_role_boundaries_for_validating(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        submit(session, PARIS, 2007, "ML-11-001", fields())
        submit(session, CHARTRES, 2007, "PAIO-24-001", fields())
    with sessions.begin() as session:
        error = error_of(lambda: decide(session, VALIDATOR_24, 2007, "ML-11-001", "validated"))
        assert error.code == "forbidden_region"
        error = error_of(lambda: decide(session, PARIS, 2007, "ML-11-001", "validated"))
        assert error.code == "forbidden"
        error = error_of(lambda: decide(session, VALIDATOR_11, 2007, "ML-11-002", "validated"))
        assert error.code == "not_found"
        assert decide(session, VALIDATOR_11, 2007, "ML-11-001", "validated").status == "validated"
        assert decide(session, ADMIN, 2007, "PAIO-24-001", "rejected", "totaux faux").status == (
            "rejected"
        )


def test_rejection_needs_a_reason_and_resubmission_goes_back_to_submitted(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    with sessions.begin() as session:
        submit(session, PARIS, 2007, "ML-11-001", fields())
        error = error_of(lambda: decide(session, VALIDATOR_11, 2007, "ML-11-001", "rejected"))
        assert error.code == "invalid"
        row = decide(session, VALIDATOR_11, 2007, "ML-11-001", "rejected", " FSE manquant ")
        assert (row.status, row.reason) == ("rejected", "FSE manquant")
        error = error_of(lambda: decide(session, VALIDATOR_11, 2007, "ML-11-001", "validated"))
        assert error.code == "invalid_transition"
        row, created = submit(session, PARIS, 2007, "ML-11-001", fields(professionals=24))
        assert not created and (row.status, row.reason, row.professionals) == (
            "submitted",
            None,
            24,
        )
        decide(session, VALIDATOR_11, 2007, "ML-11-001", "validated")
        error = error_of(lambda: submit(session, PARIS, 2007, "ML-11-001", fields()))
        assert error.code == "already_validated"
        # A validation can be withdrawn, with a reason; the structure may then correct it.
        decide(session, VALIDATOR_11, 2007, "ML-11-001", "rejected", "erreur de saisie")
        assert submit(session, PARIS, 2007, "ML-11-001", fields())[0].status == "submitted"


def test_audit_trail_records_who_did_what_and_when(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with sessions.begin() as session:
        submit(session, PARIS, 2007, "ML-11-001", fields())
        decide(session, VALIDATOR_11, 2007, "ML-11-001", "rejected", "incomplet")
        submit(session, PARIS, 2007, "ML-11-001", fields(professionals=30))
        decide(session, ADMIN, 2007, "ML-11-001", "validated")
    with sessions() as session:
        trail = history(session, 2007, "ML-11-001")
        assert [(a.action, a.status, a.token_id, a.role, a.reason) for a in trail] == [
            ("submitted", "submitted", 2, "structure", None),
            ("rejected", "rejected", 4, "validator", "incomplet"),
            ("resubmitted", "submitted", 2, "structure", None),
            ("validated", "validated", 1, "admin", None),
        ]
        assert trail[0].content == VALID
        assert trail[2].content["professionals"] == 30
        assert all(a.at.replace(tzinfo=None) >= before for a in trail)
        assert [a.id for a in trail] == sorted(a.id for a in trail)


def test_completeness(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        submit(session, PARIS, 2007, "ML-11-001", fields())
        submit(session, CHARTRES, 2007, "PAIO-24-001", fields())
        decide(session, VALIDATOR_24, 2007, "PAIO-24-001", "validated")
    with sessions() as session:
        counts = completeness(session, 2007)
    assert (counts.structures, counts.submitted, counts.validated, counts.rejected) == (3, 1, 1, 0)
    assert counts.missing == 1
