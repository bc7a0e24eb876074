"""``focus-connector``: the operator's command line (Focus connection, integration setup)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from connectors.cli import (
    customer_commands,
    document_commands,
    export_commands,
    focus_commands,
    integration_commands,
    notification_commands,
)
from connectors.cli.common import StateDatabaseError
from connectors.connections import ConnectionMissing
from connectors.focus.errors import FocusError
from connectors.integrations import IntegrationError
from connectors.oauth import AuthError
from connectors.targets.base import TargetError


class OneLineErrors(argparse.ArgumentParser):
    """Usage mistakes in one line (what is wrong, where to look), not argparse's usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrors(prog="focus-connector", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    focus_commands.register(sub)
    integration_commands.register(sub)
    document_commands.register(sub)
    notification_commands.register(sub)
    export_commands.register(sub)
    customer_commands.register(sub)
    return parser


#: Loggers whose INFO lines are progress for task logs, not output for a person at a terminal.
QUIET_LOGGERS = ("connectors", "httpx", "great_expectations")

#: Options whose values are opaque strings that may start with "-" (about 1 OAuth code in 64 does).
OPAQUE_VALUE_OPTIONS = frozenset({"--code"})


def join_opaque_values(argv: Sequence[str]) -> list[str]:
    """``--code -AbC`` → ``--code=-AbC``: argparse would read a value starting with "-" as an option."""
    out: list[str] = []
    items = iter(argv)
    for item in items:
        if item in OPAQUE_VALUE_OPTIONS:
            value = next(items, None)
            out.append(item if value is None else f"{item}={value}")
        else:
            out.append(item)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(join_opaque_values(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    previous = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    if not args.verbose:
        # Importing Airflow (connections, ObjectStoragePath) sets the root logger to INFO on stdout: keep the
        # connector's and httpx's progress lines out of a command's output unless --verbose asks for them.
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    try:
        return _run(args)
    finally:
        for name, level in previous.items():  # a command run in-process leaves logging as it found it
            logging.getLogger(name).setLevel(level)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.func(args)
    except (FocusError, AuthError, TargetError, IntegrationError, ConnectionMissing, StateDatabaseError) as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 1
    except SystemExit as exc:
        if isinstance(exc.code, str):  # a command's own one-line refusal
            print(exc.code, file=sys.stderr)
            return 1
        raise
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a defect, not the user's mistake: one line, the traceback on request
        if args.verbose:
            raise
        print(f"error: unexpected {type(exc).__name__}: {one_line(exc)} (run with --verbose for the details, and "
              "please report it)", file=sys.stderr)
        return 1


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
