"""Eligibility reasons from the ID checks of `screening.ids` (invalid, missing, unusual numbers)."""

from __future__ import annotations

import functools
import re

import polars as pl

from screening.eligibility.model import RuleSpec, collect_reasons

_ID_WARNING_TEXT = {
    "id_region_unknown": "ID number {masked} starts with an unknown region code",
    "id_type_mismatch": "ID number {masked} has the form of another ID type than the declared {kind}",
    "uscc_checksum_anomaly": "credit code {masked} fails its check character; some issued codes do: verify with the registry",
    "id_format_unusual": "ID number {masked} ({kind}) contains unusual characters",
}
_PERSON_ID_TYPES = ("RIC", "HK_MO_PERMIT", "TW_PERMIT", "FOREIGN_PR", "passport")


def id_reasons(base: pl.DataFrame) -> pl.DataFrame:
    """Reasons from the ID checks of `base` (accounts with the columns of `identity_frame`)."""
    frames = [rule.over(base) for rule in id_rules()]
    warnings = base.select("account_id", "id_masked", "id_kind", "id_warnings").explode("id_warnings").drop_nulls("id_warnings")
    frames += [rule.over(warnings) for rule in id_warning_rules()]
    return collect_reasons(frames)


@functools.cache
def id_rules() -> tuple[RuleSpec, ...]:
    """The rules over an account's identity columns."""
    masked = pl.col("id_masked")
    kind = pl.col("id_kind")
    error_detail = pl.format("ID number {} ", masked) + (
        pl.when(pl.col("id_error") == "id_format")
        .then(pl.format("does not have the form of a {} number", kind))
        .when(pl.col("id_error") == "id_checksum")
        .then(pl.format("fails its {} check character", kind))
        .otherwise(pl.lit("embeds an impossible birth date"))
    )
    return (
        RuleSpec(pl.col("id_error").is_not_null(), "id", pl.col("id_error"), "ineligible", error_detail),
        RuleSpec(
            pl.col("id_masked").is_null(),
            "id",
            "id_missing",
            "review",
            pl.format("no ID number for this {}", pl.col("subject_type").fill_null("account of unknown type")),
        ),
        RuleSpec(
            ((pl.col("subject_type") == "person") & (kind == "USCC"))
            | ((pl.col("subject_type") == "organization") & kind.is_in(_PERSON_ID_TYPES)),
            "id",
            "id_type_subject_mismatch",
            "review",
            pl.format("a {} registered with a {} number", pl.col("subject_type"), kind),
        ),
    )


@functools.cache
def id_warning_rules() -> tuple[RuleSpec, ...]:
    """The rules over one soft warning of an account (`id_warnings` exploded: one code per row)."""
    rules = []
    for code, text in _ID_WARNING_TEXT.items():
        detail = pl.format(text.replace("{masked}", "{}").replace("{kind}", "{}"), *_format_args(text))
        rules.append(RuleSpec(pl.col("id_warnings") == code, "id", code, "review", detail))
    return tuple(rules)


def _format_args(text: str) -> list[pl.Expr]:
    """Columns for the placeholders of a warning text, in order."""
    names = re.findall(r"\{(masked|kind)\}", text)
    return [pl.col("id_masked") if n == "masked" else pl.col("id_kind") for n in names]
