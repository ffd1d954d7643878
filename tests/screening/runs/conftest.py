"""The runs tests screen accounts against the matcher's snapshot store (same fixtures)."""

from tests.screening.matching.conftest import con, ro_con, snapshot_db, store  # noqa: F401
