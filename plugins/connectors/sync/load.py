"""Loading into the tool: parties first, then documents, each at most once.

Parties: an unchanged party the tool already has costs nothing; otherwise it
is matched (stored id, then the tool's own lookup by VAT number or code),
created, or updated when it changed in Focus — one record per party with
all its roles (customer and/or supplier).

Documents: see ``state.ledger`` for the claim → post → book protocol. A
``posting`` row is looked up by reference before anything is posted again;
an ambiguous write is looked up at once and, if not found, left ``posting``
for the next attempt to resolve.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Mapping

from connectors.booking import build_booking
from connectors.domain import PartyRef
from connectors.mappings import MappingSettings
from connectors.state.ledger import DocumentLedger, LedgerEntry
from connectors.state.models import DocumentState
from connectors.state.parties import PartyLedger
from connectors.targets.base import AmbiguousWrite, DocumentRefused, Target, TargetParty

log = logging.getLogger(__name__)

#: (focus_id, number, code, field, message) → recorded as a sync error of the run.
ErrorSink = Callable[[str | None, str | None, str, str | None, str], None]


def load_parties(target: Target, parties: PartyLedger, needed: Collection[PartyRef], errors: ErrorSink) -> Counter[str]:
    counts: Counter[str] = Counter()
    for entry in parties.entries(needed):
        if entry.up_to_date:
            counts["unchanged"] += 1
            continue
        party = entry.party
        try:
            found = target.find_party(party, entry.target)
            if found is None:
                found = target.create_party(party)
                counts["created"] += 1
            else:
                found = target.update_party(found, party)
                counts["updated"] += 1
        except DocumentRefused as exc:
            counts["refused"] += 1
            errors(None, party.name, exc.code, exc.field, f"{party.name}: {exc}")
            continue
        parties.mark_synced(entry, found)
    return counts


def load_documents(
    target: Target,
    ledger: DocumentLedger,
    settings: MappingSettings,
    party_targets: Mapping[PartyRef, TargetParty],
    run_id: int | None,
    errors: ErrorSink,
) -> Counter[str]:
    """Book every pending, failed or half-posted document, except those this run's validation refused."""
    counts: Counter[str] = Counter()
    for entry in ledger.entries(DocumentState.POSTING, DocumentState.PENDING, DocumentState.FAILED):
        document = entry.document
        if run_id is not None and entry.refused_in_run == run_id:
            continue
        party = party_targets.get(document.party)
        if party is None:
            message = f"{document.label}: its {document.party_role.value} is not in the tool yet (see the party errors)"
            ledger.set_error(entry, message, run_id)
            errors(document.source_id, document.number, "party_missing", "party", message)
            counts["refused"] += 1
            continue
        booking = build_booking(document, settings, party)
        if entry.state is DocumentState.POSTING:
            found = target.find_booking(booking)
            if found is not None:
                ledger.mark_booked(entry, found.target_id, found.booking_number)
                counts["recovered"] += 1
                continue
        elif not ledger.claim(entry):
            continue
        counts[_post(target, ledger, entry, booking, errors)] += 1
    return counts


def _post(target: Target, ledger: DocumentLedger, entry: LedgerEntry, booking, errors: ErrorSink) -> str:
    document = entry.document
    try:
        ref = target.post(booking)
    except AmbiguousWrite:
        ref = target.find_booking(booking)
        if ref is None:
            log.warning("%s: the tool did not confirm the booking; it is checked again on the next attempt",
                        document.label)
            return "uncertain"
        ledger.mark_booked(entry, ref.target_id, ref.booking_number)
        return "recovered"
    except DocumentRefused as exc:
        ledger.mark_failed(entry, str(exc))
        errors(document.source_id, document.number, exc.code, exc.field, str(exc))
        return "refused"
    ledger.mark_booked(entry, ref.target_id, ref.booking_number)
    return "booked"
