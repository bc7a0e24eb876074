"""One import batch (``ProcessSalesInvoices`` / ``ProcessPurchaseInvoices``): validate, book, answer.

1. The xmlDoc (child elements or escaped text, ``params``) must be the
   document's root in its namespace (``<SalesInvoices
   xmlns="urn:xmlns:http://www.theyukicompany.com:salesinvoices">``) holding
   only invoice elements; otherwise the call is a ``soap:Server`` fault with
   .NET's validation message (``The 'X' element is not declared.``, ...).
2. Every invoice is validated against its layout (``layouts``) before any is
   booked. One violation cancels the whole process: nothing is booked and
   every invoice comes back failed, the invalid one with the validation
   message, the others with "The process has been cancelled: SalesInvoice
   <n> did not pass validation." (SILENT: the shape is the sandbox's).
3. Each invoice is booked on its own (``booking``, in a savepoint, so a
   refused one leaves nothing behind): refused ones fail with their message,
   the others succeed.

The answer is the import response of apis.md §4.3: ``<SalesInvoicesImportResponse
xmlns="urn:xmlns:http://www.theyukicompany.com:salesinvoicesresponse">`` with
``TimeStamp`` (today), ``AdministrationId``, ``TotalSucceeded``,
``TotalFailed``, ``TotalSkipped`` (always 0: the sandbox never skips) and one
``Invoice`` per input (``Succeeded, Processed, EmailSent, Reference, Subject,
Message``), in input order; purchases alike in their own namespaces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from sandbox.common.store import transaction
from sandbox.yuki.booking import Rejected, book
from sandbox.yuki.context import Call
from sandbox.yuki.invoices import InvoiceRequest
from sandbox.yuki.schema import ANY, El, SchemaError, validate
from sandbox.yuki.soap import SoapFault
from sandbox.yuki.store import ADMINISTRATION
from sandbox.yuki.xmlout import child, element


@dataclass(frozen=True)
class ImportKind:
    kind: str
    root: str
    namespace: str
    invoice: El
    response: str
    response_namespace: str
    read: Callable[[etree._Element, str], InvoiceRequest]


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    processed: bool
    email_sent: bool
    reference: str
    subject: str
    message: str


def _document(kind: ImportKind, document: etree._Element | None) -> list[etree._Element]:
    """The invoice elements; a wrong root or root content is a fault."""
    if document is None:
        raise SoapFault(f"xmlDoc is empty: send a {kind.root} document in namespace '{kind.namespace}'")
    name = etree.QName(document)
    if name.namespace != kind.namespace or name.localname != kind.root:
        prefix = f"{name.namespace}:" if name.namespace else ""
        raise SoapFault(f"The '{prefix}{name.localname}' element is not declared.")
    try:
        validate(document, El(kind.root, (El(kind.invoice.name, ANY, max=None),)), kind.namespace)
    except SchemaError as error:
        raise SoapFault(error.message) from None
    return [node for node in document if isinstance(node.tag, str)]


def _given(node: etree._Element, namespace: str, name: str) -> str:
    return (node.findtext(f"{{{namespace}}}{name}") or "").strip()


def _cancelled(kind: ImportKind, invoices: list[etree._Element]) -> list[Outcome] | None:
    """All failed when one invoice breaks the layout, else None."""
    for index, node in enumerate(invoices):
        try:
            validate(node, kind.invoice, kind.namespace)
        except SchemaError as error:
            note = f"The process has been cancelled: {kind.invoice.name} {index + 1} did not pass validation."
            return [Outcome(False, False, False, _given(other, kind.namespace, "Reference"),
                            _given(other, kind.namespace, "Subject"), error.message if other is node else note)
                    for other in invoices]
    return None


def _book_all(call: Call, kind: ImportKind, administration_id: str, invoices: list[etree._Element],
              auto_correct: bool) -> list[Outcome]:
    outcomes = []
    now, today, db = call.clock.now(), call.today, call.store.db
    with transaction(db):
        for node in invoices:
            request = kind.read(node, kind.namespace)
            administration = call.store.doc(ADMINISTRATION, administration_id)
            assert administration is not None
            db.execute("SAVEPOINT invoice")
            try:
                doc = book(call.store, administration, kind.kind, request, now, today, auto_correct=auto_correct)
            except Rejected as refusal:
                db.execute("ROLLBACK TO invoice")
                outcomes.append(Outcome(False, False, False, request.reference or "", request.subject,
                                        refusal.message))
            else:
                outcomes.append(Outcome(True, doc["Status"] == "booked", doc["EmailSent"], doc["Reference"],
                                        doc["Subject"], doc["Message"]))
            db.execute("RELEASE invoice")
    return outcomes


def _response(kind: ImportKind, administration_id: str, today: str, outcomes: list[Outcome]) -> etree._Element:
    root = element(kind.response, namespace=kind.response_namespace)
    child(root, "TimeStamp", today)
    child(root, "AdministrationId", administration_id)
    child(root, "TotalSucceeded", sum(1 for o in outcomes if o.succeeded))
    child(root, "TotalFailed", sum(1 for o in outcomes if not o.succeeded))
    child(root, "TotalSkipped", 0)
    for outcome in outcomes:
        node = child(root, "Invoice")
        for name, value in (("Succeeded", outcome.succeeded), ("Processed", outcome.processed),
                            ("EmailSent", outcome.email_sent), ("Reference", outcome.reference),
                            ("Subject", outcome.subject), ("Message", outcome.message)):
            child(node, name, value)
    return root


def run(call: Call, kind: ImportKind, administration_param: str, *, auto_correct: bool = True) -> etree._Element:
    administration = call.administration(call.param(administration_param))
    invoices = _document(kind, call.param("xmlDoc"))
    outcomes = _cancelled(kind, invoices) or _book_all(call, kind, administration["ID"], invoices, auto_correct)
    return _response(kind, administration["ID"], call.today, outcomes)
