"""Age and civil capacity (Civil Code Art. 17–20; PIPL Art. 28/31 for under-14s), docs/architecture.md §5.

Evaluated in Asia/Shanghai on the evaluation date. The birth date used is the one embedded in a
valid ID number when there is one (it is what the State registered), else the declared one; when
both exist and differ that is a finding of its own.

Birthday convention: a person born on 29 February turns a year older on 1 March in non-leap
years (months and days are compared as (month, day) pairs, and (2, 29) sorts after (2, 28)).

Classes and their outcome under the Terms (full civil capacity required):
    adult                   18+                                   eligible
    minor_self_supporting   16–17, declares own labour income     review (evidence needed)
    minor_with_guardian     14–17 with a linked guardian account  ineligible (guardian is notified)
    minor_under_14          under 14 (guardian or not)            ineligible (sensitive data)
    minor_no_guardian       14–17 without guardian                ineligible
    unknown_age             no usable birth date                  review
Organisations are not aged (`organization`).
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import polars as pl

from screening.eligibility.model import RuleSpec, collect_reasons

SHANGHAI = ZoneInfo("Asia/Shanghai")
MINOR_CLASSES = ("minor_self_supporting", "minor_with_guardian", "minor_under_14", "minor_no_guardian")
MAX_AGE = 120


def today_in_shanghai(now: dt.datetime | None = None) -> dt.date:
    """The evaluation date: the calendar day in Beijing time."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(SHANGHAI).date()


def age_expr(dob: pl.Expr, as_of: dt.date) -> pl.Expr:
    """Completed years on `as_of` (29 February birthdays count on 1 March in non-leap years)."""
    as_of_md = as_of.month * 100 + as_of.day
    dob_md = dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)
    return (pl.lit(as_of.year) - dob.dt.year().cast(pl.Int32) - (dob_md > as_of_md).cast(pl.Int32)).cast(pl.Int32)


def capacity_frame(base: pl.DataFrame, as_of: dt.date, guardians: pl.DataFrame | None = None) -> pl.DataFrame:
    """account_id, capacity, age, dob_used, guardian_state for every account of `base`.

    `base` has the account columns plus `id_birth_date`. `guardians` (account_id, subject_type,
    age) are the accounts a guardian link may point to (default: `base` itself); a link to an
    unknown account or to a non-adult does not count as a guardian. Eager: a lazy plan's planning cost
    a one-record check (a registration lookup's) ~1 ms.
    """
    exprs = capacity_exprs(as_of)
    frame = base.select(
        "account_id", "subject_type", "guardian_account_id", "self_supporting",
        exprs["dob_used"].alias("dob_used"),
    ).with_columns(age=exprs["age"])
    if guardians is None:
        guardians = frame.select("account_id", "subject_type", "age")
    adult_guardians = guardians.filter(exprs["adult_guardian"]).select(
        pl.col("account_id").alias("guardian_account_id"), pl.lit(True).alias("_guardian_adult")
    )
    known = guardians.select(pl.col("account_id").alias("guardian_account_id"), pl.lit(True).alias("_guardian_known"))
    frame = frame.join(known, on="guardian_account_id", how="left").join(adult_guardians, on="guardian_account_id", how="left")
    capacity, guardian_state = exprs["capacity"], exprs["guardian_state"]
    return frame.with_columns(capacity=capacity, guardian_state=guardian_state).select(
        "account_id", "capacity", "age", "dob_used", "guardian_account_id", "guardian_state"
    )


@functools.lru_cache(maxsize=8)
def capacity_exprs(as_of: dt.date) -> dict[str, pl.Expr]:
    """The capacity rules as expressions: `dob_used` (over the account), `age` (over dob_used),
    `adult_guardian` (a guardian candidate: subject_type, age), `capacity` and `guardian_state` (over
    dob_used, age, self_supporting, guardian_account_id and the joined _guardian_known/_guardian_adult)."""
    # An unknown subject type (dropped at import as a data issue) is checked as a person: fail closed.
    person = pl.col("subject_type").fill_null("person") == "person"
    age = pl.col("age")
    linked = pl.col("guardian_account_id").is_not_null()
    guardian_ok = linked & pl.col("_guardian_adult").fill_null(False)
    unknown = pl.col("dob_used").is_null() | (pl.col("dob_used") > pl.lit(as_of)) | (age > MAX_AGE)
    return {
        "dob_used": pl.coalesce("id_birth_date", "birth_date"),
        "age": pl.when(person).then(age_expr(pl.col("dob_used"), as_of)),
        "adult_guardian": (pl.col("subject_type") == "person") & (pl.col("age") >= 18),
        "capacity": (
            pl.when(~person).then(pl.lit("organization"))
            .when(unknown).then(pl.lit("unknown_age"))
            .when(age >= 18).then(pl.lit("adult"))
            .when(age < 14).then(pl.lit("minor_under_14"))
            .when((age >= 16) & pl.col("self_supporting").fill_null(False)).then(pl.lit("minor_self_supporting"))
            .when(guardian_ok).then(pl.lit("minor_with_guardian"))
            .otherwise(pl.lit("minor_no_guardian"))
        ),
        "guardian_state": (
            pl.when(~linked).then(pl.lit(None, dtype=pl.Utf8))
            .when(pl.col("_guardian_known").is_null()).then(pl.lit("unknown_account"))
            .when(~guardian_ok).then(pl.lit("not_adult"))
            .otherwise(pl.lit("ok"))
        ),
    }


def capacity_reasons(base: pl.DataFrame, capacity: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Reasons from the capacity classes and the birth-date consistency checks."""
    df = base.select("account_id", "subject_type", "birth_date", "id_birth_date", "id_masked").join(
        capacity, on="account_id", how="left", maintain_order="left"
    )
    return collect_reasons([rule.over(df) for rule in capacity_rules(as_of)])


@functools.lru_cache(maxsize=8)
def capacity_rules(as_of: dt.date) -> tuple[RuleSpec, ...]:
    """The capacity reasons' rules over the account with its capacity columns (`capacity_frame`)."""
    cap = pl.col("capacity")
    age = pl.col("age").cast(pl.Utf8)
    person = pl.col("subject_type").fill_null("person") == "person"
    guardian_note = (
        pl.when(pl.col("guardian_state") == "ok")
        .then(pl.format("; the guardian account {} is to be notified", pl.col("guardian_account_id")))
        .otherwise(pl.lit(""))
    )
    return (
        RuleSpec(
            person & pl.col("birth_date").is_not_null() & pl.col("id_birth_date").is_not_null()
            & (pl.col("birth_date") != pl.col("id_birth_date")),
            "capacity", "dob_mismatch", "review",
            pl.format("declared birth date {} differs from ID birth date {}", pl.col("birth_date"), pl.col("id_birth_date")),
        ),
        RuleSpec(
            cap == "minor_self_supporting", "capacity", "self_support_evidence_required", "review",
            pl.format("aged {}, declares living on own labour income: evidence needed for full civil capacity (Civil Code Art. 18)", age),
        ),
        RuleSpec(
            cap == "minor_with_guardian", "capacity", "minor_with_guardian", "ineligible",
            pl.format("aged {}: a minor lacks full civil capacity", age) + guardian_note,
        ),
        RuleSpec(
            cap == "minor_under_14", "capacity", "minor_under_14", "ineligible",
            pl.format("aged {}: under 14, personal data is sensitive and needs guardian consent (PIPL Art. 28, 31)", age)
            + guardian_note,
        ),
        RuleSpec(
            cap == "minor_no_guardian", "capacity", "minor_no_guardian", "ineligible",
            pl.format("aged {}: a minor without full civil capacity and without a guardian account", age),
        ),
        RuleSpec(
            cap.is_in(MINOR_CLASSES) & pl.col("guardian_state").is_in(["unknown_account", "not_adult"]),
            "capacity", "guardian_link_invalid", "info",
            pl.format(
                "guardian link {} does not point to an adult person's account ({})",
                pl.col("guardian_account_id"), pl.col("guardian_state").str.replace("_", " "),
            ),
        ),
        RuleSpec(
            cap == "unknown_age", "capacity", "unknown_age", "review",
            pl.when(pl.col("dob_used").is_null())
            .then(pl.lit("no birth date declared or embedded in the ID"))
            .when(pl.col("dob_used") > pl.lit(as_of))
            .then(pl.format("birth date {} is after the evaluation date {}", pl.col("dob_used"), pl.lit(str(as_of))))
            .otherwise(pl.format("birth date {} gives an implausible age", pl.col("dob_used"))),
        ),
    )
