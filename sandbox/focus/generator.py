"""Deterministic demo data for the Focus sandbox: same seed and size, same data, ids included.

Order of generation (and so of random draws) is fixed: catalog, customers,
suppliers, then per department its sales documents and its Peppol inbox.
The first (BE) department gets ``invoices`` invoices, the others (NL, and a second
BE one for a second accounting tool) ``max(3, invoices // 3)`` each; the third
department's documents come last, so the first two are unchanged by it.
``departments`` > 3 adds "extra" BE companies (up to 6 in all), each with as
many documents as the second BE one, drawn from its own random stream after
the first three: those three stay the same, ids included.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from sandbox.focus.catalog import MAX_DEPARTMENTS, MIN_DEPARTMENTS, build_catalog, own_stream
from sandbox.focus.parties import customer_country, make_company, make_contact
from sandbox.focus.purchases import purchase_documents
from sandbox.focus.records import Record
from sandbox.focus.sales import sales_documents

MAX_INVOICES = 100_000
SUPPLIER_COUNTRIES = ("BE", "BE", "BE", "NL", "NL", "FR", "DE")


def department_invoice_count(position: int, invoices: int) -> int:
    return invoices if position == 0 else max(3, invoices // 3)


def generate(seed: int, invoices: int, departments: int = MIN_DEPARTMENTS) -> Iterator[Record]:
    if not 1 <= invoices <= MAX_INVOICES:
        raise ValueError(f"invoices must be between 1 and {MAX_INVOICES}")
    if not MIN_DEPARTMENTS <= departments <= MAX_DEPARTMENTS:
        raise ValueError(f"departments must be between {MIN_DEPARTMENTS} and {MAX_DEPARTMENTS}")
    rng = random.Random(seed)
    catalog = build_catalog(rng, departments)
    user_id = catalog.user["id"]
    yield Record("user", catalog.user)
    for position, department in enumerate(catalog.departments):
        yield Record("department", (position, department.doc))
        for rate in department.tax_rates:
            yield Record("tax_rate", rate.doc)
    for category in catalog.categories:
        yield Record("product_category", category.doc)
    for term in catalog.payment_terms:
        yield Record("payment_term", (term.doc, term is catalog.default_payment_term))

    customers = [make_company(rng, customer_country(rng), user_id) for _ in range(max(8, invoices // 20))]
    customers += [make_contact(rng, customer_country(rng)) for _ in range(max(4, invoices // 40))]
    suppliers = [make_company(rng, SUPPLIER_COUNTRIES[i % len(SUPPLIER_COUNTRIES)], user_id, always_valid_vat=True)
                 for i in range(rng.randint(6, 10))]
    for party in (*customers, *suppliers):
        yield Record("company" if party.type == "company" else "contact", party.doc)

    first_id = catalog.departments[0].id
    for position, department in enumerate(catalog.departments):
        count = department_invoice_count(position, invoices)
        stream = rng if position < MIN_DEPARTMENTS else own_stream(first_id, position, "documents")
        yield from sales_documents(stream, catalog, department, customers, count)
        yield from purchase_documents(stream, department, suppliers, count, user_id)
