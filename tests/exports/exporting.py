"""Running offline exports in tests: the production steps against the Focus sandbox over real HTTP, a real
state database, and an exports folder of the test's own; plus ``FocusTruth``, what Focus states per document
and VAT rate, read with a bare HTTP caller (no connector code), for the tests' expected values."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from connectors.exports import job
from connectors.exports.settings import ExportSettings, Profile, save_profile
from connectors.focus.auth import FocusOAuth
from connectors.focus.client import FocusClient
from connectors.oauth import MemoryTokenStore, TokenManager
from sandbox.runner import DEMO_REDIRECT_URI, RunningSandbox
from tests.sandbox.support import Api

#: What a bookkeeper would set up for a Belgian demo department (any line without a product-category account
#: goes to 700000, discounts to 708000).
DEMO_SETTINGS = ExportSettings(
    ledger_by_rate={"0.21": "700000", "0.12": "700000", "0.06": "700000", "0.09": "700000", "0": "700000"},
    fill_lines_by_rate=True, sales_discount_account="708000", invoice_journal="VF", credit_note_journal="VC")


@dataclass
class Exporter:
    engine: Engine
    focus: RunningSandbox
    exports_dir: Path
    _tokens: MemoryTokenStore | None = None
    opened: list[httpx.Client] = field(default_factory=list)

    def client(self) -> FocusClient:
        if self._tokens is None:
            http = httpx.Client(timeout=10)
            self.opened.append(http)
            oauth = FocusOAuth(http, self.focus.base_url, "sandbox", "sandbox")
            self._tokens = MemoryTokenStore(oauth.exchange_code(self.focus.authorization_code(),
                                                                redirect_uri=DEMO_REDIRECT_URI))
        http = httpx.Client(timeout=30)
        tokens = TokenManager(FocusOAuth(http, self.focus.base_url, "sandbox", "sandbox"), self._tokens)
        return FocusClient(self.focus.base_url, tokens, http=http, owns_http=True)

    def department(self, position: int) -> dict[str, Any]:
        return self.focus.manifest()["departments"][position]

    def setup(self, entity: str, position: int, settings: ExportSettings = DEMO_SETTINGS) -> Profile:
        department = self.department(position)
        return save_profile(self.engine, Profile(entity, department["id"], department["name"],
                                                 department.get("country"), settings))

    def start(self, entity: str, period: tuple[str, str], package: str, *, run_ref: str | None = None,
              **choices: Any) -> int:
        request = job.ExportRequest(entity=entity, period_from=dt.date.fromisoformat(period[0]),
                                    period_to=dt.date.fromisoformat(period[1]), package=package, **choices)
        return job.start(self.engine, request, run_ref or f"test:{entity}:{period}:{package}:{id(request)}")

    def until_quote(self, export_id: int) -> dict[str, Any]:
        job.collect(self.engine, self.client, export_id)
        job.validate(self.engine, export_id)
        return job.quote(self.engine, export_id)

    def export(self, entity: str, period: tuple[str, str], package: str, **choices: Any) -> int:
        """Every step, approved: the export's id (published)."""
        export_id = self.start(entity, period, package, **choices)
        self.until_quote(export_id)
        job.approve(self.engine, export_id, "test")
        job.write(self.engine, export_id)
        job.publish_and_bill(self.engine, export_id)
        return export_id

    def close(self) -> None:
        for http in self.opened:
            http.close()


def published_files(exports_dir: Path, entity: str) -> list[Path]:
    return sorted(p for p in (exports_dir / entity).rglob("*") if p.is_file() and "reports" not in p.parts)


# -- what Focus states, read without the connector ------------------------------------------------------


@dataclass(frozen=True)
class FocusDocument:
    focus_id: str
    source_type: str
    number: str
    date: dt.date
    #: VAT rate (fraction) → (taxable, tax), signed the way the export states them: a negative invoice is
    #: exported as a credit note, so its figures are flipped to positive.
    per_rate: dict[Decimal, tuple[Decimal, Decimal]]
    total_incl: Decimal
    customer: tuple[str, str]

    @property
    def exported_as_credit_note(self) -> bool:
        return self.source_type == "creditNote" or self.total_incl < 0


class FocusTruth:
    """Booked invoices and credit notes of a department in a period, as Focus states them."""

    def __init__(self, focus: RunningSandbox):
        self.api = Api(focus)
        self._read: dict[tuple[str, tuple[str, str]], list[FocusDocument]] = {}

    def close(self) -> None:
        self.api.http.close()

    def documents(self, department_id: str, period: tuple[str, str]) -> list[FocusDocument]:
        """(Read once per department and period: the demo data does not change under these tests.)"""
        key = (department_id, period)
        if key not in self._read:
            self._read[key] = self._documents(department_id, period)
        return self._read[key]

    def _documents(self, department_id: str, period: tuple[str, str]) -> list[FocusDocument]:
        first, last = (dt.date.fromisoformat(d) for d in period)
        out = []
        for item in self.api.all("invoices.list", {"filter": {"department_id": department_id}}):
            if item["status"] in ("outstanding", "matched") and first <= dt.date.fromisoformat(
                    item["invoice_date"]) <= last:
                out.append(self._info("invoice", self.api.data("invoices.info", {"id": item["id"]})))
        for item in self.api.all("creditNotes.list", {"filter": {"department_id": department_id}}):
            if first <= dt.date.fromisoformat(item["credit_note_date"]) <= last:
                info = self.api.data("creditNotes.info", {"id": item["id"]})
                out.append(self._info("creditNote", info[0] if isinstance(info, list) else info))
        return out

    @staticmethod
    def _info(source_type: str, info: dict[str, Any]) -> FocusDocument:
        total = info["total"]
        incl = Decimal(str(total["tax_inclusive"]["amount"]))
        sign = Decimal(-1) if incl < 0 else Decimal(1)
        per_rate: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
        for tax in total.get("taxes") or []:
            rate = Decimal(str(tax["rate"]))
            per_rate[rate][0] += Decimal(str(tax["taxable"]["amount"])) * sign
            per_rate[rate][1] += Decimal(str(tax["tax"]["amount"])) * sign
        number = info.get("invoice_number") or info.get("credit_note_number")
        day = info.get("invoice_date") or info.get("credit_note_date")
        customer = info["invoicee"]["customer"]
        return FocusDocument(info["id"], source_type, number, dt.date.fromisoformat(day),
                             {r: (money(t), money(x)) for r, (t, x) in per_rate.items()}, incl,
                             (customer["type"], customer["id"]))

    def customers(self, refs: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        found = {}
        for kind, endpoint in (("company", "companies.info"), ("contact", "contacts.info")):
            for ref in sorted(r for r in refs if r[0] == kind):
                found[ref] = self.api.data(endpoint, {"id": ref[1]})
        return found


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def by_number(documents: list[FocusDocument]) -> dict[str, FocusDocument]:
    return {d.number: d for d in documents}


Factory = Callable[..., Exporter]
