"""``GET balancings/modified``: the balancings created or deleted since a moment, as Octopus writes them.

A balancing settles a booking against a payment document (a financial
journal document, ``F1``) or a credit note against an invoice; they are
recorded through the admin API (``settlements``). ``?modifiedTimeStamp=`` is
Brussels local time like the other ``/modified`` endpoints, compared at or
after with the sandbox-clock time a balancing was created (``modifiedBalancings``,
still existing ones) or deleted (``deletedBalancings``); nothing on either
side is a 404 "No modified balancings found". BalancingDetailServiceData has
no date (Octopus's spec has none).
"""

from __future__ import annotations

from starlette.responses import Response

from sandbox.octopus.books import Books
from sandbox.octopus.context import Call, ok
from sandbox.octopus.errors import not_found
from sandbox.octopus.relations import external_id
from sandbox.octopus.store import Balancing, Doc

#: DocumentKey.journalType per journal letter: 1 buy, 2 sell, 3 financial, 4 divers.
JOURNAL_TYPES = {"A": 1, "V": 2, "F": 3, "D": 4}


def split_key(key: str) -> tuple[int, str, int]:
    """``<bookyear id>/<journalKey>/<documentSequenceNr>`` -> its three parts."""
    bookyear_id, journal, sequence = key.split("/")
    return int(bookyear_id), journal, int(sequence)


def document_key(key: str) -> Doc:
    """A DocumentKey: ``V1`` is journalType 2 with journalSequenceNr 1."""
    bookyear_id, journal, sequence = split_key(key)
    return {"bookyearKey": {"id": bookyear_id}, "journalType": JOURNAL_TYPES[journal[:1].upper()],
            "journalSequenceNr": int(journal[1:]), "documentSequenceNr": sequence}


def detail(books: Books, balancing: Balancing) -> Doc:
    """BalancingDetailServiceData: type ``C`` (clients: V journals) or ``S`` (suppliers: A journals); both
    amounts are the amount balanced, to the cent."""
    letters = {split_key(key)[1][:1].upper() for key in (balancing.debet, balancing.credit)}
    relation = books.relation(balancing.relation)
    return {
        "type": {"type": "C" if "V" in letters else "S",
                 "externalRelationId": None if relation is None else external_id(relation),
                 "relationKey": {"id": balancing.relation}, "accountNr": None},
        "debetDocument": document_key(balancing.debet), "creditDocument": document_key(balancing.credit),
        "debetBalancedBookingAmount": balancing.amount, "creditBalancedBookingAmount": balancing.amount,
    }


def modified(call: Call) -> Response:
    moment = call.stamp_param()
    books = call.books
    everything = books.store.balancings(books.dossier)
    created = [detail(books, b) for b in everything if b.deleted is None and b.created >= moment]
    deleted = [detail(books, b) for b in sorted(everything, key=lambda b: (b.deleted or 0, b.id))
               if b.deleted is not None and b.deleted >= moment]
    if not created and not deleted:
        raise not_found("No modified balancings found")
    return ok({"modifiedBalancings": created, "deletedBalancings": deleted})
