"""The reports' part of ``/openapi.json``: ``/v1/reports/{year}`` and its CSV."""

from __future__ import annotations

from typing import Any

from services.http.apidoc import fail, operation, ref, with_headers
from services.web.parameters import Parameters
from services.web.reports.schemas import ReportDocument

REPORTS = "reports"
SHA256 = {
    "X-Report-SHA256": {
        "description": "SHA-256 of the frozen JSON document, recorded when it was frozen",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    }
}


def _report(p: Parameters, operation_id: str, summary: str, content: dict[str, Any]) -> Any:
    found = {"description": "The report, byte for byte as frozen", "content": content}
    return {
        "get": operation(
            operation_id,
            REPORTS,
            summary,
            {
                "200": with_headers(found, SHA256),
                "404": fail("No report (or no such version) for that year"),
            },
            parameters=[p.path_year, p.version],
        )
    }


def paths(p: Parameters) -> dict[str, Any]:
    """``/v1/reports/{year}`` and ``/v1/reports/{year}.csv``."""
    return {
        "/v1/reports/{year}": _report(
            p,
            "getReport",
            "A frozen report version (the latest by default)",
            {"application/json": {"schema": ref(ReportDocument)}},
        ),
        "/v1/reports/{year}.csv": _report(
            p,
            "getReportCsv",
            "The same report as CSV (section, key, label, value)",
            {"text/csv": {"schema": {"type": "string"}}},
        ),
    }
