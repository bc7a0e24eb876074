"""JSON with every ``Decimal`` as a number literal of exactly its digits: how amounts go over the wire to Focus
and to the tools (``123456789012345.67``, never a float)."""

from __future__ import annotations

from typing import Any

import simplejson


def dumps(body: Any) -> bytes:
    return simplejson.dumps(body, use_decimal=True, ensure_ascii=False).encode()
