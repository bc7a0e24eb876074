"""What the contract suite needs to know about each tool's sandbox.

A harness starts the tool's sandbox, gives the connector a connection and
(where the tool uses OAuth) a token — the consent step borrows the
production OAuth helper, nothing else of the client — reads the books back through the
sandbox's admin API in one shape (``ToolBooking``), tells writes from reads
in the request log, closes a period and injects a commit-then-timeout.
Adding a tool to the suite is one more harness here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import httpx
import pytest

from connectors.connections import connection_json
from connectors.oauth import TokenStore
from connectors.targets.exact_online import ExactOAuth, parse_date
from sandbox.runner import DEMO_REDIRECT_URI, RunningSandbox, start_sandbox
from tests.conftest import ExactApi

CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class ToolBooking:
    """A booked document as the tool holds it: per line ledger account, VAT code, net and VAT."""

    reference: str
    journal: str
    date: dt.date
    party_id: str
    lines: tuple[tuple[str, str, Decimal, Decimal], ...]
    total: Decimal  # incl. VAT, signed as the tool stores it
    is_credit: bool  # what the tool takes it for: a credit note or an invoice


class ToolHarness(Protocol):
    name: str
    connection_id: str
    administration: str
    #: the path fragment of the booking endpoints in the request log
    booking_endpoints: tuple[str, ...]
    #: the booking endpoint ``commit_then_timeout`` strikes
    timeout_endpoint: str

    @contextmanager
    def running(self) -> Iterator[RunningSandbox]: ...

    def connection(self, sandbox: RunningSandbox, timeout: float) -> str: ...

    def connect(self, sandbox: RunningSandbox, store: TokenStore) -> None: ...

    def books(self, sandbox: RunningSandbox) -> list[ToolBooking]: ...

    def is_write(self, request: dict[str, Any]) -> bool: ...

    def close_period(self, sandbox: RunningSandbox, day: dt.date, journal: str) -> None: ...

    def commit_then_timeout(self, sandbox: RunningSandbox, delay: float) -> None: ...

    def parties(self, sandbox: RunningSandbox) -> list[tuple[str, str]]:
        """Every customer/supplier record in the administration: (id, name)."""
        ...

    def party_create_times_out(self, sandbox: RunningSandbox, delay: float) -> None:
        """The next party create commits, then its answer is held back ``delay`` seconds."""
        ...

    def slow_bookings(self, sandbox: RunningSandbox, seconds: float) -> None:
        """Every booking write waits ``seconds`` before the tool handles it (posts overlap in flight)."""
        ...

    def lookups_fail(self, sandbox: RunningSandbox) -> None:
        """Reading bookings back answers an error that is not the tool's "nothing found"."""
        ...

    def booking_posts(self, sandbox: RunningSandbox) -> list[dict]:
        ...

    def documents_in(self, request: dict) -> int:
        """How many documents one booking call (from ``booking_posts``) carried."""
        ...

    # -- what accountants do in the tool (payments back-fill) ----------------------------------
    #: the request-log endpoints of the tool's open-items read
    open_item_endpoints: tuple[str, ...]

    def pay(self, sandbox: RunningSandbox, booking: BookingId, amount: Decimal, *, on: dt.date | None = None,
            late_fee: Decimal | None = None) -> None:
        """A payment (or part of one) of a booking; ``late_fee``: paid on top as a late fee."""
        ...

    def charge_fee(self, sandbox: RunningSandbox, booking: BookingId, amount: Decimal) -> None:
        """A late fee charged on the booking: its open amount grows."""
        ...

    def match(self, sandbox: RunningSandbox, credit_note: BookingId, invoice: BookingId) -> None:
        """A credit note matched against an invoice of the same party."""
        ...

    def reverse(self, sandbox: RunningSandbox, booking: BookingId) -> None:
        """The booking's latest payment or match undone."""
        ...

    def delete(self, sandbox: RunningSandbox, booking: BookingId) -> None:
        """The booking deleted in the tool."""
        ...


@dataclass(frozen=True)
class BookingId:
    """A booking as the connector's ledger knows it: the tool's id and the document date."""

    target_id: str
    date: dt.date


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class ExactOnlineHarness:
    name = "exact_online"
    connection_id = "exact_contract"
    administration = "100001"
    booking_endpoints = ("salesentry/SalesEntries", "purchaseentry/PurchaseEntries")
    timeout_endpoint = "salesentry/SalesEntries"  # where commit_then_timeout strikes

    @contextmanager
    def running(self) -> Iterator[RunningSandbox]:
        with start_sandbox("exact_online", extra_args=["--country", "be"]) as sandbox:
            sandbox.configure(minutely_limit=100_000)  # pacing has its own tests
            yield sandbox

    def connection(self, sandbox: RunningSandbox, timeout: float) -> str:
        return connection_json(sandbox.base_url, "sandbox", "sandbox", timeout=timeout)

    def connect(self, sandbox: RunningSandbox, store: TokenStore) -> None:
        with httpx.Client(timeout=10) as http:
            store.save(ExactOAuth(http, sandbox.base_url, "sandbox", "sandbox").exchange_code(
                sandbox.authorization_code(), redirect_uri=DEMO_REDIRECT_URI))

    def books(self, sandbox: RunningSandbox) -> list[ToolBooking]:
        out = []
        for item in sandbox.admin("GET", f"entries?division={self.administration}").json()["data"]:
            entry = item["entry"]
            if not (entry.get("YourRef") or "").startswith("FC-"):
                continue
            lines_key = "SalesEntryLines" if item["kind"] == "sales" else "PurchaseEntryLines"
            out.append(ToolBooking(
                reference=entry["YourRef"], journal=str(entry["Journal"]).strip(),
                date=parse_date(entry["EntryDate"]).date(),
                party_id=entry.get("Customer") or entry.get("Supplier"),
                lines=tuple((str(ln["GLAccountCode"]).strip(), str(ln["VATCode"]).strip(), money(ln["AmountFC"]),
                             money(ln["VATAmountFC"])) for ln in entry[lines_key]),
                total=money(entry["AmountFC"]),
                is_credit=int(entry["Type"]) in (21, 31),
            ))
        return out

    def is_write(self, request: dict[str, Any]) -> bool:
        return request["method"] in ("POST", "PUT", "DELETE") and not request["endpoint"].startswith("oauth2")

    def close_period(self, sandbox: RunningSandbox, day: dt.date, journal: str) -> None:
        response = sandbox.admin("POST", "periods/close", {"division": int(self.administration), "year": day.year,
                                                          "period": day.month})
        response.raise_for_status()

    def commit_then_timeout(self, sandbox: RunningSandbox, delay: float) -> None:
        sandbox.add_fault(endpoint="salesentry/SalesEntries", method="POST", kind="commit_then_delay",
                          delay_seconds=delay, count=1)

    def parties(self, sandbox: RunningSandbox) -> list[tuple[str, str]]:
        api = ExactApi(sandbox, int(self.administration))
        try:
            return [(row["ID"], row["Name"]) for row in api.results("crm/Accounts", {"$select": "ID,Name"})]
        finally:
            api.http.close()

    def party_create_times_out(self, sandbox: RunningSandbox, delay: float) -> None:
        sandbox.add_fault(endpoint="crm/Accounts", method="POST", kind="commit_then_delay", delay_seconds=delay,
                          count=1)

    def slow_bookings(self, sandbox: RunningSandbox, seconds: float) -> None:
        for endpoint in self.booking_endpoints:
            sandbox.add_fault(endpoint=endpoint, method="POST", kind="slow", delay_seconds=seconds)

    def lookups_fail(self, sandbox: RunningSandbox) -> None:
        for endpoint in self.booking_endpoints:
            sandbox.add_fault(endpoint=endpoint, method="GET", kind="error", status=503)

    def booking_posts(self, sandbox: RunningSandbox) -> list[dict]:
        return [r for r in sandbox.requests() if r["method"] == "POST" and r["endpoint"] in self.booking_endpoints]

    def documents_in(self, request: dict) -> int:
        return 1

    #: Where the fault campaign injects errors, 429s and token expiry (reads and writes alike).
    open_item_endpoints = ("read/financial/ReceivablesList", "read/financial/PayablesList")

    def _admin(self, sandbox: RunningSandbox, path: str, body: dict) -> None:
        response = sandbox.admin("POST", path, {"division": int(self.administration),
                                                **{k: v for k, v in body.items() if v is not None}})
        assert response.status_code < 300, response.text

    def pay(self, sandbox, booking, amount, *, on=None, late_fee=None) -> None:
        self._admin(sandbox, "payments", {"entry_id": booking.target_id, "amount": str(amount),
                                          "date": on.isoformat() if on else None, "late_fee": _amount(late_fee)})

    def charge_fee(self, sandbox, booking, amount) -> None:
        self._admin(sandbox, "fees", {"entry_id": booking.target_id, "amount": str(amount)})

    def match(self, sandbox, credit_note, invoice) -> None:
        self._admin(sandbox, "matches", {"credit_entry_id": credit_note.target_id,
                                         "invoice_entry_id": invoice.target_id})

    def reverse(self, sandbox, booking) -> None:
        self._admin(sandbox, "payments/reverse", {"entry_id": booking.target_id})

    def delete(self, sandbox, booking) -> None:
        self._admin(sandbox, "entries/delete", {"entry_id": booking.target_id})

    chaos_endpoints = ("salesentry/SalesEntries", "purchaseentry/PurchaseEntries", "crm/Accounts",
                       "financial/GLAccounts", "vat/VATCodes", "financial/Journals", "hrm/Divisions", "*")

    def chaos_commit_then_timeout(self, rng) -> dict:
        return {"endpoint": rng.choice(self.booking_endpoints), "method": "POST", "kind": "commit_then_delay",
                "delay_seconds": 4, "count": 1}

    def chaos_party_commit_then_timeout(self) -> dict:
        return {"endpoint": "crm/Accounts", "method": "POST", "kind": "commit_then_delay", "delay_seconds": 4,
                "count": 1}


class OctopusHarness:
    name = "octopus"
    connection_id = "octopus_contract"
    administration = "8001"
    booking_endpoints = ("buysellbookings.post",)
    timeout_endpoint = "buysellbookings.post"
    software_house_uuid = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"

    @contextmanager
    def running(self) -> Iterator[RunningSandbox]:
        with start_sandbox("octopus") as sandbox:
            yield sandbox

    def connection(self, sandbox: RunningSandbox, timeout: float) -> str:
        return connection_json(f"{sandbox.base_url}/octopus-rest-api/v1", "sandbox", "sandbox", timeout=timeout,
                               software_house_uuid=self.software_house_uuid)

    def connect(self, sandbox: RunningSandbox, store: TokenStore) -> None:
        """Nothing to consent to: the connection's credentials are enough."""

    def books(self, sandbox: RunningSandbox) -> list[ToolBooking]:
        out = []
        for booking in sandbox.admin("GET", f"bookings?dossier={self.administration}").json()["data"]:
            data = booking.get("buySellBookingServiceData", booking)
            if not (data.get("orderReference") or "").startswith("FC-"):
                continue
            ident = data["relationIdentificationServiceData"]
            out.append(ToolBooking(
                reference=data["orderReference"], journal=data["journalKey"],
                date=dt.date.fromisoformat(str(data["documentDate"])[:10]),
                party_id=str((ident.get("relationKey") or {}).get("id")),
                lines=tuple((str(ln["accountKey"]), ln["vatCodeKey"], money(ln["baseAmount"]), money(ln["vatAmount"]))
                            for ln in data["bookingLines"]),
                total=money(data["amount"]),
                is_credit=money(data["amount"]) < 0,  # Octopus: a credit note has a negative total
            ))
        return out

    def is_write(self, request: dict[str, Any]) -> bool:
        return request["endpoint"] in ("buysellbookings.post", "buysellbookings.put", "relations.put")

    def close_period(self, sandbox: RunningSandbox, day: dt.date, journal: str) -> None:
        response = sandbox.admin("POST", "journals/close", {"dossier": int(self.administration), "year": day.year,
                                                           "journal": journal, "period": day.year * 100 + day.month})
        response.raise_for_status()

    def commit_then_timeout(self, sandbox: RunningSandbox, delay: float) -> None:
        sandbox.add_fault(endpoint="buysellbookings.post", kind="commit_then_delay", delay_seconds=delay, count=1)

    def parties(self, sandbox: RunningSandbox) -> list[tuple[str, str]]:
        relations = sandbox.admin("GET", f"relations?dossier={self.administration}").json()["data"]
        return [(str(r["relationIdentificationServiceData"]["relationKey"]["id"]), r.get("name") or "")
                for r in relations]

    def party_create_times_out(self, sandbox: RunningSandbox, delay: float) -> None:
        sandbox.add_fault(endpoint="relations.put", kind="commit_then_delay", delay_seconds=delay, count=1)

    def slow_bookings(self, sandbox: RunningSandbox, seconds: float) -> None:
        sandbox.add_fault(endpoint="buysellbookings.post", kind="slow", delay_seconds=seconds)

    def lookups_fail(self, sandbox: RunningSandbox) -> None:
        # A 404 that is not Octopus's "No … found": an unknown book year, say. Never read as "absent".
        sandbox.add_fault(endpoint="buysellbookings.modified", kind="error", status=404,
                          title="Bookyear 3 not found")

    def booking_posts(self, sandbox: RunningSandbox) -> list[dict]:
        return [r for r in sandbox.requests() if r["endpoint"] == "buysellbookings.post"]

    def documents_in(self, request: dict) -> int:
        return 1

    open_item_endpoints = ("reports.clients.open", "reports.suppliers.open")

    def _booking(self, booking: BookingId) -> dict:
        _, journal, number = booking.target_id.split("/")
        return {"year": booking.date.year, "journal": journal, "documentSequenceNr": int(number)}

    def _admin(self, sandbox: RunningSandbox, path: str, body: dict) -> None:
        response = sandbox.admin("POST", path, {"dossier": int(self.administration),
                                                **{k: v for k, v in body.items() if v is not None}})
        assert response.status_code < 300, response.text

    def pay(self, sandbox, booking, amount, *, on=None, late_fee=None) -> None:
        self._admin(sandbox, "payments", {**self._booking(booking), "amount": str(amount),
                                          "date": on.isoformat() if on else None, "late_fee": _amount(late_fee)})

    def charge_fee(self, sandbox, booking, amount) -> None:
        self._admin(sandbox, "fees", {**self._booking(booking), "amount": str(amount)})

    def match(self, sandbox, credit_note, invoice) -> None:
        self._admin(sandbox, "matches", {"credit": self._booking(credit_note), "invoice": self._booking(invoice)})

    def reverse(self, sandbox, booking) -> None:
        self._admin(sandbox, "payments/reverse", self._booking(booking))

    def delete(self, sandbox, booking) -> None:
        self._admin(sandbox, "bookings/delete", self._booking(booking))

    chaos_endpoints = ("buysellbookings.post", "buysellbookings.modified", "relations.put", "relations.search",
                       "bookyears", "journals", "*")

    def chaos_commit_then_timeout(self, rng) -> dict:
        return {"endpoint": "buysellbookings.post", "kind": "commit_then_delay", "delay_seconds": 4, "count": 1}

    def chaos_party_commit_then_timeout(self) -> dict:
        return {"endpoint": "relations.put", "kind": "commit_then_delay", "delay_seconds": 4, "count": 1}


class YukiHarness:
    """Yuki: one access key for the demo domain's "Yuki Demo BV", with the Purchase service's API client. The
    daily cap is lifted for the suite (the cap has its own tests); each test books into a fresh sandbox."""

    name = "yuki"
    connection_id = "yuki_contract"
    administration = ""  # the administration's GUID, known once the sandbox runs
    booking_endpoints = ("Sales.ProcessSalesInvoices", "Purchase.ProcessPurchaseInvoices")
    timeout_endpoint = "Sales.ProcessSalesInvoices"
    writes = (*booking_endpoints, "Contact.UpdateContact")
    admin_name = "Yuki Demo BV"
    daily_limit = 1_000_000

    @contextmanager
    def running(self) -> Iterator[RunningSandbox]:
        with start_sandbox("yuki") as sandbox:
            sandbox.configure(daily_limit=self.daily_limit)
            self.keys = sandbox.mint_tokens(domain="Yuki Demo")
            domain = next(d for d in sandbox.admin("GET", "manifest").json()["domains"] if d["name"] == "Yuki Demo")
            self.domain = domain["id"]
            self.administration = next(a["id"] for a in domain["administrations"] if a["name"] == self.admin_name)
            self.seeded = {c["ID"] for c in self._contacts(sandbox)}  # the demo domain's own contacts
            yield sandbox

    def connection(self, sandbox: RunningSandbox, timeout: float) -> str:
        return connection_json(sandbox.base_url, "", self.keys["accessKey"], timeout=timeout,
                               client_id=self.keys["clientID"], client_secret=self.keys["clientSecret"],
                               daily_limit=self.daily_limit)

    def connect(self, sandbox: RunningSandbox, store: TokenStore) -> None:
        """Nothing to consent to: the access key is the credential."""

    def books(self, sandbox: RunningSandbox) -> list[ToolBooking]:
        out = []
        for doc in sandbox.admin("GET", f"documents?administration={self.administration}").json()["data"]:
            if not (doc.get("Reference") or "").startswith("FC-") or doc.get("Status") != "booked":
                continue
            # Yuki keeps VAT per VAT type, not per line: each type's VAT goes on its first line.
            # Credit notes are stored negative; the suite reads their lines as the document does (positive).
            sign = -1 if money(doc["Amount"]) < 0 else 1
            vat_left = {int(v["VATType"]): money(v["VATAmount"]) for v in doc["VAT"]}
            lines = []
            for line in doc["Lines"]:
                vat = vat_left.pop(int(line["VATType"]), Decimal("0.00"))
                lines.append((str(line["GLAccountCode"]), str(line["VATType"]), sign * money(line["NetAmount"]),
                              sign * vat))
            out.append(ToolBooking(
                reference=doc["Reference"], journal="sales" if doc["Kind"] == "sales" else "purchase",
                date=dt.date.fromisoformat(doc["Date"]), party_id=doc["ContactID"], lines=tuple(lines),
                total=money(doc["Amount"]), is_credit=money(doc["Amount"]) < 0,
            ))
        return out

    def is_write(self, request: dict[str, Any]) -> bool:
        return request["endpoint"] in self.writes

    def close_period(self, sandbox: RunningSandbox, day: dt.date, journal: str) -> None:
        pytest.skip("Yuki's sales and purchase imports know no closed periods (none in apis.md §4)")

    def commit_then_timeout(self, sandbox: RunningSandbox, delay: float) -> None:
        sandbox.add_fault(endpoint="Sales.ProcessSalesInvoices", kind="commit_then_delay", delay_seconds=delay,
                          count=1)

    def _contacts(self, sandbox: RunningSandbox) -> list[dict]:
        return sandbox.admin("GET", f"contacts?domain={self.domain}").json()["data"]

    def parties(self, sandbox: RunningSandbox) -> list[tuple[str, str]]:
        """The contacts the suite's runs made (the demo domain starts with a few of its own)."""
        return [(c["ID"], c["FullName"]) for c in self._contacts(sandbox) if c["ID"] not in self.seeded]

    def party_create_times_out(self, sandbox: RunningSandbox, delay: float) -> None:
        sandbox.add_fault(endpoint="Contact.UpdateContact", kind="commit_then_delay", delay_seconds=delay, count=1)

    def slow_bookings(self, sandbox: RunningSandbox, seconds: float) -> None:
        for endpoint in self.booking_endpoints:
            sandbox.add_fault(endpoint=endpoint, kind="slow", delay_seconds=seconds)

    def lookups_fail(self, sandbox: RunningSandbox) -> None:
        sandbox.add_fault(endpoint="AccountingInfo.GetTransactionDetails", kind="error", status=500,
                          title="Server was unable to process request. ---> Timeout expired")

    def booking_posts(self, sandbox: RunningSandbox) -> list[dict]:
        return [r for r in sandbox.requests() if r["endpoint"] in self.booking_endpoints]

    def documents_in(self, request: dict) -> int:
        return int(request["body"]["batch"])

    open_item_endpoints = ("Accounting.OutstandingDebtorItems", "Accounting.OutstandingCreditorItems")

    def _admin(self, sandbox: RunningSandbox, path: str, body: dict) -> dict:
        response = sandbox.admin("POST", path, {"administration": self.administration,
                                                **{k: v for k, v in body.items() if v is not None}})
        assert response.status_code < 300, response.text
        return response.json()

    def pay(self, sandbox, booking, amount, *, on=None, late_fee=None) -> None:
        if late_fee is not None:
            pytest.skip("the Yuki sandbox keeps no late fees")
        self._admin(sandbox, "payments", {"reference": booking.target_id, "amount": str(amount),
                                          "date": on.isoformat() if on else None})

    def charge_fee(self, sandbox, booking, amount) -> None:
        pytest.skip("the Yuki sandbox keeps no late fees")

    def match(self, sandbox, credit_note, invoice) -> None:
        self._admin(sandbox, "matches", {"credit": {"reference": credit_note.target_id},
                                         "invoice": {"reference": invoice.target_id}})

    def reverse(self, sandbox, booking) -> None:
        self._admin(sandbox, "payments/reverse", {"reference": booking.target_id})

    def delete(self, sandbox, booking) -> None:
        self._admin(sandbox, "documents/delete", {"reference": booking.target_id})

    chaos_endpoints = ("Sales.ProcessSalesInvoices", "Purchase.ProcessPurchaseInvoices", "Contact.UpdateContact",
                       "Contact.SearchContacts", "AccountingInfo.GetTransactionDetails", "*")

    def chaos_commit_then_timeout(self, rng) -> dict:
        return {"endpoint": rng.choice(self.booking_endpoints), "kind": "commit_then_delay", "delay_seconds": 4,
                "count": 1}

    def chaos_party_commit_then_timeout(self) -> dict:
        return {"endpoint": "Contact.UpdateContact", "kind": "commit_then_delay", "delay_seconds": 4, "count": 1}


#: Whether the tool's reads give the date of a payment (Octopus's open items and balancings have none, nor
#: Yuki's).
TOOL_KEEPS_PAYMENT_DATES = {"exact_online": True, "octopus": False, "yuki": False}

HARNESSES: dict[str, type[ToolHarness]] = {"exact_online": ExactOnlineHarness, "octopus": OctopusHarness,
                                           "yuki": YukiHarness}
