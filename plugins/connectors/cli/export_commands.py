"""``focus-connector exports setup``, ``export`` and ``billing report`` (being written)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    return None
