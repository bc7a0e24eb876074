"""Command-line options every sandbox shares, and serving an app with uvicorn.

``--fd`` lets a parent process bind the listening socket first (port 0, so
the OS picks a free port) and hand it over: no port races in parallel tests.
"""

from __future__ import annotations

import argparse
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from sandbox.common.state import ClientCredentials

#: Config key -> the command-line option (argparse attribute) that sets it.
LIMIT_OPTIONS = {"token_ttl": "token_ttl", "rate_limit": "rate_limit", "rate_window_seconds": "rate_window"}


def base_parser(name: str, default_port: int, *, env_prefix: str | None = None, token_ttl: int = 3600,
                rate_limit: bool = True) -> argparse.ArgumentParser:
    """Options every sandbox has. ``env_prefix`` (default: the name upper-cased) names the
    ``<PREFIX>_SANDBOX_CLIENT_ID/SECRET`` variables; ``rate_limit=False`` leaves out
    ``--rate-limit`` for a service that adds its own limit options."""
    parser = argparse.ArgumentParser(prog=f"python -m sandbox {name}", description=f"Local {name} API emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument("--fd", type=int, help="serve on this already-bound listening socket")
    parser.add_argument("--db", type=Path, default=Path(".sandbox") / f"{name}.db", help="SQLite state file")
    parser.add_argument("--seed", type=int, default=42, help="demo data seed (used when the db is empty)")
    parser.add_argument("--reset", action="store_true", help="wipe the db and reseed")
    env = env_prefix or name.upper()
    parser.add_argument("--client-id", default=os.environ.get(f"{env}_SANDBOX_CLIENT_ID", "sandbox"))
    parser.add_argument("--client-secret", default=os.environ.get(f"{env}_SANDBOX_CLIENT_SECRET", "sandbox"))
    parser.add_argument("--token-ttl", type=int, help=f"access token lifetime in seconds (default {token_ttl})")
    if rate_limit:
        parser.add_argument("--rate-limit", type=int, help="requests per window per client (default 200)")
    parser.add_argument("--rate-window", type=float, help="rate window in seconds (default 60)")
    return parser


def client_credentials(args: argparse.Namespace) -> ClientCredentials:
    return ClientCredentials(args.client_id, args.client_secret)


def config_overrides(args: argparse.Namespace, options: Mapping[str, str] = LIMIT_OPTIONS) -> dict[str, Any]:
    """Only the limits given on the command line; the rest come from the db or defaults."""
    given = {key: getattr(args, attribute, None) for key, attribute in options.items()}
    return {key: value for key, value in given.items() if value is not None}


def serve(app: FastAPI, args: argparse.Namespace) -> None:
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level="warning", access_log=False,
        date_header=False, server_header=False,
    )
    server = uvicorn.Server(config)
    if args.fd is None:
        server.run()
        return
    # Not uvicorn's ``fd=``: it wraps the descriptor as AF_UNIX, so asyncio skips
    # TCP_NODELAY on accepted connections and every response waits ~40 ms for a
    # delayed ACK. ``socket(fileno=...)`` detects the real family.
    server.run(sockets=[socket.socket(fileno=args.fd)])
