"""Reference data reads: book years, a book year's journals, its accounts, the VAT codes.

An unknown book year in a read (path or ``bookyearId``) is a 404 -20; a
``bookyearId`` that is not an integer a 400.
"""

from __future__ import annotations

from starlette.responses import Response

from sandbox.octopus.books import Books
from sandbox.octopus.context import Call, ok
from sandbox.octopus.errors import BOOKYEAR_UNKNOWN, OctopusError, invalid
from sandbox.octopus.store import Doc


def known_bookyear(books: Books, bookyear_id: int, field: str = "bookyearId") -> Doc:
    bookyear = books.bookyear(bookyear_id)
    if bookyear is None:
        raise OctopusError(404, BOOKYEAR_UNKNOWN, f"Bookyear {bookyear_id} not found", field)
    return bookyear


def bookyears(call: Call) -> Response:
    return ok(call.books.bookyears())


def journals(call: Call) -> Response:
    try:
        bookyear_id = int(call.path[0])
    except ValueError:
        raise invalid("bookyearId", "Parameter bookyearId must be an integer") from None
    known_bookyear(call.books, bookyear_id)
    return ok(call.books.journals(bookyear_id))


def accounts(call: Call) -> Response:
    bookyear_id = call.int_param("bookyearId", required=True)
    assert bookyear_id is not None
    known_bookyear(call.books, bookyear_id)
    return ok(call.books.accounts(bookyear_id))


def vat_codes(call: Call) -> Response:
    return ok(call.books.vat_codes())
