"""Deterministic demo data: same seed, country and size give the same administration, ids included.

Two divisions per country (BE 100001/100002, NL 200001/200002), each with the
country's chart, VAT codes and journals, monthly financial periods 2024-2027
(2024 closed), ``accounts`` relations in the first division (a third, at
least three, in the second) and a few booked entries. Entries are not
written here: they are handed to the service as POST bodies and booked
through the same code as API calls, so demo and API data obey one set of
rules. Everything is drawn from one ``random.Random(seed)`` in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.exact_online.accounts import padded
from sandbox.exact_online.chart import CHARTS, GL_TYPE_DESCRIPTIONS, JOURNAL_TYPE_DESCRIPTIONS, Chart
from sandbox.exact_online.entities import (
    ACCOUNTS,
    CLOSED,
    FINANCIAL_PERIODS,
    GL_ACCOUNTS,
    JOURNALS,
    ME,
    PURCHASE_ENTRIES,
    SALES_ENTRIES,
    VAT_CODES,
)
from sandbox.exact_online.odata.values import wire_date
from sandbox.exact_online.store import ACCOUNT_WIDE, DIVISIONS, Record
from sandbox.focus.identifiers import structured_reference, vat_number

MAX_ACCOUNTS = 5000
YEARS = range(2024, 2028)
CLOSED_YEARS = (2024,)
MASTERS_CREATED = dt.datetime(2024, 1, 2, 9, tzinfo=dt.UTC)
FIRST_ENTRY_DAY = dt.date(2025, 11, 1)
LAST_ENTRY_DAY = dt.date(2026, 11, 15)


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    language_code: str
    #: Exact's legislation number as this sandbox models it (1 NL, 2 BE).
    legislation: int
    divisions: tuple[tuple[int, str], ...]
    surnames: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]
    foreign: str
    legal_forms: tuple[str, ...]


COUNTRIES = {
    "be": Country("BE", "België", "nl-BE", 2,
                  ((100001, "Focus Demo BV"), (100002, "Focus Demo BV — tweede administratie")),
                  ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters",
                   "De Smet", "Dubois", "Lambert"),
                  (("Gent", "9000"), ("Antwerpen", "2000"), ("Leuven", "3000"), ("Brugge", "8000"),
                   ("Hasselt", "3500"), ("Mechelen", "2800")),
                  "NL", ("BV", "NV", "CommV", "")),
    "nl": Country("NL", "Nederland", "nl-NL", 1,
                  ((200001, "Focus Demo Nederland B.V."),
                   (200002, "Focus Demo Nederland B.V. — tweede administratie")),
                  ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer",
                   "Mulder", "de Boer"),
                  (("Utrecht", "3511 AB"), ("Amsterdam", "1012 AB"), ("Rotterdam", "3011 AA"),
                   ("Eindhoven", "5611 AB"), ("Groningen", "9711 AA")),
                  "BE", ("B.V.", "V.O.F.", "")),
}
TRADES = ("Bakkerij", "Garage", "Brouwerij", "Drukkerij", "Schrijnwerkerij", "Architectenbureau", "Transport",
          "Bouwbedrijf", "Tuinaanleg", "Elektro", "IT-diensten", "Adviesbureau")


@dataclass(frozen=True)
class DemoEntry:
    division: int
    entity: str
    body: dict[str, Any]
    #: Part of the total paid afterwards (0, a fraction, or 1).
    paid_share: Decimal = Decimal(0)


@dataclass
class Demo:
    #: Ids for whatever is booked from ``entries``, continuing the seeded stream.
    new_id: Callable[[], str]
    records: list[Record] = field(default_factory=list)
    entries: list[DemoEntry] = field(default_factory=list)


def _ids(rng: random.Random) -> Callable[[], str]:
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _masters(chart: Chart, division: int, new_id: Callable[[], str]) -> list[Record]:
    stamps = {"Division": division, "Created": wire_date(MASTERS_CREATED), "Modified": wire_date(MASTERS_CREATED)}
    gl_ids = {gl.code: new_id() for gl in chart.gl_accounts}
    records = [Record(GL_ACCOUNTS.path, division, gl_ids[gl.code], {
        "ID": gl_ids[gl.code], "Code": gl.code, "Description": gl.description, "Type": gl.type,
        "TypeDescription": GL_TYPE_DESCRIPTIONS[gl.type], "BalanceSide": gl.balance_side,
        "BalanceType": gl.balance_type, "VATCode": gl.vat_code or None, "IsBlocked": False, **stamps,
    }) for gl in chart.gl_accounts]
    for vat in chart.vat_codes:
        pays, claims = vat.side in ("S", "B"), vat.side in ("P", "B")
        vat_id = new_id()
        records.append(Record(VAT_CODES.path, division, vat_id, {
            "ID": vat_id, "Code": vat.code, "Description": vat.description, "Percentage": vat.percentage,
            "Type": vat.type, "VATTransactionType": vat.side,
            "GLToPay": gl_ids[chart.vat_to_pay] if pays else None, "GLToPayCode": chart.vat_to_pay if pays else None,
            "GLToClaim": gl_ids[chart.vat_to_claim] if claims else None,
            "GLToClaimCode": chart.vat_to_claim if claims else None, "IsBlocked": False, **stamps,
        }))
    for journal in chart.journals:
        journal_id = new_id()
        records.append(Record(JOURNALS.path, division, journal_id, {
            "ID": journal_id, "Code": journal.code, "Description": journal.description, "Type": journal.type,
            "TypeDescription": JOURNAL_TYPE_DESCRIPTIONS[journal.type], "Currency": "EUR", "IsBlocked": False,
            **stamps,
        }))
    for year in YEARS:
        for month in range(1, 13):
            period_id = new_id()
            end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            records.append(Record(FINANCIAL_PERIODS.path, division, period_id, {
                "ID": period_id, "FinYear": year, "FinPeriod": month, "StartDate": wire_date(dt.date(year, month, 1)),
                "EndDate": wire_date(end), CLOSED: year in CLOSED_YEARS, **stamps,
            }))
    return records


def _account(rng: random.Random, country: Country, division: int, position: int, count: int,
             new_id: Callable[[], str]) -> dict[str, Any]:
    home = rng.random() < 0.8
    nation = country.code if home else country.foreign
    surname = rng.choice(COUNTRIES[nation.lower()].surnames)
    city, postcode = rng.choice(COUNTRIES[nation.lower()].cities)
    person = position % 7 == 5
    name = f"{surname} {rng.choice(('Jan', 'An', 'Pieter', 'Sofie'))}" if person else \
        f"{rng.choice(TRADES)} {surname} {rng.choice(COUNTRIES[nation.lower()].legal_forms)}".strip()
    role = position % 10
    created = dt.datetime(2024, 1, 2, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(600),
                                                                    seconds=rng.randrange(86400))
    account_id = new_id()
    return {
        "ID": account_id, "Code": padded(str(1000 + position)), "Name": name,
        "VATNumber": None if person else vat_number(rng, nation), "ChamberOfCommerce": None,
        "IsSupplier": role >= 6, "IsSales": role < 6 or role == 9, "Status": "C" if role < 6 or role == 9 else "",
        "Blocked": count >= 5 and position == count - 1, "Type": "A",
        "AddressLine1": f"{rng.choice(('Kerkstraat', 'Stationsstraat', 'Dorpsstraat', 'Molenweg'))} "
                        f"{rng.randint(1, 180)}",
        "Postcode": postcode, "City": city, "Country": nation,
        "Email": f"info@{name.split()[0].lower()}-{surname.replace(' ', '').lower()}.example",
        "Language": "NL", "SearchCode": surname.replace(" ", "").upper()[:10], "Division": division,
        "Created": wire_date(created), "Modified": wire_date(created),
    }


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(5_000, 250_000)) / 100


def _lines(rng: random.Random, gl_ids: dict[str, str], codes: tuple[str, ...], vat_code: str | None,
           ) -> list[dict[str, Any]]:
    lines = []
    for _ in range(rng.randint(1, 3)):
        line = {"GLAccount": gl_ids[rng.choice(codes)], "AmountFC": _amount(rng), "Quantity": rng.randint(1, 5)}
        if vat_code is not None:
            line["VATCode"] = vat_code
        lines.append(line)
    return lines


def _entries(rng: random.Random, chart: Chart, country: Country, division: int, relations: list[dict[str, Any]],
             gl_ids: dict[str, str], sales: int, purchases: int) -> list[DemoEntry]:
    customers = [a for a in relations if a["IsSales"] and not a["Blocked"]]
    suppliers = [a for a in relations if a["IsSupplier"] and not a["Blocked"]]
    span = (LAST_ENTRY_DAY - FIRST_ENTRY_DAY).days
    entries = []
    for number in range(sales + 1):
        credit = number == sales
        customer = rng.choice(customers)
        day = FIRST_ENTRY_DAY + dt.timedelta(days=rng.randrange(span))
        body = {"Customer": customer["ID"], "Journal": "71" if credit else "70", "EntryDate": day.isoformat(),
                "Description": f"{'Creditnota' if credit else 'Factuur'} {customer['Name']}",
                "YourRef": f"PO-{rng.randint(1000, 9999)}",
                "SalesEntryLines": _lines(rng, gl_ids, chart.revenue,
                                          "IC" if customer["Country"] != country.code and customer["VATNumber"]
                                          else None)}
        if country.code == "BE":
            body["PaymentReference"] = structured_reference(rng)
        share = (Decimal(1), Decimal("0.5"))[number] if number < 2 and not credit else Decimal(0)
        entries.append(DemoEntry(division, SALES_ENTRIES.path, body, share))
    for number in range(purchases + 1):
        credit = number == purchases
        supplier = rng.choice(suppliers)
        day = FIRST_ENTRY_DAY + dt.timedelta(days=rng.randrange(span))
        body = {"Supplier": supplier["ID"], "Journal": "61" if credit else "60", "EntryDate": day.isoformat(),
                "Description": f"{'Creditnota' if credit else 'Aankoopfactuur'} {supplier['Name']}",
                "YourRef": f"INV-{day.year}-{rng.randint(1, 999):04d}",
                "PurchaseEntryLines": _lines(rng, gl_ids, chart.costs, None)}
        entries.append(DemoEntry(division, PURCHASE_ENTRIES.path, body,
                                 Decimal(1) if number == 0 and not credit else Decimal(0)))
    return entries


def generate(seed: int, country_code: str, accounts: int) -> Demo:
    if not 1 <= accounts <= MAX_ACCOUNTS:
        raise ValueError(f"accounts must be between 1 and {MAX_ACCOUNTS}")
    rng = random.Random(seed)
    new_id = _ids(rng)
    country, chart = COUNTRIES[country_code], CHARTS[country_code]
    demo = Demo(new_id)
    owner_id, user_id = new_id(), new_id()
    (first_code, first_name), *_ = country.divisions
    owner_vat = vat_number(rng, country.code)
    for position, (code, name) in enumerate(country.divisions):
        demo.records.append(Record(DIVISIONS, ACCOUNT_WIDE, str(code), {
            "Code": code, "Description": name, "Country": country.code, "CountryDescription": country.name,
            "Currency": "EUR", "CurrencyDescription": "Euro", "VATNumber": owner_vat, "Customer": owner_id,
            "HID": position + 1, "Main": position == 0, "StartDate": wire_date(dt.date(2024, 1, 1)), "Status": 0,
            "BlockingStatus": 0, "Website": "https://focus-demo.example", "Created": wire_date(MASTERS_CREATED),
            "Modified": wire_date(MASTERS_CREATED),
        }))
    demo.records.append(Record(ME.path, ACCOUNT_WIDE, user_id, {
        "UserID": user_id, "UserName": "demo@focus-demo.example", "FullName": "Demo Boekhouder",
        "FirstName": "Demo", "LastName": "Boekhouder", "Email": "demo@focus-demo.example",
        "CurrentDivision": first_code, "AccountingDivision": first_code, "DivisionCustomer": owner_id,
        "DivisionCustomerCode": padded("1"), "DivisionCustomerName": first_name,
        "DivisionCustomerVatNumber": owner_vat, "Language": "NL", "LanguageCode": country.language_code,
        "Legislation": country.legislation, "ServerTime": None, "ServerUtcOffset": 0.0,
    }))
    for position, (division, _) in enumerate(country.divisions):
        masters = _masters(chart, division, new_id)
        demo.records += masters
        gl_ids = {r.doc["Code"]: r.key for r in masters if r.entity == GL_ACCOUNTS.path}
        count = accounts if position == 0 else max(3, accounts // 3)
        relations = [_account(rng, country, division, i, count, new_id) for i in range(count)]
        if not any(a["IsSupplier"] and not a["Blocked"] for a in relations):
            relations[-1].update(IsSupplier=True, Blocked=False)
        demo.records += [Record(ACCOUNTS.path, division, a["ID"], a) for a in relations]
        demo.entries += _entries(rng, chart, country, division, relations, gl_ids,
                                 sales=6 if position == 0 else 2, purchases=3 if position == 0 else 1)
    return demo
