"""``Sales.ProcessSalesInvoices(sessionId, administrationId, xmlDoc)``: the sales import (rules in ``imports``)."""

from __future__ import annotations

from lxml import etree

from sandbox.yuki import imports
from sandbox.yuki.booking import SALES
from sandbox.yuki.context import Call
from sandbox.yuki.invoices import sales_request
from sandbox.yuki.layouts import SALES_INVOICE, SALES_NS, SALES_RESPONSE_NS

SALES_IMPORT = imports.ImportKind(SALES, "SalesInvoices", SALES_NS, SALES_INVOICE, "SalesInvoicesImportResponse",
                                  SALES_RESPONSE_NS, sales_request)


def process_sales_invoices(call: Call) -> etree._Element:
    return imports.run(call, SALES_IMPORT, "administrationId")
