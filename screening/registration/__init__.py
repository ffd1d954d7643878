"""`lookup()`: the registration-time screen of one subject, in milliseconds.

A facade above the matcher and eligibility: the Screener (screener.py) holds the list index of a
store and its freshness; the decision policy (decision.py) turns hits and eligibility into
clear / review / block with reasons; cli.py is `screening lookup`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from screening import settings
from screening.logs import get_logger
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.registration.events import lookup_event, spool_for
from screening.registration.decision import DECISIONS, eligibility_of, fold_eligibility, parse_birth_date
from screening.registration.screener import LookupResult, Screener, get_screener

__all__ = ["DECISIONS", "LookupResult", "Screener", "get_screener", "lookup"]

log = get_logger(__name__)


def lookup(name: str, *, subject_type: str | None = None, name_latin: str | None = None,
           birth_date: str | dt.date | None = None, country: str | None = None, nationality: str | None = None,
           id_number: str | None = None, id_type: str | None = None, db: Path | str | None = None,
           config: MatchConfig = DEFAULT_CONFIG, min_score: float | None = None,
           eligibility: bool = False, account_id: str | None = None, record: bool = True) -> LookupResult:
    """Screen one subject against the lists in force: decision clear / review / block, hits, versions.

    `db` defaults to $SCREENING_DB, else the default store. Never `clear` for a name with no letters,
    an impossible birth date, or stale or missing lists. With `eligibility=True` (what a registration
    flow wants; `screening lookup` does it by default) the decision also folds in
    `screening.eligibility.check_subject` for the same record (age, IDs, duplicates, brand; carried in
    `result.eligibility`): never `clear` for an ineligible subject or data to correct. It is off by
    default because it costs far more than the sanctions screen (about 30 ms of CPU against a few ms,
    measured on a shared 2-core machine). The rules: screening/registration/decision.py.

    With `record` (the default) the lookup's event — the onboarding screening record, `account_id` the
    platform's id when known — is appended to the store's spool (registration/events.py: one write, no
    store, kept if the process crashes) and folded into `lookup_events` by the `lookups.fold` job, as
    the HTTP API does; `result.screening_id` is its id.
    """
    result = get_screener(db, config).lookup(
        name, subject_type=subject_type, name_latin=name_latin, birth_date=birth_date, country=country,
        nationality=nationality, id_number=id_number, id_type=id_type, min_score=min_score)
    if eligibility:
        dob, _ = parse_birth_date(birth_date)  # an impossible date is already a reason; the ID's date still counts
        result.eligibility = eligibility_of({
            "subject_type": subject_type, "name": name, "name_latin": name_latin, "birth_date": dob,
            "country": country, "nationality": nationality, "id_type": id_type, "id_number": id_number})
        result.decision, result.reasons = fold_eligibility(result.decision, result.reasons, result.eligibility)
    if record:
        subject = {"subject_type": subject_type, "name": name, "birth_date": birth_date, "country": country,
                   "nationality": nationality, "id_type": id_type, "id_number": id_number}
        try:
            spool_for(db or settings.default_db_path()).append(lookup_event(result, subject, account_id=account_id))
        except OSError as error:  # the answer stands; the missing record is an operator's alarm
            log.error("lookup event not recorded", error=str(error), screening_id=result.screening_id)
    return result
