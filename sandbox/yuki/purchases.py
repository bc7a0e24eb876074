"""``Purchase.ProcessPurchaseInvoices(sessionId, administrationId, disableAutoCorrect, xmlDoc)``.

The same batch rules and response as the sales import (``imports``), in the
purchase namespaces, with two differences:

- the Purchase service needs an API client besides the access key ("client
  ID and secret from Yuki support"): the session must come from
  ``AuthenticateClient(clientID, clientSecret, accessKey)`` (the sandbox's
  ``--client-id`` / ``--client-secret``); a plain ``Authenticate`` session
  gets a ``soap:Server`` fault (SILENT wording, ``CLIENT_REQUIRED``);
- ``disableAutoCorrect`` is ``s:string`` in the live WSDL (the PHP types
  generated from it say so): "true" or "1" (any case) turns off absorbing a
  difference of at most 0.05 between ``InvoiceAmount`` and the lines.
"""

from __future__ import annotations

from lxml import etree

from sandbox.yuki import imports
from sandbox.yuki.booking import PURCHASE
from sandbox.yuki.context import Call
from sandbox.yuki.invoices import purchase_request
from sandbox.yuki.layouts import PURCHASE_INVOICE, PURCHASE_NS, PURCHASE_RESPONSE_NS
from sandbox.yuki.soap import SoapFault

CLIENT_REQUIRED = ("ProcessPurchaseInvoices requires an API client: authenticate with AuthenticateClient "
                   "(client ID and secret from Yuki support)")
PURCHASE_IMPORT = imports.ImportKind(PURCHASE, "PurchaseInvoices", PURCHASE_NS, PURCHASE_INVOICE,
                                     "PurchaseInvoicesImportResponse", PURCHASE_RESPONSE_NS, purchase_request)


def process_purchase_invoices(call: Call) -> etree._Element:
    assert call.grant is not None
    if not call.grant.client:
        raise SoapFault(CLIENT_REQUIRED)
    disabled = (call.param("disableAutoCorrect") or "").strip().lower() in ("true", "1")
    return imports.run(call, PURCHASE_IMPORT, "administrationId", auto_correct=not disabled)
