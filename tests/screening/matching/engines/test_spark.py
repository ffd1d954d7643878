"""The Spark engine's driver-side population digest equals the run ledger's definition (count, SHA-256
of the sorted ids joined by newlines) however many chunks it hashes in. No Spark needed."""

from __future__ import annotations

import hashlib

import pyarrow as pa

from screening.matching.engines.spark import population_digest


def test_population_digest_is_the_ledgers_in_any_number_of_chunks() -> None:
    ids = ["b7", "a10", "a2", "Z", "ü-1", "a10", "c"]  # unsorted, one duplicate, a non-ASCII id
    expected = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
    column = pa.chunked_array([pa.array(ids[:3]), pa.array(ids[3:])])
    for chunk in (1, 2, 3, 1_000_000):
        assert population_digest(column, chunk=chunk) == (7, expected)
    assert population_digest(pa.chunked_array([], type=pa.string())) == (0, hashlib.sha256(b"").hexdigest())
