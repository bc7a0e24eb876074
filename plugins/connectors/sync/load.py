"""Loading into the tool: parties first, then documents, each written at most once.

Parties: an unchanged party the tool already has costs nothing; otherwise the
worker claims it, then it is matched (stored id, then the tool's own lookup
by the connector's key or VAT number), created, or updated when it changed
in Focus — one record per party with all its roles. A create whose answer
was lost is looked up by the tool before the target gives up; a party still
unconfirmed is reported by name and looked up again next run.

Documents: see ``state.claims``. Before the first post, the tool's connector
bookings are read back (``sync.reconcile``); a document the tool already has
is marked booked, never posted. A document another worker holds is left
alone; one whose claim ran out is searched in the tool and taken over only
when absent. Lookups fail closed: a document whose absence cannot be proven
is not posted, and says why.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Collection, Mapping

from connectors.booking import UnbalancedBooking, build_booking
from connectors.domain import PartyRef
from connectors.mappings import MappingSettings
from connectors.progress import Progress
from connectors.state import clock
from connectors.state.claims import Claim, Claims
from connectors.state.ledger import DocumentLedger, LedgerEntry
from connectors.state.models import DocumentState
from connectors.state.parties import PartyClaim, PartyEntry, PartyLedger
from connectors.state.tool_bookings import ToolBookings
from connectors.sync.reconcile import reconcile
from connectors.targets.base import (
    AmbiguousWrite,
    Booking,
    DocumentRefused,
    LookupFailed,
    NotSent,
    PostResult,
    QuotaSpent,
    Target,
    TargetParty,
)
from connectors.targets.http import writes_before

log = logging.getLogger(__name__)

#: (focus_id, number, code, field, message) → recorded as a sync error of the run.
ErrorSink = Callable[[str | None, str | None, str, str | None, str], None]


def load_parties(target: Target, parties: PartyLedger, needed: Collection[PartyRef], errors: ErrorSink, *,
                 owner: str, lease: dt.timedelta) -> Counter[str]:
    entries = parties.entries(needed)
    progress = Progress(log, f"parties to {target.name}", total=len(entries))
    for index, entry in enumerate(entries):
        if entry.up_to_date:
            progress.step(outcome="unchanged")
            continue
        if not _room_for(target, CALLS_PER_PARTY):
            waiting = sum(1 for e in entries[index:] if not e.up_to_date)
            progress.count("waiting_for_quota", waiting)
            log.warning("%d part(y/ies) wait for tomorrow's quota: %s's daily call cap leaves no room for them "
                        "today; their documents wait with them", waiting, target.name)
            break
        claim = parties.claim(entry, owner, lease)
        if claim is None:
            progress.step(outcome="in_flight_elsewhere")
            continue
        progress.step(outcome=_load_party(target, parties, entry, claim, errors))
    progress.finish()
    return Counter(progress.counts)


def _load_party(target: Target, parties: PartyLedger, entry: PartyEntry, claim: PartyClaim,
                errors: ErrorSink) -> str:
    party = entry.party
    creating = False
    try:
        found = target.find_party(party, entry.target, fresh=claim.took_over)
        if found is None:
            creating = True
            found, outcome = target.create_party(party), "created"
        else:
            found, outcome = target.update_party(found, party), "updated"
    except DocumentRefused as exc:
        errors(None, party.name, exc.code, exc.field, f"{party.name}: {exc}")
        parties.release(entry, claim)
        return "refused"
    except (AmbiguousWrite, LookupFailed) as exc:
        message = str(exc) if str(exc).startswith(party.name) else f"{party.name}: {exc}"
        errors(None, party.name, "party_unconfirmed", None,
               f"{message}; its documents wait, and it is looked up again before anything is created")
        if not creating:
            parties.release(entry, claim)
        # A create that may have landed keeps its claim until the lease runs out: whoever comes next
        # searches the tool afresh before creating anything.
        return "unconfirmed"
    except BaseException:
        if not creating:
            parties.release(entry, claim)
        raise
    parties.mark_synced(entry, found)
    return outcome


def load_documents(
    target: Target,
    ledger: DocumentLedger,
    claims: Claims,
    tool_bookings: ToolBookings,
    settings: MappingSettings,
    party_targets: Mapping[PartyRef, TargetParty],
    parties_in_flight: Collection[PartyRef],
    run_id: int | None,
    errors: ErrorSink,
) -> Counter[str]:
    """Book every pending, failed or half-posted document whose current content passed validation."""
    counts: Counter[str] = Counter()
    todo = [entry.id for entry in ledger.entries(DocumentState.POSTING, DocumentState.PENDING,
                                                 DocumentState.FAILED) if _to_settle(entry)]
    if not todo:
        log.info("documents to %s: none to book", target.name)
        return counts
    def booked_twice(reference: str, refs) -> None:
        numbers = ", ".join(r.booking_number or r.target_id for r in refs)
        errors(None, reference, "booked_twice", None,
               f"{target.name} holds {len(refs)} bookings with the connector's reference {reference} ({numbers}); "
               f"keep one and remove the others in {target.name}")

    counts.update(reconcile(target, tool_bookings, from_date=settings.start_date, booked_twice=booked_twice))
    progress = Progress(log, f"documents to {target.name}", total=len(todo))
    batch = _Batch(target, claims, errors, progress)
    waiting = 0
    try:
        for index, entry_id in enumerate(todo):
            if not batch.claims and not _room_for_a_batch(target):
                waiting = len(todo) - index
                break
            entry = ledger.entry(entry_id)  # as it is now: another worker may have moved it meanwhile
            if not _to_settle(entry):
                progress.step(outcome="moved_elsewhere")
                continue
            outcome = _load_one(target, ledger, claims, tool_bookings, settings, party_targets, parties_in_flight,
                                entry, run_id, errors)
            if isinstance(outcome, Claim):
                batch.add(outcome, entry)
            else:
                progress.step(outcome=outcome)
        batch.flush()
    except QuotaSpent as exc:
        batch.not_sent()
        waiting = len(todo) - progress.done
        log.warning("%s: %s", target.name, exc)
    progress.finish()
    counts.update({k: v for k, v in progress.counts.items() if k != "moved_elsewhere"})
    if waiting:
        counts["waiting_for_quota"] = waiting
        log.warning("%d document(s) wait for tomorrow's quota: %s's daily call cap leaves no room for them today "
                    "(the calls left are kept for the payment back-fill); the next run books them", waiting,
                    target.name)
    return counts


#: Calls one batch may cost: the post, and one look-up should its answer be lost.
CALLS_PER_BATCH = 2
#: Calls one party may cost: a look-up by the connector's key, one by VAT number, the write.
CALLS_PER_PARTY = 3


def _room_for(target: Target, calls: int) -> bool:
    left = target.calls_left()
    return left is None or left >= calls


def _room_for_a_batch(target: Target) -> bool:
    return _room_for(target, CALLS_PER_BATCH)


class _Batch:
    """Claimed documents waiting to go to the tool together, up to the target's ``batch_size`` a call."""

    def __init__(self, target: Target, claims: Claims, errors: ErrorSink, progress: Progress):
        self.target = target
        self._claims = claims
        self._errors = errors
        self._progress = progress
        self.claims: list[tuple[Claim, LedgerEntry]] = []

    def add(self, claim: Claim, entry: LedgerEntry) -> None:
        self.claims.append((claim, entry))
        if len(self.claims) >= max(1, self.target.batch_size):
            self.flush()

    def not_sent(self) -> None:
        """The batch never left (the quota ran out first): its documents are as they were before the claims."""
        for claim, _ in self.claims:
            self._claims.not_sent(claim)
        self.claims = []

    def flush(self) -> None:
        pending, self.claims = self.claims, []
        for outcome in _post(self.target, self._claims, pending, self._errors):
            self._progress.step(outcome=outcome)


def _post(target: Target, claims: Claims, pending: list[tuple[Claim, LedgerEntry]], errors: ErrorSink) -> list[str]:
    """One call for the batch; then each document's outcome. A document whose answer is ambiguous is looked up
    in the tool (as it is since the answer was given up on) before anything else happens to it."""
    outcomes: list[str] = []
    live: list[tuple[Claim, LedgerEntry]] = []
    deadline: dt.datetime | None = None
    for claim, entry in pending:
        renewed = claims.renew(claim)
        if renewed is None:
            outcomes.append("claimed_elsewhere")
            continue
        live.append((claim, entry))
        deadline = renewed if deadline is None else min(deadline, renewed)
    if not live:
        return outcomes
    assert deadline is not None
    try:
        with writes_before(deadline.timestamp()):
            results: list[PostResult] = list(target.post_batch([claim.booking for claim, _ in live]))
    except (NotSent, AmbiguousWrite) as exc:  # the whole call, not one document
        results = [exc] * len(live)
    except QuotaSpent:
        for claim, _ in live:
            claims.not_sent(claim)
        raise
    gave_up = clock.now()
    for (claim, entry), result in zip(live, results, strict=True):
        outcomes.append(_settle(target, claims, claim, entry, result, gave_up, errors))
    return outcomes


def _settle(target: Target, claims: Claims, claim: Claim, entry: LedgerEntry, result: PostResult,
            gave_up: dt.datetime, errors: ErrorSink) -> str:
    document = entry.document
    assert document is not None
    booking, focus_id, number = claim.booking, document.source_id, document.number
    if isinstance(result, NotSent):
        claims.not_sent(claim)
        return "not_sent"
    if isinstance(result, DocumentRefused):
        claims.refused(claim, str(result), result.field)
        errors(focus_id, number, result.code, result.field, str(result))
        return "refused"
    if isinstance(result, AmbiguousWrite):
        try:
            ref = target.find_booking(booking, as_of=gave_up)
        except LookupFailed:
            ref = None
        if ref is None:
            message = (f"{booking.description}: {target.name} did not confirm the booking ({result}); it is looked "
                       "up again before anything is posted")
            claims.unconfirmed(claim, message)
            errors(focus_id, number, "unconfirmed", None, message)
            return "uncertain"
        _booked(target, claims, claim, ref, focus_id, number, errors)
        return "recovered"
    _booked(target, claims, claim, result, focus_id, number, errors)
    return "booked"


def _to_settle(entry: LedgerEntry) -> bool:
    """Half-posted documents are always settled (found, or posted again once valid); others only when their
    current content passed validation."""
    if entry.document is None:
        return False
    if entry.state is DocumentState.POSTING:
        return True
    return entry.state in (DocumentState.PENDING, DocumentState.FAILED) and entry.passed_validation


def _load_one(target, ledger, claims, tool_bookings, settings, party_targets, parties_in_flight,
              entry: LedgerEntry, run_id, errors: ErrorSink) -> str | Claim:
    """The document's outcome, or its claim when it is to be posted (with the next batch)."""
    document = entry.document
    assert document is not None
    party = party_targets.get(document.party)
    if party is None:
        if document.party in parties_in_flight:
            return "waiting_for_party"
        message = f"{document.label}: its {document.party_role.value} is not in the tool yet (see the party errors)"
        ledger.set_error(entry, message, run_id, "party")
        errors(document.source_id, document.number, "party_missing", "party", message)
        return "refused"
    try:
        booking = build_booking(document, settings, party)
    except UnbalancedBooking as exc:
        ledger.set_error(entry, str(exc), run_id, "total")
        errors(document.source_id, document.number, "unbalanced", "total", str(exc))
        return "refused"

    found = tool_bookings.get(booking.reference)
    if entry.state is DocumentState.POSTING:
        if claims.is_live(entry):
            return "in_flight_elsewhere"
        return _resume(target, ledger, claims, entry, booking, found, errors)
    if found is not None:
        if not claims.found(entry, found, booking):
            return "skipped"
        if found.total is not None and found.total != booking.total_incl:
            errors(document.source_id, document.number, "changed_after_booking", "total",
                   f"{document.label}: {target.name} already has it (booking {found.ref.booking_number or found.ref.target_id}) "
                   f"with a total of {found.total}, but Focus now says {booking.total_incl}; correct the booking in "
                   f"{target.name} by hand")
        return "found_in_tool"
    claim = claims.claim(entry, booking)
    if claim is None:
        return "claimed_elsewhere"
    return claim


def _resume(target: Target, ledger: DocumentLedger, claims: Claims, entry: LedgerEntry, booking: Booking,
            found, errors: ErrorSink) -> str | Claim:
    """A claim that ran out (a dead worker, a lost answer): the tool is asked before anything is posted."""
    document = entry.document
    assert document is not None
    claimed = entry.claimed_booking or booking
    if found is not None:
        if not claims.recovered(entry, found.ref, found.total):
            return "skipped"
        _report_edit(target, entry, claimed, found.total, errors)
        return "recovered"
    try:
        # Answered from the tool as it is since the claim ran out: a dead worker's write landed before that.
        ref = target.find_booking(claimed, as_of=entry.claim_expires_at)
    except LookupFailed as exc:
        message = (f"{document.label}: could not check whether {target.name} already has it ({exc}); nothing was "
                   "posted, the next run checks again")
        claims.note(entry, message)
        errors(document.source_id, document.number, "lookup_failed", None, message)
        return "lookup_failed"
    except DocumentRefused as exc:
        ledger.set_error(entry, str(exc), None, exc.field)
        errors(document.source_id, document.number, exc.code, exc.field, str(exc))
        return "refused"
    if ref is not None:
        if not claims.recovered(entry, ref):
            return "skipped"
        _report_edit(target, entry, claimed, None, errors)
        return "recovered"
    if not entry.passed_validation:
        # Not in the tool, and not valid now: released, so it waits like any refused document (validation said why).
        claims.absent(entry, entry.last_error or f"{document.label}: waits for a fix (see the validation errors)")
        return "waiting_for_a_fix"
    claim = claims.take_over(entry, booking)
    if claim is None:
        return "claimed_elsewhere"
    return claim


def _report_edit(target: Target, entry: LedgerEntry, claimed: Booking, tool_total, errors: ErrorSink) -> None:
    """A recovered booking is the one that was claimed; say so when Focus or the tool now differs from it."""
    document = entry.document
    assert document is not None
    if tool_total is not None and tool_total != claimed.total_incl:
        errors(document.source_id, document.number, "booked_differently", "total",
               f"{document.label}: {target.name} has it with a total of {tool_total}, but the connector sent "
               f"{claimed.total_incl}; check the booking in {target.name}")
    elif entry.claimed_hash and entry.claimed_hash != entry.content_hash:
        errors(document.source_id, document.number, "changed_after_booking", None,
               f"{document.label}: edited in Focus while it was being booked; {target.name} has it as it was "
               f"before the edit (total {claimed.total_incl}); correct the booking in {target.name} by hand")


def _booked(target: Target, claims: Claims, claim: Claim, ref, focus_id: str, number: str,
            errors: ErrorSink) -> None:
    booking = claim.booking
    if not claims.booked(claim, ref):
        errors(focus_id, number, "possible_double_booking", None,
               f"{booking.description}: its claim ran out while it was being posted, so another worker may have "
               f"posted it too; check {target.name} for two bookings with reference {booking.reference}")
    if ref.total is not None and ref.total != booking.total_incl:
        errors(focus_id, number, "booked_differently", "total",
               f"{booking.description}: {target.name} booked it with a total of {ref.total}, but the connector "
               f"sent {booking.total_incl}; check the booking's VAT codes in {target.name}")
