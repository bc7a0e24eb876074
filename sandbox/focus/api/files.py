"""``files.download``: a short-lived absolute link on this sandbox to a file's bytes.

Like the real API, the link is a bearer of its own (no Authorization
header needed to fetch it) and expires after ten minutes of sandbox time;
only a hash of its token is stored.
"""

from __future__ import annotations

import hashlib
import secrets

from starlette.responses import Response

from sandbox.common.clock import Clock, iso_seconds
from sandbox.common.gate import ApiError
from sandbox.focus.api.base import Context, Handler, Reply, not_found
from sandbox.focus.api.params import Params
from sandbox.focus.store import FocusStore

LINK_TTL_SECONDS = 600
FILES_PATH = "/_files"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def download(ctx: Context, params: Params) -> Reply:
    file_id = params.id()
    if ctx.store.file(file_id) is None:
        raise not_found("File")
    token = secrets.token_urlsafe(24)
    expires = ctx.clock.now() + LINK_TTL_SECONDS
    ctx.store.add_file_link(_digest(token), file_id, expires)
    return {"data": {"location": f"{ctx.base_url}{FILES_PATH}/{token}", "expires": iso_seconds(expires)}}


def fetch(store: FocusStore, clock: Clock, token: str) -> Response:
    """The bytes behind a download link (403 once expired)."""
    link = store.file_link(_digest(token))
    if link is None:
        raise ApiError(404, "File link not found")
    file_id, expires = link
    if expires <= clock.now():
        raise ApiError(403, "File link has expired")
    file = store.file(file_id)
    if file is None:
        raise ApiError(404, "File not found")
    return Response(file.content, media_type=file.media_type)


HANDLERS: dict[str, Handler] = {"files.download": download}
