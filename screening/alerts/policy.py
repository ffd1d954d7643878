"""The regime policy: versioned YAML deciding what a confirmed finding proposes (suspend, cancel,
legal escalation, review), the notice mode and the priority of an alert. Its SHA-256 goes with
every decision, and every version used is kept in `policy_versions` so a decision can be replayed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from screening import exc, settings

DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "resources" / "policy" / "regime_policy.yml"
ACTIONS = ("suspend", "cancel", "escalate_legal", "review")
NOTICE_MODES = ("after_freeze", "with_flag", "none")
# The strongest action wins when an alert carries findings with different actions.
ACTION_RANK = {"review": 0, "escalate_legal": 1, "suspend": 2, "cancel": 3}


@dataclass(frozen=True)
class Rule:
    """What one finding proposes."""

    action: str
    scope: tuple[str, ...] = ("all",)
    notice_mode: str = "with_flag"
    notice: str | None = None  # notice kind for eligibility / data-quality findings
    clause: str | None = None


@dataclass(frozen=True)
class Policy:
    version: str
    sha256: str
    text: str
    data: dict[str, Any]

    @property
    def suppression_days(self) -> int:
        return int(self.data.get("suppression_days", 365))

    def is_chinese(self, nationality: str | None, country: str | None) -> bool:
        cn = set(self.data.get("chinese_subject_countries", ["CN"]))
        return (nationality or "").upper() in cn or (country or "").upper() in cn

    def for_hit(self, regime: str | None, subject_cn: bool) -> Rule:
        for rule in self.data["regimes"]:
            regimes = rule["regimes"]
            wants = rule.get("subject_cn", "any")
            if ("*" in regimes or regime in regimes) and (wants == "any" or bool(wants) == subject_cn):
                return Rule(rule["action"], tuple(rule.get("scope", ["all"])), rule.get("notice_mode", "none"))
        return Rule("escalate_legal", notice_mode="none")  # unreachable with a "*" rule; fail towards a person

    def for_code(self, code: str) -> Rule:
        table = self.data.get("eligibility", {})
        rule = table.get(code) or table.get("*") or {"action": "review"}
        return _finding_rule(rule)

    def for_data_quality(self) -> Rule:
        return _finding_rule(self.data.get("data_quality", {"action": "review"}))

    def priority(self, band: str | None, regime: str | None, kind: str, severity: str | None = None) -> tuple[int, str]:
        """Points of one finding and the priority level they reach."""
        p = self.data["priority"]
        if kind == "sanctions":
            points = p["band"].get(band, 0) + p["regime"].get(regime, 0)
        elif kind == "eligibility":
            points = p["eligibility"].get(severity, 0)
        else:
            points = int(p.get("data_quality", 0))
        return points, self.level(points)

    def level(self, points: int) -> str:
        for floor, name in self.data["priority"]["levels"]:
            if points >= floor:
                return str(name)
        return str(self.data["priority"]["levels"][-1][1])

    @property
    def channels(self) -> list[str]:
        return list(self.data.get("notices", {}).get("channels", ["site_message"]))

    @property
    def contact(self) -> str:
        return str(self.data.get("notices", {}).get("contact", ""))

    def locale_for(self, nationality: str | None, country: str | None) -> str:
        english = self.data.get("notices", {}).get("english_for_foreign_subjects", True)
        foreign = (nationality or country) and not self.is_chinese(nationality, country)
        return "en" if english and foreign else "zh-CN"


def _finding_rule(rule: dict[str, Any]) -> Rule:
    return Rule(rule.get("action", "review"), tuple(rule.get("scope", ["all"])),
                rule.get("notice_mode", "with_flag"), rule.get("notice"), rule.get("clause"))


def load(path: Path | None = None) -> Policy:
    """The policy in force: `path`, else $SCREENING_POLICY_FILE, else the bundled file."""
    return _load(str(path or settings.policy_file() or DEFAULT_POLICY))


@lru_cache(maxsize=8)
def _load(path: str) -> Policy:
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as error:
        raise exc.InputError(f"{path}: cannot read the regime policy: {error}") from error
    _validate(path, data)
    return Policy(str(data["version"]), hashlib.sha256(text.encode()).hexdigest(), text, data)


def _validate(path: str, data: Any) -> None:
    if not isinstance(data, dict) or "version" not in data or not isinstance(data.get("regimes"), list):
        raise exc.InputError(f"{path}: a regime policy needs `version` and a `regimes` list")
    rules = [*data["regimes"], *data.get("eligibility", {}).values(), data.get("data_quality", {})]
    for rule in rules:
        if rule.get("action", "review") not in ACTIONS:
            raise exc.InputError(f"{path}: unknown action {rule.get('action')!r} (one of {', '.join(ACTIONS)})")
        if rule.get("notice_mode", "none") not in NOTICE_MODES:
            raise exc.InputError(f"{path}: unknown notice_mode {rule.get('notice_mode')!r}")
    if "priority" not in data:
        raise exc.InputError(f"{path}: a regime policy needs a `priority` section")


def record(con: duckdb.DuckDBPyConnection, policy: Policy) -> str:
    """Keep this policy version in the store (once) and return its hash."""
    con.execute(
        "INSERT INTO policy_versions VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [policy.sha256, policy.version, policy.text, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )
    return policy.sha256
