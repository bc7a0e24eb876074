"""``python -m sandbox <name> [options]``: dispatch to one sandbox's command line."""

from __future__ import annotations

import importlib
import sys

from sandbox import SANDBOXES


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in SANDBOXES:
        names = ", ".join(sorted(SANDBOXES))
        print(f"usage: python -m sandbox {{{names}}} [options]", file=sys.stderr)
        return 2
    module = importlib.import_module(SANDBOXES[argv[0]])
    module.main(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
