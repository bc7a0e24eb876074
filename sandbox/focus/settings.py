"""Focus's live-tunable settings: the shared limits, plus how list endpoints treat ``includes``.

The real ``invoices.list`` / ``creditNotes.list`` return no lines; the sandbox
adds ``.info`` fields to list items when ``includes`` names them (a documented
extension). ``list_includes`` lets a test take the extension away:

- ``honour`` (default): the extension as documented in sandbox/README.md;
- ``ignore``: items keep the documented list shape, whatever ``includes`` asks
  (the request is not refused), as the real API behaves;
- ``refuse``: an ``includes`` value the vendor does not document for that list
  is a 400 (``late_fees`` and ``pagination`` stay accepted).

Changed through ``POST /_sandbox/config`` (persisted) or ``--list-includes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.common.config import RuntimeSettings

HONOUR, IGNORE, REFUSE = "honour", "ignore", "refuse"
LIST_INCLUDES = (HONOUR, IGNORE, REFUSE)


@dataclass(frozen=True)
class FocusSettings(RuntimeSettings):
    list_includes: str = field(default=HONOUR, metadata={"choices": LIST_INCLUDES})
