"""The registration lookup runs on the matcher's snapshot store (UN, OFAC SDN, China, UK OFSI)."""

from tests.screening.matching.conftest import con, ro_con, snapshot_db, store  # noqa: F401  (fixtures)
