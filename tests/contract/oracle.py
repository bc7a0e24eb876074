"""What the books must say, computed from Focus's own figures by test code alone.

Shares nothing with the production mapping: the Focus API is read with a
bare caller, UBL files with plain XPath, and each document's expectation is
stated in terms any tool must meet — the party line (total incl. VAT), the
net amount per (ledger account, VAT rate) and the VAT per rate, the date,
the party and whether it is a credit note. The ledger account of a sales
line is its product category's for the department, else the account the
test configured for its rate; a document-level discount is the stated
taxable amount of a rate minus its lines, on the discount account.
Purchases go by rate (Focus has no purchase ledger accounts).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
from lxml import etree

from tests.sandbox.support import Api

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
LETTERS = {"invoice": "I", "creditNote": "C", "incomingInvoice": "P", "incomingCreditNote": "Q"}
NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


def ref(source_type: str, focus_id: str) -> str:
    """The connector's documented reference: ``FC-<I|C|P|Q>-<Focus id>``."""
    return f"FC-{LETTERS[source_type]}-{focus_id}"


def amount(value) -> Decimal:
    if isinstance(value, dict):
        value = value.get("amount")
    return Decimal(str(value or 0)).quantize(CENT)


@dataclass
class Expected:
    focus_id: str
    number: str
    date: dt.date
    party: tuple[str, str]  # (type, Focus id)
    credit: bool
    total: Decimal = ZERO
    net: dict[tuple[str, Decimal], Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    vat: dict[Decimal, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


@dataclass(frozen=True)
class Accounts:
    """The integration settings the contract suite configured (not read from production)."""

    sales_by_rate: str
    purchases_by_rate: str
    sales_discount: str


class FocusOracle:
    def __init__(self, focus, department_id: str, start: dt.date, accounts: Accounts):
        self.api = Api(focus)
        self.department = department_id
        self.start = start
        self.accounts = accounts

    def expected(self) -> dict[str, Expected]:
        """Every document the connector should book for the department, by the connector's reference."""
        out: dict[str, Expected] = {}
        ledgers = self._category_ledgers()
        rates = {r["id"]: Decimal(str(r["rate"])) for r in self.api.all(
            "taxRates.list", {"filter": {"department_id": self.department}})}
        for item in self.api.all("invoices.list", {"filter": {"department_id": self.department,
                                                                "status": ["outstanding", "matched"]}}):
            info = self.api.data("invoices.info", {"id": item["id"]})
            if dt.date.fromisoformat(info["invoice_date"]) >= self.start:
                out[ref("invoice", info["id"])] = self._sales(info, info["invoice_number"], info["invoice_date"],
                                                              ledgers, rates, credit_note=False)
        for item in self.api.all("creditNotes.list", {"filter": {"department_id": self.department}}):
            info = self.api.data("creditNotes.info", {"id": item["id"]})
            info = info[0] if isinstance(info, list) else info
            if dt.date.fromisoformat(info["credit_note_date"]) >= self.start:
                out[ref("creditNote", info["id"])] = self._sales(info, info["credit_note_number"],
                                                                 info["credit_note_date"], ledgers, rates,
                                                                 credit_note=True)
        for item in self.api.all("expenses.list", {"filter": {"department_ids": [self.department],
                                                                "review_statuses": ["approved"]}}):
            if (item.get("origin") or {}).get("type") != "peppolIncomingDocument" or not item.get("file"):
                continue
            if item.get("document_date") and dt.date.fromisoformat(item["document_date"]) < self.start:
                continue
            out[ref(item["source"]["type"], item["source"]["id"])] = self._purchase(item)
        return out

    def _category_ledgers(self) -> dict[str, str]:
        ledgers = {}
        for category in self.api.data("productCategories.list", {"filter": {"department_id": self.department}}):
            for ledger in category.get("ledgers") or []:
                if (ledger.get("department") or {}).get("id") == self.department and ledger.get(
                        "ledger_account_number"):
                    ledgers.setdefault(category["id"], str(ledger["ledger_account_number"]))
        return ledgers

    def _sales(self, info, number, date, ledgers, rates, *, credit_note: bool) -> Expected:
        total = info["total"]
        incl = amount(total["tax_inclusive"])
        sign = Decimal(-1) if incl < 0 else Decimal(1)  # a negative invoice is a credit note
        customer = info["invoicee"]["customer"]
        expected = Expected(info["id"], number, dt.date.fromisoformat(date), (customer["type"], customer["id"]),
                            credit_note or incl < 0, total=incl * sign)
        lines_at: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
        for group in info["grouped_lines"]:
            for line in group["line_items"]:
                rate = rates[line["tax"]["id"]]
                net = amount(line["total"]["tax_exclusive"])
                category = (line.get("product_category") or {}).get("id")
                account = ledgers.get(category) if category else None
                expected.net[(account or self.accounts.sales_by_rate, rate)] += net * sign
                lines_at[rate] += net
        for tax in total["taxes"]:
            rate = Decimal(str(tax["rate"]))
            expected.vat[rate] += amount(tax["tax"]) * sign
            discount = amount(tax["taxable"]) - lines_at[rate]
            if discount:
                expected.net[(self.accounts.sales_discount, rate)] += discount * sign
        return expected

    def _purchase(self, item) -> Expected:
        location = self.api.data("files.download", {"id": item["file"]["id"]})["location"]
        root = etree.fromstring(httpx.get(location, timeout=30).content)
        credit_note = root.tag.endswith("CreditNote") or item["source"]["type"] == "incomingCreditNote"
        incl = amount(root.findtext("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", namespaces=NS))
        sign = Decimal(-1) if incl < 0 and not credit_note else Decimal(1)
        supplier = item["supplier"]
        expected = Expected(item["source"]["id"], item["document_number"],
                            dt.date.fromisoformat(item["document_date"]), (supplier["type"], supplier["id"]),
                            credit_note or incl < 0, total=abs(incl))
        for subtotal in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS):
            percent = subtotal.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS)
            rate = (Decimal(percent) / 100).normalize() if percent else Decimal(0)
            rate = Decimal(0) if rate == 0 else rate
            expected.net[(self.accounts.purchases_by_rate, rate)] += amount(
                subtotal.findtext("cbc:TaxableAmount", namespaces=NS)) * sign
            expected.vat[rate] += amount(subtotal.findtext("cbc:TaxAmount", namespaces=NS)) * sign
        return expected
