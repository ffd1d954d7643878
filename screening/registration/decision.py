"""The registration decision policy: hits (and, when asked, eligibility) → clear / review / block.

A layer above matching and eligibility: the matcher only scores, eligibility only states the terms'
rules; how both fold into one answer for the registration flow is decided here, where an auditor
can read it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import polars as pl

DECISIONS = ("clear", "review", "block")


def decide(hits: pl.DataFrame) -> tuple[str, list[str]]:
    """The decision the hits call for (best hit first) and the reason naming that hit."""
    if hits.height == 0:
        return "clear", []
    bands = set(hits["band"].to_list())
    best = hits.row(0, named=True)
    reason = f"{best['band']} hit: {best['entry_name']} ({best['source']} {best['source_id']}, score {best['score']:.2f})"
    if "block_review" in bands:
        return "block", [reason]
    if "review" in bands:
        return "review", [reason]
    return "clear", []


def eligibility_of(record: dict[str, Any]) -> dict[str, Any]:
    """`screening.eligibility.check_subject` for the lookup's record, as a dict."""
    from screening.eligibility.run import check_subject

    subject = {"account_id": "(lookup)", "subject_type": "person", **{k: v for k, v in record.items() if v is not None}}
    if subject.get("birth_date") is not None:
        subject["birth_date"] = str(subject["birth_date"])
    return asdict(check_subject(subject))


def fold_eligibility(decision: str, reasons: list[str], eligibility: dict[str, Any]) -> tuple[str, list[str]]:
    """Today's rule (unchanged by the move): a status other than eligible only adds a reason."""
    if eligibility.get("status") not in (None, "eligible"):
        reasons = [*reasons, f"eligibility: {eligibility.get('status')}"]
    return decision, reasons
