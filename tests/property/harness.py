"""One Hypothesis search per document family, one pytest test per property.

Generating a document costs far more than checking a property on its booking, so
each family (Focus sales documents, Peppol purchase documents) is searched once:
every generated document is booked by production and every property is checked on
that booking, each property in its own function, all of them on every document.
Hypothesis shrinks every distinct failure on its own (``report_multiple_bugs``) and
attaches the smallest falsifying example to it; the test function of a property then
re-raises exactly the failures raised inside that property, so one broken property
never hides or fails another.

Each property counts the distinct documents it was checked on, and its test fails
unless that is at least ``min_documents``: the claimed sample size is measured, not
assumed.

The search writes nothing into the working tree: no example database, and the
scratch storage Hypothesis uses even without one (its cache of constants found in
local modules) goes to a temporary directory, removed after the search.
"""

from __future__ import annotations

import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

#: Deterministic for CI, no ``.hypothesis`` folder, no wall-clock deadline per example.
SEARCH_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=False,
    report_multiple_bugs=True,
)

Property = Callable[[Any, Any], None]


@dataclass
class PropertySearch:
    """``book`` turns a generated document into a booking; ``properties`` check the pair.

    One Hypothesis example is one document: with several documents per example,
    Hypothesis's mutations (which change one part of an example and keep the rest)
    would check most documents several times over.
    """

    documents: st.SearchStrategy[Hashable] = field(repr=False)
    book: Callable[[Any], Any] = field(repr=False)
    properties: Sequence[Property] = field(repr=False)
    max_examples: int
    min_documents: int
    checked: dict[str, set[Hashable]] = field(default_factory=dict, repr=False)
    failures: list[BaseException] = field(default_factory=list, repr=False)
    ran: bool = False

    def run(self) -> PropertySearch:
        self.checked = {prop.__name__: set() for prop in (self.book, *self.properties)}

        @settings(SEARCH_SETTINGS, max_examples=self.max_examples)
        @given(document=self.documents)
        def every_document_books_as_stated(document: Hashable) -> None:
            booking = self.book(document)
            self.checked[self.book.__name__].add(document)
            failed = []
            for prop in self.properties:  # every property on every document: none shadows another
                try:
                    prop(document, booking)
                except Exception as exc:
                    failed.append(exc)
                else:
                    self.checked[prop.__name__].add(document)
            if len(failed) == 1:
                raise failed[0]
            if failed:
                raise ExceptionGroup(f"{len(failed)} properties fail on this document", failed)

        home = storage_directory(intent_to_write=False).home_directory
        with tempfile.TemporaryDirectory(prefix="hypothesis-") as scratch:
            set_hypothesis_home_dir(scratch)
            try:
                every_document_books_as_stated()
            except Exception as exc:  # sorted per property by verdict()
                self.failures = _leaves(exc)
            finally:
                set_hypothesis_home_dir(home)
        self.ran = True
        return self

    @property
    def booked(self) -> set[Hashable]:
        """The distinct documents production booked without raising."""
        return self.checked[self.book.__name__]

    def verdict(self, prop: Property) -> None:
        """Raise the failures found inside ``prop`` (or ones no property owns); check the sample size."""
        assert self.ran, "run() the search first"
        owned = [exc for exc in self.failures if _raised_in(exc, prop)]
        foreign = [exc for exc in self.failures if not any(_raised_in(exc, p) for p in (self.book, *self.properties))]
        for exc in owned + foreign:
            raise exc
        count = len(self.checked[prop.__name__])
        assert count >= self.min_documents, (
            f"{prop.__name__} was checked on {count} distinct documents, fewer than {self.min_documents}"
            + (" (the search stopped early because other properties failed)" if self.failures else "")
        )


def _leaves(exc: BaseException) -> list[BaseException]:
    """The single failures in ``exc``, each carrying the notes (Hypothesis's falsifying example) of its groups."""
    if not isinstance(exc, BaseExceptionGroup):
        return [exc]
    leaves = [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    for leaf in leaves:
        for note in getattr(exc, "__notes__", ()):
            if note not in getattr(leaf, "__notes__", ()):
                leaf.add_note(note)
    return leaves


def _raised_in(exc: BaseException, function: Callable[..., Any]) -> bool:
    return any(frame.f_code is function.__code__ for frame, _ in traceback.walk_tb(exc.__traceback__))


def assert_reach(search: PropertySearch) -> None:
    """Every case a document reports (``document.cases()``) occurs in at least 1 % of the documents."""
    documents = search.booked
    assert documents, "production booked none of the generated documents"
    names = next(iter(documents)).cases().keys()
    reached = Counter(case for document in documents for case, present in document.cases().items() if present)
    floor = len(documents) // 100
    too_rare = {case: reached[case] for case in names if reached[case] < floor}
    assert not too_rare, f"cases in fewer than {floor} of {len(documents)} documents: {too_rare}"


# -- reading a booking back ----------------------------------------------------------------


def is_cents(value: object) -> bool:
    """A Decimal (not a float, not NaN) written with at most two decimals."""
    return (type(value) is Decimal and value.is_finite()
            and isinstance(exponent := value.as_tuple().exponent, int) and exponent >= -2)


def show(document: Any, booking: Any) -> str:
    """The generated document's summary and the booking as a few readable lines, for assertion messages."""
    return document.summary() + "\n" + "\n".join(
        f"  {line.ledger_account:>8} {line.vat_code:<6} {line.amount:>18} + VAT {line.vat_amount:>16}  "
        f"{line.description}"
        for line in booking.lines
    ) + f"\n  total_incl {booking.total_incl} ({booking.kind}, journal {booking.journal})"
