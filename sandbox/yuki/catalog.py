"""Every operation the sandbox implements, per service: the one place names, parameters and results live.

The WSDL (``wsdl.py``), the request reader (``params.py``) and the dispatch
(``app.py``) all read this table, so a WSDL names exactly what the service
answers. Parameter names and casing are the live WSDL's (apis.md §4.2):
most operations take ``sessionID`` / ``administrationID``, the two invoice
imports ``sessionId`` / ``administrationId``, the Contact operations
``domainID``. Results are ``s:string``, raw XML (``s:any``) or typed
(``ArrayOfGlAccount``, ``ArrayOfTransactionInfo``). The request-log and
fault ``endpoint`` of an operation is ``<Service>.<Operation>``
(``Sales.ProcessSalesInvoices``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.yuki import contacts, login, masters, openitems, purchases, sales, transactions
from sandbox.yuki.context import Call
from sandbox.yuki.params import BOOLEAN, DATETIME, INT, XML, Param

#: Who may call: ``key`` (Authenticate: the access key), ``client`` (AuthenticateClient: key + API
#: client), ``session`` (every other operation: a live session id).
KEY, CLIENT, SESSION = "key", "client", "session"
STRING, ANY, GL_SCHEME, TRANSACTIONS = "string", "any", "ArrayOfGlAccount", "ArrayOfTransactionInfo"
#: Parameters the request log never shows.
SECRETS = frozenset({"accessKey", "clientSecret", "sessionID", "sessionId"})


@dataclass(frozen=True)
class Operation:
    name: str
    params: tuple[Param, ...]
    handler: Callable[[Call], Any]
    result: str = ANY
    access: str = SESSION
    doc: str = ""

    @property
    def session_param(self) -> str:
        return next(p.name for p in self.params if p.name.lower() == "sessionid")


def _p(*names: str) -> tuple[Param, ...]:
    return tuple(Param(name) for name in names)


COMMON = (
    Operation("Authenticate", _p("accessKey"), login.authenticate, STRING, KEY,
              "Returns a session ID if a valid API key is given"),
    Operation("AuthenticateClient", _p("clientID", "clientSecret", "accessKey"), login.authenticate, STRING, CLIENT,
              "Returns a session ID if a valid API key and API client are given"),
    Operation("Domains", _p("sessionID"), masters.domains, doc="The domain the session's access key covers"),
    Operation("GetCurrentDomain", _p("sessionID"), masters.current_domain, doc="The session's domain"),
    Operation("AdministrationID", _p("sessionID", "administrationName"), masters.administration_id, STRING,
              doc="The GUID of an administration, by name"),
    Operation("Administrations", _p("sessionID"), masters.administrations,
              doc="The administrations the session may use"),
)

_OUTSTANDING = (Param("sessionID"), Param("administrationID"), Param("includeBankTransactions", BOOLEAN),
                Param("sortOrder", "OutstandingItemsSortOrder"))
_ACCOUNTING = (
    Operation("OutstandingDebtorItems", _OUTSTANDING, openitems.outstanding_debtor_items,
              doc="The open sales items of an administration"),
    Operation("OutstandingCreditorItems", _OUTSTANDING, openitems.outstanding_creditor_items,
              doc="The open purchase items of an administration"),
    Operation("CheckOutstandingItem", _p("sessionID", "Reference"), openitems.check_outstanding_item,
              doc="The open items with this reference, in every administration of the session"),
    Operation("CheckOutstandingItemAdmin", _p("sessionID", "administrationID", "Reference"),
              openitems.check_outstanding_item_admin, doc="The open items with this reference in an administration"),
)
_ACCOUNTING_INFO = (
    Operation("GetGLAccountScheme", _p("sessionID", "administrationID"), masters.gl_account_scheme, GL_SCHEME,
              doc="The general-ledger accounts of an administration"),
    Operation("GetTransactionDetails", (Param("sessionID"), Param("administrationID"), Param("GLAccountCode"),
                                        Param("StartDate", DATETIME), Param("EndDate", DATETIME),
                                        Param("financialMode", INT)),
              transactions.get_transaction_details, TRANSACTIONS,
              doc="The general-ledger transaction lines of an administration between two dates (GLAccountCode: "
              "leave empty for all accounts)"),
)
_SALES = (
    Operation("ProcessSalesInvoices", (Param("sessionId"), Param("administrationId"), Param("xmlDoc", XML)),
              sales.process_sales_invoices, doc="Imports sales invoices (SalesInvoices xml); answers the import "
              "response"),
)
_PURCHASE = (
    Operation("ProcessPurchaseInvoices", (Param("sessionId"), Param("administrationId"),
                                          Param("disableAutoCorrect"), Param("xmlDoc", XML)),
              purchases.process_purchase_invoices, doc="Imports purchase invoices (PurchaseInvoices xml); needs an "
              "AuthenticateClient session"),
)
_CONTACT = (
    Operation("SearchContacts", (Param("sessionID"), Param("domainID"), Param("searchOption", "SearchOption"),
                                 Param("searchValue"), Param("sortOrder", "SearchSortOrder"),
                                 Param("modifiedAfter", DATETIME, nillable=True), Param("active", "ActiveFilter"),
                                 Param("pageNumber", INT)),
              contacts.search_contacts, doc="Searches the domain's contacts, a page at a time"),
    Operation("UpdateContact", (Param("sessionID"), Param("domainID"), Param("xmlDoc", XML)),
              contacts.update_contact, doc="Creates or updates a contact (Contact xml)"),
)

SERVICES: dict[str, tuple[Operation, ...]] = {
    "Accounting": _ACCOUNTING + COMMON,
    "AccountingInfo": _ACCOUNTING_INFO + COMMON,
    "Sales": _SALES + COMMON,
    "Purchase": _PURCHASE + COMMON,
    "Contact": _CONTACT + COMMON,
}


def service_name(path_name: str) -> str | None:
    """The service a ``/ws/<name>.asmx`` path names (IIS paths ignore case)."""
    return next((name for name in SERVICES if name.lower() == path_name.lower()), None)


def operation(service: str, name: str) -> Operation | None:
    return next((op for op in SERVICES[service] if op.name == name), None)
