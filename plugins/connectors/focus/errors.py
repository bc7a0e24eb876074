"""Typed errors of the Focus client.

Messages carry the endpoint and Focus's own error titles, never tokens,
secrets or request bodies, so they are safe to log and to show in Airflow.
"""

from __future__ import annotations

from connectors.oauth import AnswerLost, AuthError, GrantRefused, TokenUnavailable


class FocusError(Exception):
    """Base class: something went wrong talking to Teamleader Focus."""

    def __init__(self, message: str, *, endpoint: str | None = None, status: int | None = None):
        super().__init__(message)
        self.endpoint = endpoint
        self.status = status


class FocusAuthError(FocusError, AuthError):
    """The credentials or tokens are not (or no longer) accepted.

    Retrying does not help: someone has to reconnect the integration
    (``focus-connector focus connect``).
    """


class FocusBadRequest(FocusError):
    """Focus refused the request as invalid (HTTP 400): a bug or bad input, not transient."""

    def __init__(self, message: str, *, titles: list[str], endpoint: str | None = None, status: int = 400):
        super().__init__(message, endpoint=endpoint, status=status)
        self.titles = titles


class FocusNotFound(FocusError):
    """The resource or endpoint does not exist (HTTP 404)."""


class FocusRateLimited(FocusError):
    """Still rate limited after waiting as long as we were willing to."""


class FocusUnavailable(FocusError):
    """5xx answers or timeouts persisted beyond the retry budget."""


class FocusGrantRefused(FocusAuthError, GrantRefused):
    """Focus's token endpoint refused the code, refresh token or client: connect Focus again."""


class FocusAnswerLost(FocusAuthError, AnswerLost):
    """A token request left but its answer was lost: the single-use code or refresh token is probably spent."""


class FocusTokenUnavailable(FocusUnavailable, TokenUnavailable):
    """Focus's token endpoint kept answering 429/5xx or could not be reached: try the run again later."""
