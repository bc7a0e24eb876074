"""Admin calls only Focus has, next to the shared ``/_sandbox`` API (no auth, not logged):
test hooks that change a stored document behind the API's back.

- ``POST /_sandbox/documents/patch {"type": "invoice" | "creditNote" | "expense", "id",
  "set": {"<dotted.path>": <JSON value>, ...}}``: overwrite fields as is (``patching``);
- ``POST /_sandbox/invoices/edit {"id", "line", "unit_price"?, "quantity"?}``: change a line of a
  booked invoice and recompute its totals (``editing``).

Both answer ``{"data": <the stored document>}``; an unknown id is a 404, anything else wrong a 400.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.admin import AdminError, json_body
from sandbox.common.clock import Clock
from sandbox.common.http import json_response
from sandbox.focus.editing import EditError, edit_invoice_line
from sandbox.focus.patching import DOCUMENT_TYPES, PatchError, patch_document
from sandbox.focus.store import FocusStore


def focus_admin_router(store: FocusStore, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/_sandbox")

    @router.post("/documents/patch")
    async def patch(request: Request) -> Response:
        body = await json_body(request)
        doc_type, doc_id, changes = body.get("type"), body.get("id"), body.get("set")
        if doc_type not in DOCUMENT_TYPES:
            raise AdminError(f"type must be one of: {', '.join(DOCUMENT_TYPES)}")
        if not isinstance(doc_id, str):
            raise AdminError("id must be a string")
        if not isinstance(changes, dict) or not changes:
            raise AdminError('set must be an object of "dotted.path": value pairs')
        try:
            doc = patch_document(store, doc_type, doc_id, changes, clock.now())
        except LookupError as error:
            return json_response({"error": str(error)}, 404)
        except PatchError as error:
            raise AdminError(str(error)) from None
        return json_response({"data": doc})

    @router.post("/invoices/edit")
    async def edit(request: Request) -> Response:
        body = await json_body(request)
        doc_id = body.pop("id", None)
        if not isinstance(doc_id, str):
            raise AdminError("id must be a string")
        line = body.pop("line", None)
        try:
            doc = edit_invoice_line(store, doc_id, line, body, clock.now())
        except LookupError as error:
            return json_response({"error": str(error)}, 404)
        except EditError as error:
            raise AdminError(str(error)) from None
        return json_response({"data": doc})

    return router
