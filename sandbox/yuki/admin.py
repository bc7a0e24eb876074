"""Admin calls only Yuki needs, next to the shared ``/_sandbox`` API (no auth, not logged, not counted).

- ``GET /_sandbox/quotas``: today's call count per domain (with the calls per operation) and the cap;
- ``GET /_sandbox/documents?administration=&kind=``: every document (drafts too) as stored, plus
  ``Open``, ``Paid``, ``Matched`` and its ``Settlements``; ``administration`` is an id or a name
  (all administrations without it), ``kind`` ``sales`` or ``purchase``;
- ``GET /_sandbox/contacts?domain=``: every contact of a domain (id or name; all without it) with
  ``HID``, ``Created``, ``Modified``;
- ``POST /_sandbox/payments {"administration", "document" | "reference", "amount"?, "date"?}``: a
  (partial) payment, default all that is open -> 201 ``{"data": {paid, date, open}}``;
- ``POST /_sandbox/matches {"administration", "credit": {"document" | "reference"}, "invoice": {...},
  "amount"?, "date"?}`` -> 201 ``{"data": {matched, date, credit_open, invoice_open}}``;
- ``POST /_sandbox/payments/reverse {"administration", "document" | "reference"}``: undo the latest
  payment or match -> 200 ``{"data": {kind, amount, date, open}}``;
- ``POST /_sandbox/documents/delete {"administration", "document" | "reference"}``: the booking deleted
  in Yuki, its settlements reversed -> 200 ``{"data": {deleted, reversed, amount}}``.

``administration`` is an ID or a name; ``reference`` must name one document (else 400: give its ID).
Rules in ``settlements``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.admin import AdminError, amount_field, date_field, json_body
from sandbox.common.clock import Clock
from sandbox.common.http import json_response
from sandbox.yuki import settlements
from sandbox.yuki.contacts import contact_doc
from sandbox.yuki.context import same_id
from sandbox.yuki.quotas import DailyCap, local_day
from sandbox.yuki.standings import Standing, standings
from sandbox.yuki.store import ADMINISTRATION, CONTACT, DOMAIN, Doc, YukiStore


def pick(docs: list[Doc], wanted: str | None, what: str) -> list[Doc]:
    """All ``docs``, or the one whose ID or Name is ``wanted`` (AdminError 404 when none is)."""
    if wanted is None:
        return docs
    found = [doc for doc in docs if same_id(doc["ID"], wanted) or doc["Name"] == wanted]
    if not found:
        raise AdminError(f"no {what} {wanted!r} (give its ID or name)", 404)
    return found


def yuki_admin_router(store: YukiStore, clock: Clock, cap: DailyCap) -> APIRouter:
    router = APIRouter(prefix="/_sandbox")

    @router.get("/quotas")
    async def quota_usage() -> Response:
        domains = {doc["ID"]: doc["Name"] for doc in store.docs(DOMAIN)}
        return json_response({"data": cap.usage(clock.now(), domains)})

    @router.get("/documents")
    async def documents(administration: str | None = None, kind: str | None = None) -> Response:
        if kind not in (None, "sales", "purchase"):
            raise AdminError("kind must be sales or purchase")
        data = [{**standing.doc, **standing.listing()}
                for admin in pick(store.docs(ADMINISTRATION), administration, "administration")
                for standing in standings(store, admin["ID"], kind)]
        return json_response({"data": data})

    @router.get("/contacts")
    async def contacts(domain: str | None = None) -> Response:
        data = [contact_doc(row) | {"DomainID": found["ID"]}
                for found in pick(store.docs(DOMAIN), domain, "domain") for row in store.rows(CONTACT, found["ID"])]
        return json_response({"data": data})

    def document(administration: str, body: Any, name: str = "document") -> Standing:
        if not isinstance(body, dict) or not isinstance(body.get("document", body.get("reference")), str):
            raise AdminError(f"{name}: give document (its ID) or reference")
        return settlements.find(store, administration, body.get("document"), body.get("reference"))

    async def settle(request: Request, act: Callable[[str, dict[str, Any], str], dict[str, Any]],
                     status: int = 201) -> Response:
        body = await json_body(request, decimals=True)
        if not isinstance(body.get("administration"), str):
            raise AdminError("administration (its ID or name) is required")
        administration = pick(store.docs(ADMINISTRATION), body["administration"], "administration")[0]["ID"]
        day = date_field(body, "date")
        try:
            data = act(administration, body, local_day(clock.now()).isoformat() if day is None else day.isoformat())
        except settlements.SettlementError as error:
            raise AdminError(str(error), error.status) from None
        return json_response({"data": data}, status)

    @router.post("/payments")
    async def add_payment(request: Request) -> Response:
        return await settle(request, lambda admin, body, day: settlements.pay(
            store, document(admin, body), amount_field(body, "amount", required=False), day, clock.now()))

    @router.post("/matches")
    async def add_match(request: Request) -> Response:
        return await settle(request, lambda admin, body, day: settlements.match(
            store, document(admin, body.get("credit"), "credit"), document(admin, body.get("invoice"), "invoice"),
            amount_field(body, "amount", required=False), day, clock.now()))

    @router.post("/payments/reverse")
    async def reverse_payment(request: Request) -> Response:
        return await settle(request, lambda admin, body, _: settlements.reverse(
            store, document(admin, body), clock.now()), 200)

    @router.post("/documents/delete")
    async def delete_document(request: Request) -> Response:
        return await settle(request, lambda admin, body, _: settlements.delete(
            store, document(admin, body), clock.now()), 200)

    return router
