"""The registration decision policy: hits, the record's own checks and eligibility → clear / review / block.

A layer above matching and eligibility: the matcher only scores, eligibility only states the terms'
rules; how they fold into one answer for the registration flow is decided here, where an auditor
can read it. The decision is never `clear` for a subject that was not screened (no usable name),
whose data must be corrected, or who may not register:

- a `block_review` hit → block; a `review` hit → review (the best hit is named);
- eligibility `ineligible` for a reason the user cannot correct (a minor who may not register, an
  ID shared with a blocked account) → block, with the reason;
- data the terms ask the user to correct (an ID failing its format or check character or holding an
  impossible date, a birth date that disagrees with the ID, an impossible birth date) → review with
  "correct: …";
- any other eligibility review reason → review with it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import asdict
from typing import Any

from screening.registration.events import hash_key

DECISIONS = ("clear", "review", "block")
NO_USABLE_NAME = "no usable name: the name has no letters or digits, nothing could be screened"

# Eligibility reason codes that mean "the user must correct the data", not "may not register".
CORRECTABLE = frozenset({
    "id_format", "id_checksum", "id_birth_date_invalid", "dob_mismatch", "record_invalid",
    "id_type_mismatch", "id_type_subject_mismatch",
})


def stricter(a: str, b: str) -> str:
    """The stricter of two decisions (clear < review < block)."""
    return max(a, b, key=DECISIONS.index)


def usable_name(name: str | None) -> bool:
    """A name can be screened when it holds at least one letter or digit (any script: an all-digit name
    may be a Chinese telegraph-code name, and lists hold numbered names); symbols, emoji, spaces and
    control characters alone cannot."""
    return bool(name) and any(unicodedata.category(c)[0] in "LN" for c in name)


def parse_birth_date(value: str | dt.date | None) -> tuple[dt.date | None, str | None]:
    """(the date, None), (None, None) when absent, or (None, why) for a value that is no real date."""
    if value is None or isinstance(value, dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value), None
    text = str(value).strip()
    if not text:
        return None, None
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date(), None
    except ValueError:
        return None, (f"correct: birth date {text!r} is not a valid date (YYYY-MM-DD); "
                      "the name was screened without it")


def decide(hits: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The decision the hits call for (hit rows, best first) and the reason naming that hit."""
    if not hits:
        return "clear", []
    bands = {h["band"] for h in hits}
    best = hits[0]
    reason = f"{best['band']} hit: {best['entry_name']} ({best['source']} {best['source_id']}, score {best['score']:.2f})"
    if "block_review" in bands:
        return "block", [reason]
    if "review" in bands:
        return "review", [reason]
    return "clear", []


def eligibility_of(record: dict[str, Any]) -> dict[str, Any]:
    """`screening.eligibility.check_subject` for the lookup's record, as a dict.

    The ID hash key is read once per process (its development-key warning logged once, not per lookup).
    The store is never opened on this path: the record is checked on its own."""
    from screening.eligibility.run import check_subject

    subject = {"account_id": "(lookup)", "subject_type": "person", **{k: v for k, v in record.items() if v is not None}}
    if subject.get("birth_date") is not None:
        subject["birth_date"] = str(subject["birth_date"])
    return asdict(check_subject(subject, key=hash_key()))


def fold_eligibility(decision: str, reasons: list[str], eligibility: dict[str, Any]) -> tuple[str, list[str]]:
    """The decision with eligibility folded in (see the module docstring), and its reasons appended."""
    added = []
    for reason in eligibility.get("reasons") or []:
        severity, code, detail = reason["severity"], reason["code"], reason["detail"]
        if code in CORRECTABLE:
            decision = stricter(decision, "review")
            added.append(f"correct: {detail}")
        elif severity == "ineligible":
            decision = "block"
            added.append(f"ineligible ({code}): {detail}")
        elif severity == "review":
            decision = stricter(decision, "review")
            added.append(f"eligibility review ({code}): {detail}")
    if eligibility.get("status") not in (None, "eligible") and not added:  # a status without a reason: never clear
        decision = stricter(decision, "review")
        added.append(f"eligibility: {eligibility.get('status')}")
    return decision, reasons + added
