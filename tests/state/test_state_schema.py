"""The state schema: migrations and the constraints the ledger relies on."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from connectors.state.db import migrate, session_scope
from connectors.state.models import DocumentRecord, Integration, Journal, VatCodeLink


def test_migrations_create_every_table(engine):
    assert {"integrations", "integration_journals", "vat_code_links", "ledger_by_vat_rate", "oauth_tokens",
            "documents", "parties", "sync_runs", "sync_errors", "alembic_version"} <= set(inspect(engine).get_table_names())


def test_migrating_twice_is_harmless(engine):
    migrate(engine)


def _integration(**overrides) -> Integration:
    values = dict(entity="demo_be", focus_department_id="dept-1", target="exact_online",
                  target_connection_id="exact_default")
    return Integration(**(values | overrides))


def test_integration_keeps_its_journals_and_vat_links(engine):
    with session_scope(engine) as session:
        integration = _integration()
        integration.journals = [Journal(document_kind="sales_invoice", journal_code="70")]
        integration.vat_links = [VatCodeLink(direction="sales", source_key="tr-21", target_vat_code="1")]
        session.add(integration)
    with session_scope(engine) as session:
        stored = session.scalars(select(Integration)).one()
        assert [(j.document_kind, j.journal_code) for j in stored.journals] == [("sales_invoice", "70")]
        assert stored.vat_links[0].target_vat_code == "1"


def _document(**overrides) -> DocumentRecord:
    values = dict(department_id="dept-1", target="exact_online", source_type="invoice", focus_id="inv-1",
                  kind="sales_invoice", number="2026 / 1", document_date=dt.date(2026, 1, 5), content_hash="h",
                  payload={"n": 1})
    return DocumentRecord(**(values | overrides))


def test_a_focus_document_has_one_ledger_row_per_department(engine):
    with session_scope(engine) as session:
        session.add(_document())
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(_document(number="again"))


def test_deleting_an_integration_keeps_the_booked_document_ledger(engine):
    with session_scope(engine) as session:
        integration = _integration()
        session.add(integration)
        session.flush()
        session.add(_document(integration_id=integration.id, state="booked", target_id="E-1"))
    with session_scope(engine) as session:
        session.delete(session.scalars(select(Integration)).one())
    with session_scope(engine) as session:
        document = session.scalars(select(DocumentRecord)).one()
        assert (document.state, document.target_id, document.integration_id) == ("booked", "E-1", None)
