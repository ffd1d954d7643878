"""Age and civil capacity in Asia/Shanghai: birthdays, 29 February, minors, guardians."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from screening.eligibility.capacity import capacity_frame, capacity_reasons, today_in_shanghai

AS_OF = dt.date(2026, 6, 30)


def frame(rows: list[dict]) -> pl.DataFrame:
    schema = {"account_id": pl.Utf8, "subject_type": pl.Utf8, "birth_date": pl.Date, "id_birth_date": pl.Date,
              "guardian_account_id": pl.Utf8, "self_supporting": pl.Boolean, "id_masked": pl.Utf8}
    full = [{k: r.get(k) for k in schema} for r in rows]
    return pl.DataFrame(full, schema=schema)


def person(account_id: str, dob: str | None, **extra) -> dict:
    return {"account_id": account_id, "subject_type": "person", "birth_date": dt.date.fromisoformat(dob) if dob else None, **extra}


@pytest.mark.parametrize(
    ("dob", "as_of", "capacity"),
    [
        ("2008-06-30", "2026-06-30", "adult"),  # 18th birthday today
        ("2008-07-01", "2026-06-30", "minor_no_guardian"),  # 18th birthday tomorrow
        ("2008-02-29", "2026-02-28", "minor_no_guardian"),  # 29 Feb: not yet on 28 Feb …
        ("2008-02-29", "2026-03-01", "adult"),  # … but on 1 March in a non-leap year
        ("2004-02-29", "2022-02-28", "minor_no_guardian"),
        ("2012-06-30", "2026-06-30", "minor_no_guardian"),  # 14th birthday today
        ("2012-07-01", "2026-06-30", "minor_under_14"),  # 14th birthday tomorrow
        ("1900-01-01", "2026-06-30", "unknown_age"),  # implausible
        ("2030-01-01", "2026-06-30", "unknown_age"),  # in the future
        (None, "2026-06-30", "unknown_age"),
    ],
)
def test_age_edges(dob: str | None, as_of: str, capacity: str) -> None:
    result = capacity_frame(frame([person("A", dob)]), dt.date.fromisoformat(as_of))
    assert result["capacity"][0] == capacity


def test_shanghai_day_boundary() -> None:
    # 16:30 UTC on 29 June is already 30 June in Beijing: the birthday counts.
    assert today_in_shanghai(dt.datetime(2026, 6, 29, 16, 30, tzinfo=dt.timezone.utc)) == dt.date(2026, 6, 30)
    assert today_in_shanghai(dt.datetime(2026, 6, 29, 15, 59, tzinfo=dt.timezone.utc)) == dt.date(2026, 6, 29)


def test_classes_and_reasons() -> None:
    rows = [
        person("ADULT", "1990-05-01"),
        person("G", "1980-01-01"),
        person("SELF", "2009-01-01", self_supporting=True),  # 17
        person("SELF15", "2011-01-01", self_supporting=True),  # 15: self-support does not count
        person("WARD", "2011-01-01", guardian_account_id="G"),
        person("KID", "2016-01-01", guardian_account_id="G"),
        person("BADLINK", "2011-01-01", guardian_account_id="NOPE"),
        person("MINORLINK", "2011-01-01", guardian_account_id="SELF15"),
        person("MISMATCH", "1990-05-01", id_birth_date=dt.date(1991, 5, 1)),
        {"account_id": "ORG", "subject_type": "organization"},
    ]
    base = frame(rows)
    cap = capacity_frame(base, AS_OF)
    got = dict(zip(cap["account_id"], cap["capacity"], strict=True))
    assert got == {
        "ADULT": "adult", "G": "adult", "SELF": "minor_self_supporting", "SELF15": "minor_no_guardian",
        "WARD": "minor_with_guardian", "KID": "minor_under_14", "BADLINK": "minor_no_guardian",
        "MINORLINK": "minor_no_guardian", "MISMATCH": "adult", "ORG": "organization",
    }
    reasons = capacity_reasons(base, cap, AS_OF)
    by = {(r["account_id"], r["code"]): r for r in reasons.to_dicts()}
    assert by[("SELF", "self_support_evidence_required")]["severity"] == "review"
    assert by[("WARD", "minor_with_guardian")]["severity"] == "ineligible"
    assert "guardian account G is to be notified" in by[("WARD", "minor_with_guardian")]["detail"]
    assert by[("KID", "minor_under_14")]["severity"] == "ineligible"
    assert by[("BADLINK", "guardian_link_invalid")]["severity"] == "info"
    assert by[("MISMATCH", "dob_mismatch")]["detail"] == "declared birth date 1990-05-01 differs from ID birth date 1991-05-01"
    # the ID's date decides the age: 1991 → still adult here, but the mismatch goes to review
    assert by[("MISMATCH", "dob_mismatch")]["severity"] == "review"
    assert not any(a in ("ADULT", "G", "ORG") for a, _ in by)


def test_id_birth_date_wins_over_declared() -> None:
    base = frame([person("P", "1990-01-01", id_birth_date=dt.date(2010, 1, 1))])
    assert capacity_frame(base, AS_OF)["capacity"][0] == "minor_no_guardian"
