"""The single-record check (`check_subject`, what a registration lookup runs) against the batch run
(`evaluate` over a whole import): the same rules, so the same status, capacity and reasons, word for
word, for every record whose findings are its own (no other account involved)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from screening.accounts import normalise_accounts
from screening.accounts.files import LINE, read_records
from screening.eligibility.run import check_subject, evaluate, prepare
from screening.ids import ric_check_char, uscc_check_char

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "accounts"
AS_OF = dt.date(2026, 6, 30)
KEY = b"test-key"


def ric(first17: str) -> str:
    return first17 + ric_check_char(first17)


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def bad_check(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


# One record per rule a record triggers on its own (hand-written; checksum-valid unless named otherwise).
RULES: list[dict[str, str]] = [
    {"subject_type": "person", "name": "陈静", "birth_date": "1980-05-06", "id_type": "RIC", "id_number": ric("11010519800506123")},
    {"subject_type": "person", "name": "赵雷", "id_type": "RIC", "id_number": "1101051980"},  # id_format
    {"subject_type": "person", "name": "钱敏", "id_type": "RIC", "id_number": bad_check(ric("11010519800506124"))},  # id_checksum
    {"subject_type": "person", "name": "孙丽", "id_type": "RIC", "id_number": ric("11010519801306123")},  # month 13
    {"subject_type": "person", "name": "周强", "birth_date": "1975-01-01"},  # id_missing
    {"subject_type": "organization", "name": "周氏贸易有限公司", "country": "CN"},  # id_missing (organisation)
    {"subject_type": "person", "name": "吴刚", "birth_date": "1970-01-01", "id_type": "USCC",
     "id_number": uscc("91110108MA0123456")},  # id_type_subject_mismatch
    {"subject_type": "organization", "name": "郑氏控股有限公司", "country": "CN", "id_type": "RIC",
     "id_number": ric("11010519800506125")},  # a person's number for an organisation
    {"subject_type": "person", "name": "冯梅", "birth_date": "1980-05-06", "id_type": "RIC",
     "id_number": ric("10010519800506123")},  # id_region_unknown
    {"subject_type": "person", "name": "Wong Ka Ho", "birth_date": "1980-05-06", "id_type": "RIC",
     "id_number": ric("81000019800506123")},  # id_type_mismatch (an HK/Macao permit number)
    {"subject_type": "organization", "name": "福建某某有限公司", "country": "CN", "id_type": "USCC",
     "id_number": "91350211M0000XUF46"},  # uscc_checksum_anomaly (a real issued code)
    {"subject_type": "person", "name": "Hans Meier", "birth_date": "1980-01-01", "country": "DE", "id_type": "passport",
     "id_number": "C01X00T47♥"},  # id_format_unusual
    {"subject_type": "person", "name": "卫东", "birth_date": "1980-01-01", "id_type": "RIC",
     "id_number": ric("11010519800506126")},  # dob_mismatch
    {"subject_type": "person", "name": "蒋涛", "birth_date": "2009-01-02", "self_supporting": "yes"},  # 17, self-supporting
    {"subject_type": "person", "name": "沈小宝", "birth_date": "2015-03-04"},  # minor_under_14
    {"subject_type": "person", "name": "韩冰", "birth_date": "2010-03-04"},  # minor_no_guardian
    {"subject_type": "person", "name": "杨洋", "birth_date": "2011-03-04", "guardian_account_id": "NOBODY"},  # guardian_link_invalid
    {"subject_type": "person", "name": "朱琳"},  # unknown_age
    {"subject_type": "person", "name": "秦岚", "birth_date": "1890-01-01"},  # implausible age
    {"subject_type": "person", "name": "Mary Ann", "birth_date": "1991-02-03", "display_name": "TerraQuаnta 官方"},  # homoglyph
    {"subject_type": "person", "name": "许晴", "birth_date": "1991-02-03", "display_name": "taila kuanta"},  # pinyin
    {"subject_type": "person", "name": "John Doe", "birth_date": "1991-02-03", "display_name": "Terra Qunata"},  # near spelling
    {"subject_type": "person", "name": "何洁", "birth_date": "1991-02-03", "display_name": "官方客服"},  # staff_impersonation
    {"subject_type": "alien", "name": "吕方", "birth_date": "1991-02-03"},  # data_subject_type
    {"subject_type": "person", "name": "施展", "birth_date": "1991-02-30", "country": "Atlantis"},  # data_birth_date, data_country
    {"subject_type": "person", "name": "★★", "name_latin": "Zhang San", "birth_date": "1991-02-03"},  # data_name
]
# Codes a record triggers alone; the cross-account ones (shared subjects, transfers, a guardian
# account) need the store and are checked in test_run.py.
OWN_CODES = {
    "id_format", "id_checksum", "id_birth_date_invalid", "id_missing", "id_type_subject_mismatch",
    "id_region_unknown", "id_type_mismatch", "uscc_checksum_anomaly", "id_format_unusual",
    "dob_mismatch", "self_support_evidence_required", "minor_under_14", "minor_no_guardian",
    "guardian_link_invalid", "unknown_age", "brand_imitation", "brand_near_spelling", "staff_impersonation",
    "data_subject_type", "data_birth_date", "data_country", "data_name",
}


def corpus() -> list[dict[str, object]]:
    """The rule records, and the rows of the bundled account fixture (as read: raw text) that involve no
    other account."""
    own: list[dict[str, object]] = [{"account_id": f"R{k:03d}", **r} for k, r in enumerate(RULES)]
    rows = read_records(FIXTURES / "mixed.csv").frame.drop(LINE, "extra_column").to_dicts()
    linked = {"A001", "A009", None}  # A001 twice in the file; A009's guardian is A001; one row has no id
    return own + [r for r in rows if r["account_id"] not in linked]


def reasons_of(rows: list[dict[str, str]]) -> list[tuple[str, str, str, str]]:
    return [(r["check"], r["code"], r["severity"], r["detail"]) for r in rows]


def test_single_record_path_gives_the_batch_answer_for_every_rule() -> None:
    records = corpus()
    raw = pl.DataFrame([{k: r.get(k) for k in sorted({k for r in records for k in r})} for r in records])
    parsed = normalise_accounts(raw)
    base = prepare(duckdb.connect(), parsed.accounts.drop("line"), KEY)
    batch = evaluate(base, as_of=AS_OF, issues=parsed.issues).results
    seen: set[str] = set()
    for record in records:
        row = batch.filter(pl.col("account_id") == record["account_id"]).row(0, named=True)
        assert row["group_id"] is None, f"{record['account_id']} links to another record of the corpus"
        single = check_subject(record, as_of=AS_OF, key=KEY)
        assert (single.status, single.capacity) == (row["status"], row["capacity"]), record
        assert reasons_of([r.__dict__ for r in single.reasons]) == reasons_of(row["reasons"]), record
        seen |= {r.code for r in single.reasons}
    assert OWN_CODES <= seen, f"rules not exercised: {sorted(OWN_CODES - seen)}"
