"""The entity sets the sandbox serves: path, key, properties with their types, paging rules.

The property lists are what ``$select`` and ``$filter`` accept (anything else
is a 400), in the order each row lists them; a stored row may hold more keys
(a period's closed flag), which are never served. Navigation properties
(an entry's lines) are listed apart: they can be selected and expanded but
not filtered on, as on the real service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sandbox.exact_online.odata.values import BOOL, DATETIME, DECIMAL, GUID, INT, INT64, STRING

PAGE_SIZE = 60
BULK_PAGE_SIZE = 1000
MODEL_NAMESPACE = "Exact.Web.Api.Models"


@dataclass(frozen=True)
class EntitySet:
    path: str
    type_name: str
    key: str
    properties: Mapping[str, str]
    #: Navigation property -> the entity set its items belong to.
    navigation: Mapping[str, str] = field(default_factory=dict)
    #: Collection reads need ``$select`` or ``$top=1`` (Exact's bulk protection).
    requires_select: bool = False
    methods: frozenset[str] = frozenset({"GET"})

    @property
    def page_size(self) -> int:
        return BULK_PAGE_SIZE if self.path.split("/")[0] in ("bulk", "sync") else PAGE_SIZE

    @property
    def key_type(self) -> str:
        return self.properties[self.key]

    @property
    def qualified_type(self) -> str:
        return f"{MODEL_NAMESPACE}.{self.type_name}"


STAMPS = {"Division": INT, "Created": DATETIME, "Modified": DATETIME}

ACCOUNTS = EntitySet("crm/Accounts", "Account", "ID", {
    "ID": GUID, "Code": STRING, "Name": STRING, "VATNumber": STRING, "ChamberOfCommerce": STRING,
    "IsSupplier": BOOL, "IsSales": BOOL, "Status": STRING, "Blocked": BOOL, "Type": STRING,
    "AddressLine1": STRING, "Postcode": STRING, "City": STRING, "Country": STRING, "Email": STRING,
    "Language": STRING, "SearchCode": STRING, **STAMPS,
}, requires_select=True, methods=frozenset({"GET", "POST", "PUT"}))

GL_ACCOUNTS = EntitySet("financial/GLAccounts", "GLAccount", "ID", {
    "ID": GUID, "Code": STRING, "Description": STRING, "Type": INT, "TypeDescription": STRING,
    "BalanceSide": STRING, "BalanceType": STRING, "VATCode": STRING, "IsBlocked": BOOL, **STAMPS,
}, requires_select=True)

VAT_CODES = EntitySet("vat/VATCodes", "VATCode", "ID", {
    "ID": GUID, "Code": STRING, "Description": STRING, "Percentage": DECIMAL, "Type": STRING,
    "VATTransactionType": STRING, "GLToPay": GUID, "GLToPayCode": STRING, "GLToClaim": GUID,
    "GLToClaimCode": STRING, "IsBlocked": BOOL, **STAMPS,
})

JOURNALS = EntitySet("financial/Journals", "Journal", "ID", {
    "ID": GUID, "Code": STRING, "Description": STRING, "Type": INT, "TypeDescription": STRING,
    "Currency": STRING, "IsBlocked": BOOL, **STAMPS,
})

#: No ``Closed`` property: the real entity has none. Whether a period is closed is kept in
#: the stored row (``CLOSED``) for the write checks and the admin API only.
FINANCIAL_PERIODS = EntitySet("financial/FinancialPeriods", "FinancialPeriod", "ID", {
    "ID": GUID, "FinYear": INT, "FinPeriod": INT, "StartDate": DATETIME, "EndDate": DATETIME, **STAMPS,
})
#: The key of a stored financial period that says it is closed (not an entity property).
CLOSED = "Closed"

_DIVISION_PROPERTIES = {
    "Code": INT, "Description": STRING, "Country": STRING, "CountryDescription": STRING, "Currency": STRING,
    "CurrencyDescription": STRING, "VATNumber": STRING, "Customer": GUID, "HID": INT64, "Main": BOOL,
    "StartDate": DATETIME, "Status": INT, "BlockingStatus": INT, "Website": STRING, "Created": DATETIME,
    "Modified": DATETIME,
}
HRM_DIVISIONS = EntitySet("hrm/Divisions", "Division", "Code", _DIVISION_PROPERTIES)
SYSTEM_DIVISIONS = EntitySet("system/Divisions", "SystemDivision", "Code", _DIVISION_PROPERTIES)

ME = EntitySet("current/Me", "Me", "UserID", {
    "UserID": GUID, "UserName": STRING, "FullName": STRING, "FirstName": STRING, "LastName": STRING,
    "Email": STRING, "CurrentDivision": INT, "AccountingDivision": INT, "DivisionCustomer": GUID,
    "DivisionCustomerCode": STRING, "DivisionCustomerName": STRING, "DivisionCustomerVatNumber": STRING,
    "Language": STRING, "LanguageCode": STRING, "Legislation": INT, "ServerTime": DATETIME,
    "ServerUtcOffset": DECIMAL,
})

_ENTRY_PROPERTIES = {
    "EntryID": GUID, "AmountDC": DECIMAL, "AmountFC": DECIMAL, "Currency": STRING, "Description": STRING,
    "DueDate": DATETIME, "EntryDate": DATETIME, "EntryNumber": INT, "ExternalLinkReference": STRING,
    "GAccountAmountFC": DECIMAL, "Journal": STRING, "JournalDescription": STRING, "PaymentCondition": STRING,
    "PaymentReference": STRING, "Rate": DECIMAL, "ReportingPeriod": INT, "ReportingYear": INT,
    "Reversal": BOOL, "Status": INT, "StatusDescription": STRING, "Type": INT, "TypeDescription": STRING,
    "VATAmountDC": DECIMAL, "VATAmountFC": DECIMAL, "YourRef": STRING, **STAMPS,
}
_LINE_PROPERTIES = {
    "ID": GUID, "EntryID": GUID, "LineNumber": INT, "AmountDC": DECIMAL, "AmountFC": DECIMAL,
    "Description": STRING, "GLAccount": GUID, "GLAccountCode": STRING, "GLAccountDescription": STRING,
    "Quantity": DECIMAL, "VATAmountDC": DECIMAL, "VATAmountFC": DECIMAL, "VATBaseAmountDC": DECIMAL,
    "VATBaseAmountFC": DECIMAL, "VATCode": STRING, "VATCodeDescription": STRING, "VATPercentage": DECIMAL,
    "Division": INT,
}
WRITABLE = frozenset({"GET", "POST", "PUT", "DELETE"})

SALES_ENTRIES = EntitySet("salesentry/SalesEntries", "SalesEntry", "EntryID", {
    **_ENTRY_PROPERTIES, "Customer": GUID, "CustomerName": STRING, "InvoiceNumber": INT, "OrderNumber": INT,
}, navigation={"SalesEntryLines": "salesentry/SalesEntryLines"}, methods=WRITABLE)
SALES_ENTRY_LINES = EntitySet("salesentry/SalesEntryLines", "SalesEntryLine", "ID", _LINE_PROPERTIES)

PURCHASE_ENTRIES = EntitySet("purchaseentry/PurchaseEntries", "PurchaseEntry", "EntryID", {
    **_ENTRY_PROPERTIES, "Supplier": GUID, "SupplierName": STRING, "InvoiceDate": DATETIME,
}, navigation={"PurchaseEntryLines": "purchaseentry/PurchaseEntryLines"}, methods=WRITABLE)
PURCHASE_ENTRY_LINES = EntitySet("purchaseentry/PurchaseEntryLines", "PurchaseEntryLine", "ID", _LINE_PROPERTIES)

_OPEN_ITEM_PROPERTIES = {
    "HID": INT64, "AccountId": GUID, "AccountCode": STRING, "AccountName": STRING, "Amount": DECIMAL,
    "AmountInTransit": DECIMAL, "CurrencyCode": STRING, "Description": STRING, "DueDate": DATETIME,
    "EntryNumber": INT, "InvoiceDate": DATETIME, "InvoiceNumber": INT, "JournalCode": STRING,
    "JournalDescription": STRING, "Notes": STRING, "YourRef": STRING,
}
RECEIVABLES = EntitySet("read/financial/ReceivablesList", "ReceivablesList", "HID", _OPEN_ITEM_PROPERTIES)
PAYABLES = EntitySet("read/financial/PayablesList", "PayablesList", "HID", _OPEN_ITEM_PROPERTIES)

#: ``cashflow/Receivables`` / ``Payments``: every entry, open or settled (``cashflow.py``).
_CASHFLOW_PROPERTIES = {
    "ID": GUID, "TransactionEntryID": GUID, "EntryNumber": INT, "InvoiceNumber": INT, "YourRef": STRING,
    "Account": GUID, "AccountCode": STRING, "AccountName": STRING, "AmountDC": DECIMAL, "AmountFC": DECIMAL,
    "Currency": STRING, "Description": STRING, "DueDate": DATETIME, "EntryDate": DATETIME, "InvoiceDate": DATETIME,
    "IsFullyPaid": BOOL, "Journal": STRING, "LastPaymentDate": DATETIME, "PaymentReference": STRING,
    "Status": INT, "Division": INT,
}
CASHFLOW_RECEIVABLES = EntitySet("cashflow/Receivables", "Cashflow.Receivable", "ID", _CASHFLOW_PROPERTIES)
CASHFLOW_PAYMENTS = EntitySet("cashflow/Payments", "Cashflow.Payment", "ID", _CASHFLOW_PROPERTIES)

TRANSACTION_LINES = EntitySet("bulk/Financial/TransactionLines", "Financial.TransactionLine", "ID", {
    "ID": GUID, "EntryID": GUID, "EntryNumber": INT, "LineNumber": INT, "Account": GUID, "AmountDC": DECIMAL,
    "AmountFC": DECIMAL, "AmountVATFC": DECIMAL, "Currency": STRING, "Date": DATETIME, "Description": STRING,
    "DueDate": DATETIME, "FinancialPeriod": INT, "FinancialYear": INT, "GLAccount": GUID, "GLAccountCode": STRING,
    "GLAccountDescription": STRING, "InvoiceNumber": INT, "JournalCode": STRING, "PaymentReference": STRING,
    "Status": INT, "Type": INT, "VATCode": STRING, "VATPercentage": DECIMAL, "YourRef": STRING, **STAMPS,
}, requires_select=True)

ENTITY_SETS: dict[str, EntitySet] = {entity.path: entity for entity in (
    ACCOUNTS, GL_ACCOUNTS, VAT_CODES, JOURNALS, FINANCIAL_PERIODS, HRM_DIVISIONS, SYSTEM_DIVISIONS, ME,
    SALES_ENTRIES, SALES_ENTRY_LINES, PURCHASE_ENTRIES, PURCHASE_ENTRY_LINES, RECEIVABLES, PAYABLES,
    CASHFLOW_RECEIVABLES, CASHFLOW_PAYMENTS, TRANSACTION_LINES,
)}
