"""The eligibility of one record without the store, row by row (what a registration lookup runs).

The batch pipeline (`normalise_accounts` → `prepare` → `evaluate`) costs one record ~30 ms: about a
hundred polars queries at ~50 µs each plus their planning. Here the same steps run over one row held
as a dict, each rule being the batch run's own polars expression compiled to Python
(`screening.eligibility.rowexpr`): normalisation and data issues, the ID checks and hash, capacity,
ID and brand reasons, the status. Only the glue that joins and orders a frame's rows is Python of
its own (a one-row join is a lookup).

`check_one` raises `Unsupported` (or any error) for what it does not handle, e.g. a text with
characters whose Python semantics could differ from polars' (`rowexpr.row_is_plain`);
`check_subject` then runs the frame pipeline, so an answer is always the batch run's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import polars as pl

from screening.accounts.files import LINE
from screening.accounts.identity import hmac_hex, subject_key_expr
from screening.accounts.read import (
    ACCOUNT_SCHEMA,
    REQUIRED_COLUMNS,
    _as_text,
    _dropped_with_reason,
    _issue_checks,
    _parse_expressions,
    country_code,
    squeezed,
    warn_ignored,
    warn_issues,
)
from screening.eligibility import brand
from screening.eligibility.capacity import capacity_exprs, capacity_rules
from screening.eligibility.id_reasons import id_rules, id_warning_rules
from screening.eligibility.model import DATA_ISSUE_RULE, EligibilityResult, Reason, RuleSpec, status_of
from screening.eligibility.rowexpr import Fn, Unsupported, compile_expr, row_is_plain
from screening.ids import _check_stages, mask_id_expr
from screening.textclean import _INVISIBLE_PL, has_invisible_expr

Row = dict[str, Any]


def check_one(record: dict[str, object], *, as_of: dt.date, key: bytes,
              brand_config: brand.BrandConfig | None = None) -> EligibilityResult:
    """`check_subject(record, as_of=as_of, key=key)` without a store (see the module docstring)."""
    issues: list[tuple[str, str]] = []
    ignored: list[str] = []
    row = _normalised(record, issues, ignored)
    row = _identity(row, key)
    _capacity(row, as_of)
    reasons = _rule_reasons(id_rules(), row)
    for warning in row["id_warnings"] or ():
        reasons += _rule_reasons(id_warning_rules(), {**row, "id_warnings": warning})
    reasons += _rule_reasons(capacity_rules(as_of), row)
    reasons += _brand_reasons(row, brand_config or brand.default_config())
    for field, text in issues:
        reasons += _rule_reasons((DATA_ISSUE_RULE,), {"field": field, "reason": text})
    status, ordered = status_of(reasons)
    warn_ignored(ignored)  # what normalise_accounts logs, once the record is answered here
    warn_issues(1, len(issues))
    return EligibilityResult(account_id=row["account_id"], status=status, capacity=row["capacity"], reasons=ordered)


# ---- normalisation (screening.accounts.read.normalise_accounts) ---------------------------------


_TEXT_SCHEMA = pl.DataFrame(schema={c: pl.Utf8 for c in ACCOUNT_SCHEMA})


@lru_cache(maxsize=1)
def _normalise_fns() -> tuple[dict[str, Fn], dict[str, Fn], dict[str, Fn], Fn, dict[str, Fn]]:
    as_text = {c: compile_expr(_as_text(_TEXT_SCHEMA, c)) for c in ACCOUNT_SCHEMA}
    invisible = {c: compile_expr(pl.col(c).str.contains(_INVISIBLE_PL)) for c in ACCOUNT_SCHEMA}
    squeeze = {c: compile_expr(squeezed(c)) for c in ACCOUNT_SCHEMA}
    marked = compile_expr(has_invisible_expr(pl.col("name")) | has_invisible_expr(pl.col("name_latin")))
    parse = {e.meta.output_name(): compile_expr(e) for e in _parse_expressions()}
    return as_text, invisible, squeeze, marked, parse


@lru_cache(maxsize=2)
def _dated_fns(today: dt.date) -> tuple[list[tuple[str, Fn]], dict[str, Fn]]:
    checks = [(field, compile_expr(reason)) for field, reason in _issue_checks(today)]
    dropped = {e.meta.output_name(): compile_expr(e) for e in _dropped_with_reason(today)}
    return checks, dropped


def _normalised(record: dict[str, object], issues: list[tuple[str, str]], ignored: list[str]) -> Row:
    """The record in the account columns (`normalise_accounts` of a one-row frame); `issues` gets
    its data issues (field, reason) in the batch run's order, `ignored` its unknown fields."""
    raw: Row = {}
    for k, v in record.items():
        if k == LINE:
            raise Unsupported("a record carrying its own file line")
        name = k.strip().lower()
        if name in raw:
            raise Unsupported("two fields of the same name")  # polars refuses the frame
        raw[name] = None if v is None else str(v)
    if any(c not in raw for c in REQUIRED_COLUMNS):
        raise Unsupported("a required column is missing")  # the frame path says which
    ignored.extend(c for c in raw if c not in ACCOUNT_SCHEMA)
    if not row_is_plain(raw.values()):
        raise Unsupported("characters whose Python semantics may differ from polars'")
    as_text, invisible, squeeze, marked, parse = _normalise_fns()
    text: Row = {c: as_text[c](raw) if c in raw else None for c in ACCOUNT_SCHEMA}
    if any(invisible[c](text) for c in ACCOUNT_SCHEMA):
        raise Unsupported("invisible characters")  # `visible_columns` rewrites them
    text["_invisible"] = marked(text)
    text = {**{c: squeeze[c](text) for c in ACCOUNT_SCHEMA}, "line": 1, "_invisible": text["_invisible"]}
    parsed = {**text, **{name: fn(text) for name, fn in parse.items()}}
    for column in ("country", "nationality"):
        parsed[f"_{column}"] = country_code(text[column]) if text[column] is not None else None
    checks, dropped = _dated_fns(dt.date.today())
    for field, fn in checks:
        reason = fn(parsed)
        if reason is not None:
            issues.append((field, reason))
    parsed.update({name: fn(parsed) for name, fn in dropped.items()})
    return {c: parsed[f"_{c}"] for c in ACCOUNT_SCHEMA}


# ---- identity (screening.accounts.identity.identity_frame) ------------------------------------


@lru_cache(maxsize=1)
def _identity_fns() -> tuple[list[dict[str, Fn]], Fn, Fn]:
    stages = [{name: compile_expr(e) for name, e in stage.items()} for stage in _check_stages()]
    return stages, compile_expr(subject_key_expr()), compile_expr(mask_id_expr("id_number"))


def _identity(row: Row, key: bytes) -> Row:
    stages, subject_key, masked = _identity_fns()
    checked = {c: row[c] for c in ("account_id", "id_type", "id_number", "country", "nationality")}
    for stage in stages:
        checked.update({name: fn(checked) for name, fn in stage.items()})
    subject = subject_key(checked)
    return {**row, "id_kind": checked["id_kind"], "id_hash": None if subject is None else hmac_hex(key, subject),
            "id_masked": masked(checked), "id_error": checked["id_error"], "id_warnings": checked["id_warnings"],
            "id_birth_date": checked["id_birth_date"]}


# ---- capacity (screening.eligibility.capacity.capacity_frame, the record its own guardian base) ---


@lru_cache(maxsize=8)
def _capacity_fns(as_of: dt.date) -> dict[str, Fn]:
    return {name: compile_expr(e) for name, e in capacity_exprs(as_of).items()}


def _capacity(row: Row, as_of: dt.date) -> None:
    fns = _capacity_fns(as_of)
    row["dob_used"] = fns["dob_used"](row)
    row["age"] = fns["age"](row)
    # the guardian join over the base (this record alone): a link can only point to the record itself
    known = row["guardian_account_id"] is not None and row["guardian_account_id"] == row["account_id"]
    row["_guardian_known"] = True if known else None
    row["_guardian_adult"] = True if known and fns["adult_guardian"](row) is True else None
    row["capacity"] = fns["capacity"](row)
    row["guardian_state"] = fns["guardian_state"](row)


# ---- reasons ----------------------------------------------------------------------------------

_COMPILED: dict[tuple[str, int, Any], tuple[Any, Any]] = {}


def _compiled(kind: str, owner: object, variant: Any, build: Callable[[], Any]) -> Any:
    """What `build` compiles for `owner` (a rule, a brand configuration) and `variant` (a character or
    pinyin map), compiled once. Keyed by the owner's id and checked to be the same object (the entry holds
    it), so an id reused after collection never serves another's functions; the oldest entry goes past
    8,192."""
    key = (kind, id(owner), variant)
    known = _COMPILED.get(key)
    if known is None or known[0] is not owner:
        known = _COMPILED[key] = (owner, build())
        if len(_COMPILED) > 8192:
            try:
                _COMPILED.pop(next(iter(_COMPILED)), None)
            except (RuntimeError, StopIteration):  # another thread changed or emptied it first
                pass
    return known[1]


def _compiled_rule(rule: RuleSpec) -> tuple[Fn, Fn, Fn, Fn]:
    lit = lambda v: pl.lit(v) if isinstance(v, str) else v  # noqa: E731  (as `reasons_where`)
    return _compiled("rule", rule, None, lambda: (
        compile_expr(rule.condition.fill_null(False)), compile_expr(lit(rule.code)), compile_expr(lit(rule.severity)),
        compile_expr(rule.detail)))


def _rule_reasons(rules: Iterable[RuleSpec], row: Row) -> list[Reason]:
    """The reasons of `rules` the row meets, in rule order (`collect_reasons` over a one-row frame)."""
    out = []
    for rule in rules:
        condition, code, severity, detail = _compiled_rule(rule)
        if condition(row) is True:
            out.append(Reason(rule.check, _text(code(row)), _text(severity(row)), _text(detail(row))))
    return out


def _text(value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise Unsupported("a reason field that is not text")
    return value


# ---- brand (screening.eligibility.brand.brand_reasons) ----------------------------------------


@lru_cache(maxsize=1)
def _brand_base_fns() -> tuple[Fn, Fn, Fn]:
    return (compile_expr(brand.SHOWN), compile_expr(brand.case_folded(pl.col("shown"))),
            compile_expr(pl.col("folded").str.extract_all(brand.HAN)))


class _CompiledBrand:
    """`brand.brand_rules` of one configuration, compiled."""

    def __init__(self, config: brand.BrandConfig) -> None:
        self.rules = brand.brand_rules(config)
        self.core = compile_expr(self.rules.core)
        self.flags = {n: compile_expr(e) for n, e in self.rules.flags.items()}
        self.near_candidate = compile_expr(self.rules.near_candidate)
        self.flagged = compile_expr(self.rules.flagged)


def _brand_reasons(account: Row, config: brand.BrandConfig) -> list[Reason]:
    shown_fn, case_folded, han_chars = _brand_base_fns()
    shown = shown_fn(account)
    if shown is None or account["account_id"] in config.allow_accounts:
        return []
    row: Row = {"account_id": account["account_id"], "shown": shown}
    mapping = brand.fold_map(set(case_folded(row)), config)
    pinyin_forms = brand._folded_config(config)[2]
    compiled: _CompiledBrand = _compiled("brand", config, None, lambda: _CompiledBrand(config))
    forms: dict[str, Fn] = _compiled("forms", config, tuple(sorted(mapping.items())), lambda: {
        n: compile_expr(e) for n, e in brand.brand_forms(config, mapping).items()})
    row["folded"] = forms["folded"](row)
    pinyin = brand.pinyin_map(dict.fromkeys(han_chars(row))) if pinyin_forms else {}
    pinyin_fn: Fn = _compiled("pinyin", config, tuple(sorted(pinyin.items())),
                              lambda: compile_expr(brand.brand_rules_pinyin(config, pinyin)))
    row.update(core=compiled.core(row), spaced=forms["spaced"](row), pinyin=pinyin_fn(row))
    row.update({n: fn(row) for n, fn in compiled.flags.items()})
    row.update(near=False, edits=None)
    if compiled.rules.near_forms and compiled.near_candidate(row) is True:
        edits = brand.near_edits([row["core"]], [row["spaced"]], compiled.rules.near_forms, workers=1)[0]
        row.update(near=edits is not None, edits=edits)
    if compiled.flagged(row) is not True:
        return []
    row["techniques"] = compile_expr(brand._techniques(mapping, config))(row)  # flagged names only: rare
    return _rule_reasons(compiled.rules.rules, row)


def warm_up() -> None:
    """Compile the row path's fixed expressions now (~1 s, what a process's first check would pay): a
    service calls it at start, before it reports ready."""
    check_one({"account_id": "(warm-up)", "subject_type": "person", "name": "王小明", "display_name": "Terra Quanta",
               "birth_date": "1990-01-01", "id_type": "RIC", "id_number": "110105199001011234"},
              as_of=dt.date.today(), key=b"warm-up")
