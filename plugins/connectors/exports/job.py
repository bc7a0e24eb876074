"""The offline export's steps as plain functions: the DAG and ``focus-connector export`` run the same ones.

start → collect → validate → quote → (a person approves) → write → publish and bill → report. Each step
reads what the previous one left in the state database, so every step can be retried or run on another
worker, and nothing is written to the exports location or charged before the export is approved:
``write`` refuses an export that is not approved, and ``publish_and_bill`` one that has not been written.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from connectors.domain import Document, Party, PartyRef, SourceIssue
from connectors.exports import billing, storage
from connectors.exports.checks import ExportChecks
from connectors.exports.records import ExportBatch, ExportCustomer, Seller
from connectors.exports.resolve import customer as export_customer
from connectors.exports.resolve import export_document
from connectors.exports.settings import CUSTOMER_NUMBER_MODES, ExportSettings, Profile, load_profile
from connectors.exports.store import ExportStore, Problem, create_export, export_for_run
from connectors.exports.writers import PACKAGES, writer_for
from connectors.focus.client import FocusClient
from connectors.progress import Progress
from connectors.state.db import sessions, write_transaction
from connectors.state.export_models import Export, ExportFile, ExportProfile, ExportStatus

log = logging.getLogger(__name__)
BATCH = 500


class ExportRefused(Exception):
    """The export cannot go on because of the user's data or settings; ``lines`` say what and how to fix it."""

    def __init__(self, summary: str, lines: list[str] | None = None):
        super().__init__(summary)
        self.summary = summary
        self.lines = lines or []


@dataclass(frozen=True)
class ExportRequest:
    """What a trigger (form or command line) asks for; ``None`` means "the department's setting"."""

    entity: str
    period_from: dt.date
    period_to: dt.date
    package: str | None = None
    export_customers: bool | None = None
    invoice_journal: str | None = None
    credit_note_journal: str | None = None
    customer_numbers: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def effective_settings(profile: Profile, request: ExportRequest) -> tuple[str, ExportSettings, dict[str, Any]]:
    """(package, settings with the request's choices applied, the package's parameters with defaults filled)."""
    package = request.package or profile.settings.package
    if package not in PACKAGES:
        raise ExportRefused(f"unknown package {package!r}; choose one of {', '.join(PACKAGES)}")
    if request.customer_numbers and request.customer_numbers not in CUSTOMER_NUMBER_MODES:
        raise ExportRefused(f"customer-number mode {request.customer_numbers!r} is not one of "
                            f"{', '.join(CUSTOMER_NUMBER_MODES)}")
    settings = profile.settings.updated(invoice_journal=request.invoice_journal or None,
                                        credit_note_journal=request.credit_note_journal or None,
                                        customer_numbers=request.customer_numbers or None,
                                        export_customers=request.export_customers)
    writer = writer_for(package)
    params = {p.name: p.default for p in writer.params}
    params.update(settings.package_params.get(package, {}))
    params.update({k: v for k, v in request.params.items() if k in params and v is not None})
    return package, settings, params


# -- start and collect -----------------------------------------------------------------------------


def start(engine: Engine, request: ExportRequest, run_ref: str) -> int:
    """The export of this run: created once (a retried start finds it), with the request's choices fixed."""
    existing = export_for_run(engine, run_ref)
    if existing is not None:
        return existing
    if request.period_from > request.period_to:
        raise ExportRefused(f"the period starts ({request.period_from}) after it ends ({request.period_to}); "
                            "swap the dates")
    profile = load_profile(engine, request.entity)
    package, settings, params = effective_settings(profile, request)
    with sessions(engine)() as session:
        profile_id = session.scalar(select(ExportProfile.id).where(ExportProfile.entity == profile.entity))
    return create_export(engine, profile_id=profile_id, entity=profile.entity, department_id=profile.department_id,
                         package=package, period_from=request.period_from, period_to=request.period_to,
                         run_ref=run_ref, options={"settings": settings.to_json(), "params": params})


def _settings(export: Export) -> ExportSettings:
    return ExportSettings.from_json(export.options.get("settings"))


def collect(engine: Engine, focus: Callable[[], FocusClient], export_id: int) -> dict[str, int]:
    """Read the period's booked invoices and credit notes and their customers from Focus into the state
    database. A document Focus returns but that cannot be read becomes a problem (validation refuses)."""
    from connectors.focus import streams
    from connectors.focus.extract import extract_sales

    store = ExportStore(engine, export_id)
    export = store.get()
    store.clear_items()
    counts = {"documents": 0, "invoices": 0, "customers": 0, "unreadable": 0}
    issues: list[Problem] = []
    documents: list[Document] = []
    customers: list[Party] = []
    credited: set[str] = set()
    progress = Progress(log, "collect", unit="documents")
    with focus() as client:
        info = streams.department_info(client, export.department_id)
        tax_rates = {item["id"]: item.get("description") or "" for item in streams.tax_rates(client,
                                                                                           export.department_id)}
        categories = {item["id"]: item.get("name") or "" for item in streams.product_categories(
            client, export.department_id)}
        for record in extract_sales(client, export.department_id, start_date=export.period_from,
                                    end_date=export.period_to):
            if isinstance(record, Document):
                documents.append(record)
                counts["documents"] += 1
                counts["invoices"] += record.source_type == "invoice"
                if record.credits_source_id:
                    credited.add(record.credits_source_id)
                progress.step()
                if len(documents) >= BATCH:
                    store.add_documents(documents, counts["documents"] - len(documents))
                    documents = []
            elif isinstance(record, SourceIssue):
                counts["unreadable"] += 1
                issues.append(Problem("document", record.source_id, record.number or record.source_id,
                                      "unreadable", record.field, record.message))
            elif isinstance(record, Party):
                customers.append(record)
        store.add_documents(documents, counts["documents"] - len(documents))
        store.add_customers(customers, 0)
        counts["customers"] = len(customers)
        references = _credited_invoices(client, sorted(credited))
    progress.finish()
    store.add_problems(issues)
    store.update(seller=_seller(info), document_count=counts["documents"], invoice_count=counts["invoices"],
                 customer_count=counts["customers"],
                 options={**export.options, "credited": references, "tax_rates": tax_rates,
                          "categories": categories})
    log.info("%s: collected %d document(s) (%d invoice(s)) dated %s to %s and %d customer(s); %d unreadable",
             export.entity, counts["documents"], counts["invoices"], export.period_from, export.period_to,
             counts["customers"], counts["unreadable"])
    return counts


def _credited_invoices(client: FocusClient, ids: list[str]) -> dict[str, list[str | None]]:
    """Focus id → [number, date] of the invoices credit notes correct (they may lie outside the period)."""
    from connectors.focus import streams

    found: dict[str, list[str | None]] = {}
    for item in streams.invoices_by_ids(client, ids) if ids else ():
        found[item["id"]] = [item.get("invoice_number"), item.get("invoice_date")]
    return found


def _seller(info: dict[str, Any]) -> dict[str, Any]:
    address = info.get("address") or {}
    emails = info.get("emails") or []
    email = next((e.get("email") for e in emails if e.get("type") == "invoicing"), None) or \
        next((e.get("email") for e in emails), None)
    phone = next((t.get("number") for t in info.get("telephones") or []), None)
    return {"department_id": info.get("id"), "name": info.get("name") or "", "vat_number": info.get("vat_number"),
            "currency": info.get("currency") or "EUR", "email": email, "phone": phone, "iban": info.get("iban"),
            "bic": info.get("bic"),
            "address": {k: address.get(k) for k in ("line_1", "postal_code", "city", "country")} if address else None}


def seller_of(export: Export) -> Seller:
    from connectors.domain import Address

    data = dict(export.seller or {})
    address = data.pop("address", None)
    return Seller(**{**data, "address": Address(**address) if address else None})


# -- validate, quote, review ------------------------------------------------------------------------


def _numbers(engine: Engine, export: Export):
    from connectors.exports.customer_numbers import CustomerNumbers

    return CustomerNumbers(engine, export.department_id, export.package)


def validate(engine: Engine, export_id: int) -> dict[str, int]:
    """Every customer and document with an error, at once. With any, the export ends here (``invalid``): no
    file is written, nothing is charged; the problems are logged and written to a report file."""
    store = ExportStore(engine, export_id)
    export = store.get()
    settings = _settings(export)
    writer = writer_for(export.package)
    customers = store.customer_map()
    numbers = _numbers(engine, export).numbers(customers)
    checks = ExportChecks(entity=export.entity, settings=settings, writer=writer,
                          country=(export.seller.get("address") or {}).get("country"),
                          number_mode=settings.customer_numbers, numbers=numbers,
                          tax_rates=export.options.get("tax_rates") or {},
                          categories=export.options.get("categories") or {})
    unreadable = [p for p in store.problems() if p.code == "unreadable"]
    store.clear_problems()
    found = store.add_problems([*unreadable, *checks.problems(store.documents(), customers)])
    if not found:
        log.info("%s: %d document(s) and %d customer(s) passed validation", export.entity, export.document_count,
                 len(customers))
        return {"problems": 0}
    problems = store.problems()
    lines = [p.message for p in problems]
    report = storage.write_report(export.entity, export_id, _report_text(export, problems))
    store.move(ExportStatus.INVALID, allowed_from=[ExportStatus.COLLECTED], error=f"{found} problem(s)")
    raise ExportRefused(f"{export.entity}: export #{export_id} has {found} problem(s); nothing was written or "
                        f"charged (report: {report})", lines)


def _report_text(export: Export, problems: list[Problem]) -> str:
    head = (f"Export #{export.id} of {export.entity}, {export.period_from} to {export.period_to}, "
            f"package {export.package}: {len(problems)} problem(s). Nothing was written or charged.\n\n")
    return head + "".join(f"- {p.message}\n" for p in problems)


def quote(engine: Engine, export_id: int) -> dict[str, Any]:
    """How many invoices would be charged for the first time, how many are free re-exports, and the amount."""
    store = ExportStore(engine, export_id)
    export = store.get()
    found = billing.quote(engine, store.invoice_ids(), billing.price_per_invoice())
    store.move(ExportStatus.QUOTED, allowed_from=[ExportStatus.COLLECTED, ExportStatus.QUOTED],
               quoted_new=found.new, quoted_free=found.free, quoted_amount=str(found.amount))
    log.info("%s: quote for export #%d: %s", export.entity, export_id, found.sentence())
    return {"export_id": export_id, "new": found.new, "free": found.free, "amount": str(found.amount),
            "currency": billing.CURRENCY, "sentence": found.sentence()}


def approve(engine: Engine, export_id: int, by: str) -> None:
    store = ExportStore(engine, export_id)
    if not store.move(ExportStatus.APPROVED, allowed_from=[ExportStatus.QUOTED, ExportStatus.APPROVED],
                      approved_by=by[:255], approved_at=dt.datetime.now(dt.UTC)):
        raise ExportRefused(f"export #{export_id} is {store.get().status}, not waiting for approval")
    log.info("export #%d approved by %s", export_id, by)


def reject(engine: Engine, export_id: int, by: str) -> None:
    ExportStore(engine, export_id).move(ExportStatus.REJECTED, allowed_from=[ExportStatus.QUOTED],
                                        error=f"rejected by {by}"[:255])
    log.info("export #%d rejected by %s: nothing written, nothing charged", export_id, by)


# -- write, publish and bill, report ------------------------------------------------------------------


def write(engine: Engine, export_id: int) -> dict[str, Any]:
    """Write the package's files (approved exports only) and stage them; customer numbers are given here."""
    store = ExportStore(engine, export_id)
    export = store.get()
    if export.status not in (ExportStatus.APPROVED, ExportStatus.WRITTEN):
        raise ExportRefused(f"export #{export_id} is {export.status}: only an approved export is written")
    settings = _settings(export)
    writer = writer_for(export.package)
    parties = store.customers()
    numbers_store = _numbers(engine, export)
    numbers = numbers_store.numbers(p.ref for p in parties)
    if settings.customer_numbers == "generate":
        generated = numbers_store.generate([(p.ref, p.name) for p in parties if p.ref not in numbers],
                                           start=settings.number_start)
        for warning in generated.warnings:
            log.warning("%s: %s", export.entity, warning)
        numbers = {**numbers, **generated.numbers}
    buyers: dict[PartyRef, ExportCustomer] = {p.ref: export_customer(p, p.ref, numbers.get(p.ref)) for p in parties}
    credited = {k: (v[0], dt.date.fromisoformat(v[1]) if v[1] else None)
                for k, v in (export.options.get("credited") or {}).items()}
    tax_rates = export.options.get("tax_rates") or {}
    documents = (export_document(doc, settings, buyers.get(doc.party) or export_customer(None, doc.party, None),
                                 credited, tax_rates) for doc in store.documents())
    batch = ExportBatch(entity=export.entity, package=export.package, period_from=export.period_from,
                        period_to=export.period_to, seller=seller_of(export), documents=documents,
                        customers=list(buyers.values()), export_customers=settings.export_customers,
                        params=dict(export.options.get("params") or {}))
    with tempfile.TemporaryDirectory(prefix=f"export-{export_id}-") as folder:
        files = writer.write(batch, Path(folder))
        broken = writer.check(files)
        if broken:
            store.move(ExportStatus.FAILED, allowed_from=[ExportStatus.APPROVED, ExportStatus.WRITTEN],
                       error="; ".join(broken)[:2000])
            raise ExportRefused(f"{export.entity}: export #{export_id}: {len(broken)} file problem(s); nothing was "
                                "published or charged — please report this with the export number", broken)
        staging, stored = storage.stage(files, export_id)
    store.move(ExportStatus.WRITTEN, allowed_from=[ExportStatus.APPROVED, ExportStatus.WRITTEN], staging=staging)
    log.info("%s: export #%d wrote %s", export.entity, export_id, ", ".join(f"{f.name} ({f.size} bytes)" for f in stored))
    return {"files": [f.name for f in stored]}


def publish_and_bill(engine: Engine, export_id: int, *, now: Callable[[], dt.datetime] | None = None
                     ) -> dict[str, Any]:
    """Publish the staged files and charge the invoices exported for the first time, in one transaction."""
    store = ExportStore(engine, export_id)
    export = store.get()
    if export.status == ExportStatus.PUBLISHED:
        return _published(export)
    if export.status != ExportStatus.WRITTEN:
        raise ExportRefused(f"export #{export_id} is {export.status}: only written files are published")
    name = f"{export.period_from}_{export.period_to}_{export.package}_export-{export.id}"
    location, stored = storage.publish(export.staging, export.entity, name)
    price = billing.price_per_invoice()
    moment = (now or (lambda: dt.datetime.now(dt.UTC)))()
    try:
        with write_transaction(engine) as connection:
            charged = billing.charge(connection, export_id=export_id, entity=export.entity,
                                     department_id=export.department_id, invoices=store.invoice_ids(),
                                     price=price, now=moment)
            amount = billing.money(price * len(charged))
            for f in stored:
                connection.execute(ExportFile.__table__.insert().values(export_id=export_id, name=f.name,
                                                                         size=f.size, sha256=f.sha256))
            result = connection.execute(Export.__table__.update().where(
                Export.id == export_id, Export.status == ExportStatus.WRITTEN.value).values(
                status=ExportStatus.PUBLISHED.value, location=location, checksum=storage.checksum(stored),
                charged_invoices=len(charged), charge=str(amount), published_at=moment))
            if result.rowcount != 1:
                raise ExportRefused(f"export #{export_id} changed while it was being published")
    except BaseException:
        if not _published_meanwhile(store):  # never remove what another attempt at this export published
            storage.unpublish(location)
        raise
    storage.drop_staging(export.staging)
    return _published(store.get())


def _published_meanwhile(store: ExportStore) -> bool:
    try:
        return store.get().status == ExportStatus.PUBLISHED
    except Exception:  # noqa: BLE001 - the database is what failed: the files cannot be recorded, remove them
        return False


def _published(export: Export) -> dict[str, Any]:
    return {"export_id": export.id, "location": export.location, "charged_invoices": export.charged_invoices,
            "charge": export.charge, "free": export.invoice_count - (export.charged_invoices or 0),
            "checksum": export.checksum}


def fail(engine: Engine, export_id: int, reason: str) -> None:
    """Mark an unfinished export failed (nothing published, nothing charged) and drop its staged files."""
    store = ExportStore(engine, export_id)
    export = store.get()
    if export.status not in (ExportStatus.PUBLISHED, ExportStatus.INVALID, ExportStatus.REJECTED):
        store.update(status=ExportStatus.FAILED.value, error=reason[:2000])
        storage.drop_staging(export.staging)


__all__ = ["ExportRefused", "ExportRequest", "approve", "collect", "fail", "publish_and_bill", "quote",
           "reject", "start", "validate", "write"]
