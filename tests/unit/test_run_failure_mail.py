"""A failed entity run is mailed to the data team through the connector's SMTP connection (aiosmtpd here);
without that connection nothing is sent and nothing fails."""

from __future__ import annotations

import json
import socket
from email import message_from_bytes
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller

from connectors.notify import RunFailedNotifier


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler hook
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SimpleNamespace(messages=box.messages, port=controller.port)
    controller.stop()


@pytest.fixture
def no_state(tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECTOR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.delenv("AIRFLOW_CONN_CONNECTOR_SMTP", raising=False)


CONTEXT = {"dag_run": SimpleNamespace(dag_id="accounting_sync__acme", run_id="manual__2026-11-30"),
           "reason": "task_failure"}


def test_a_failed_run_is_mailed_to_the_recipients_of_the_smtp_connection(inbox, no_state, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_CONNECTOR_SMTP", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": inbox.port,
        "extra": {"from": "connector@acme.test", "to": "data@acme.test, books@acme.test"}}))
    RunFailedNotifier("acme").notify(CONTEXT)
    [(recipients, mail)] = inbox.messages
    assert recipients == ["data@acme.test", "books@acme.test"]
    assert mail["Subject"] == "[Focus Accounting Connector] acme: sync run failed"
    body = mail.get_payload()
    assert "manual__2026-11-30" in body and "focus-connector integrations status acme" in body


def test_without_an_smtp_connection_nothing_is_sent_and_nothing_fails(inbox, no_state):
    RunFailedNotifier("acme").notify(CONTEXT)
    assert inbox.messages == []


def test_an_unreachable_mail_server_does_not_fail_the_callback(no_state, monkeypatch, caplog):
    with socket.socket() as closed:  # bound, never listening, for the whole test: no other process takes the port
        closed.bind(("127.0.0.1", 0))
        monkeypatch.setenv("AIRFLOW_CONN_CONNECTOR_SMTP", json.dumps({
            "conn_type": "smtp", "host": "127.0.0.1", "port": closed.getsockname()[1], "password": "mail-secret",
            "login": "robot", "extra": {"to": "data@acme.test"}}))
        RunFailedNotifier("acme").notify(CONTEXT)
    assert "Could not mail the failure of acme" in caplog.text
    assert "mail-secret" not in caplog.text
