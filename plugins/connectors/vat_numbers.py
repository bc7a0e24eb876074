"""VAT numbers compared the way tools store them: ``BE 0477.472.701`` and ``be0477472701`` are one number."""

from __future__ import annotations

from stdnum.util import clean


def compact(value: str) -> str:
    """Upper case without spaces, dots, dashes, slashes or commas (python-stdnum's own cleaning)."""
    return clean(value, " -./,:").upper()


def belgian_dotted(value: str) -> str:
    """``BE0477472701`` → ``BE0477.472.701``, the form Belgian tools show; other numbers compact."""
    number = compact(value)
    if number.startswith("BE") and len(number) == 12:
        digits = number[2:]
        return f"BE{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return number
