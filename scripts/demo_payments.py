"""The demo's payments scene: an accountant records payments in each tool, the entities run again, and Focus
shows them; the subscribed user's digest arrives at a mail server on loopback.

In each tool's sandbox (the admin calls stand in for the accountant's screens): two invoices paid in full,
one partly, one whose late fee is still open after the invoice's amount came in, a credit note matched
against an invoice of its customer, and an incoming invoice paid.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, select

from connectors.domain import Document, DocumentKind
from connectors.serialization import document_from_payload
from connectors.state.models import DocumentRecord, DocumentState, Integration
from connectors.state.payment_models import PaymentFeedEntry
from sandbox.world import DEMO_ENTITIES, World

PAID_ON = dt.date.today() - dt.timedelta(days=2)
LATE_FEE = Decimal("15.00")
SUBSCRIBER = "sales@demo.example"


@dataclass
class Mailbox:
    """What arrived at the demo's SMTP server."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def connection(self) -> str:
        return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": self.port,
                           "extra": {"disable_ssl": True, "disable_tls": True,
                                     "from_email": "focus-connector@demo.example"}})


@contextmanager
def mailbox() -> Iterator[Mailbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox(port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass(frozen=True)
class Booked:
    document: Document
    target_id: str


@dataclass
class Books:
    """An entity's booked documents that Focus shows without any payment, per kind; the invoices someone marked
    partly paid by hand in Focus (the demo data has many); every booked sales invoice."""

    unpaid: dict[DocumentKind, list[Booked]]
    by_hand: list[Booked]
    invoices: list[Booked]
    credit_notes: list[Booked]


def booked(world: World, entity: str) -> Books:
    engine = create_engine(world.env["CONNECTOR_STATE_URL"])
    with engine.connect() as connection:
        integration = connection.execute(select(Integration.id).where(Integration.entity == entity)).scalar_one()
        rows = connection.execute(select(DocumentRecord.payload, DocumentRecord.target_id).where(
            DocumentRecord.integration_id == integration, DocumentRecord.state == DocumentState.BOOKED.value)
            .order_by(DocumentRecord.id)).all()
    engine.dispose()
    books = Books({kind: [] for kind in DocumentKind}, [], [], [])
    for payload, target_id in rows:
        document = document_from_payload(payload)
        if document.from_negative_invoice:
            continue
        item = Booked(document, target_id)
        if document.kind is DocumentKind.SALES_INVOICE:
            books.invoices.append(item)
        if document.kind is DocumentKind.SALES_CREDIT_NOTE:
            books.credit_notes.append(item)  # Focus keeps no payments for them: whatever it shows, they can match
        if not document.payments and not document.paid and not document.paid_amount:
            books.unpaid[document.kind].append(item)
        elif document.kind is DocumentKind.SALES_INVOICE and not document.paid:
            books.by_hand.append(item)
    return books


class Accountant:
    """Records payments in one tool's sandbox through its admin API."""

    def __init__(self, world: World, entity: str):
        self.spec = DEMO_ENTITIES[entity]
        self.sandbox = world.tools[self.spec.sandbox]

    def _where(self, item: Booked) -> dict:
        if self.spec.tool == "yuki":  # Yuki's documents carry the connector's reference, kept as the booking's id
            return {"administration": self.spec.administration, "reference": item.target_id}
        if self.spec.tool == "octopus":
            _, journal, number = item.target_id.split("/")
            return {"dossier": int(self.spec.administration), "year": item.document.date.year, "journal": journal,
                    "documentSequenceNr": int(number)}
        return {"division": int(self.spec.administration), "entry_id": item.target_id}

    def _post(self, path: str, body: dict) -> None:
        response = self.sandbox.admin("POST", path, body)
        if response.status_code >= 300:
            raise RuntimeError(f"{self.spec.sandbox} {path}: {response.text}")

    def pay(self, item: Booked, amount: Decimal) -> None:
        self._post("payments", {**self._where(item), "amount": str(amount), "date": PAID_ON.isoformat()})

    def charge_fee(self, item: Booked, amount: Decimal) -> None:
        self._post("fees", {**self._where(item), "amount": str(amount)})

    @property
    def keeps_fees(self) -> bool:
        return self.spec.tool != "yuki"  # Yuki's sandbox keeps no late fees

    def match(self, credit_note: Booked, invoice: Booked) -> None:
        if self.spec.tool == "yuki":
            self._post("matches", {"administration": self.spec.administration,
                                   "credit": {"reference": credit_note.target_id},
                                   "invoice": {"reference": invoice.target_id}})
        elif self.spec.tool == "octopus":
            where = {k: v for k, v in self._where(credit_note).items() if k != "dossier"}
            self._post("matches", {"dossier": int(self.spec.administration), "credit": where,
                                   "invoice": {k: v for k, v in self._where(invoice).items() if k != "dossier"}})
        else:
            self._post("matches", {"division": int(self.spec.administration),
                                   "credit_entry_id": credit_note.target_id, "invoice_entry_id": invoice.target_id})


def total(document: Document) -> Decimal:
    return document.payable if document.payable is not None else document.total_incl


def record_payments(world: World, entity: str) -> list[tuple[Booked, str]]:
    """What the accountant does in the tool; returns each document touched with what was done."""
    accountant, books = Accountant(world, entity), booked(world, entity)
    docs, invoices, done = books.unpaid, list(books.unpaid[DocumentKind.SALES_INVOICE]), []
    for item in books.by_hand[:1]:
        accountant.pay(item, total(item.document) - item.document.paid_amount)
        done.append((item, f"partly paid by hand in Focus ({item.document.paid_amount}), the rest paid in the tool"))
    for item in invoices[:2]:
        accountant.pay(item, total(item.document))
        done.append((item, "paid in full"))
    if len(invoices) > 2:
        part = (total(invoices[2].document) * Decimal("0.4")).quantize(Decimal("0.01"))
        accountant.pay(invoices[2], part)
        done.append((invoices[2], f"{part} paid"))
    if len(invoices) > 3 and accountant.keeps_fees:
        accountant.charge_fee(invoices[3], LATE_FEE)
        accountant.pay(invoices[3], total(invoices[3].document))
        done.append((invoices[3], f"a {LATE_FEE} late fee charged, then the invoice's amount paid"))
    touched = {item.document.source_id for item, _ in done}
    partners = invoices[4:] + [i for i in books.invoices if i not in invoices and i.document.source_id not in touched]
    for credit_note in books.credit_notes:
        partner = next((i for i in partners if i.document.party == credit_note.document.party), None)
        if partner is not None:
            accountant.match(credit_note, partner)
            by_hand = " (already paid by hand in Focus: left alone)" if partner not in invoices else ""
            done += [(credit_note, f"matched against invoice {partner.document.number}"),
                     (partner, f"credit note {credit_note.document.number} matched against it{by_hand}")]
            break
    for item in docs[DocumentKind.PURCHASE_INVOICE][:1]:
        accountant.pay(item, total(item.document))
        done.append((item, "paid in full"))
    return done


def focus_shows(world: World, item: Booked) -> str:
    """What Focus shows now, read from Focus's own API."""
    document = item.document
    token = world.focus.mint_tokens()["access_token"]
    endpoint = {"invoice": "invoices.info", "creditNote": "creditNotes.info", "incomingInvoice": "incomingInvoices.info",
                "incomingCreditNote": "incomingCreditNotes.info"}[document.source_type]
    answer = httpx.post(f"{world.focus.base_url}/{endpoint}", json={"id": document.source_id},
                        headers={"Authorization": f"Bearer {token}"}, timeout=30)
    data = json.loads(answer.text, parse_float=Decimal)["data"]
    if document.source_type == "invoice":
        received = sum((Decimal(str(p["payment"]["amount"])) for p in data["payments"]), Decimal("0.00"))
        return ("paid" if data["paid"] else "open") + f", {received} of {total(document)} {document.currency} received"
    if document.source_type == "creditNote":
        return credit_note_shows(world, document)
    payments = httpx.post(f"{world.focus.base_url}/{endpoint.replace('.info', '.listPayments')}",
                          json={"id": document.source_id}, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    paid = sum((Decimal(str(p["payment"]["amount"])) for p in json.loads(payments.text, parse_float=Decimal)["data"]),
               Decimal("0.00"))
    return f"{data['payment_status']}, {paid} of {total(document)} {document.currency} paid"


def credit_note_shows(world: World, document: Document) -> str:
    """Focus's API has no call to mark a credit note paid: what the connector kept (its payment feed)."""
    engine = create_engine(world.env["CONNECTOR_STATE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(select(PaymentFeedEntry.amount, PaymentFeedEntry.in_full).where(
            PaymentFeedEntry.focus_id == document.source_id)).all()
    engine.dispose()
    matched = sum((Decimal(amount) for amount, _ in rows), Decimal("0.00"))
    state = "settled" if any(in_full for _, in_full in rows) else "partly matched"
    return (f"{state} in the tool, {matched} of {total(document)} {document.currency} "
            "(kept in the connector's feed: Focus's API has no call to mark a credit note paid)")


def describe(world: World, done: list[tuple[Booked, str]]) -> list[str]:
    return [f"    {item.document.label}: {what} → Focus: {focus_shows(world, item)}" for item, what in done]


def digest_lines(box: Mailbox) -> list[str]:
    lines = []
    for message in box.messages:
        lines.append(f"  Mail to {message['To']}: {message['Subject']}")
        lines += [f"    | {line}" for line in message.get_content().strip().splitlines()]
    return lines or ["  No digest arrived."]
