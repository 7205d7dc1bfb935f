"""User-facing errors shared by every layer.

Why a tiny module of its own: the CLI turns these into one clear line and exit code 2, the
TUI into a notification; anything else is a bug and keeps its traceback. Layers below the
services raise their own ``ValueError`` subclasses; services translate them into these.
"""

from __future__ import annotations

__all__ = [
    "BusyError",
    "ConflictError",
    "InputError",
    "NotFoundError",
    "PermissionDeniedError",
    "ThemeqaError",
    "ThemeqaWarning",
]


class ThemeqaError(Exception):
    """An error whose message is meant for the user: one line, says what and why."""


class InputError(ThemeqaError):
    """Bad input (file, option, reference): nothing was written."""


class NotFoundError(InputError):
    """A project, document, code or coder that does not exist."""


class ConflictError(InputError):
    """Someone changed the thing since it was read ("code 2a was changed by ben; reload")."""


class PermissionDeniedError(InputError):
    """The actor's role does not allow the change (another coder's layer, lead-only setting)."""


class BusyError(ThemeqaError):
    """Another process held the project's write lock for longer than themeqa waits (30 s)."""


class ThemeqaWarning(UserWarning):
    """Something the user should know that does not stop the action (an export that still
    holds identifiable text): the CLI prints it as one ``warning:`` line on stderr."""
