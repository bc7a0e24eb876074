"""Text cut to what a booking or a tool keeps — never without a word.

Tools keep descriptions, comments and references up to a length; the
connector shortens longer ones so the booking is accepted, and logs a
WARNING naming the document, the field, both lengths and what was kept.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def fit(value: str, limit: int, *, where: str, keeper: str) -> str:
    """``value`` cut to ``limit`` characters; a cut is logged ("<where> has N characters, <keeper> keeps L")."""
    if len(value) <= limit:
        return value
    kept = value[:limit]
    log.warning("%s has %d characters, %s keeps %d; booked as %r", where, len(value), keeper, limit, kept)
    return kept
