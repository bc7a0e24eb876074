"""The import documents' layouts: element names, ORDER, occurrences and types, in one place.

The XSD files (``SalesInvoices.xsd``, ``PurchaseInvoices.xsd``,
``contact.xsd`` on www.yukiworks.nl/schemas) are not reachable from here.

- **SalesInvoices** follows apis.md §4.3 (Yuki's functional description and
  its official example order, pinned by the Rust client's tests): the order
  of the listed elements, ``ProductQuantity`` and ``SalesPrice`` decimals of
  at most 14 digits / 4 decimals, ``VATPercentage`` at most 2 decimals, dates
  ``yyyy-mm-dd``, ``PaymentMethod`` at most 60 characters, ``Notes`` 500.
  Which elements are required is SILENT: the sandbox requires ``Contact``,
  ``InvoiceLines`` (at least one ``InvoiceLine``), each line's
  ``ProductQuantity`` and ``Product``, and each product's ``SalesPrice``.
- **PurchaseInvoices**: apis.md names only ``Process``, ``Reference``,
  ``Date``, ``DueDate`` and the mandatory ``InvoiceAmount``; the rest of the
  layout is the sandbox's (README).
- **Contact** (``UpdateContact``): the root element and namespace are SILENT;
  the sandbox takes ``<Contact xmlns="urn:xmlns:http://www.theyukicompany.com:contact">``
  with the elements apis.md §4.6 lists, in that order, then its own.
"""

from __future__ import annotations

from sandbox.yuki.schema import BOOLEAN, DATE, INT, STRING, El, decimal, enum, text

SALES_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoices"
SALES_RESPONSE_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoicesresponse"
PURCHASE_NS = "urn:xmlns:http://www.theyukicompany.com:purchaseinvoices"
PURCHASE_RESPONSE_NS = "urn:xmlns:http://www.theyukicompany.com:purchaseinvoicesresponse"
CONTACT_NS = "urn:xmlns:http://www.theyukicompany.com:contact"

QUANTITY = decimal(14, 4)
AMOUNT = decimal(14, 2)

INVOICE_CONTACT = El("Contact", tuple(El(name, STRING) for name in (
    "ContactCode", "FullName", "FirstName", "MiddleName", "LastName", "Gender", "CountryCode", "City", "Zipcode",
    "AddressLine_1", "AddressLine_2", "EmailAddress", "Website", "CoCNumber", "VATNumber")) + (
    El("ContactType", enum("Company", "Person")), El("BankAccount", STRING), El("PhoneHome", STRING),
    El("MobileHome", STRING)), min=1)

PRODUCT = El("Product", (
    El("Description", STRING), El("Reference", STRING), El("Category", STRING),
    El("SalesPrice", QUANTITY, min=1), El("VATPercentage", decimal(None, 2)), El("VATIncluded", BOOLEAN),
    El("VATType", INT), El("VATDescription", STRING), El("GLAccountCode", STRING), El("Remarks", STRING),
), min=1)

SALES_INVOICE = El("SalesInvoice", (
    El("Reference", STRING), El("Subject", STRING), El("PaymentMethod", text(60)), El("PaymentID", STRING),
    El("Process", BOOLEAN), El("EmailToCustomer", BOOLEAN), El("SentToPeppol", BOOLEAN), El("Layout", STRING),
    El("Notes", text(500)), El("Date", DATE), El("DueDate", DATE), El("PriceList", STRING), El("Currency", STRING),
    El("ProjectID", STRING), El("ProjectCode", STRING), El("Remarks", STRING),
    INVOICE_CONTACT,
    El("ContactPerson", (El("FirstName", STRING), El("LastName", STRING), El("Gender", STRING),
                         El("EmailAddress", STRING))),
    El("InvoiceLines", (El("InvoiceLine", (
        El("Description", STRING), El("Remarks", STRING), El("ProductQuantity", QUANTITY, min=1), PRODUCT,
        El("AccrualDate", DATE), El("AccrualPeriods", INT),
    ), min=1, max=None),), min=1),
), max=None)

PURCHASE_INVOICE = El("PurchaseInvoice", (
    El("Subject", STRING), El("Reference", STRING, min=1), El("Process", BOOLEAN), El("Date", DATE, min=1),
    El("DueDate", DATE), El("Currency", STRING), El("InvoiceAmount", AMOUNT, min=1), El("PaymentMethod", text(60)),
    El("Remarks", STRING),
    El("Contact", INVOICE_CONTACT.type, min=1),
    El("InvoiceLines", (El("InvoiceLine", (
        El("Description", STRING), El("LineAmount", AMOUNT, min=1), El("LineVATAmount", AMOUNT),
        El("VATType", INT, min=1), El("GLAccountCode", STRING, min=1), El("Remarks", STRING),
    ), min=1, max=None),), min=1),
), max=None)

#: Every contact field in sequence order (ID first); the booleans last.
CONTACT_TEXT_FIELDS = ("Code", "FirstName", "MiddleName", "LastName", "FullName", "AddressLine_1", "AddressLine_2",
                       "PostCode", "City", "Country", "MailAddressLine_1", "MailAddressLine_2", "MailPostCode",
                       "MailCity", "MailCountry", "EmailAddress", "Website", "PhoneHome", "MobileHome", "CoCNumber",
                       "VATNumber", "BankAccount")
CONTACT_FLAGS = ("IsCustomer", "IsSupplier", "Active")
CONTACT = El("Contact", (
    El("ID", STRING), El("Type", enum("Person", "Company", "0", "2")),
    *(El(name, STRING) for name in CONTACT_TEXT_FIELDS),
    *(El(name, BOOLEAN) for name in CONTACT_FLAGS),
), min=1)

#: Import documents: root element -> (namespace, the repeated document element).
SALES_DOCUMENT = ("SalesInvoices", SALES_NS, SALES_INVOICE)
PURCHASE_DOCUMENT = ("PurchaseInvoices", PURCHASE_NS, PURCHASE_INVOICE)
