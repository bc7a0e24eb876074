"""``focus-connector customers …``: customer numbers per department and package (being written)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    return None
