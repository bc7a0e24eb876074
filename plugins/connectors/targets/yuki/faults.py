"""What a Yuki SOAP fault means: a lapsed session, the daily cap, bad credentials, or the web method's refusal.

Yuki answers every fault as ASP.NET does (HTTP 500, ``soap:Fault`` with a
``faultstring``); the wording is all there is to go on. The texts matched
here are the ones clients match on ("Invalid access key", a message starting
with "Invalid session", "The maximum number of web service calls").
"""

from __future__ import annotations

from lxml import etree

from connectors.oauth import AuthError
from connectors.targets.base import QuotaSpent, TargetError

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
RECONNECT_HINT = ("check the Yuki access key (and, for purchase invoices, the client ID and secret from Yuki support) "
                  "in the Airflow connection")


class YukiFault(TargetError):
    """Yuki refused the call; ``message`` is its faultstring."""

    def __init__(self, operation: str, message: str):
        super().__init__(f"Yuki {operation}: {message}")
        self.operation = operation
        self.message = message


def session_lapsed(message: str) -> bool:
    return message.strip().lower().startswith("invalid session")


def classify(operation: str, message: str) -> Exception:
    """The connector's error for a fault's text (a lapsed session is handled by the caller first)."""
    lowered = message.lower()
    if "maximum number of web service calls" in lowered:
        return QuotaSpent(f"Yuki refused {operation}: {message}; the next run continues")
    if "invalid access key" in lowered or "invalid client id" in lowered:
        return AuthError(f"Yuki refused the credentials ({message}); {RECONNECT_HINT}")
    return YukiFault(operation, message)


def fault_text(content: bytes) -> str | None:
    """The ``faultstring`` of a SOAP 1.1 fault answer, or None when the body is no fault."""
    try:
        root = etree.fromstring(content)
    except etree.XMLSyntaxError:
        return None
    node = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    if node is None:
        return None
    return (node.findtext("faultstring") or "").strip()
