"""Notices to the user, as records: suspension, cancellation, reinstatement, the notice of inquiry /
request for correction (wrong or incomplete registration data) and the notice before cancelling a
brand-confusing account name; one per channel (e-mail, site message, SMS, phone-call script), in
zh-CN or en, from versioned templates (screening/resources/policy/notice_templates.yml).

    drafted ──► held (policy `after_freeze`: released when the platform confirms the flag applied)
            ──► ready ──export──► exported ──receipt──► delivered | failed

A notice never carries an ID number or a name: only the account id, the scope and the legal basis.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml

from screening import exc
from screening.alerts import audit
from screening.alerts import policy as policy_mod
from screening.alerts.output import clean, write_records
from screening.alerts.sql import account_origin, next_id, rows
from screening.store import fetch_one, transaction

TEMPLATES = Path(__file__).resolve().parent.parent / "resources" / "policy" / "notice_templates.yml"
KINDS = ("suspension", "cancellation", "reinstatement", "correction_request", "brand_name")
CHANNELS = ("email", "site_message", "sms", "phone")
STATES = ("drafted", "held", "ready", "exported", "delivered", "failed")
SCOPE_TEXT = {"zh-CN": {"all": "全部功能", "display_name": "账户名称", "payments": "支付", "withdrawals": "提现"},
              "en": {"all": "all functions", "display_name": "account name", "payments": "payments",
                     "withdrawals": "withdrawals"}}
BRAND_NAME_DAYS = 15  # time given to change a confusing name before cancellation
EXPORT_COLUMNS = ["notice_id", "account_id", "kind", "channel", "locale", "template_id", "template_version", "text",
                  "text_sha256"]


@lru_cache(maxsize=1)
def templates() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    return data


def render(kind: str, channel: str, locale: str, *, account_id: str, scope: list[str], basis: str, contact: str,
           date: dt.date) -> tuple[str, str, str]:
    """(template_id, version, text) of one notice."""
    t = templates()["templates"][kind][locale]
    field = {"email": "body", "site_message": "body", "sms": "sms", "phone": "phone"}[channel]
    scope_text = "、".join if locale == "zh-CN" else ", ".join
    values = {"account_id": clean(account_id), "scope": scope_text([SCOPE_TEXT[locale].get(s, clean(s)) for s in scope]),
              "basis": clean(basis), "contact": clean(contact), "date": date.isoformat()}
    text = t[field].format(**values)
    if channel == "email":
        text = f"{t['subject']}\n\n{text}"
    return f"{kind}.{channel}.{locale}", str(templates()["version"]), text


def draft(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, account_id: str, kind: str, *, basis: str,
          scope: list[str] | None = None, flag_id: int | None = None, alert_id: int | None = None,
          hold: bool = False) -> list[int]:
    """One notice per configured channel: drafted, then held or ready (one audit event each)."""
    locale = pol.locale_for(*account_origin(con, account_id))
    today = audit.now().date()
    date = today + dt.timedelta(days=BRAND_NAME_DAYS) if kind == "brand_name" else today
    ids = []
    for channel in pol.channels:
        template_id, version, text = render(kind, channel, locale, account_id=account_id, scope=scope or ["all"],
                                            basis=basis, contact=pol.contact, date=date)
        notice_id = next_id(con, "notices", "notice_id")
        at = audit.now()
        con.execute("INSERT INTO notices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'drafted', ?, ?, NULL)",
                    [notice_id, account_id, flag_id, alert_id, kind, channel, locale, template_id, version, text,
                     hashlib.sha256(text.encode()).hexdigest(), at, at])
        audit.record(con, "system", "notice.drafted", "notice", notice_id, account_id)
        _set(con, notice_id, "held" if hold else "ready", "system")
        ids.append(notice_id)
    return ids


def _set(con: duckdb.DuckDBPyConnection, notice_id: int, state: str, actor: str, failure: str | None = None) -> None:
    account_id, before = fetch_one(con, "SELECT account_id, state FROM notices WHERE notice_id = ?", [notice_id]) or (None, None)
    con.execute("UPDATE notices SET state = ?, updated_at = ?, failure = ? WHERE notice_id = ?",
                [state, audit.now(), failure, notice_id])
    audit.record(con, actor, f"notice.{state}", "notice", notice_id, account_id, state_from=before)


def for_flag(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, flag: dict[str, Any],
             kind: str | None = None) -> list[int]:
    """The notices of an approved flag (or of its lift: kind `reinstatement`), as the policy says."""
    basis = json.loads(flag["basis"])
    scope = json.loads(flag["scope"])
    if kind == "reinstatement":
        return draft(con, pol, flag["account_id"], kind, basis="", scope=scope, flag_id=flag["flag_id"])
    hold, notice_kind = False, "cancellation" if flag["kind"] == "cancel" else "suspension"
    regimes = sorted({b["regime"] or "?" for b in basis if "source" in b})
    if regimes:
        modes = {pol.for_hit(r, pol.is_chinese(*account_origin(con, flag["account_id"]))).notice_mode for r in regimes}
        if modes == {"none"}:
            return []
        hold = "after_freeze" in modes
        text = "sanctions list(s) " + ", ".join(regimes)
    else:
        kinds = [pol.for_code(b["code"]).notice for b in basis if "code" in b]
        notice_kind = next((k for k in kinds if k in KINDS), notice_kind)
        text = "; ".join(dict.fromkeys(b.get("clause") or "" for b in basis))
    return draft(con, pol, flag["account_id"], notice_kind, basis=text, scope=scope, flag_id=flag["flag_id"],
                 alert_id=flag["alert_id"], hold=hold)


def for_findings(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, alert: dict[str, Any],
                 decision: dict[str, Any]) -> list[int]:
    """Requests for correction for confirmed findings that propose no flag (wrong or incomplete data)."""
    rows = con.execute("SELECT kind, source_id FROM alert_hits WHERE alert_id = ? AND disposition = 'confirmed' "
                       "AND kind <> 'sanctions' AND policy_action = 'review'", [alert["alert_id"]]).fetchall()
    clauses = []
    for kind, code in rows:
        rule = pol.for_code(code) if kind == "eligibility" else pol.for_data_quality()
        if rule.notice == "correction_request":
            clauses.append(rule.clause or "")
    if not clauses:
        return []
    return draft(con, pol, alert["account_id"], "correction_request", basis="; ".join(dict.fromkeys(clauses)),
                 alert_id=alert["alert_id"])


def release_held(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, flag_id: int) -> int:
    held = con.execute("SELECT notice_id FROM notices WHERE flag_id = ? AND state = 'held'", [flag_id]).fetchall()
    for (notice_id,) in held:
        _set(con, notice_id, "ready", "system")
    return len(held)


def listing(con: duckdb.DuckDBPyConnection, state: str | None = None) -> list[dict[str, Any]]:
    if state and state not in STATES:
        raise exc.UsageError(f"unknown notice state {state!r}: one of {', '.join(STATES)}")
    return rows(con, "SELECT * FROM notices WHERE ? IS NULL OR state = ? ORDER BY notice_id", [state, state])


def export(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, Any]:
    """Write the ready notices (CSV, CSV formulas neutralised, or JSON by extension); marks them exported."""
    with transaction(con):
        rows = listing(con, "ready")
        for r in rows:
            _set(con, r["notice_id"], "exported", "system")
        write_records([{c: r[c] for c in EXPORT_COLUMNS} for r in rows], out, EXPORT_COLUMNS)
    return {"out": str(out), "notices": len(rows)}


def delivered(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, int]:
    """Import the delivery receipt (CSV with notice_id, status delivered|failed, optional failure).
    All or nothing; an unknown or not-exported notice refuses the file, naming the line."""
    try:
        df = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise exc.InputError(f"{path}: cannot read the receipt: {error}") from error
    if not {"notice_id", "status"} <= set(df.columns):
        raise exc.InputError(f"{path}: a delivery receipt needs notice_id and status columns")
    counts = {"delivered": 0, "failed": 0}
    with transaction(con):
        for line, r in enumerate(df.to_dicts(), start=2):
            status = (r["status"] or "").strip().lower()
            if status not in counts:
                raise exc.InputError(f"{path}, line {line}: status {r['status']!r} is not delivered or failed")
            try:
                notice_id = int(r["notice_id"])
            except (TypeError, ValueError):
                raise exc.InputError(f"{path}, line {line}: notice_id {r['notice_id']!r} is not a number") from None
            row = fetch_one(con, "SELECT state FROM notices WHERE notice_id = ?", [notice_id])
            if row is None or row[0] != "exported":
                raise exc.InputError(f"{path}, line {line}: notice {notice_id} is {row[0] if row else 'unknown'}, not exported")
            _set(con, notice_id, status, "platform", failure=clean(r.get("failure")) or None if status == "failed" else None)
            counts[status] += 1
    return counts
