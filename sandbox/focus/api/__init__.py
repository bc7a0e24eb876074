"""The Focus RPC endpoints: ``POST /<resource>.<action>`` -> handler."""

from __future__ import annotations

from sandbox.focus.api import crm, expenses, files, invoicing, settings
from sandbox.focus.api.base import Handler

HANDLERS: dict[str, Handler] = {
    **invoicing.HANDLERS,
    **expenses.HANDLERS,
    **crm.HANDLERS,
    **settings.HANDLERS,
    **files.HANDLERS,
}
