"""Reading POST/PUT bodies the way the real service does: known properties only, typed.

An unknown property is a 400 (a misspelt field is not silently dropped), and
so is a value of the wrong type. Decimals may come as JSON numbers or as
strings (OData v2 clients send both); the body is parsed with exact decimals,
so a number literal keeps every digit. Dates as zone-less ISO-8601 text
(taken as UTC), with an offset, or as ``/Date(ms)/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.exact_online.entities import EntitySet
from sandbox.exact_online.odata import ODataError
from sandbox.exact_online.odata.values import (
    BOOL,
    DATETIME,
    DECIMAL,
    GUID,
    INT,
    INT64,
    STRING,
    normal_guid,
    parse_input_datetime,
)

STREAM_ERROR = "Error processing request stream."


def _convert(value: Any, kind: str) -> Any:
    """The Python value for one property; raises ValueError when the type is wrong."""
    if value is None:
        return None
    if kind == STRING and isinstance(value, str):
        return value
    if kind == GUID and isinstance(value, str):
        try:
            return normal_guid(value)
        except ODataError:
            raise ValueError(value) from None
    integral = isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit())
    if kind in (INT, INT64) and integral and not isinstance(value, bool):
        return int(value)
    if kind == DECIMAL and not isinstance(value, bool) and isinstance(value, (int, float, str, Decimal)):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(value) from None
        if number.is_finite():
            return number
    if kind == BOOL and isinstance(value, bool):
        return value
    if kind == DATETIME and isinstance(value, str):
        return parse_input_datetime(value)
    raise ValueError(value)


def read_body(body: Any, entity: EntitySet) -> dict[str, Any]:
    """Typed values of the properties present in ``body`` (navigation properties kept as given)."""
    if not isinstance(body, Mapping):
        raise ODataError(f"{STREAM_ERROR} A JSON object of type '{entity.qualified_type}' is expected.")
    values: dict[str, Any] = {}
    for name, value in body.items():
        if name == "__metadata":
            continue
        if name in entity.navigation:
            if not isinstance(value, list):
                raise ODataError(f"{STREAM_ERROR} '{name}' must be an array of objects.")
            values[name] = value
            continue
        kind = entity.properties.get(name)
        if kind is None:
            raise ODataError(f"{STREAM_ERROR} The property name '{name}' specified for type "
                             f"'{entity.qualified_type}' is not valid.")
        try:
            values[name] = _convert(value, kind)
        except ValueError:
            raise ODataError(f"{STREAM_ERROR} Cannot convert the literal '{value}' to the expected type "
                             f"'Edm.{kind}' (property '{name}').") from None
    return values


def required(values: Mapping[str, Any], name: str) -> Any:
    value = values.get(name)
    if value is None or value == "":
        raise ODataError(f"{name}: Mandatory field.")
    return value
