"""Encryption at rest for the tokens in the state database (Fernet, as Airflow does for connections).

The key comes from ``CONNECTOR_FERNET_KEY``, else Airflow's own
``AIRFLOW__CORE__FERNET_KEY``; for local work without either, a key file is
created next to the SQLite database (mode 0600). A database dump alone then
never yields a usable token.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

DEFAULT_KEY_FILE = Path(".state/fernet.key")


class SecretError(RuntimeError):
    """A stored secret cannot be decrypted (wrong or rotated key)."""


class Cipher:
    def __init__(self, key: bytes | str):
        self._fernet = Fernet(key)

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretError(
                "A stored token cannot be decrypted: CONNECTOR_FERNET_KEY changed? Reconnect the integration."
            ) from None


def load_cipher(env: dict[str, str] | None = None, key_file: Path = DEFAULT_KEY_FILE) -> Cipher:
    env = dict(os.environ if env is None else env)
    key = env.get("CONNECTOR_FERNET_KEY") or env.get("AIRFLOW__CORE__FERNET_KEY")
    if key:
        return Cipher(key)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    return Cipher(key_file.read_bytes().strip())
