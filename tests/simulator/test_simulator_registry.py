"""The demo registry: 486 structures of 2007 over the 26 regions, and its CSV."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from shared.regions import REGIONS
from shared.registry import check_structure, read_structures_csv
from simulator.registry import demo_structures, structures_per_region, write_registry_csv


def test_486_structures_420_missions_locales_66_paio_over_the_26_regions() -> None:
    structures = demo_structures()
    assert len(structures) == 486
    kinds = Counter(fields.kind for _, fields in structures)
    assert kinds == {"mission_locale": 420, "paio": 66}
    per_region = Counter(fields.region for _, fields in structures)
    assert set(per_region) == set(REGIONS)
    missions = Counter(f.region for _, f in structures if f.kind == "mission_locale")
    assert set(missions) == set(REGIONS), "every region has at least one mission locale"


def test_spread_follows_the_population() -> None:
    per_region = {code: ml + paio for code, (ml, paio) in structures_per_region().items()}
    assert max(per_region, key=per_region.get) == "11"
    smallest = min(per_region.values())
    assert per_region["94"] == smallest and per_region["03"] == smallest
    assert per_region["82"] > per_region["93"] > per_region["31"] > per_region["74"]


def test_ids_names_and_dates_are_valid_and_deterministic() -> None:
    structures = demo_structures()
    assert structures == demo_structures()
    ids = [sid for sid, _ in structures]
    assert len(set(ids)) == len(ids)
    assert len({fields.name for _, fields in structures}) == len(structures)
    for sid, fields in structures:
        check_structure(sid, fields)
        prefix = "ML" if fields.kind == "mission_locale" else "PAIO"
        assert re.fullmatch(rf"{prefix}-{fields.region}-\d{{3}}", sid)
        assert fields.name.startswith("Mission locale " if prefix == "ML" else "PAIO ")
        assert fields.opened_on is not None and fields.opened_on < dt.date(2007, 1, 1)
        assert fields.closed_on is None
    assert dict(structures)["ML-11-001"].name == "Mission locale de Paris Centre"
    assert dict(structures)["ML-23-002"].name == "Mission locale du Havre"
    # Contact addresses in a domain reserved for examples, a few structures without one.
    emails = [fields.email for _, fields in structures]
    assert dict(structures)["ML-11-001"].email == "contact@ml-11-001.missions-locales.example"
    assert emails.count(None) == len(structures) // 20


def test_csv_reads_back_as_bilan_structures_import_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "registry.csv"
    structures = demo_structures()
    assert write_registry_csv(path, structures) == 486
    assert path.read_text(encoding="utf-8").splitlines()[0] == (
        "structure_id,name,kind,region,opened_on,closed_on,email"
    )
    assert read_structures_csv(path) == structures
