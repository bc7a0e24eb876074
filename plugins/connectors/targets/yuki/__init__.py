"""Yuki behind the target contract: SOAP web services through zeep, batched imports, a daily call cap.

Protocol facts this package handles (apis.md §4): ``.asmx`` SOAP 1.1
services with a WSDL each (``client``); ``Authenticate(accessKey)`` →
a session id, renewed when a fault says "Invalid session"; parameter names
that differ in casing between operations (zeep takes them from the WSDL);
raw-XML results as elements or escaped text; faults as HTTP 500 SOAP faults
(``faults``); 1,000 calls per domain per day, counted by the connector
itself (``cap``).

How the connector plans around the cap: sales invoices and credit notes go
100 to a ``ProcessSalesInvoices`` call, purchases 100 to a
``ProcessPurchaseInvoices`` call (``bookings``); contacts are looked up by
the connector's code and written with one create-or-update call
(``parties``); bookings are read back with one ``GetTransactionDetails``
call; the ledger accounts are reused for 12 hours; what the payment
back-fill needs is kept aside, and a load that would not fit waits for the
next day.
"""

from __future__ import annotations

from connectors.connections import ConnectionInfo
from connectors.oauth import AuthError
from connectors.state.call_counts import MemoryCallCounter
from connectors.targets.base import TargetContext
from connectors.targets.yuki.cap import DEFAULT_DAILY_LIMIT, DailyCap
from connectors.targets.yuki.client import BASE_URL, YukiClient
from connectors.targets.yuki.faults import RECONNECT_HINT
from connectors.targets.yuki.target import YukiTarget

__all__ = ["BASE_URL", "YukiTarget", "build", "oauth"]


def build(connection: ConnectionInfo, context: TargetContext) -> YukiTarget:
    """From an Airflow connection: host = ``https://api.yukiworks.be`` (or ``.nl``), password = the web-service
    access key; extra ``client_id`` / ``client_secret`` (the Purchase service's API client from Yuki support),
    ``daily_limit`` (1000; 5000 or 10000 with Yuki's paid web-service features), ``timeout`` (seconds, 30)."""
    if not connection.password:
        raise AuthError(f"Connection {connection.conn_id!r} has no Yuki access key (its password); {RECONNECT_HINT}")
    extra = connection.extra
    counter = context.call_counter(connection.conn_id) if context.call_counter else MemoryCallCounter()
    cap = DailyCap(counter, int(extra.get("daily_limit") or DEFAULT_DAILY_LIMIT))
    client = YukiClient(connection.host or BASE_URL, connection.password, context.tokens, cap,
                        client_id=extra.get("client_id") or None, client_secret=extra.get("client_secret") or None,
                        timeout=float(extra.get("timeout", 30)))
    return YukiTarget(client, context.administration or "", external_ids=context.external_ids,
                      cached_master_data=context.cached_master_data)


def oauth(connection: ConnectionInfo) -> None:
    """Yuki has no consent step: the access key is the credential."""
    return None
