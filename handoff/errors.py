"""One error root for the product, so callers catch what they can act on.

    HandoffError
     ├── ConfigError          a setting is missing or wrong; the message says the fix
     ├── InputError           a user-supplied file or value is unusable
     │    └── ParseError      one file could not be parsed (names the file and the problem)
     ├── ExtractionError      no valid model output after retries (keeps the last raw output)
     ├── BackendUnavailable   a requested backend cannot run here (not installed, endpoint down)
     ├── NotFoundError        a deal, item, gap or user does not exist, or the caller may not see it
     └── ForbiddenError       the caller is known but may not do this

The API maps these to HTTP status codes in one handler; the CLI prints the message and
exits non-zero.
"""

from __future__ import annotations


class HandoffError(Exception):
    """Root of every error this product raises on purpose."""


class ConfigError(HandoffError):
    """A setting is missing or invalid."""


class InputError(HandoffError):
    """User input (a file, an id, a value) cannot be used."""


class ParseError(InputError):
    """A source file could not be parsed.

    Attributes:
        filename: The file's name as uploaded.
        problem: What is wrong, in words a rep understands.
    """

    def __init__(self, filename: str, problem: str) -> None:
        self.filename = filename
        self.problem = problem
        super().__init__(f"{filename}: {problem}")


class ExtractionError(HandoffError):
    """The language model gave no usable output after retries and re-asks."""

    def __init__(self, message: str, last_output: str | None = None) -> None:
        self.last_output = last_output
        super().__init__(message)


class BackendUnavailable(HandoffError):
    """A backend was asked for but cannot run on this machine (``timed_out``: it answered
    too slowly, rather than not at all; ``transient``: it was busy or unreachable, so a
    background job may try again later, unlike a missing install or a refused key)."""

    timed_out: bool = False
    transient: bool = False


class NotFoundError(HandoffError):
    """Something does not exist, or the caller is not allowed to know it exists."""


class ForbiddenError(HandoffError):
    """The caller may see the object but not change it."""
