"""JSON that keeps every digit of a number: money never takes a float round trip.

Accounting APIs compare amounts to the cent, and a binary float cannot hold
149382714704938.26. Reading, a number with a fraction or exponent becomes a
``Decimal`` (integers stay ``int``); writing, a ``Decimal`` is a JSON number
literal with exactly its digits (simplejson's ``use_decimal``). Floats are
written as the standard library writes them, so documents that hold floats
(the Focus sandbox) look the same as before.
"""

from __future__ import annotations

from typing import Any

import simplejson


def loads(text: str | bytes) -> Any:
    """Parse JSON; raises ValueError (``simplejson.JSONDecodeError``) when it is not JSON."""
    return simplejson.loads(text, use_decimal=True)


def dumps(value: Any) -> str:
    """Compact JSON text; ``ensure_ascii=False`` keeps names like Müller readable. Tuples are
    arrays and named tuples too, as with the standard library."""
    return simplejson.dumps(value, use_decimal=True, ensure_ascii=False, separators=(",", ":"),
                            namedtuple_as_object=False)
