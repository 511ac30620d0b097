"""Query and path parameters: one parser for integers, one for ids, the regions.

An integer is ASCII digits within bounds, and the bounds are those the database can
hold: PostgreSQL's ``integer`` stops at 2 147 483 647, and a larger year, version or
job id used to reach it and fail there (a 500). Python's ``int()`` and ``\\d`` take
other scripts' digits (``٢٠٠٧``) and a bare ``str.isdigit`` superscripts: neither is
used. An id is checked against its type's pattern (``shared.events``) before any
query, so that what no row can have (a NUL byte, 10 000 characters) never reaches
the database.

The API treats an empty value (``?region=``) as a mistake: a 400. The pages read their
forms' values with ``optional``, where an empty select means "no filter".

``parameters()``: the same parameters as ``/openapi.json`` documents them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
from flask import request

from services.http.apidoc import query
from services.http.errors import ApiError
from shared.events import FIRST_DAY, StructureId
from shared.regions import REGIONS
from shared.scopes import last_day

# The largest value of PostgreSQL's ``integer``: no id or version is larger.
INT32_MAX = 2**31 - 1

_DIGITS = re.compile(r"[0-9]+")
# A ``through`` as the OpenAPI document describes it: a date that can be a month's last day.
THROUGH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(28|29|30|31)$"
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def year_range(today: dt.date | None = None) -> tuple[int, int]:
    """The years figures exist for: events may be dated up to tomorrow (SPEC §3)."""
    return FIRST_DAY.year, (today or dt.date.today()).year + 1


def year_choices(
    selected: int, with_data: Iterable[int] = (), today: dt.date | None = None
) -> list[int]:
    """The years a page's select offers, newest first: the years ``with_data`` within the
    window of SPEC §3, the current one and the one ``selected``."""
    first, last = year_range(today)
    years = {y for y in with_data if first <= y <= last}
    years |= {(today or dt.date.today()).year, selected}
    return sorted(years, reverse=True)


def integer_or_none(value: str, low: int, high: int) -> int | None:
    """``value`` as an integer if it is ASCII digits within [low, high], else None."""
    # The length is checked first: int() of a 5 000-digit string raises, and is slow before.
    if len(value) > len(str(high)) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def parse_integer(value: str, name: str, low: int, high: int) -> int:
    """``value`` as an integer within [low, high], else a 400 ``invalid_parameter``."""
    number = integer_or_none(value, low, high)
    if number is None:
        message = f"{name} must be an integer from {low} to {high}, in ASCII digits"
        raise ApiError(400, "invalid_parameter", message)
    return number


def parse_year(value: str | None, today: dt.date | None = None) -> int:
    """A ``year`` (query or path); the current year when absent; else a 400."""
    today = today or dt.date.today()
    if value is None:
        return today.year
    first, last = year_range(today)
    return parse_integer(value, "year", first, last)


def parse_id(value: str, what: str) -> int:
    """A numeric id of the path (a job's): a 404 when no row can have it."""
    number = integer_or_none(value, 1, INT32_MAX)
    if number is None:
        raise ApiError(404, "not_found", f"no {what} {value!r}")
    return number


def is_structure_id(value: str) -> bool:
    """Whether ``value`` can be a structure's id (SPEC §3: 1–32 of ``[A-Za-z0-9._-]``)."""
    try:
        msgspec.convert(value, StructureId)
    except msgspec.ValidationError:
        return False
    return True


def given(name: str) -> str | None:
    """A query parameter of the API: None when absent, a 400 when empty."""
    value = request.args.get(name)
    if value == "":
        raise ApiError(400, "invalid_parameter", f"{name} is empty: give a value or leave it out")
    return value


def optional(name: str) -> str | None:
    """A query parameter of a page, an empty value taken as absent (as HTML forms send it)."""
    return request.args.get(name) or None


def query_integer(name: str, low: int, high: int) -> int | None:
    """An integer query parameter of the API, None when absent (a 400 when empty or bad)."""
    value = given(name)
    return None if value is None else parse_integer(value, name, low, high)


def check_region(region: str) -> None:
    """A 404 unless ``region`` is the INSEE code of a region (SPEC §4.1)."""
    if region not in REGIONS:
        raise ApiError(404, "unknown_region", f"no region {region!r} (expected an INSEE code)")


def given_region() -> str | None:
    """The API's ``region`` parameter, if given: a 404 unless it is a region's code."""
    region = given("region")
    if region is not None:
        check_region(region)
    return region


def given_structure() -> str | None:
    """The API's ``structure`` parameter, if given: a 404 unless it can be a structure id
    (whether it is in the registry is the caller's query)."""
    structure = given("structure")
    if structure is not None and not is_structure_id(structure):
        raise ApiError(404, "unknown_structure", f"no structure {structure!r} in the registry")
    return structure


def parse_through(value: str, year: int) -> int:
    """SPEC §4.3's ``through`` for ``year``: the month whose last day it is; else a 400 that
    says what was expected."""
    match = _DATE.fullmatch(value)
    try:
        day = dt.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        day = None
    if day is None:
        message = f"through must be a date YYYY-MM-DD, the last day of a month of {year}"
        raise ApiError(400, "invalid_parameter", message)
    if day.year != year:
        message = f"through ({value}) must be in the year asked for, {year}"
        raise ApiError(400, "invalid_parameter", message)
    end = last_day(year, day.month)
    if day != end:
        message = f"through ({value}) must be the last day of a month: {end.isoformat()}"
        raise ApiError(400, "invalid_parameter", message)
    return day.month


@dataclass(frozen=True)
class Parameters:
    """The parameters several paths share (the years depend on today)."""

    year: dict[str, Any]
    region: dict[str, Any]
    structure: dict[str, Any]
    path_year: dict[str, Any]
    path_structure: dict[str, Any]
    version: dict[str, Any]
    job_id: dict[str, Any]


def parameters() -> Parameters:
    """The shared parameters, as of today."""
    (structure_id,), _ = msgspec.json.schema_components([StructureId])
    first, last = year_range()
    return Parameters(
        year=query(
            "year",
            "Reporting year (default: the current year)",
            {"type": "integer", "minimum": first, "maximum": last},
        ),
        region=query("region", "INSEE code of a 2007 region (SPEC §4.1)", {"enum": list(REGIONS)}),
        structure=query("structure", "A structure of the registry", structure_id),
        path_year={
            "name": "year",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": first, "maximum": last},
        },
        path_structure={
            "name": "structure_id",
            "in": "path",
            "required": True,
            "schema": structure_id,
        },
        version={
            "name": "version",
            "in": "query",
            "required": False,
            "description": "A version number (default: the latest)",
            "schema": {"type": "integer", "minimum": 1, "maximum": INT32_MAX},
        },
        job_id={
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": INT32_MAX},
        },
    )
