"""What people read about an export: the review screen (quote, customers, documents) and the report.

The review is the body of the DAG's approval (Markdown, first rows of long lists); the report is what the
``report`` task logs and ``focus-connector export`` prints: where the files are and what was charged.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from connectors.exports import billing
from connectors.exports.customer_numbers import CustomerNumbers
from connectors.exports.settings import ExportSettings
from connectors.exports.store import ExportStore
from connectors.exports.writers import writer_for
from connectors.state.db import sessions
from connectors.state.export_models import ExportFile, ExportStatus

REVIEW_ROWS = 100


def review_markdown(engine: Engine, export_id: int) -> str:
    """The review screen: the quote, the customers, the documents and any errors (first rows of long lists)."""
    store = ExportStore(engine, export_id)
    export = store.get()
    settings = ExportSettings.from_json(export.options.get("settings"))
    customers = store.customers()
    numbers = CustomerNumbers(engine, export.department_id, export.package).numbers(p.ref for p in customers)
    out = [f"### Export #{export.id}: {export.entity}, {export.period_from} to {export.period_to}, "
           f"{writer_for(export.package).title}",
           "",
           f"**Quote:** {export.quoted_new} invoice(s) charged for the first time, {export.quoted_free} free "
           f"re-export(s): **{export.quoted_amount} {billing.CURRENCY}**. Nothing is written or charged before "
           "you approve.",
           "", "**Errors:** none (validation passed).", "",
           f"**Customers ({len(customers)})**", "", "| Customer | Number | VAT number | Country |", "|---|---|---|---|"]
    for party in customers[:REVIEW_ROWS]:
        number = numbers.get(party.ref) or ("new" if settings.customer_numbers == "generate" else "—")
        country = party.address.country if party.address else ""
        out.append(f"| {_cell(party.name)} | {number} | {party.vat_number or ''} | {country or ''} |")
    if len(customers) > REVIEW_ROWS:
        out.append(f"| … and {len(customers) - REVIEW_ROWS} more | | | |")
    out += ["", f"**Documents ({export.document_count})**", "",
            "| Document | Date | Customer | Excl. VAT | VAT | Total |", "|---|---|---|---|---|---|"]
    names = {p.ref: p.name for p in customers}
    for index, doc in enumerate(store.documents()):
        if index == REVIEW_ROWS:
            out.append(f"| … and {export.document_count - REVIEW_ROWS} more | | | | | |")
            break
        kind = "credit note" if doc.kind.is_credit_note and doc.source_type == "invoice" else ""
        out.append(f"| {_cell(doc.label)}{' (as ' + kind + ')' if kind else ''} | {doc.date} | "
                   f"{_cell(names.get(doc.party, ''))} | {doc.total_excl} | {doc.total_vat} | {doc.total_incl} |")
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")



def report(engine: Engine, export_id: int) -> list[str]:
    """What the export did, in words (the task log, the command line, the demo)."""
    export = ExportStore(engine, export_id).get()
    with sessions(engine)() as session:
        files = session.scalars(select(ExportFile).where(ExportFile.export_id == export_id)
                                .order_by(ExportFile.name)).all()
    lines = [f"Export #{export.id} of {export.entity} ({export.period_from} to {export.period_to}, "
             f"{export.package}): {export.status}"]
    if export.status == ExportStatus.PUBLISHED:
        free = export.invoice_count - (export.charged_invoices or 0)
        lines += [f"  {export.document_count} document(s) ({export.invoice_count} invoice(s)), "
                  f"{export.customer_count} customer(s)",
                  f"  files in {export.location}:", *(f"    {f.name}  {f.size} bytes  sha256 {f.sha256}" for f in files),
                  f"  charged: {export.charged_invoices} invoice(s) = {export.charge} {billing.CURRENCY}; "
                  f"{free} free re-export(s)"]
        if export.quoted_new is not None and export.charged_invoices is not None \
                and export.charged_invoices < export.quoted_new:
            lines.append(f"  ({export.quoted_new - export.charged_invoices} quoted invoice(s) were charged by "
                         "another export published meanwhile: not charged twice)")
    elif export.error:
        lines.append(f"  {export.error}")
    return lines
