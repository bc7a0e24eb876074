"""Export batches built by hand for the UBL writer's tests: a Belgian seller, customers in BE, NL, DE and the US,
and one document per case the writer must get right.

Identifiers are never made up with check digits by hand: each is the first candidate python-stdnum accepts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from stdnum.be import vat as be_vat
from stdnum.de import vat as de_vat
from stdnum.nl import btw as nl_btw
from stdnum.us import ein as us_ein

from connectors.domain import Address, LineKind, PartyRef
from connectors.exports.records import (
    ExportBatch,
    ExportCustomer,
    ExportDocument,
    ExportLine,
    ExportVat,
    Seller,
)

D = Decimal
ZERO = D("0.00")


def first_valid(is_valid: Callable[[str], bool], candidates: Iterable[str]) -> str:
    """The first candidate the validator accepts (the check digits come from python-stdnum, not from us)."""
    return next(candidate for candidate in candidates if is_valid(candidate))


def belgian_vat(base: str) -> str:
    """A valid BE VAT number ``BE0`` + ``base`` (7 digits) + the check digits."""
    return first_valid(be_vat.is_valid, (f"BE0{base}{check:02d}" for check in range(100)))


SELLER_VAT = belgian_vat("4031707")
CUSTOMER_VAT = belgian_vat("8765432")
CONTRACTOR_VAT = belgian_vat("5550001")
NL_VAT = first_valid(nl_btw.is_valid, (f"NL12345678{d}B01" for d in range(10)))
DE_VAT = first_valid(de_vat.is_valid, (f"DE12345678{d}" for d in range(10)))
US_EIN = first_valid(us_ein.is_valid, (f"{prefix:02d}-1234567" for prefix in range(10, 100)))
#: The customer's number with check digits python-stdnum refuses (a typo in Focus).
INVALID_BE_VAT = first_valid(
    lambda n: not be_vat.is_valid(n), (f"{CUSTOMER_VAT[:-2]}{c:02d}" for c in range(100))
)

SELLER = Seller(
    department_id="dep-1",
    name="Studio Noord BV",
    vat_number=SELLER_VAT,
    currency="EUR",
    address=Address(line_1="Veldstraat 10", postal_code="9000", city="Gent", country="BE"),
    email="facturen@studionoord.example",
    phone="+32 9 123 45 67",
    iban="BE71 0961 2345 6769",
    bic="GKCCBEBB",
)

BE_CUSTOMER = ExportCustomer(
    ref=PartyRef("company", "c-be"),
    name="Brasserie Éléphant & Müller NV",
    number="C0001",
    vat_number=CUSTOMER_VAT,
    email="boekhouding@elephant.example",
    phone="02 123 45 67",
    address=Address(line_1="Kerkstraat 1, bus 2", postal_code="1000", city="Brussel", country="BE"),
    iban="BE68539007547034",
    bic="GKCCBEBB",
)
#: A Belgian building contractor: work for it is reverse charged (medecontractant).
BE_CONTRACTOR = ExportCustomer(
    ref=PartyRef("company", "c-bouw"),
    name="Bouwbedrijf De Steen BV",
    number="C0002",
    vat_number=CONTRACTOR_VAT,
    address=Address(line_1="Steenweg 200", postal_code="2000", city="Antwerpen", country="BE"),
)
NL_CUSTOMER = ExportCustomer(
    ref=PartyRef("company", "c-nl"),
    name="Fietsen Oranje BV",
    number="C0003",
    vat_number=NL_VAT,
    address=Address(line_1="Damstraat 5", postal_code="1012 JM", city="Amsterdam", country="NL"),
)
DE_CUSTOMER = ExportCustomer(
    ref=PartyRef("company", "c-de"),
    name="Maschinenbau Groß GmbH",
    number="C0004",
    vat_number=DE_VAT,
    address=Address(line_1="Hauptstraße 3", postal_code="10115", city="Berlin", country="DE"),
)
US_CUSTOMER = ExportCustomer(
    ref=PartyRef("company", "c-us"),
    name="Acme Widgets Inc.",
    number="C0005",
    national_id=US_EIN,
    address=Address(line_1="1 Market Street", postal_code="94105", city="San Francisco", country="US"),
)


def line(
    number: int,
    amount: str,
    rate: str,
    *,
    kind: LineKind = LineKind.ITEM,
    category: str = "S",
    description: str | None = None,
    quantity: str | None = None,
    unit_price: str | None = None,
    discount_percent: str | None = None,
    exemption: tuple[str | None, str | None] = (None, None),
) -> ExportLine:
    return ExportLine(
        number=number,
        description=description if description is not None else f"Line {number}",
        amount=D(amount),
        tax_rate=D(rate),
        vat_category=category,
        ledger_account="700000",
        kind=kind,
        quantity=D(quantity) if quantity is not None else None,
        unit_price=D(unit_price) if unit_price is not None else None,
        discount_percent=D(discount_percent) if discount_percent is not None else None,
        exemption_code=exemption[0],
        exemption_reason=exemption[1],
    )


def vat(
    rate: str,
    taxable: str,
    tax: str,
    category: str = "S",
    exemption: tuple[str | None, str | None] = (None, None),
) -> ExportVat:
    return ExportVat(
        rate=D(rate),
        vat_category=category,
        taxable=D(taxable),
        tax=D(tax),
        exemption_code=exemption[0],
        exemption_reason=exemption[1],
    )


def document(
    number: str,
    lines: list[ExportLine],
    vats: list[ExportVat],
    *,
    customer: ExportCustomer = BE_CUSTOMER,
    credit_note: bool = False,
    date: dt.date = dt.date(2026, 3, 2),
    **extra: object,
) -> ExportDocument:
    """A document whose totals are its VAT breakdown's (as Focus states them)."""
    total_excl = sum((v.taxable for v in vats), ZERO)
    total_vat = sum((v.tax for v in vats), ZERO)
    fields: dict[str, object] = {
        "source_id": f"focus-{number}",
        "source_type": "creditNote" if credit_note else "invoice",
        "is_credit_note": credit_note,
        "number": number,
        "date": date,
        "currency": "EUR",
        "customer": customer,
        "journal": "VK2" if credit_note else "VK1",
        "lines": tuple(lines),
        "vat": tuple(vats),
        "total_excl": total_excl,
        "total_vat": total_vat,
        "total_incl": total_excl + total_vat,
    }
    fields.update(extra)
    return ExportDocument(**fields)  # type: ignore[arg-type]


# -- one document per case ---------------------------------------------------------------------------


def standard_rates() -> ExportDocument:
    """21 %, 12 % and 6 % (S), a due date and a structured communication."""
    return document(
        "2026 / 17",
        [
            line(1, "200.00", "0.21", description="Consultancy", quantity="4", unit_price="50"),
            line(2, "36.00", "0.12", description="Restaurant", quantity="2", unit_price="18.00"),
            line(3, "45.90", "0.06", description="Boeken\nDrie exemplaren", quantity="3", unit_price="15.30"),
        ],
        [vat("0.21", "200.00", "42.00"), vat("0.12", "36.00", "4.32"), vat("0.06", "45.90", "2.75")],
        due_date=dt.date(2026, 4, 1),
        structured_communication="+++090/9337/55493+++",
    )


def zero_rated() -> ExportDocument:
    return document(
        "2026 / 18",
        [line(1, "80.00", "0", category="Z", description="Kranten", quantity="10", unit_price="8")],
        [vat("0", "80.00", "0.00", "Z")],
        due_date=dt.date(2026, 4, 1),
    )


AE_REASON = "Verlegging van heffing - Btw te voldoen door de medecontractant, art. 51, §2 Btw-Wetboek"


def reverse_charge() -> ExportDocument:
    """Building work for a Belgian contractor: reverse charged (AE), Focus's VATEX code and legal text."""
    exemption = ("VATEX-EU-AE", AE_REASON)
    return document(
        "2026 / 19",
        [line(1, "1500.00", "0", category="AE", description="Renovatiewerken", exemption=exemption)],
        [vat("0", "1500.00", "0.00", "AE", exemption)],
        customer=BE_CONTRACTOR,
        due_date=dt.date(2026, 4, 1),
    )


def intra_community() -> ExportDocument:
    """Goods to a German company: intra-community supply (K); Focus states no exemption code (the writer's)."""
    return document(
        "2026 / 20",
        [line(1, "640.00", "0", category="K", description="Fietsframes", quantity="8", unit_price="80")],
        [vat("0", "640.00", "0.00", "K")],
        customer=DE_CUSTOMER,
        due_date=dt.date(2026, 4, 1),
    )


def export_outside_eu() -> ExportDocument:
    exemption = ("VATEX-EU-G", "Export outside the EU")
    return document(
        "2026 / 21",
        [line(1, "2500.00", "0", category="G", description="Machine", exemption=exemption)],
        [vat("0", "2500.00", "0.00", "G", exemption)],
        customer=US_CUSTOMER,
        due_date=dt.date(2026, 4, 1),
    )


E_REASON = "Vrijgesteld van btw, art. 44 Btw-Wetboek"


def exempt() -> ExportDocument:
    exemption = (None, E_REASON)
    return document(
        "2026 / 22",
        [line(1, "300.00", "0", category="E", description="Opleiding", exemption=exemption)],
        [vat("0", "300.00", "0.00", "E", exemption)],
        due_date=dt.date(2026, 4, 1),
    )


def outside_scope() -> ExportDocument:
    """Not subject to VAT (O): no VAT identifiers at all in the file."""
    return document(
        "2026 / 23",
        [line(1, "50.00", "0", category="O", description="Schadevergoeding")],
        [vat("0", "50.00", "0.00", "O", ("VATEX-EU-O", "Not subject to VAT"))],
        due_date=dt.date(2026, 4, 1),
    )


def discount_over_two_rates() -> ExportDocument:
    """A 10 % commercial discount on the whole document: one DISCOUNT line per rate it touches."""
    return document(
        "2026 / 24",
        [
            line(1, "400.00", "0.21", description="Webdesign", quantity="8", unit_price="50"),
            line(2, "120.00", "0.06", description="Handboeken", quantity="4", unit_price="30"),
            line(3, "-40.00", "0.21", kind=LineKind.DISCOUNT, description="Korting 10 %"),
            line(4, "-12.00", "0.06", kind=LineKind.DISCOUNT, description="Korting 10 %"),
        ],
        [vat("0.21", "360.00", "75.60"), vat("0.06", "108.00", "6.48")],
        due_date=dt.date(2026, 4, 1),
    )


def with_charge() -> ExportDocument:
    return document(
        "2026 / 25",
        [
            line(1, "99.00", "0.21", description="Lamp", quantity="1", unit_price="99"),
            line(2, "7.50", "0.21", kind=LineKind.CHARGE, description="Verzendkosten"),
        ],
        [vat("0.21", "106.50", "22.37")],
        due_date=dt.date(2026, 4, 1),
    )


def discount_percent_rounding() -> ExportDocument:
    """3 × 9.99 less 7 % = 27.8721, which Focus rounds to 27.87; and 1 × 33.333 less 10 % = 29.9997 → 30.00."""
    return document(
        "2026 / 26",
        [
            line(
                1,
                "27.87",
                "0.21",
                description="Koffie",
                quantity="3",
                unit_price="9.99",
                discount_percent="7",
            ),
            line(
                2,
                "30.00",
                "0.21",
                description="Thee",
                quantity="1",
                unit_price="33.333",
                discount_percent="10",
            ),
        ],
        [vat("0.21", "57.87", "12.15")],
        due_date=dt.date(2026, 4, 1),
    )


def fractional_quantity() -> ExportDocument:
    """1.5 hours at 80 and 0.333 kg at 45 (14.985, which Focus rounds up to 14.99)."""
    return document(
        "2026 / 27",
        [
            line(1, "120.00", "0.21", description="Support", quantity="1.5", unit_price="80"),
            line(2, "14.99", "0.06", description="Kaas", quantity="0.333", unit_price="45"),
        ],
        [vat("0.21", "120.00", "25.20"), vat("0.06", "14.99", "0.90")],
        due_date=dt.date(2026, 4, 1),
    )


def negative_line() -> ExportDocument:
    """A returned item on an invoice: quantity 1 at −25.00, and a line with no quantity or price at all."""
    return document(
        "2026 / 28",
        [
            line(1, "100.00", "0.21", description="Stoelen", quantity="4", unit_price="25"),
            line(2, "-25.00", "0.21", description="Retour stoel", quantity="1", unit_price="-25"),
            line(3, "-5.00", "0.21", description="Tegoedbon"),
        ],
        [vat("0.21", "70.00", "14.70")],
        due_date=dt.date(2026, 4, 1),
    )


def credit_note() -> ExportDocument:
    """A Focus credit note correcting invoice 2026 / 17: positive amounts."""
    return document(
        "2026 / 3",
        [line(1, "50.00", "0.21", description="Correctie consultancy", quantity="1", unit_price="50")],
        [vat("0.21", "50.00", "10.50")],
        credit_note=True,
        date=dt.date(2026, 3, 20),
        credited_number="2026 / 17",
        credited_date=dt.date(2026, 3, 2),
    )


def former_negative_invoice() -> ExportDocument:
    """A Focus invoice with a negative total, already flipped into a credit note with positive amounts."""
    doc = document(
        "2026 / 29",
        [line(1, "80.00", "0.21", description="Terugbetaling voorschot", quantity="2", unit_price="40")],
        [vat("0.21", "80.00", "16.80")],
        credit_note=True,
        date=dt.date(2026, 3, 21),
        from_negative_invoice=True,
    )
    return ExportDocument(**{**_fields(doc), "source_type": "invoice"})


def withheld_tax() -> ExportDocument:
    """Payable less than the total with VAT: 15 % withheld on the taxable amount."""
    return document(
        "2026 / 30",
        [line(1, "1000.00", "0.21", description="Auteursrechten")],
        [vat("0.21", "1000.00", "210.00")],
        customer=NL_CUSTOMER,
        due_date=dt.date(2026, 4, 1),
        payable=D("1060.00"),
        payment_reference="Auteursrechten maart",
    )


def _fields(doc: ExportDocument) -> dict[str, object]:
    return {name: getattr(doc, name) for name in ExportDocument.__dataclass_fields__}


#: Every case, by name (the tests are parametrised over these).
CASES: dict[str, Callable[[], ExportDocument]] = {
    "standard_rates": standard_rates,
    "zero_rated": zero_rated,
    "reverse_charge": reverse_charge,
    "intra_community": intra_community,
    "export_outside_eu": export_outside_eu,
    "exempt": exempt,
    "outside_scope": outside_scope,
    "discount_over_two_rates": discount_over_two_rates,
    "with_charge": with_charge,
    "discount_percent_rounding": discount_percent_rounding,
    "fractional_quantity": fractional_quantity,
    "negative_line": negative_line,
    "credit_note": credit_note,
    "former_negative_invoice": former_negative_invoice,
    "withheld_tax": withheld_tax,
}


def batch_of(documents: Iterable[ExportDocument], *, params: dict[str, object] | None = None) -> ExportBatch:
    """A batch of ``documents`` (any iterable: a generator is streamed once, like the state database's)."""
    return ExportBatch(
        entity="noord",
        package="ubl",
        period_from=dt.date(2026, 3, 1),
        period_to=dt.date(2026, 3, 31),
        seller=SELLER,
        documents=documents,
        customers=[BE_CUSTOMER, BE_CONTRACTOR, NL_CUSTOMER, DE_CUSTOMER, US_CUSTOMER],
        params=params or {},
    )


def all_cases() -> list[ExportDocument]:
    return [make() for make in CASES.values()]
