"""Local emulators of the external APIs the connector talks to.

Each sandbox is a small FastAPI app backed by one SQLite file, started with
``python -m sandbox <name>``. Production code never imports this package;
tests and demos talk to the sandboxes over real HTTP (see ``sandbox.runner``).
"""

#: Sandbox name -> module exposing ``main(argv)``.
SANDBOXES: dict[str, str] = {
    "focus": "sandbox.focus.cli",
    "exact_online": "sandbox.exact_online.cli",
    "octopus": "sandbox.octopus.cli",
    "yuki": "sandbox.yuki.cli",
}
