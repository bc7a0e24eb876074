"""The OData v2 conventions Exact Online uses: wire values, ``$filter`` and the query options."""


class ODataError(Exception):
    """A malformed query or body; answered as a 400 with the message as ``error.message.value``."""
