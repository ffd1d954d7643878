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
REASON_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.Utf8(),
    "check": pl.Utf8(),  # capacity / id / subject / brand
    "code": pl.Utf8(),
    "severity": pl.Utf8(),
    "detail": pl.Utf8(),
}


def reasons_where(
    df: pl.DataFrame | pl.LazyFrame, condition: pl.Expr, check: str, code: str | pl.Expr, severity: str | pl.Expr,
    detail: pl.Expr,
) -> pl.LazyFrame:
    """The reason rows for the accounts of `df` meeting `condition`, as a plan: a check gathers its rules
    with `collect_reasons`, so all of them run in one collect (one record costs one query, not one per rule)."""
    code_expr = pl.lit(code) if isinstance(code, str) else code
    severity_expr = pl.lit(severity) if isinstance(severity, str) else severity
    return (
        df.lazy()
        .filter(condition)
        .select(
            pl.col("account_id"),
            pl.lit(check).alias("check"),
            code_expr.alias("code"),
            severity_expr.alias("severity"),
            detail.alias("detail"),
        )
        .cast(REASON_SCHEMA)  # type: ignore[arg-type]
    )


def collect_reasons(frames: list[pl.LazyFrame | pl.DataFrame]) -> pl.DataFrame:
    """The reason rows of several rules (`reasons_where` plans or frames), in one collect."""
    if not frames:
        return empty_reasons()
    return pl.concat([f.lazy() for f in frames]).collect()


def empty_reasons() -> pl.DataFrame:
    return pl.DataFrame(schema=REASON_SCHEMA)


def status_frame(accounts: pl.DataFrame, reasons: pl.DataFrame) -> pl.DataFrame:
    """account_id, status, reasons (list of structs, worst first) for every account."""
    rank = pl.col("severity").replace_strict({s: i + 1 for i, s in enumerate(SEVERITIES)}, return_dtype=pl.Int8)
    grouped = (
        reasons.lazy()
        .with_columns(_rank=rank)
        .sort(["account_id", "_rank", "check", "code"], descending=[False, True, False, False])
        .group_by("account_id", maintain_order=True)
        .agg(
            pl.col("_rank").max().alias("_worst"),
            pl.struct("check", "code", "severity", "detail").alias("reasons"),
        )
    )
    return (
        accounts.lazy()
        .select("account_id")
        .join(grouped, on="account_id", how="left", maintain_order="left")
        .select(
            "account_id",
            pl.col("_worst").fill_null(0).replace_strict(STATUS_BY_RANK, return_dtype=pl.Utf8).alias("status"),
            pl.col("reasons").fill_null(pl.lit([], dtype=pl.List(pl.Struct(REASON_SCHEMA_NO_ID)))),
        )
        .collect()
    )


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
