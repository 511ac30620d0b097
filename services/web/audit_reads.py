"""The audit of reads (shared/audit/reads.py), on the web's side: after each answer that
gave exact figures or a declaration's content to an identified reader, the read is noted —
once per reader, kind, scope and year per hour per process — when the answer has been sent
(``call_on_close``), never in the request's time nor against its success.

Audited: the exact edition (``/chiffres-exacts``, its data, its CSV export: the sign-in),
``/v1/figures*`` read with a token (exact whatever the confidentiality rule: a token's reads
are its holder's), the declarations read by the API (a token) or on their pages (a sign-in).
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask import Response as FlaskResponse

from services.http.bearer import caller_of_token
from services.web.parameters import parse_year
from shared.access.tokens import Caller
from shared.audit.actions import scope_of
from shared.audit.reads import DECLARATIONS, EXACT, EXPORT, SIGN_IN, TOKEN, Read, ReadNotes

# Endpoint -> what it reads.
BY_SIGN_IN = {
    "live.exact_index": EXACT,
    "live_data.exact_dashboard_json": EXACT,
    "live_data.exact_export_csv": EXPORT,
    "yearend.declaration_page": DECLARATIONS,
    "yearend.declaration_form": DECLARATIONS,
}
BY_TOKEN = {
    "live_data.get_figures": EXACT,
    "live_data.get_breakdown": EXACT,
    "live_data.get_series": EXACT,
    "yearend_api.get_declarations": DECLARATIONS,
    "yearend_api.get_declaration": DECLARATIONS,
}


def init_app(app: Flask) -> None:
    app.extensions["read_notes"] = ReadNotes(app.extensions["sessions"])
    app.after_request(note_read)


def _reader(endpoint: str) -> tuple[Caller, str, str] | None:
    """(who, how, what) of an audited read, or None."""
    if endpoint in BY_SIGN_IN:
        identity = g.get("identity")
        return None if identity is None else (identity.caller, SIGN_IN, BY_SIGN_IN[endpoint])
    header = request.headers.get("Authorization")
    if endpoint in BY_TOKEN and header is not None:
        caller = g.get("caller") or caller_of_token(header)
        return None if caller is None else (caller, TOKEN, BY_TOKEN[endpoint])
    return None


def _scope(caller: Caller, what: str) -> str:
    args = {**request.args, **(request.view_args or {})}
    structure = args.get("structure_id") or args.get("structure")
    if structure:
        return f"structure:{structure}"[:48]
    if args.get("region"):
        return f"region:{args['region']}"[:48]
    # A list of declarations is what the caller may read of them.
    return scope_of(caller) if what == DECLARATIONS else "national"


def note_read(response: FlaskResponse) -> FlaskResponse:
    if response.status_code >= 400 or request.endpoint is None:
        return response
    found = _reader(request.endpoint)
    if found is None:
        return response
    caller, via, what = found
    given = (request.view_args or {}).get("year") or request.args.get("year")
    try:
        year = parse_year(None if given is None else str(given))
    except Exception:  # noqa: BLE001 - a year the view accepted otherwise: not worth a refusal
        return response
    read = Read(caller.token_id, via, caller.role, what, _scope(caller, what), year)
    notes: ReadNotes = current_app.extensions["read_notes"]
    response.call_on_close(lambda: notes.note(read))
    return response
