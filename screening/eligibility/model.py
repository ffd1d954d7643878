"""Reasons and results shared by the eligibility checks.

Every check returns a long frame of reasons (`REASON_SCHEMA`): one row per finding, with a
machine-readable code, a severity and a sentence in the report's words (ID numbers masked). The
status of an account is the worst severity among its reasons: `ineligible` > `review` > `info`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

SEVERITIES = ("info", "review", "ineligible")
STATUS_BY_RANK = {0: "eligible", 1: "eligible", 2: "review", 3: "ineligible"}
SEVERITY_RANK = {s: i + 1 for i, s in enumerate(SEVERITIES)}
REASON_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.Utf8(),
    "check": pl.Utf8(),  # capacity / id / subject / brand
    "code": pl.Utf8(),
    "severity": pl.Utf8(),
    "detail": pl.Utf8(),
}


@dataclass(frozen=True)
class ReasonRule:
    """A rule of a check: the accounts of `frame` meeting `condition` get a reason (`collect_reasons`)."""

    frame: pl.DataFrame
    condition: pl.Expr
    check: str
    code: pl.Expr
    severity: pl.Expr
    detail: pl.Expr


@dataclass(frozen=True)
class RuleSpec:
    """A rule stated once, without its frame: the batch run applies it to a frame (`over`), the
    one-record check (`screening.eligibility.single`) to a row."""

    condition: pl.Expr
    check: str
    code: str | pl.Expr
    severity: str | pl.Expr
    detail: pl.Expr

    def over(self, df: pl.DataFrame | pl.LazyFrame) -> ReasonRule:
        return reasons_where(df, self.condition, self.check, self.code, self.severity, self.detail)


# A data issue of the record read (field, reason): a `review` reason (check `data`, code `data_<field>`).
DATA_ISSUE_RULE = RuleSpec(pl.lit(True), "data", "data_" + pl.col("field"), "review", pl.col("reason"))


def reasons_where(
    df: pl.DataFrame | pl.LazyFrame, condition: pl.Expr, check: str, code: str | pl.Expr, severity: str | pl.Expr,
    detail: pl.Expr,
) -> ReasonRule:
    """The rule giving the accounts of `df` meeting `condition` a reason; `collect_reasons` applies it."""
    return ReasonRule(
        df.collect() if isinstance(df, pl.LazyFrame) else df, condition, check,
        pl.lit(code) if isinstance(code, str) else code, pl.lit(severity) if isinstance(severity, str) else severity,
        detail,
    )


def collect_reasons(items: list[ReasonRule | pl.DataFrame]) -> pl.DataFrame:
    """The reason rows of several rules (and of frames of reasons), in the order given.

    The conditions of the rules over one frame are tested in one query, and only the rules some account
    meets are then formatted: a query costs a one-record check (a registration lookup's) about as much
    as a thousand rows, most records meet no rule, and a lazy union of every rule's filter cost one
    record ~5 ms of planning."""
    by_frame: dict[int, list[tuple[str, ReasonRule]]] = {}  # id(frame) -> (column name, rule)
    for k, item in enumerate(items):
        if isinstance(item, ReasonRule):
            by_frame.setdefault(id(item.frame), []).append((f"__rule_{k}", item))
    held = {  # id(frame) -> a boolean column per rule over that frame
        frame_id: rules[0][1].frame.with_columns(rule.condition.fill_null(False).alias(name) for name, rule in rules)
        .select(name for name, _ in rules)
        for frame_id, rules in by_frame.items()
    }
    parts = []
    for k, item in enumerate(items):
        if not isinstance(item, ReasonRule):
            parts.append(item)
            continue
        mask = held[id(item.frame)][f"__rule_{k}"]
        if mask.any():
            parts.append(item.frame.filter(mask).select(
                pl.col("account_id"), pl.lit(item.check).alias("check"), item.code.alias("code"),
                item.severity.alias("severity"), item.detail.alias("detail"),
            ).cast(REASON_SCHEMA))  # type: ignore[arg-type]
    return pl.concat(parts) if parts else empty_reasons()


def empty_reasons() -> pl.DataFrame:
    return pl.DataFrame(schema=REASON_SCHEMA)


def status_frame(accounts: pl.DataFrame, reasons: pl.DataFrame) -> pl.DataFrame:
    """account_id, status, reasons (list of structs, worst first) for every account (eager: a lazy plan's
    planning cost a one-record check ~2 ms)."""
    rank = pl.col("severity").replace_strict(SEVERITY_RANK, return_dtype=pl.Int8)
    grouped = (
        reasons
        .with_columns(_rank=rank)
        .sort(["account_id", "_rank", "check", "code"], descending=[False, True, False, False])
        .group_by("account_id", maintain_order=True)
        .agg(
            pl.col("_rank").max().alias("_worst"),
            pl.struct("check", "code", "severity", "detail").alias("reasons"),
        )
    )
    return (
        accounts
        .select("account_id")
        .join(grouped, on="account_id", how="left", maintain_order="left")
        .select(
            "account_id",
            pl.col("_worst").fill_null(0).replace_strict(STATUS_BY_RANK, return_dtype=pl.Utf8).alias("status"),
            pl.col("reasons").fill_null(pl.lit([], dtype=pl.List(pl.Struct(REASON_SCHEMA_NO_ID)))),
        )
    )


def status_of(reasons: list[Reason]) -> tuple[str, list[Reason]]:
    """`status_frame` for one account's reasons held in Python (the one-record check): the status of
    the worst severity, and the reasons worst first, then by check and code (order kept on ties)."""
    ranked = sorted(reasons, key=lambda r: (-SEVERITY_RANK[r.severity], r.check, r.code))
    return STATUS_BY_RANK[max((SEVERITY_RANK[r.severity] for r in reasons), default=0)], ranked


REASON_SCHEMA_NO_ID = {k: v for k, v in REASON_SCHEMA.items() if k != "account_id"}


@dataclass(frozen=True)
class Reason:
    check: str
    code: str
    severity: str
    detail: str


@dataclass
class EligibilityResult:
    """What the registration lookup gets for one subject."""

    account_id: str | None
    status: str  # eligible / review / ineligible
    capacity: str | None
    reasons: list[Reason] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "status": self.status,
            "capacity": self.capacity,
            "reasons": [r.__dict__ for r in self.reasons],
        }
