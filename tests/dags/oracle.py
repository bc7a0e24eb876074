"""What a first sync of a demo entity must do, worked out from the sandboxes' data alone.

Nothing here imports the connector (``plugins/connectors``): the documents are read from the Focus
sandbox with a bare HTTP caller (``tests.sandbox.support.Api``, a freshly minted token), the tool's
financial periods and currency from the Exact Online sandbox, and the rules are an accountant's:

- a document is the entity's to book when it belongs to the entity's Focus department, is a booked
  invoice (status ``outstanding`` or ``matched``), a booked credit note or an *approved* incoming invoice
  or credit note that arrived over Peppol, and is dated on or after the integration's start date;
- it must be refused when its customer's or supplier's VAT number is not valid (python-stdnum's
  ``vatin.is_valid``; a party without a VAT number has nothing to check), when the tool cannot take it
  (its date falls in no financial period or in a closed one, or its currency is not the administration's),
  or when a Peppol document carries a document-level allowance while the integration has no purchase
  discount account to book it on (``sandbox/world.py`` sets up the demo integrations with
  ``--sales-discount-account`` only), or has no UBL file at all (its lines are unknown);
- everything else is booked once, under the reference ``FC-<I|C|P|Q>-<Focus id>`` (I invoice,
  C credit note, P incoming invoice, Q incoming credit note: by the Focus document type).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from lxml import etree
from stdnum import vatin

from sandbox.world import DEMO_ENTITIES, World
from tests.sandbox.support import Api

#: ``sandbox/world.py`` ``setup_demo_integrations``: ``--start-date 2025-01-01`` for every demo entity.
START_DATE = dt.date(2025, 1, 1)
#: ... and a sales discount account only: document-level purchase allowances have no account to go to.
HAS_PURCHASE_DISCOUNT_ACCOUNT = False
LETTERS = {"invoice": "I", "creditNote": "C", "incomingInvoice": "P", "incomingCreditNote": "Q"}
BOOKED_INVOICE_STATUSES = {"outstanding", "matched"}
PEPPOL_TYPES = {"incomingInvoice", "incomingCreditNote"}
UBL = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}

INVALID_VAT = "invalid VAT number"
NO_PURCHASE_DISCOUNT_ACCOUNT = "document-level allowance without a purchase discount account"
NO_UBL_FILE = "no Peppol UBL file"
NO_PERIOD = "no financial period in the tool"
CLOSED_PERIOD = "closed financial period in the tool"
OTHER_CURRENCY = "currency other than the administration's"


@dataclass(frozen=True)
class Expected:
    """One Focus document of the entity and what the first run must do with it."""

    source_type: str  # invoice | creditNote | incomingInvoice | incomingCreditNote
    focus_id: str
    number: str
    date: dt.date
    party: tuple[str, str]  # (company | contact, Focus id)
    vat_number: str | None  # the party's VAT number as Focus holds it (stripped)
    total: Decimal  # Focus's total including VAT, signed (a negative invoice is below zero)
    currency: str
    refusals: tuple[str, ...]  # why it must be refused; empty: it must be booked

    @property
    def reference(self) -> str:
        return f"FC-{LETTERS[self.source_type]}-{self.focus_id}"

    @property
    def side(self) -> str:
        return "purchase" if self.source_type in PEPPOL_TYPES else "sales"

    @property
    def is_credit(self) -> bool:
        """Credit notes, and invoices below zero: an accountant books both as credit notes."""
        return self.source_type in ("creditNote", "incomingCreditNote") or self.total < 0

    @property
    def bookable(self) -> bool:
        return not self.refusals


@dataclass(frozen=True)
class Oracle:
    department_id: str
    documents: tuple[Expected, ...]

    @property
    def bookable(self) -> list[Expected]:
        return [d for d in self.documents if d.bookable]

    @property
    def refused(self) -> list[Expected]:
        return [d for d in self.documents if not d.bookable]

    def refused_for(self, reason: str) -> list[Expected]:
        return [d for d in self.documents if reason in d.refusals]

    @property
    def parties_to_book(self) -> set[tuple[str, str]]:
        """The distinct customers and suppliers of the documents to book: what the tool must know first."""
        return {d.party for d in self.bookable}


def first_run(world: World, entity: str = "demo_be") -> Oracle:
    """Read the entity's documents from the sandboxes and decide, document by document."""
    spec = DEMO_ENTITIES[entity]
    # The department the integration was set up on: ``setup_demo_integrations`` picks it by position.
    department_id = world.focus.manifest()["departments"][spec.department]["id"]
    tool = world.tools[spec.sandbox]
    periods = {(p["FinYear"], p["FinPeriod"]): p for p in _periods(tool, spec.administration)}
    currency = _division_currency(tool, spec.administration)
    api = Api(world.focus)
    try:
        raw = list(_documents(api, department_id))
        _check_against_manifest(world, spec.department, raw)
        vat_numbers = _vat_numbers(api, {party for _, item, party in raw})
        documents = []
        for source_type, item, party in raw:
            day = dt.date.fromisoformat(_date_of(source_type, item))
            if day < START_DATE:
                continue
            vat_number = vat_numbers.get(party)
            refusals = []
            if vat_number and not vatin.is_valid(vat_number):
                refusals.append(INVALID_VAT)
            period = _period_of(periods, day)
            if period is None:
                refusals.append(NO_PERIOD)
            elif period["Closed"]:
                refusals.append(CLOSED_PERIOD)
            doc_currency = _currency_of(source_type, item)
            if currency and doc_currency != currency:
                refusals.append(OTHER_CURRENCY)
            if source_type in PEPPOL_TYPES:
                refusals += _peppol_refusals(api, item)
            documents.append(Expected(
                source_type=source_type,
                focus_id=_id_of(source_type, item),
                number=_number_of(source_type, item),
                date=day,
                party=party,
                vat_number=vat_number,
                total=_total_of(source_type, item),
                currency=doc_currency,
                refusals=tuple(refusals),
            ))
    finally:
        api.http.close()
    return Oracle(department_id, tuple(documents))


# -- reading Focus --------------------------------------------------------------------------------


def _documents(api: Api, department_id: str) -> Iterator[tuple[str, dict[str, Any], tuple[str, str]]]:
    """(source type, list item, party) of every document the entity books, whatever its date."""
    for item in api.all("invoices.list", {"filter": {"department_id": department_id}}):
        if item["status"] in BOOKED_INVOICE_STATUSES:
            yield "invoice", item, _ref(item["invoicee"]["customer"])
    for item in api.all("creditNotes.list", {"filter": {"department_id": department_id}}):
        if item["status"] == "booked":
            yield "creditNote", item, _ref(item["invoicee"]["customer"])
    for item in api.all("expenses.list", {"filter": {"department_ids": [department_id]}}):
        if (item["source"]["type"] in PEPPOL_TYPES and item["review_status"] == "approved"
                and (item.get("origin") or {}).get("type") == "peppolIncomingDocument"):
            yield item["source"]["type"], item, _ref(item["supplier"])


def _check_against_manifest(world: World, position: int, raw: list[tuple[str, dict[str, Any], Any]]) -> None:
    """The oracle reads what the sandbox itself says an extractor should find (before any start date)."""
    listed = world.focus.manifest()["departments"][position]["documents"]
    assert {_id_of(t, item) for t, item, _ in raw} == {i for ids in listed.values() for i in ids}, \
        "the oracle does not read the department's documents the way the Focus sandbox's manifest counts them"


def _ref(value: dict[str, Any]) -> tuple[str, str]:
    return value["type"], value["id"]


def _id_of(source_type: str, item: dict[str, Any]) -> str:
    return item["source"]["id"] if source_type in PEPPOL_TYPES else item["id"]


def _number_of(source_type: str, item: dict[str, Any]) -> str:
    key = {"invoice": "invoice_number", "creditNote": "credit_note_number"}.get(source_type, "document_number")
    return item[key]


def _date_of(source_type: str, item: dict[str, Any]) -> str:
    key = {"invoice": "invoice_date", "creditNote": "credit_note_date"}.get(source_type, "document_date")
    return item[key]


def _total_of(source_type: str, item: dict[str, Any]) -> Decimal:
    total = item["total"]
    amount = total["tax_inclusive"]["amount"] if source_type in PEPPOL_TYPES else total["payable"]["amount"]
    return Decimal(str(amount))  # Api.data parses fractions as Decimal; whole amounts arrive as int


def _currency_of(source_type: str, item: dict[str, Any]) -> str:
    if source_type in PEPPOL_TYPES:
        return (item.get("currency") or {}).get("code") or "EUR"
    return (item["total"]["payable"].get("currency")) or "EUR"


def _vat_numbers(api: Api, parties: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """Each party's VAT number as Focus holds it on the company (contacts are private persons)."""
    found: dict[tuple[str, str], str | None] = {}
    for party_type, endpoint in (("company", "companies.list"), ("contact", "contacts.list")):
        ids = sorted({pid for t, pid in parties if t == party_type})
        for start in range(0, len(ids), 100):
            for item in api.data(endpoint, {"filter": {"ids": ids[start:start + 100]},
                                            "page": {"size": 100, "number": 1}}):
                found[(party_type, item["id"])] = (item.get("vat_number") or "").strip() or None
    missing = {p for p in parties if p not in found}
    assert not missing, f"Focus does not return these parties: {missing}"
    return found


def _peppol_refusals(api: Api, item: dict[str, Any]) -> list[str]:
    file_id = (item.get("file") or {}).get("id")
    if not file_id:
        return [NO_UBL_FILE]
    location = api.data("files.download", {"id": file_id})["location"]
    response = httpx.get(location, timeout=30)
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    allowances = [el for el in root.findall("cac:AllowanceCharge", UBL)
                  if el.findtext("cbc:ChargeIndicator", namespaces=UBL).strip().lower() == "false"]
    return [NO_PURCHASE_DISCOUNT_ACCOUNT] if allowances and not HAS_PURCHASE_DISCOUNT_ACCOUNT else []


# -- reading the tool ---------------------------------------------------------------------------


def _periods(tool: Any, division: str) -> list[dict[str, Any]]:
    response = tool.admin("GET", f"/_sandbox/periods?division={division}")
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)["data"]  # amounts to the cent, as the tool keeps them


def _period_of(periods: dict[tuple[int, int], dict[str, Any]], day: dt.date) -> dict[str, Any] | None:
    for period in periods.values():
        if _wire_date(period["StartDate"]) <= day <= _wire_date(period["EndDate"]):
            return period
    return None


def _wire_date(value: str) -> dt.date:
    """``/Date(<epoch ms>)/`` (UTC midnight for date-only values) → date."""
    millis = int(value.removeprefix("/Date(").removesuffix(")/"))
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC).date()


def _division_currency(tool: Any, division: str) -> str | None:
    token = tool.mint_tokens()["access_token"]
    response = httpx.get(f"{tool.base_url}/api/v1/{division}/system/Divisions",
                         params={"$select": "Code,Currency", "$filter": f"Code eq {division}"},
                         headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}, timeout=30)
    assert response.status_code == 200, response.text
    [row] = response.json()["d"]["results"]
    return row["Currency"]


# -- reading the tool's books -------------------------------------------------------------------


def tool_entries(world: World, entity: str = "demo_be") -> list[dict[str, Any]]:
    """Every booked entry of the entity's administration, as the tool's admin API shows them."""
    spec = DEMO_ENTITIES[entity]
    response = world.tools[spec.sandbox].admin("GET", f"/_sandbox/entries?division={spec.administration}")
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)["data"]  # amounts to the cent, as the tool keeps them
