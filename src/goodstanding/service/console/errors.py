"""What a console page answers instead of itself: an error page, or a trip to sign in."""

from __future__ import annotations


class PageError(Exception):
    """An error page with a status and a message for the person."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class SignInNeeded(Exception):
    """The viewer must sign in first; `after` is where they were going."""

    def __init__(self, after: str):
        super().__init__(after)
        self.after = after
