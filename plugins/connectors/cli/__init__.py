"""``focus-connector``: the operator's command line (Focus connection, integration setup)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from connectors.cli import document_commands, focus_commands, integration_commands
from connectors.connections import ConnectionMissing
from connectors.focus.errors import FocusError
from connectors.integrations import IntegrationError
from connectors.oauth import AuthError
from connectors.targets.base import TargetError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="focus-connector", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    focus_commands.register(sub)
    integration_commands.register(sub)
    document_commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (FocusError, AuthError, TargetError, IntegrationError, ConnectionMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
