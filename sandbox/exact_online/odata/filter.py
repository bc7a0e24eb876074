"""``$filter``: a tokenizer and recursive-descent parser that compile to a Python predicate (no eval).

Supported: ``eq ne gt ge lt le``, ``and or not``, parentheses; literals
``'text'`` (``''`` escapes a quote), ``guid'..'``, ``datetime'YYYY-MM-DDTHH:MM[:SS]'``,
integers (``123``, ``123L``), decimals (``1.5``, ``1.5M``), ``true``, ``false``,
``null``; functions ``trim``, ``tolower``, ``toupper`` (text) and
``substringof('x', Field)``, ``startswith(Field, 'x')``, ``endswith(Field, 'x')``.

Types are checked up front, as the real service does: comparing a Guid
property with a text literal is a 400, not an empty result. Text compares
case-insensitively (Exact runs on SQL Server's default collation), but leading
spaces count, which is why an unpadded ``Code eq '1024'`` finds nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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
    wire_ms,
)

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]

NULL = "Null"
NUMERIC = (INT, INT64, DECIMAL)
COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
ORDERED = (STRING, INT, INT64, DECIMAL, DATETIME)

_TOKEN = re.compile(r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<typed>(?:guid|datetime)'[^']*')
    | (?P<number>-?\d+(?:\.\d+)?[LlMmDd]?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[(),])
    )""", re.VERBOSE)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise ODataError(f"Syntax error at position {position} in '{text}'.")
        start = match.start(match.lastgroup)
        tokens.append(Token(match.lastgroup, match.group(match.lastgroup), start))
        position = match.end()
    return tokens


@dataclass(frozen=True)
class Expr:
    """A compiled sub-expression: how to evaluate it on a row, and its static type."""

    evaluate: Callable[[Row], Any]
    type: str


def _comparable(value: Any, kind: str) -> Any:
    """A stored wire value in a form Python can compare."""
    if value is None:
        return None
    if kind == DATETIME:
        return wire_ms(value)
    if kind == DECIMAL:
        return Decimal(str(value))
    if kind == STRING:
        return value.casefold()
    if kind == GUID:
        return value.lower()
    return value


def _datetime_ms(text: str) -> int:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ODataError(f"Invalid datetime literal: datetime'{text}'.") from None
    moment = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return round(moment.timestamp() * 1000)


def _literal(token: Token) -> Expr:
    text = token.text
    if token.kind == "string":
        value = text[1:-1].replace("''", "'")
        return Expr(lambda _: value.casefold(), STRING)
    if token.kind == "typed":
        prefix, _, rest = text.partition("'")
        inner = rest[:-1]
        if prefix == "guid":
            guid = normal_guid(inner)
            return Expr(lambda _: guid, GUID)
        ms = _datetime_ms(inner)
        return Expr(lambda _: ms, DATETIME)
    suffix = text[-1].upper() if text[-1].isalpha() else ""
    digits = text.rstrip("LlMmDd")
    if suffix in ("M", "D") or "." in digits:
        number = Decimal(digits)
        return Expr(lambda _: number, DECIMAL)
    integer = int(digits)
    return Expr(lambda _: integer, INT64 if suffix == "L" else INT)


def _compatible(op: str, left: str, right: str) -> bool:
    if NULL in (left, right):
        return op in ("eq", "ne")
    same = left == right or (left in NUMERIC and right in NUMERIC)
    return same and (op in ("eq", "ne") or left in ORDERED)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if left is None or right is None:
        return False
    return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]


def _text_function(name: str, transform: Callable[[str], str]) -> Callable[[list[Expr]], Expr]:
    def build(args: list[Expr]) -> Expr:
        _check_args(name, args, (STRING,))
        (arg,) = args
        return Expr(lambda row: None if (v := arg.evaluate(row)) is None else transform(v), STRING)

    return build


def _text_test(name: str, test: Callable[[str, str], bool], needle_first: bool) -> Callable[[list[Expr]], Expr]:
    def build(args: list[Expr]) -> Expr:
        _check_args(name, args, (STRING, STRING))
        needle, haystack = (args[0], args[1]) if needle_first else (args[1], args[0])

        def evaluate(row: Row) -> bool:
            n, h = needle.evaluate(row), haystack.evaluate(row)
            return n is not None and h is not None and test(h, n)

        return Expr(evaluate, BOOL)

    return build


def _check_args(name: str, args: list[Expr], kinds: tuple[str, ...]) -> None:
    if len(args) != len(kinds) or any(a.type not in (k, NULL) for a, k in zip(args, kinds, strict=False)):
        raise ODataError(f"No applicable function found for '{name}' with the given argument types.")


FUNCTIONS: dict[str, Callable[[list[Expr]], Expr]] = {
    "trim": _text_function("trim", str.strip),
    "tolower": _text_function("tolower", str.lower),
    "toupper": _text_function("toupper", str.upper),
    "substringof": _text_test("substringof", lambda haystack, needle: needle in haystack, needle_first=True),
    "startswith": _text_test("startswith", str.startswith, needle_first=False),
    "endswith": _text_test("endswith", str.endswith, needle_first=False),
}


class _Parser:
    def __init__(self, text: str, properties: Mapping[str, str], type_name: str) -> None:
        self._text = text
        self._tokens = tokenize(text)
        self._index = 0
        self._properties = properties
        self._type_name = type_name

    def parse(self) -> Predicate:
        if not self._tokens:
            raise ODataError("The $filter expression is empty.")
        expr = self._or()
        token = self._peek()
        if token is not None:
            raise ODataError(f"Syntax error at position {token.position} in '{self._text}'.")
        if expr.type != BOOL:
            raise ODataError("The $filter expression must evaluate to a single boolean value.")
        return lambda row: bool(expr.evaluate(row))

    def _peek(self) -> Token | None:
        return self._tokens[self._index] if self._index < len(self._tokens) else None

    def _peek_word(self) -> str | None:
        token = self._peek()
        return token.text if token is not None and token.kind == "name" else None

    def _peek_text(self) -> str | None:
        token = self._peek()
        return None if token is None else token.text

    def _next(self) -> Token:
        if self._index >= len(self._tokens):
            raise ODataError(f"Syntax error: unexpected end of '{self._text}'.")
        token = self._tokens[self._index]
        self._index += 1
        return token

    def _expect(self, text: str) -> None:
        token = self._next()
        if token.text != text:
            raise ODataError(f"'{text}' expected at position {token.position} in '{self._text}'.")

    def _logical(self, word: str, operand: Callable[[], Expr]) -> Expr:
        left = operand()
        while self._peek_word() == word:
            self._next()
            right = operand()
            if left.type != BOOL or right.type != BOOL:
                raise ODataError(f"Operator '{word}' needs boolean operands.")
            a, b = left, right
            left = (Expr(lambda row, a=a, b=b: a.evaluate(row) and b.evaluate(row), BOOL) if word == "and"
                    else Expr(lambda row, a=a, b=b: a.evaluate(row) or b.evaluate(row), BOOL))
        return left

    def _or(self) -> Expr:
        return self._logical("or", self._and)

    def _and(self) -> Expr:
        return self._logical("and", self._unary)

    def _unary(self) -> Expr:
        if self._peek_word() == "not":
            self._next()
            operand = self._unary()
            if operand.type != BOOL:
                raise ODataError("Operator 'not' needs a boolean operand.")
            return Expr(lambda row: not operand.evaluate(row), BOOL)
        return self._comparison()

    def _comparison(self) -> Expr:
        left = self._primary()
        op = self._peek_word()
        if op not in COMPARISONS:
            return left
        self._next()
        right = self._primary()
        if not _compatible(op, left.type, right.type):
            raise ODataError(f"Operator '{op}' incompatible with operand types 'Edm.{left.type}' and "
                             f"'Edm.{right.type}'.")
        return Expr(lambda row: _compare(op, left.evaluate(row), right.evaluate(row)), BOOL)

    def _primary(self) -> Expr:
        token = self._next()
        if token.text == "(":
            inner = self._or()
            self._expect(")")
            return inner
        if token.kind in ("string", "typed", "number"):
            return _literal(token)
        if token.kind != "name":
            raise ODataError(f"Syntax error at position {token.position} in '{self._text}'.")
        if token.text in ("true", "false"):
            value = token.text == "true"
            return Expr(lambda _: value, BOOL)
        if token.text == "null":
            return Expr(lambda _: None, NULL)
        if self._peek_text() == "(":
            return self._call(token)
        return self._property(token)

    def _call(self, name: Token) -> Expr:
        build = FUNCTIONS.get(name.text)
        if build is None:
            raise ODataError(f"Unknown function '{name.text}' at position {name.position}.")
        self._expect("(")
        args = [self._or()]
        while self._peek_text() == ",":
            self._next()
            args.append(self._or())
        self._expect(")")
        return build(args)

    def _property(self, token: Token) -> Expr:
        kind = self._properties.get(token.text)
        if kind is None:
            raise ODataError(f"No property '{token.text}' exists in type '{self._type_name}' at position "
                             f"{token.position}.")
        name = token.text
        return Expr(lambda row: _comparable(row.get(name), kind), kind)


def compile_filter(text: str, properties: Mapping[str, str], type_name: str) -> Predicate:
    """A predicate over stored rows; raises ODataError (a 400) on any syntax or type error."""
    return _Parser(text, properties, type_name).parse()
