"""The one exception tree. Raised on user paths, caught once at each boundary: the CLI prints one
line and exits with `exit_code`, a job marks its run failed with the message, the HTTP API answers
`http_status`. Anything else that escapes is a bug.

Exit codes (also in the README): 0 done; 1 internal error; 2 usage; 3 bad input file; 4 store
unavailable (locked, not migrated); 5 list version refused; 6 not found; 7 action refused
(four-eyes, role, state); 8 the audit trail does not verify; 10 the run finished but some rows
could not be screened.
"""

from __future__ import annotations

EXIT_UNSCREENED = 10  # a finished run with unscreenable rows: a result, not an exception


class ScreeningError(Exception):
    """Base of every error the service reports to a person or a caller."""

    exit_code = 1
    http_status = 500


class UsageError(ScreeningError):
    """A command or call used wrongly (unknown option value, impossible date given as an argument)."""

    exit_code = 2
    http_status = 400


class InputError(ScreeningError):
    """An input file that cannot be read as given; the message names the file and line."""

    exit_code = 3
    http_status = 422


class StoreError(ScreeningError):
    """The store cannot be used right now."""

    exit_code = 4
    http_status = 503


class StoreLocked(StoreError):
    """Another process holds the store for writing, past the bounded wait."""


class MigrationRequired(StoreError):
    """The store's schema is older (or newer) than this code."""


class ListRefused(ScreeningError):
    """A list version that must not replace the one in force (older, shrunk, unparseable)."""

    exit_code = 5
    http_status = 409


class NotFound(ScreeningError):
    exit_code = 6
    http_status = 404


class ActionRefused(ScreeningError):
    """A workflow action the rules forbid (four-eyes, wrong state); nothing was changed."""

    exit_code = 7
    http_status = 409


class Forbidden(ActionRefused):
    """The officer may not do this (unknown, inactive, or the wrong role)."""

    http_status = 403


class IntegrityError(ScreeningError):
    """Stored evidence fails its check (the audit chain or a row it vouches for was changed)."""

    exit_code = 8
    http_status = 500
