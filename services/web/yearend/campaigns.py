"""A year's declaration campaign (SPEC §5): ``PUT /v1/campaigns/{year}`` (admin) sets its
window, ``GET /v1/campaigns/{year}`` (any token) reads it with the year's completeness.

The rules are shared.declarations.campaign_window's; this module only speaks HTTP. A window
that cannot be the year's (closing before it opens, outside the year and the two after it)
is a 422 naming the date; a year outside those the API knows, a 400.
"""

from __future__ import annotations

import msgspec
from flask import Response
from sqlalchemy.orm import Session

from services.http.bearer import authenticated, require_role
from services.http.bodies import decode_body
from services.http.errors import ApiError, json_response
from services.web.db import read_session, transaction
from services.web.parameters import parse_year
from services.web.yearend.declarations import completeness_of
from services.web.yearend.schemas import CampaignDocument, CampaignWindow
from shared.declarations.campaign_window import Window, WindowRefused, save_window, window_of

_window_decoder = msgspec.json.Decoder(CampaignWindow)


def campaign_document(session: Session, window: Window) -> CampaignDocument:
    """A window as the API answers it, with its year's completeness."""
    return CampaignDocument(
        year=window.year,
        opens_on=window.opens_on,
        closes_on=window.closes_on,
        open=window.open,
        completeness=completeness_of(session, window.year),
    )


def put_campaign(year: str) -> Response:
    year_value = parse_year(year)
    caller = require_role("admin", action="set a campaign's window")
    body = decode_body(_window_decoder)
    try:
        with transaction() as session:
            window, created = save_window(
                session, caller, year_value, body.opens_on, body.closes_on
            )
            document = campaign_document(session, window)
    except WindowRefused as exc:
        raise ApiError(422, "invalid_window", f"{exc.message} - at `$.{exc.field}`") from None
    response = json_response(document, 201 if created else 200)
    if created:
        response.headers["Location"] = f"/v1/campaigns/{year_value}"
    return response


def get_campaign(year: str) -> Response:
    year_value = parse_year(year)
    authenticated()
    with read_session() as session:
        document = campaign_document(session, window_of(session, year_value))
    return json_response(document)
