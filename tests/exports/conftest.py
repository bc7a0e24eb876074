"""Fixtures for the offline export: a state database on SQLite and PostgreSQL (``engine``), a Focus sandbox with
the demo's amount of data (module scope), and ``exporter``: the production export steps wired to both, with an
exports folder and an export snapshot of the test's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.runner import RunningSandbox, start_sandbox
from tests.exports.exporting import Exporter, FocusTruth
from tests.state.conftest import engine, state_url  # noqa: F401

#: As many invoices as `make demo` creates: the tests export what the demo exports.
DEMO_INVOICES = 60


@pytest.fixture(scope="module")
def focus_demo() -> Iterator[RunningSandbox]:
    with start_sandbox("focus", invoices=DEMO_INVOICES) as sandbox:
        # Focus's 200 calls a minute are tested elsewhere; here many exports and the bare reader share it.
        sandbox.configure(rate_limit=100_000)
        yield sandbox


@pytest.fixture
def exporter(engine, focus_demo, tmp_path, monkeypatch) -> Iterator[Exporter]:  # noqa: F811
    monkeypatch.setenv("CONNECTOR_EXPORTS_URL", str(tmp_path / "exports"))
    monkeypatch.setenv("CONNECTOR_EXPORT_ENTITIES_FILE", str(tmp_path / "export_entities.json"))
    monkeypatch.delenv("CONNECTOR_EXPORT_PRICE_PER_INVOICE", raising=False)
    found = Exporter(engine, focus_demo, tmp_path / "exports")
    yield found
    found.close()


@pytest.fixture(scope="module")
def truth(focus_demo) -> Iterator[FocusTruth]:
    found = FocusTruth(focus_demo)
    yield found
    found.close()
