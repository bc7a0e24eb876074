"""Text cut to what a booking or a tool keeps — never without a word.

Tools keep descriptions, comments and references up to a length; the
connector shortens longer ones so the booking is accepted, and logs a
WARNING naming the document, the field, both lengths and what was kept.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from connectors.domain import Party

log = logging.getLogger(__name__)


def fit(value: str, limit: int, *, where: str, keeper: str) -> str:
    """``value`` cut to ``limit`` characters; a cut is logged ("<where> has N characters, <keeper> keeps L")."""
    if len(value) <= limit:
        return value
    kept = value[:limit]
    log.warning("%s has %d characters, %s keeps %d; booked as %r", where, len(value), keeper, limit, kept)
    return kept


def describe_party(party: Party) -> str:
    """'Customer 'Acme NV' (Focus company 9c1…)': the name cut for a log line, the Focus id to find it by."""
    roles = " and ".join(role.value for role in sorted(party.roles)) or "party"
    return f"{roles.capitalize()} {party.name[:60]!r}{'…' if len(party.name) > 60 else ''} " \
           f"(Focus {party.ref.type} {party.ref.id})"


def report_party_cuts(party: Party, limits: Mapping[str, int], keeper: str) -> list[str]:
    """One WARNING per field of ``party`` longer than ``limits`` allows: the party, the field, both lengths
    and what ``keeper`` (the tool) keeps."""
    notes = []
    for field, limit in limits.items():
        value = getattr(party, field) or ""
        if len(value) > limit:
            notes.append(f"{describe_party(party)}: {field} has {len(value)} characters, {keeper} keeps {limit}; "
                         f"booked as {value[:limit]!r}")
    for note in notes:
        log.warning("%s", note)
    return notes
