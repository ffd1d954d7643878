"""Parity of the one-record check (`check_subject`, what a registration lookup runs) with the batch run
(`evaluate` over a whole import), over many real-looking records: status, capacity and every reason,
word for word.

The corpus: a synthetic base (screening/evaluation/synth.py: duplicates, minors, legacy and mistyped
numbers, brand look-alikes), the hand-written rule records of test_single.py, the bundled account
fixture, and records generated here from one seed over the hard cases: PRC resident ID numbers with
valid and wrong check characters, legacy 15-digit forms, unknown regions, impossible embedded dates,
declared birth dates that differ, minors of every class (under 14, with and without a guardian link,
self-supporting), birthdays on the evaluation day and on 29 February, foreign IDs (passports,
permanent-residence cards old and new, HK/Macao and Taiwan permits), credit codes, and display names
imitating the protected brand. Duplicates (one account per legal subject) need other accounts: they are
compared through the store, in the second test.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import polars as pl

from screening.accounts import normalise_accounts
from screening.eligibility.run import check_subject, evaluate, prepare, run_eligibility
from screening.evaluation.synth import synth_accounts
from screening.ids import PROVINCE_CODES, ric_check_char, uscc_check_char
from screening.store import connect as store_connect
from tests.screening.eligibility.test_single import AS_OF, RULES, corpus as fixture_corpus

KEY = b"parity-key"
ID_SEED = 20260630
PROVINCE_LIST = sorted(PROVINCE_CODES)


def _ric(region: str, birth: dt.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + ric_check_char(first17)


def _wrong_check(number: str) -> str:
    chars = "0123456789X"
    return number[:-1] + chars[(chars.index(number[-1]) + 1) % 11]


def generated(n: int, seed: int = ID_SEED) -> list[dict[str, object]]:
    """`n` person and organisation records over the hard cases (see the module docstring)."""
    rng = random.Random(seed)
    regions = [code + "0105" for code in sorted(PROVINCE_CODES)] + ["100105", "990101"]  # two unknown regions
    surnames, given = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚"
    brand = ["TerraQuanta 官方", "Terra-Quanta", "T3rraQu4nta", "TerraQuаnta", "terra quanta support", "泰拉寬塔",
             "tai la kuan ta", "TerraQuantta", "Tera Quanta", "官方客服", "Official Support", "TerraQunata Shop",
             "Sierra Quant", "小明的店", None, None, None, None]
    records: list[dict[str, object]] = []
    for k in range(n):
        kind = k % 10
        name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
        record: dict[str, object] = {"account_id": f"G{k:04d}", "subject_type": "person", "name": name,
                                     "display_name": rng.choice(brand)}
        age_days = rng.choice([rng.randint(0, 14 * 365), rng.randint(14 * 365, 18 * 365 + 30),
                               rng.randint(18 * 365, 90 * 365), rng.randint(18 * 365, 90 * 365)])
        birth = AS_OF - dt.timedelta(days=age_days)
        if rng.random() < 0.05:
            birth = dt.date(rng.choice([1996, 2008, 2012, 1960]), 2, 29)
        if rng.random() < 0.04:
            birth = AS_OF.replace(year=AS_OF.year - rng.choice([14, 16, 18]))  # birthday today
        if kind <= 5:  # PRC resident ID
            number = _ric(rng.choice(regions), birth, rng.randint(0, 999))
            roll = rng.random()
            if roll < 0.15:
                number = _wrong_check(number)
            elif roll < 0.22 and birth.year >= 1900 and birth.year < 2000:
                number = number[:6] + number[8:17]  # legacy 15 digits
            elif roll < 0.27:
                number = number[:10] + "1345" + number[14:]  # month 13, day 45
            elif roll < 0.32:
                number = number[:rng.randint(8, 17)]  # cut short
            elif roll < 0.36:
                number = " ".join([number[:6], number[6:14], number[14:]])  # typed with spaces
            record.update(id_type=rng.choice(["RIC", "RIC", "resident_id", None]), id_number=number)
            declared = rng.random()
            if declared < 0.6:
                record["birth_date"] = birth.isoformat()
            elif declared < 0.75:
                record["birth_date"] = (birth + dt.timedelta(days=rng.randint(1, 400))).isoformat()
        elif kind == 6:  # foreign person
            country = rng.choice(["DE", "US", "JP", "KR", "RU", "FR"])
            form = rng.random()
            if form < 0.5:
                record.update(id_type="passport", id_number=f"{rng.choice('CEGK')}{rng.randint(10**7, 10**8 - 1)}")
            elif form < 0.7:
                first17 = f"9{rng.randint(100, 999)}{rng.choice(PROVINCE_LIST)}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
                record.update(id_type="FOREIGN_PR", id_number=first17 + ric_check_char(first17))
            elif form < 0.85:
                record.update(id_type="FOREIGN_PR", id_number=f"{rng.choice(['USA', 'DEU', 'JPN'])}{rng.randint(10**11, 10**12 - 1)}")
            else:
                record.update(id_type="passport", id_number=f"X-{rng.randint(1000, 9999)}/★")
            record.update(name=rng.choice(["Hans Meier", "Mary Ann Smith", "Kim Min-jun", "Иван Петров"]),
                          country=country, nationality=country, birth_date=birth.isoformat())
        elif kind == 7:  # HK / Macao / Taiwan permit holders
            prefix = rng.choice(["810000", "820000", "830000"])
            number = _ric(prefix, birth, rng.randint(0, 999))
            record.update(id_type=rng.choice(["HK_MO_PERMIT", "TW_PERMIT", "RIC"]),
                          id_number=number if rng.random() < 0.8 else _wrong_check(number), birth_date=birth.isoformat())
        elif kind == 8:  # organisations with credit codes
            first17 = f"91{rng.choice(['110108', '310115', '440300'])}MA{rng.randint(10**8, 10**9 - 1)}"
            first17 = first17[:17]
            code = first17 + uscc_check_char(first17)
            roll = rng.random()
            number = code if roll < 0.6 else (code[:-1] + ("0" if code[-1] != "0" else "1")) if roll < 0.8 else code[:12]
            record.update(subject_type=rng.choice(["organization", "legal_person"]),
                          name=name + rng.choice(["科技有限公司", "贸易有限公司", "控股集团"]), country="CN",
                          id_type=rng.choice(["USCC", "credit_code", None]), id_number=number)
        else:  # persons with little data: minors, guardians, self-support, odd values
            record["birth_date"] = rng.choice([birth.isoformat(), birth.strftime("%Y%m%d"), "1890-01-01",
                                               (AS_OF + dt.timedelta(days=30)).isoformat(), "2001-02-30", ""])
            if rng.random() < 0.5:
                record["guardian_account_id"] = rng.choice(["P-NONE", "G9999", record["account_id"]])
            if rng.random() < 0.4:
                record["self_supporting"] = rng.choice(["yes", "no", "1", "是", "maybe"])
        records.append(record)
    return records


def synthetic(n: int, seed: int) -> list[dict[str, object]]:
    """Rows of the synthetic base, as text (how a registration arrives)."""
    rows = synth_accounts(n, seed).to_dicts()
    return [{k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in r.items() if v is not None} for r in rows]


def as_text(records: list[dict[str, object]]) -> pl.DataFrame:
    columns = sorted({k for r in records for k in r})
    return pl.DataFrame([{c: None if r.get(c) is None else str(r[c]) for c in columns} for r in records],
                        schema={c: pl.Utf8 for c in columns})


def result_of(row: dict[str, object]) -> tuple[object, ...]:
    return (row["status"], row["capacity"],
            [(r["check"], r["code"], r["severity"], r["detail"]) for r in row["reasons"]])


def test_one_record_equals_batch_over_many_records() -> None:
    own = [{"account_id": f"R{k:03d}", **r} for k, r in enumerate(RULES)]
    records = own + fixture_corpus()[len(RULES):] + generated(220) + synthetic(160, seed=14)
    ids = [r.get("account_id") for r in records]
    assert len(ids) == len(set(ids)), "account ids must be distinct"
    parsed = normalise_accounts(as_text(records))
    batch = evaluate(prepare(duckdb.connect(), parsed.accounts.drop("line"), KEY), as_of=AS_OF,
                     issues=parsed.issues).results
    by_id = {row["account_id"]: row for row in batch.iter_rows(named=True)}
    compared, codes, statuses = 0, set(), set()
    for record in records:
        row = by_id[record["account_id"]]
        guardian = record.get("guardian_account_id")
        if row["group_id"] is not None or (guardian in by_id and guardian != record["account_id"]):
            continue  # findings that involve another account of the corpus: the store test below
        single = check_subject(record, as_of=AS_OF, key=KEY)
        got = (single.status, single.capacity, [(r.check, r.code, r.severity, r.detail) for r in single.reasons])
        assert got == result_of(row), record
        compared += 1
        codes |= {r.code for r in single.reasons}
        statuses.add(single.status)
    assert compared >= 0.95 * len(records)
    assert statuses == {"eligible", "review", "ineligible"}
    expected = {"id_format", "id_checksum", "id_birth_date_invalid", "id_missing", "id_region_unknown",
                "id_type_mismatch", "id_format_unusual", "uscc_checksum_anomaly", "id_type_subject_mismatch",
                "dob_mismatch", "minor_under_14", "minor_no_guardian", "self_support_evidence_required",
                "guardian_link_invalid", "unknown_age", "brand_imitation", "brand_near_spelling",
                "staff_impersonation", "data_birth_date", "data_self_supporting", "data_guardian_account_id"}
    assert expected <= codes, f"cases not exercised: {sorted(expected - codes)}"


def test_one_record_with_the_store_equals_batch_for_duplicates_and_guardians(tmp_path: Path) -> None:
    """A registration of a subject already holding an account (same ID number; same name and birth
    date; same organisation name and country), of a minor whose guardian has an account, and of the
    guardian: checked alone against the store, each gets what the batch run over the store's accounts
    plus the registration gives it."""
    adult = dt.date(1980, 5, 6)
    minor = dt.date(2012, 8, 9)
    ric_a, ric_b = _ric("110105", adult, 123), _ric("310115", adult, 456)
    code = "91110108MA0123456"
    code += uscc_check_char(code)
    stored = [
        {"account_id": "S1", "subject_type": "person", "name": "陈静", "birth_date": "1980-05-06", "id_type": "RIC",
         "id_number": ric_a, "status": "suspended"},
        {"account_id": "S2", "subject_type": "person", "name": "王小明", "birth_date": "1980-05-06", "status": "active"},
        {"account_id": "S3", "subject_type": "organization", "name": "北京某某科技有限公司", "country": "CN",
         "id_type": "USCC", "id_number": code, "status": "active"},
        {"account_id": "S4", "subject_type": "person", "name": "李华", "birth_date": "1975-03-02", "id_type": "RIC",
         "id_number": _ric("440300", dt.date(1975, 3, 2), 77), "status": "active"},
        {"account_id": "S5", "subject_type": "person", "name": "Hans Meier", "birth_date": "1970-01-01",
         "country": "DE", "nationality": "DE", "id_type": "passport", "id_number": "C01X00T47", "status": "active"},
    ]
    registrations = [
        {"account_id": "N1", "subject_type": "person", "name": "陈静", "birth_date": "1980-05-06", "id_type": "RIC",
         "id_number": ric_a[:6] + ric_a[8:17]},  # the suspended subject again, legacy form of its number
        {"account_id": "N2", "subject_type": "person", "name": "王小明", "birth_date": "1980-05-06"},  # name + date
        {"account_id": "N3", "subject_type": "person", "name": "陳靜", "birth_date": "1980-05-06", "id_type": "RIC",
         "id_number": ric_b},  # same name and date as S1, another valid number: another person
        {"account_id": "N4", "subject_type": "organization", "name": "北京某某科技有限公司", "country": "CN"},
        {"account_id": "N5", "subject_type": "person", "name": "李小华", "birth_date": minor.isoformat(),
         "guardian_account_id": "S4"},  # a minor whose guardian holds an account
        {"account_id": "N6", "subject_type": "person", "name": "Hans Meier", "birth_date": "1970-01-01",
         "country": "DE", "nationality": "DE", "id_type": "passport", "id_number": "c01x-00t47"},
        {"account_id": "N7", "subject_type": "person", "name": "周强", "birth_date": "1991-02-03", "id_type": "RIC",
         "id_number": _ric("110105", dt.date(1991, 2, 3), 5)},  # nobody else
    ]
    db = tmp_path / "store.duckdb"
    con = store_connect(str(db))
    run_eligibility(con, normalise_accounts(as_text(stored)), as_of=AS_OF, key=KEY)
    columns = sorted({k for r in stored + registrations for k in r})
    for registration in registrations:
        both = normalise_accounts(as_text([{c: r.get(c) for c in columns} for r in stored + [registration]]))
        batch = evaluate(prepare(con, both.accounts.drop("line"), KEY), as_of=AS_OF, issues=both.issues).results
        row = batch.filter(pl.col("account_id") == registration["account_id"]).row(0, named=True)
        single = check_subject(registration, as_of=AS_OF, con=con, key=KEY)
        got = (single.status, single.capacity, [(r.check, r.code, r.severity, r.detail) for r in single.reasons])
        assert got == result_of(row), registration["account_id"]
    codes = {r.code for reg in registrations for r in check_subject(reg, as_of=AS_OF, con=con, key=KEY).reasons}
    assert {"linked_to_blocked_subject", "shared_subject", "minor_under_14"} <= codes
