"""No payment is registered in Focus twice: not after a lost answer, a killed worker, or two workers at once.

Faults are injected where they hurt most: Focus took the payment but the connector never heard (its answer
held back past the client's timeout, or the worker dies before recording it). What Focus holds is read back
from the Focus sandbox.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
from collections import Counter
from decimal import Decimal

import pytest

from connectors.domain import DocumentKind
from connectors.focus.client import RetryPolicy
from connectors.focus.connection import focus_client
from connectors.payments.registry import PaymentRegistry
from connectors.state import clock
from connectors.state.claims import lease_from_env
from connectors.sync import run
from connectors.tasks import production_env
from sandbox.runner import RunningSandbox
from tests.contract.conftest import ENTITY
from tests.contract.test_payments import PAID_ON, payments_in_focus, total, unpaid
from tests.contract.test_target_contract import sync
from tests.contract.tools import ToolHarness

#: Long enough to outlast the short client timeout below: Focus commits, the connector never hears.
HELD_BACK = 4.0



# The tool and its sandbox are those of the module's booked world (``payments_world``), not a new one per test.
@pytest.fixture
def tool(payments_world) -> ToolHarness:
    return payments_world.tool


@pytest.fixture
def tool_sandbox(payments_world) -> RunningSandbox:
    return payments_world.tool_sandbox

def impatient(env):
    """The same entity, with a Focus client that gives up after 1.5 s and tries a write once."""
    return dataclasses.replace(env, focus=lambda: focus_client(env.engine, retry=RetryPolicy(
        timeout=1.5, max_attempts=1)))


def after_the_lease(monkeypatch) -> None:
    later = clock.now() + lease_from_env() + dt.timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)


def paid_fully(tool, tool_sandbox, env, count: int):
    invoices = unpaid(env, DocumentKind.SALES_INVOICE, count)
    for invoice, booking in invoices:
        tool.pay(tool_sandbox, booking, total(invoice), on=PAID_ON)
    return [invoice for invoice, _ in invoices]


def registrations_in_focus(api, invoices) -> dict[str, int]:
    return {invoice.number: len(payments_in_focus(api, invoice.source_id)) for invoice in invoices}


def test_a_payment_whose_answer_was_lost_is_checked_in_focus_and_never_registered_again(
        books, tool, tool_sandbox, own_focus, focus_api, monkeypatch):
    invoices = paid_fully(tool, tool_sandbox, books, 2)
    own_focus.add_fault(endpoint="invoices.registerPayment", kind="commit_then_delay", delay_seconds=HELD_BACK,
                        count=1)
    sync(impatient(books))
    own_focus.clear_faults()
    after_the_lease(monkeypatch)
    sync(books)
    sync(books)
    assert registrations_in_focus(focus_api, invoices) == {invoice.number: 1 for invoice in invoices}
    assert all(focus_api.data("invoices.info", {"id": i.source_id})["paid"] for i in invoices)


def test_a_worker_killed_after_focus_took_the_payment_never_makes_it_register_twice(
        books, tool, tool_sandbox, focus_api, monkeypatch):
    invoices = paid_fully(tool, tool_sandbox, books, 4)
    original = PaymentRegistry.confirm
    confirmed = Counter()

    def confirm_or_die(self, registration, **kwargs):
        confirmed["calls"] += 1
        if confirmed["calls"] == 2:
            raise SystemExit("worker killed after Focus took the payment")
        return original(self, registration, **kwargs)

    monkeypatch.setattr(PaymentRegistry, "confirm", confirm_or_die)
    run_id = run.start(books, "manual__killed")
    with contextlib.suppress(SystemExit):
        run.backfill_payments(books, run_id)
    monkeypatch.setattr(PaymentRegistry, "confirm", original)
    sync(books)  # within the lease: the dead worker's payment is left alone, the others are done
    after_the_lease(monkeypatch)
    sync(books)
    assert registrations_in_focus(focus_api, invoices) == {invoice.number: 1 for invoice in invoices}


def test_two_back_fills_at_once_register_each_payment_once(books, tool, tool_sandbox, own_focus, focus_api):
    invoices = paid_fully(tool, tool_sandbox, books, 4)
    own_focus.add_fault(endpoint="invoices.registerPayment", kind="slow", delay_seconds=0.2)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def worker() -> None:
        env = production_env(ENTITY, books.engine)
        run_id = run.start(env, "manual__concurrent")
        start.wait()
        try:
            run.backfill_payments(env, run_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    own_focus.clear_faults()
    sync(books)
    assert failures == []
    assert registrations_in_focus(focus_api, invoices) == {invoice.number: 1 for invoice in invoices}


def test_a_partial_payment_then_the_rest_adds_up_to_the_total_exactly(books, tool, tool_sandbox, focus_api):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    first = Decimal("0.01")
    tool.pay(tool_sandbox, booking, first, on=PAID_ON)
    sync(books)
    tool.pay(tool_sandbox, booking, total(invoice) - first, on=PAID_ON)
    sync(books)
    amounts = [amount for amount, _ in payments_in_focus(focus_api, invoice.source_id)]
    assert amounts == [first, total(invoice) - first]
