"""General-ledger lines of the booked entries (``bulk/Financial/TransactionLines``, 1000 per page).

Each entry balances: line 0 on the receivable (sales) or payable (purchase)
account for the whole amount, one line per entry line on its GL account,
and one VAT line per VAT code on the code's GLToPay / GLToClaim account.
Amounts are signed debit-positive: a sales invoice debits the receivable
and credits revenue and VAT; a purchase invoice the other way round; credit
notes flip both. Line 0 follows ``GAccountAmountFC`` (so a credit note is a
credit whatever the sign its lines were sent with) and the other lines
balance it. Lines other than the entry lines get ids derived from the entry
id, so they are stable across requests.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sandbox.exact_online.booking import SALES, Ledger
from sandbox.exact_online.books import Books, Doc
from sandbox.exact_online.entities import GL_ACCOUNTS, VAT_CODES

_NAMESPACE = uuid.UUID("8f0d3c56-2b1e-4f7a-9d5e-0e6b7a1c2d3f")


def _line(entry: Doc, ledger: Ledger, line_id: str, number: int, gl: Doc, amount: Decimal,
          extra: dict[str, Any]) -> Doc:
    return {
        "ID": line_id, "EntryID": entry["EntryID"], "EntryNumber": entry["EntryNumber"], "LineNumber": number,
        "Account": entry[ledger.party], "AmountDC": amount, "AmountFC": amount,
        "AmountVATFC": None, "Currency": entry["Currency"], "Date": entry["EntryDate"],
        "Description": entry["Description"], "DueDate": entry["DueDate"], "FinancialPeriod": entry["ReportingPeriod"],
        "FinancialYear": entry["ReportingYear"], "GLAccount": gl["ID"], "GLAccountCode": gl["Code"],
        "GLAccountDescription": gl["Description"], "InvoiceNumber": entry.get("InvoiceNumber", entry["EntryNumber"]),
        "JournalCode": entry["Journal"], "PaymentReference": entry["PaymentReference"], "Status": entry["Status"],
        "Type": entry["Type"], "VATCode": None, "VATPercentage": None, "YourRef": entry["YourRef"],
        "Division": entry["Division"], "Created": entry["Created"], "Modified": entry["Modified"], **extra,
    }


def _entry_lines(ledger: Ledger, entry: Doc, control: Doc, gls: dict[str, Doc], vats: dict[str, Doc]) -> list[Doc]:
    side = 1 if ledger is SALES else -1  # receivables are debits, payables credits
    control_amount = side * Decimal(str(entry["GAccountAmountFC"]))
    total = Decimal(str(entry["AmountFC"]))
    # Entry lines and VAT go against line 0 whatever sign they were sent with.
    sign = -control_amount / total if total else Decimal(-side)
    rows = [_line(entry, ledger, str(uuid.uuid5(_NAMESPACE, f"{entry['EntryID']}/control")), 0, control,
                  control_amount, {})]
    vat_per_code: dict[str, Decimal] = {}
    for line in sorted(entry[ledger.lines_property], key=lambda line: line["LineNumber"]):
        vat = Decimal(str(line["VATAmountFC"]))
        rows.append(_line(entry, ledger, line["ID"], line["LineNumber"], gls[line["GLAccount"]],
                          sign * Decimal(str(line["AmountFC"])),
                          {"AmountVATFC": vat, "VATCode": line["VATCode"],
                           "VATPercentage": line["VATPercentage"], "Description": line["Description"]}))
        vat_per_code[line["VATCode"]] = vat_per_code.get(line["VATCode"], Decimal(0)) + vat
    for number, (code, vat) in enumerate(sorted(vat_per_code.items()), len(rows)):
        target = vats[code]["GLToPay" if ledger is SALES else "GLToClaim"]
        if vat and target:
            rows.append(_line(entry, ledger, str(uuid.uuid5(_NAMESPACE, f"{entry['EntryID']}/vat/{code}")), number,
                              gls[target], sign * vat, {"VATCode": code}))
    return rows


def transaction_lines(books: Books, ledgers: tuple[Ledger, ...]) -> list[Doc]:
    gls = {gl["ID"]: gl for gl in books.docs(GL_ACCOUNTS.path)}
    vats = {vat["Code"]: vat for vat in books.docs(VAT_CODES.path)}
    rows = []
    for ledger in ledgers:
        # The receivable / payable account: the first of its type in the chart.
        control = next(gl for gl in gls.values() if gl["Type"] == (20 if ledger is SALES else 22))
        for entry in books.docs(ledger.entries.path):
            rows += _entry_lines(ledger, entry, control, gls, vats)
    return rows

