"""`bilan structures list [--region R]`: the registry, one tab-separated line per structure
(SPEC §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from cli.main import main
from shared.registry import StructureFields, upsert_structure


def test_the_registry_is_listed_with_its_dates(
    env: dict[str, str], sessions: sessionmaker[Session], registry: Any
) -> None:
    with sessions.begin() as session:
        fields = StructureFields(
            name="PAIO\tde Dreux", kind="paio", region="24",
            opened_on=dt.date(2005, 1, 1), closed_on=dt.date(2007, 6, 30),
        )  # fmt: skip
        upsert_structure(session, "PAIO-24-002", fields)
    done = CliRunner().invoke(main, ["structures", "list"])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == "id\tkind\tregion\tname\topened_on\tclosed_on"
    assert lines[1:] == [
        "ML-11-001\tmission_locale\t11\tMission locale de Paris\t-\t-",
        "ML-11-002\tmission_locale\t11\tMission locale de Créteil\t-\t-",
        "PAIO-24-001\tpaio\t24\tPAIO de Chartres\t-\t-",
        "PAIO-24-002\tpaio\t24\tPAIO de Dreux\t2005-01-01\t2007-06-30",
    ]


def test_one_region_only(env: dict[str, str], registry: Any) -> None:
    done = CliRunner().invoke(main, ["structures", "list", "--region", "24"])
    assert done.exit_code == 0, done.output
    assert [line.split("\t")[0] for line in done.stdout.splitlines()[1:]] == ["PAIO-24-001"]


def test_a_region_outside_the_registry_is_refused(env: dict[str, str], registry: Any) -> None:
    for region in ("99", "93"):
        done = CliRunner().invoke(main, ["structures", "list", "--region", region])
        assert done.exit_code == 1
        assert done.output == f"Error: region '{region}' not in the registry: no structure of it\n"


def _emails(sessions: sessionmaker[Session]) -> dict[str, str | None]:
    from shared.storage.models.registry import Structure

    with sessions() as session:
        return {s.structure_id: s.email for s in session.query(Structure)}


def test_the_import_takes_the_contact_addresses(
    env: dict[str, str], sessions: sessionmaker[Session], registry: Any, tmp_path: Any
) -> None:
    with_emails = tmp_path / "with.csv"
    with_emails.write_text(
        "structure_id,name,kind,region,email\n"
        "ML-11-001,Mission locale de Paris,mission_locale,11,direction@ml-paris.example.org\n"
        "ML-11-002,Mission locale de Créteil,mission_locale,11,\n"
    )
    done = CliRunner().invoke(main, ["structures", "import", str(with_emails)])
    assert done.exit_code == 0, done.output
    assert _emails(sessions)["ML-11-001"] == "direction@ml-paris.example.org"
    assert _emails(sessions)["ML-11-002"] is None

    # Without the column, the addresses stay; an empty cell removes one.
    without = tmp_path / "without.csv"
    without.write_text("structure_id,name,kind,region\nML-11-001,ML de Paris,mission_locale,11\n")
    assert CliRunner().invoke(main, ["structures", "import", str(without)]).exit_code == 0
    assert _emails(sessions)["ML-11-001"] == "direction@ml-paris.example.org"
    emptied = tmp_path / "emptied.csv"
    emptied.write_text("structure_id,name,kind,region,email\nML-11-001,Paris,mission_locale,11,\n")
    assert CliRunner().invoke(main, ["structures", "import", str(emptied)]).exit_code == 0
    assert _emails(sessions)["ML-11-001"] is None


def test_a_malformed_address_stops_the_import_naming_its_line(
    env: dict[str, str], sessions: sessionmaker[Session], registry: Any, tmp_path: Any
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "structure_id,name,kind,region,email\n"
        "ML-11-001,Mission locale de Paris,mission_locale,11,direction@ml-paris.example.org\n"
        "ML-11-002,Mission locale de Créteil,mission_locale,11,direction at creteil\n"
    )
    done = CliRunner().invoke(main, ["structures", "import", str(path)])
    assert done.exit_code == 1
    assert done.output.startswith(f"Error: {path}, line 3: ")
    assert "$.email" in done.output and len(done.output.splitlines()) == 1
    assert set(_emails(sessions).values()) == {None}  # nothing imported
