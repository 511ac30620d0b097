"""The year end's part of ``/openapi.json``: declarations, campaigns and consolidations."""

from __future__ import annotations

from typing import Any

from services.http.apidoc import answer, fail, json_body, operation
from services.web.parameters import Parameters
from services.web.yearend.schemas import (
    CampaignDocument,
    CampaignWindow,
    ConsolidationDocument,
    ConsolidationList,
    ConsolidationRequest,
    ConsolidationStarted,
    DeclarationDetail,
    DeclarationDocument,
    DeclarationList,
    Rejection,
    Verdict,
)
from shared.declarations.fields import DeclarationFields
from shared.declarations.workflow import STATUSES

DECLARATIONS, CONSOLIDATIONS = "declarations", "consolidations"
CAMPAIGNS = "campaigns"
WINDOW_EXAMPLE = {"opens_on": "2008-04-01", "closes_on": "2008-06-30"}

DECLARATION_EXAMPLE = {
    "professionals": 23,
    "funding": {"main": 900000, "specific": 100000, "managed_funds": 50000},
    "funders": {
        "state": 400000,
        "region": 200000,
        "department": 100000,
        "municipalities": 200000,
        "esf": 60000,
        "other": 40000,
    },
}
NO_DECLARATION = fail("No such declaration (or no structure of that id)")

# What a client (and schemathesis's stateful phase) may do next with what it just made.
_SAME_DECLARATION = {"year": "$request.path.year", "structure_id": "$request.path.structure_id"}
DECLARATION_LINKS = {
    "read": {"operationId": "getDeclaration", "parameters": _SAME_DECLARATION},
    "validate": {"operationId": "validateDeclaration", "parameters": _SAME_DECLARATION},
    "reject": {"operationId": "rejectDeclaration", "parameters": _SAME_DECLARATION},
}
JOB_LINKS = {
    "follow": {"operationId": "getConsolidation", "parameters": {"id": "$response.body#/id"}}
}


def _decision(
    p: Parameters, operation_id: str, summary: str, body: dict[str, Any]
) -> dict[str, Any]:
    return {
        "post": operation(
            operation_id,
            DECLARATIONS,
            summary,
            {
                "200": answer("The declaration", DeclarationDocument),
                "404": NO_DECLARATION,
                "409": fail(
                    "Not allowed in the declaration's status; or the year was purged "
                    "(error purged_year)"
                ),
                "422": fail("Invalid body (a rejection needs a reason)"),
            },
            parameters=[p.path_year, p.path_structure],
            body=body,
            secured=True,
        )
    }


def paths(p: Parameters) -> dict[str, Any]:
    """``/v1/declarations…``, ``/v1/campaigns…`` and ``/v1/consolidations…``."""
    status = {
        "name": "status",
        "in": "query",
        "required": False,
        "schema": {"enum": list(STATUSES)},
    }
    return {
        "/v1/declarations/{year}": {
            "get": operation(
                "listDeclarations",
                DECLARATIONS,
                "The declarations a token may read, with their status and the completeness",
                {
                    "200": answer("The declarations", DeclarationList),
                    "403": fail("Role other than admin, validator or structure; another region"),
                    "404": fail("Unknown region"),
                },
                description="An admin reads them all, a validator those of its region's "
                "structures, a structure token its own.",
                parameters=[
                    p.path_year,
                    status,
                    {**p.region, "description": "Only the declarations of this region"},
                ],
                secured=True,
            )
        },
        "/v1/declarations/{year}/{structure_id}": {
            "get": operation(
                "getDeclaration",
                DECLARATIONS,
                "One declaration and its audit trail (admin, validator of its region, itself)",
                {
                    "200": answer("The declaration and its history", DeclarationDetail),
                    "404": NO_DECLARATION,
                },
                parameters=[p.path_year, p.path_structure],
                secured=True,
            ),
            "put": operation(
                "putDeclaration",
                DECLARATIONS,
                "Submit a declaration (its structure's token, or admin) → submitted",
                {
                    "200": {
                        **answer(
                            "Replaced (or resubmitted after a rejection)", DeclarationDocument
                        ),
                        "links": DECLARATION_LINKS,
                    },
                    "201": {**answer("Created", DeclarationDocument), "links": DECLARATION_LINKS},
                    "409": fail(
                        "Already validated; or a structure's token outside its year's window "
                        "(error campaign_closed); or the year was purged (error purged_year)"
                    ),
                    "422": fail(
                        "Invalid declaration (funders must sum to main + specific), "
                        "unknown or inactive structure"
                    ),
                },
                parameters=[p.path_year, p.path_structure],
                body=json_body(DeclarationFields, DECLARATION_EXAMPLE),
                secured=True,
            ),
        },
        "/v1/declarations/{year}/{structure_id}/validate": _decision(
            p,
            "validateDeclaration",
            "Validate a submitted declaration (validator of its region, or admin)",
            json_body(Verdict, {"reason": "Conforme"}, required=False),
        ),
        "/v1/declarations/{year}/{structure_id}/reject": _decision(
            p,
            "rejectDeclaration",
            "Reject a declaration, with a reason (validator of its region, or admin)",
            json_body(Rejection, {"reason": "Financement FSE absent"}),
        ),
        "/v1/campaigns/{year}": {
            "get": operation(
                "getCampaign",
                CAMPAIGNS,
                "A year's declaration window and completeness (any token)",
                {"200": answer("The campaign", CampaignDocument)},
                description="Without a saved window, opens_on and closes_on are null and the "
                "year is open.",
                parameters=[p.path_year],
                secured=True,
            ),
            "put": operation(
                "putCampaign",
                CAMPAIGNS,
                "Set a year's declaration window (admin)",
                {
                    "200": answer("Changed", CampaignDocument),
                    "201": answer("Set for the first time", CampaignDocument),
                    "403": fail("Role other than admin"),
                    "422": fail(
                        "Invalid window: a date that is not one, closes_on before opens_on, "
                        "opens_on before 1 January of the year, closes_on after 31 December "
                        "two years after it (error invalid_window)"
                    ),
                },
                description="Structures declare from opens_on to closes_on, both included, "
                "in Europe/Paris; outside, their PUT of a declaration is a 409 campaign_closed "
                "(admins are not bound). ICARE's window is April to June of the next year.",
                parameters=[p.path_year],
                body=json_body(CampaignWindow, WINDOW_EXAMPLE),
                secured=True,
            ),
        },
        "/v1/consolidations": {
            "post": operation(
                "startConsolidation",
                CONSOLIDATIONS,
                "Start the consolidation of a year (admin); one at a time per year",
                {
                    "202": {
                        **answer("Queued, or the year's job already running", ConsolidationStarted),
                        "links": JOB_LINKS,
                    },
                    "409": fail(
                        "The year has not ended (error year_not_ended): today, in "
                        "Europe/Paris, is its 31 December or earlier; or it was purged "
                        "(error purged_year: its report is final)"
                    ),
                    "422": fail("Invalid year"),
                },
                body=json_body(ConsolidationRequest, {"year": 2007}),
                secured=True,
            ),
            "get": operation(
                "listConsolidations",
                CONSOLIDATIONS,
                "The job history, newest first",
                {"200": answer("The jobs", ConsolidationList)},
                parameters=[{**p.year, "description": "Only the jobs of this year"}],
            ),
        },
        "/v1/consolidations/{id}": {
            "get": operation(
                "getConsolidation",
                CONSOLIDATIONS,
                "A consolidation job and its progress",
                {
                    "200": answer("The job", ConsolidationDocument),
                    "404": fail("No such job"),
                },
                parameters=[p.job_id],
            )
        },
    }
