"""The payments a document holds in Focus, and the calls that register or remove the connector's.

Outgoing invoices: ``invoices.registerPayment`` / ``invoices.removePayments``;
their payments (amount and date, no id) are read in bulk with the invoices
(100 ids a call). Incoming invoices and credit notes:
``incomingInvoices.registerPayment`` / ``incomingCreditNotes.registerPayment``
with a remark that names the connector's registration, so
``listPayments`` tells the connector's payments from those made by hand, and
``removePayment`` takes away only the connector's. Outgoing credit notes have
no payment call in Focus's API: their settlement is kept by the connector only.

Writes are never retried blindly (``idempotent=False``): a lost answer
leaves the registration ``sending`` until Focus's payments are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from connectors.focus import streams
from connectors.focus.client import FocusClient
from connectors.payments.decide import ZERO
from connectors.payments.registry import Registration

INVOICE = "invoice"
CREDIT_NOTE = "creditNote"
EXPENSE_RESOURCES = {"incomingInvoice": "incomingInvoices", "incomingCreditNote": "incomingCreditNotes"}
#: The remark on an expense payment the connector registered: how it is told from one made by hand.
REMARK = "Registered by Focus Accounting Connector from {tool} ({marker})"


@dataclass(frozen=True)
class FocusPayment:
    amount: Decimal  # signed as Focus holds it
    paid_at: dt.date | None
    id: str | None = None
    remark: str | None = None


@dataclass(frozen=True)
class FocusPayments:
    """What one document holds in Focus."""

    payments: tuple[FocusPayment, ...]

    @property
    def received(self) -> Decimal:
        return abs(sum((p.amount for p in self.payments), ZERO))


def paid_at_text(day: dt.date) -> str:
    """Focus wants a date-time: the payment day at noon UTC reads as that same day in every European zone."""
    return f"{day.isoformat()}T12:00:00+00:00"


def _day(value: object) -> dt.date | None:
    return dt.datetime.fromisoformat(str(value)).date() if value else None


def _money(value: object) -> Decimal:
    amount = value.get("amount") if isinstance(value, dict) else value
    return Decimal(str(amount if amount is not None else 0))


class FocusPaymentCalls:
    def __init__(self, client: FocusClient, tool: str):
        self.client = client
        self.tool = tool

    def invoices(self, ids: Iterable[str]) -> dict[str, FocusPayments]:
        """Outgoing invoices' payments, 100 invoices a call."""
        return {item["id"]: FocusPayments(tuple(FocusPayment(_money(p.get("payment")), _day(p.get("paid_at")))
                                                for p in item.get("payments") or []))
                for item in streams.invoices_by_ids(self.client, ids)}

    def expense(self, source_type: str, focus_id: str) -> FocusPayments:
        answer = self.client.call(f"{EXPENSE_RESOURCES[source_type]}.listPayments", {"id": focus_id})
        return FocusPayments(tuple(FocusPayment(_money(p.get("payment")), _day(p.get("paid_at")), p.get("id"),
                                                p.get("remark")) for p in answer.get("data") or []))

    def register(self, source_type: str, focus_id: str, registration: Registration, currency: str) -> str | None:
        """Register one payment; the expense payment's id (invoices' payments have none)."""
        body = {"id": focus_id, "payment": {"amount": registration.amount, "currency": currency},
                "paid_at": paid_at_text(registration.paid_at or dt.date.today())}
        if source_type == INVOICE:
            self.client.call("invoices.registerPayment", body, idempotent=False)
            return None
        body["remark"] = self.remark(registration)
        answer = self.client.call(f"{EXPENSE_RESOURCES[source_type]}.registerPayment", body, idempotent=False)
        return ((answer or {}).get("data") or {}).get("id")

    def remove(self, source_type: str, focus_id: str, held: Iterable[Registration]) -> None:
        """Take the connector's payments away: an invoice's all at once (Focus removes every payment of an
        invoice; the caller made sure they are all the connector's), an expense's one by one."""
        if source_type == INVOICE:
            self.client.call("invoices.removePayments", {"id": focus_id}, idempotent=False)
            return
        resource = EXPENSE_RESOURCES[source_type]
        for registration in held:
            if registration.focus_payment_id:
                self.client.call(f"{resource}.removePayment",
                                 {"id": focus_id, "payment_id": registration.focus_payment_id}, idempotent=False)

    def remark(self, registration: Registration) -> str:
        return REMARK.format(tool=self.tool, marker=registration.marker)

    def is_ours(self, payment: FocusPayment, markers: set[str]) -> bool:
        return any(payment.remark and payment.remark.endswith(f"({marker})") for marker in markers)
