"""Focus sales documents as Focus sends them, and what their booking must say.

Everything here is test-side code. The Focus figures (line totals, taxable and
tax per rate, document totals) are computed from the generated facts with
Focus's published amount rules; the expected booking figures are derived from
those facts with this module's own chart (which category books on which
account, which tax rate id has which VAT code). Nothing is imported from
``connectors``: the production mapping is only ever the system under test.

Focus amount rules (Decimal, ROUND_HALF_UP to the cent, as documented for
Focus in ``sandbox/focus/amounts.py``):

- line: before = round(qty x unit_price); excl = round(before x (1 - disc/100));
  incl = excl + round(excl x rate); line totals ignore document discounts;
- document: factor = product of (1 - d/100) over the document discounts;
  per tax rate *id*: taxable = round(sum of its lines' excl x factor);
  ``total.taxes`` groups those per numeric rate, tax = round(taxable x rate);
  tax_exclusive = sum of taxable, tax_inclusive = tax_exclusive + sum of tax,
  payable = due = tax_inclusive (unpaid).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from hypothesis import strategies as st

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


def focus_round(value: Decimal) -> Decimal:
    """Focus rounds every amount half-up (away from zero) to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def json_number(value: Decimal) -> float:
    """A Decimal as Focus writes it into its JSON: a number in its shortest form (never -0.0)."""
    return float(str(value)) + 0.0


def json_money(value: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": json_number(value), "currency": currency}


def as_delivered(data: dict[str, Any]) -> dict[str, Any]:
    """What the connector's Focus client hands to the mapping: the JSON text Focus sends, parsed
    with ``parse_float=Decimal`` (``connectors.focus.client``; the mapping refuses floats)."""
    return json.loads(json.dumps(data), parse_float=Decimal)


# -- the department's reference data, as Focus lists it, and the test's own chart --------------

DEPARTMENT_ID = "dept-be"
OTHER_DEPARTMENT_ID = "dept-nl"


@dataclass(frozen=True)
class FocusTaxRate:
    id: str
    rate: Decimal
    description: str
    vat_code: str  # the target VAT code the integration links this tax rate id to

    @property
    def json(self) -> dict[str, Any]:
        """A ``taxRates.list`` item."""
        return {"id": self.id, "description": self.description, "rate": json_number(self.rate),
                "department": {"type": "department", "id": DEPARTMENT_ID}}


#: Several ids share a numeric rate on purpose (0 % alone has three meanings for the VAT return).
TAX_RATES = (
    FocusTaxRate("tr-21", Decimal("0.21"), "21%", "V21"),
    FocusTaxRate("tr-21-cars", Decimal("0.21"), "21% company cars", "V21C"),
    FocusTaxRate("tr-12", Decimal("0.12"), "12%", "V12"),
    FocusTaxRate("tr-6", Decimal("0.06"), "6%", "V06"),
    FocusTaxRate("tr-6-renovation", Decimal("0.06"), "6% renovation of homes", "V06R"),
    FocusTaxRate("tr-0", Decimal("0"), "0%", "V00"),
    FocusTaxRate("tr-0-mc", Decimal("0"), "0% Medecontractant", "V00MC"),
    FocusTaxRate("tr-0-ic", Decimal("0"), "0% intra-community supply", "V00IC"),
)
TAX_RATE_BY_ID = {t.id: t for t in TAX_RATES}
RATE_OF_VAT_CODE = {t.vat_code: t.rate for t in TAX_RATES}


def _ledger(department_id: str, number: str) -> dict[str, Any]:
    return {"department": {"type": "department", "id": department_id}, "ledger_account_number": number}


#: ``productCategories.list`` items: two linked for this department, one linked only for the
#: other department, one linked nowhere. Lines of the last two (and lines without a category)
#: book on the per-rate fallback account.
PRODUCT_CATEGORIES = (
    {"id": "cat-consultancy", "name": "Consultancy",
     "ledgers": [_ledger(DEPARTMENT_ID, "700000"), _ledger(OTHER_DEPARTMENT_ID, "8000")]},
    {"id": "cat-hardware", "name": "Hardware", "ledgers": [_ledger(DEPARTMENT_ID, "701000")]},
    {"id": "cat-travel", "name": "Travel costs", "ledgers": [_ledger(OTHER_DEPARTMENT_ID, "8020")]},
    {"id": "cat-misc", "name": "Miscellaneous", "ledgers": []},
)
#: The oracle's own reading of the categories above: the ones linked in this department.
CATEGORY_ACCOUNT = {"cat-consultancy": "700000", "cat-hardware": "701000"}
CATEGORY_IDS = (None, "cat-consultancy", "cat-hardware", "cat-travel", "cat-misc")

#: (rate as the settings spell it, rate, account) for lines without a linked category.
FALLBACK_ACCOUNTS = (
    ("0.21", Decimal("0.21"), "700921"),
    ("0.12", Decimal("0.12"), "700912"),
    ("0.06", Decimal("0.06"), "700906"),
    ("0", Decimal("0"), "700900"),
)
FALLBACK_ACCOUNT_BY_RATE = {rate: account for _, rate, account in FALLBACK_ACCOUNTS}
SALES_DISCOUNT_ACCOUNT = "708000"

#: Blank descriptions included: production then names the line itself.
LINE_DESCRIPTION = {None: "", "cat-consultancy": "Consultancy hours", "cat-hardware": 'Laptop 14"',
                    "cat-travel": "Mileage allowance", "cat-misc": "   "}


# -- generated facts and Focus's figures ----------------------------------------------------


@dataclass(frozen=True)
class SaleLine:
    """One line item as entered in Focus (signed quantity and unit price as sent)."""

    tax_rate: FocusTaxRate
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal | None  # line discount percentage
    category_id: str | None
    description: str

    @property
    def before_discount(self) -> Decimal:
        return focus_round(self.quantity * self.unit_price)

    @property
    def excl(self) -> Decimal:
        return focus_round(self.before_discount * (1 - (self.discount or 0) / HUNDRED))

    def json(self, currency: str, with_currency: bool) -> dict[str, Any]:
        rate = self.tax_rate.rate
        before, excl = self.before_discount, self.excl
        unit_price: dict[str, Any] = {"amount": json_number(self.unit_price), "tax": "excluding"}
        if with_currency:  # creditNotes.info states the currency on the unit price too
            unit_price["currency"] = currency
        return {
            "product": None,
            "product_category": (
                {"type": "productCategory", "id": self.category_id} if self.category_id else None
            ),
            "quantity": json_number(self.quantity),
            "description": self.description,
            "extended_description": None,
            "unit": None,
            "unit_price": unit_price,
            "tax": {"type": "taxRate", "id": self.tax_rate.id},
            "discount": (
                {"type": "percentage", "value": json_number(self.discount)} if self.discount else None
            ),
            "total": {
                "tax_exclusive": json_money(excl, currency),
                "tax_exclusive_before_discount": json_money(before, currency),
                "tax_inclusive": json_money(excl + focus_round(excl * rate), currency),
                "tax_inclusive_before_discount": json_money(before + focus_round(before * rate), currency),
            },
            "withheld_tax": None,
        }


@dataclass(frozen=True)
class FocusSale:
    """A booked Focus invoice or credit note: the generated facts, Focus's figures, its JSON."""

    source_type: str  # "invoice" | "creditNote"
    number: str
    lines: tuple[SaleLine, ...]
    discounts: tuple[Decimal, ...]  # document-level percentages
    sections: int  # how many grouped_lines sections the lines are spread over
    currency: str = "EUR"

    # Focus's figures -------------------------------------------------------------------

    @property
    def discount_factor(self) -> Decimal:
        factor = Decimal(1)
        for value in self.discounts:
            factor *= 1 - value / HUNDRED
        return factor

    @cached_property
    def taxable_by_rate(self) -> dict[Decimal, Decimal]:
        """``total.taxes[].taxable``: rounded per tax rate id, then added up per numeric rate."""
        excl_by_id: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            excl_by_id[line.tax_rate.id] += line.excl
        taxable: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
        for tax_rate_id, excl in excl_by_id.items():
            taxable[TAX_RATE_BY_ID[tax_rate_id].rate] += focus_round(excl * self.discount_factor)
        return dict(taxable)

    @cached_property
    def tax_by_rate(self) -> dict[Decimal, Decimal]:
        return {rate: focus_round(taxable * rate) for rate, taxable in self.taxable_by_rate.items()}

    @property
    def tax_exclusive(self) -> Decimal:
        return sum(self.taxable_by_rate.values(), ZERO)

    @property
    def tax_inclusive(self) -> Decimal:
        return self.tax_exclusive + sum(self.tax_by_rate.values(), ZERO)

    def lines_at(self, rate: Decimal) -> Decimal:
        return sum((line.excl for line in self.lines if line.tax_rate.rate == rate), ZERO)

    @cached_property
    def item(self) -> dict[str, Any]:
        """The document as the Focus client delivers it to the mapping."""
        return as_delivered(focus_json(self))

    # What the booking must say (the oracle) -----------------------------------------------

    @property
    def is_negative_invoice(self) -> bool:
        return self.source_type == "invoice" and self.tax_inclusive < 0

    @property
    def expected_kind(self) -> str:
        if self.source_type == "invoice" and not self.is_negative_invoice:
            return "sales_invoice"
        return "sales_credit_note"

    @property
    def booking_sign(self) -> Decimal:
        """Bookings read like the document: a negative invoice is booked as a positive credit note."""
        return Decimal(-1) if self.is_negative_invoice else Decimal(1)

    def expected_net_by_account(self) -> dict[str, Decimal]:
        """Item lines on their category's account (or the rate's fallback); per rate, Focus's
        taxable minus the lines at that rate (the document discount) on the discount account."""
        net: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            account = CATEGORY_ACCOUNT.get(line.category_id or "") or FALLBACK_ACCOUNT_BY_RATE[line.tax_rate.rate]
            net[account] += line.excl
        for rate, taxable in self.taxable_by_rate.items():
            net[SALES_DISCOUNT_ACCOUNT] += taxable - self.lines_at(rate)
        return nonzero({account: amount * self.booking_sign for account, amount in net.items()})

    def expected_net_by_rate(self) -> dict[Decimal, Decimal]:
        return nonzero({rate: taxable * self.booking_sign for rate, taxable in self.taxable_by_rate.items()})

    def expected_vat_by_rate(self) -> dict[Decimal, Decimal]:
        return nonzero({rate: tax * self.booking_sign for rate, tax in self.tax_by_rate.items()})

    def cases(self) -> dict[str, bool]:
        """Which of the money path's cases this document exercises (to measure the generator's reach)."""
        rates = {line.tax_rate.rate for line in self.lines}
        ids_per_rate = defaultdict(set)
        for line in self.lines:
            ids_per_rate[line.tax_rate.rate].add(line.tax_rate.id)
        signs = {line.excl > 0 for line in self.lines if line.excl}
        incl = abs(self.tax_inclusive)
        found = {
            "credit note": self.source_type == "creditNote",
            "negative invoice": self.is_negative_invoice,
            "lines of both signs": len(signs) == 2,
            "several lines": len(self.lines) > 1,
            "mixed rates": len(rates) > 1,
            "several tax rate ids at one rate": any(len(ids) > 1 for ids in ids_per_rate.values()),
            "0% line": Decimal(0) in rates,
            "0% Medecontractant line": any(line.tax_rate.id == "tr-0-mc" for line in self.lines),
            "line discount": any(line.discount for line in self.lines),
            "one document discount": len(self.discounts) == 1,
            "two document discounts": len(self.discounts) == 2,
            "document discount moves a taxable amount": any(
                taxable != self.lines_at(rate) for rate, taxable in self.taxable_by_rate.items()),
            "fractional quantity": any(line.quantity % 1 for line in self.lines),
            "unit price with more than 2 decimals": any(
                line.unit_price != line.unit_price.quantize(CENT) for line in self.lines),
            "line without category": any(line.category_id is None for line in self.lines),
            "category without ledger here": any(
                line.category_id and line.category_id not in CATEGORY_ACCOUNT for line in self.lines),
            "category with ledger": any(line.category_id in CATEGORY_ACCOUNT for line in self.lines),
            "total of 1.00 or less": incl <= 1,
            "total of 0.00": incl == 0,
            "total of 10^11 or more": incl >= 10**11,
            "total of 10^12 or more": incl >= 10**12,
        }
        return found

    def summary(self) -> str:
        """The document and Focus's figures on one line, for assertion messages."""
        lines = ", ".join(
            f"{ln.tax_rate.id} {ln.quantity} x {ln.unit_price}"
            + (f" -{ln.discount}%" if ln.discount else "")
            + f" [{ln.category_id or 'no category'}] = {ln.excl}"
            for ln in self.lines
        )
        taxes = ", ".join(f"{rate}: {taxable} + {self.tax_by_rate[rate]}"
                          for rate, taxable in self.taxable_by_rate.items())
        discounts = "".join(f" -{d}%" for d in self.discounts)
        return (f"<Focus {self.source_type} {self.number}: [{lines}]{discounts}; "
                f"taxes {{{taxes}}}; incl {self.tax_inclusive}>")


def nonzero(amounts: dict[Any, Decimal]) -> dict[Any, Decimal]:
    return {key: value for key, value in amounts.items() if value}


def focus_json(sale: FocusSale) -> dict[str, Any]:
    """The ``invoices.info`` / ``creditNotes.info`` ``data`` object Focus returns for the sale."""
    sequence = int(sale.number.rsplit(" ", 1)[-1])
    is_invoice = sale.source_type == "invoice"
    currency = sale.currency
    taxable, tax = sale.taxable_by_rate, sale.tax_by_rate
    items = [line.json(currency, with_currency=not is_invoice) for line in sale.lines]
    cut = max(1, len(items) // 2)
    groups = [items] if sale.sections == 1 or len(items) < 2 else [items[:cut], items[cut:]]
    titles = ("Services", "Materials")
    total_incl = sale.tax_inclusive
    item: dict[str, Any] = {
        "id": f"{sale.source_type}-{sequence:06d}",
        "department": {"type": "department", "id": DEPARTMENT_ID},
        "status": "outstanding" if is_invoice else "booked",
        "paid": False,
        "paid_at": None,
        "invoicee": {"name": "Customer NV", "vat_number": None,
                     "customer": {"type": "company" if sequence % 3 else "contact", "id": f"cust-{sequence % 7}"}},
        "discounts": [
            {"type": "percentage", "value": json_number(value),
             "description": ("Commercial discount", "Loyalty discount")[i]}
            for i, value in enumerate(sale.discounts)
        ],
        "grouped_lines": [
            {"section": {"title": titles[i] if len(groups) > 1 else ""}, "line_items": group}
            for i, group in enumerate(groups)
        ],
        "total": {
            "tax_exclusive": json_money(sale.tax_exclusive, currency),
            "tax_exclusive_before_discount": json_money(sum((ln.excl for ln in sale.lines), ZERO), currency),
            "tax_inclusive": json_money(total_incl, currency),
            "tax_inclusive_before_discount": json_money(
                sum((ln.excl + focus_round(ln.excl * ln.tax_rate.rate) for ln in sale.lines), ZERO), currency
            ),
            # Focus lists the rates highest first.
            "taxes": [
                {"rate": json_number(rate), "taxable": json_money(taxable[rate], currency),
                 "tax": json_money(tax[rate], currency)}
                for rate in sorted(taxable, reverse=True)
            ],
            "withheld_taxes": [],
            "payable": json_money(total_incl, currency),
            "due": json_money(total_incl, currency),
        },
        "currency": currency,
        "payments": [],
        "payment_reference": f"+++{sequence % 1000:03d}/0000/00097+++",
    }
    if is_invoice:
        item |= {"invoice_number": sale.number, "invoice_date": "2026-03-14", "due_on": "2026-04-13"}
    else:
        item |= {"credit_note_number": sale.number, "credit_note_date": "2026-03-20",
                 "invoice": {"type": "invoice", "id": f"invoice-{sequence:06d}"}}
    return item


# -- strategies ---------------------------------------------------------------------------


def _scaled(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    """Decimals low/10^places .. high/10^places with exactly ``places`` decimals."""
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


#: (quantity, unit price) pairs from cent-sized to ~10^12 lines, with per-line rounding at stake.
#: Bounded so that every amount keeps at most 15 significant digits, which a JSON float carries
#: exactly (Focus's own limit, not one the test chooses).
quantities_and_unit_prices = st.one_of(
    # everyday: whole quantities, prices in cents
    st.tuples(st.integers(1, 20).map(Decimal), _scaled(1, 500_000, 2)),
    # hours and kilos: quantities with up to 3 decimals, prices with 3-4 decimals
    st.tuples(_scaled(1, 99_999, 3), _scaled(1, 9_999_999, 4)),
    st.tuples(_scaled(1, 9_999, 2), _scaled(1, 999_999, 3)),
    # sub-cent unit prices (per-line rounding decides the cent)
    st.tuples(st.integers(1, 5_000).map(Decimal), _scaled(1, 9_999, 4)),
    # tiny: a cent or two
    st.tuples(st.just(Decimal(1)), _scaled(1, 3, 2)),
    # very large: 10^9 to ~10^12 per line
    st.tuples(st.integers(1, 9).map(Decimal), _scaled(10**11, 10**13, 2)),
    st.tuples(st.just(Decimal(1)), _scaled(10**13, 10**14, 2)),
)
percentages = _scaled(1, 10_000, 2)  # 0.01 .. 100.00
line_discounts = st.one_of(st.none(), st.none(), st.sampled_from([Decimal(10), Decimal("12.5"), Decimal(100)]),
                           percentages)
document_discounts = st.lists(
    st.one_of(st.sampled_from([Decimal(5), Decimal("15.5"), Decimal(2)]), _scaled(1, 9_999, 2)), max_size=2
)
#: How a line is signed: as entered, or negated (a credited or returned item: Focus takes a
#: negative quantity or a negative unit price).
_line_signs = {
    "positive": st.just("as entered"),
    "negative": st.sampled_from(["negative quantity", "negative price"]),
    "mixed": st.sampled_from(["as entered", "negative quantity", "negative price"]),
}
_tax_rates_and_categories = st.sampled_from([(t, c) for t in TAX_RATES for c in CATEGORY_IDS])


@st.composite
def sale_lines(draw: st.DrawFn, sign_mode: str) -> SaleLine:
    """One line item: any rate id, any category (or none), optional line discount."""
    quantity, unit_price = draw(quantities_and_unit_prices)
    tax_rate, category_id = draw(_tax_rates_and_categories)
    discount = draw(line_discounts)
    sign = draw(_line_signs[sign_mode])
    if sign == "negative quantity":
        quantity = -quantity
    elif sign == "negative price":
        unit_price = -unit_price
    return SaleLine(tax_rate, quantity, unit_price, discount, category_id, LINE_DESCRIPTION[category_id])


_lines = {mode: st.lists(sale_lines(mode), min_size=1, max_size=6) for mode in _line_signs}
_kinds_and_sign_modes = st.sampled_from([
    ("invoice", "positive"), ("invoice", "negative"), ("invoice", "mixed"),
    ("creditNote", "positive"), ("creditNote", "mixed"),
])
_numbers = st.integers(1, 99_999)
_sections = st.sampled_from([1, 2])


@st.composite
def focus_sales(draw: st.DrawFn) -> FocusSale:
    """A booked invoice or credit note with 1-6 lines (Focus books no empty document).

    Invoices are all-positive, all-negative (a negative invoice) or mixed; credit notes
    are positive or mixed with a positive total, as Focus credits an invoice.
    """
    source_type, sign_mode = draw(_kinds_and_sign_modes)
    sale = FocusSale(
        source_type=source_type,
        number=f"2026 / {draw(_numbers)}",
        lines=tuple(draw(_lines[sign_mode])),
        discounts=tuple(draw(document_discounts)),
        sections=draw(_sections),
    )
    if source_type == "creditNote" and sale.tax_inclusive < 0:
        # Half-up rounding is symmetric: the mirrored document is exactly the negated one.
        mirrored = tuple(replace(line, unit_price=-line.unit_price) for line in sale.lines)
        sale = replace(sale, lines=mirrored)
    return sale
