"""Hit rows and their reasons: the readable token alignment and the qualifiers of each chosen row."""

from __future__ import annotations

import json

import numpy as np
import polars as pl

from screening.matching import features as ft
from screening.matching.candidates import Candidates
from screening.matching.codes import KIND_NAMES
from screening.matching.config import MatchConfig
from screening.matching.index import ListIndex
from screening.matching.keys import RULE_BITS, RULES
from screening.matching.query import QueryBatch
from screening.matching.scoring import NameScores, exact_split
from screening.matching.tokens import TokenTable

HIT_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.String(), "source": pl.String(), "source_id": pl.String(), "entry_name": pl.String(),
    "matched_name": pl.String(), "query_name": pl.String(), "score": pl.Float64(), "name_score": pl.Float64(),
    "band": pl.String(), "alias_quality": pl.String(), "regime": pl.String(), "programs": pl.String(),
    "reasons": pl.String(),
}


def _alignment(ns: NameScores, p: int, q_tok: np.ndarray, l_tok: np.ndarray, table: TokenTable) -> str:
    """A readable alignment: a=a (equal), a~b(0.83) (similar), -a (account token unmatched), +b (extra listed)."""
    parts: list[str] = []
    used: set[int] = set()
    q_left, l_left = [], []
    for i, t in enumerate(q_tok):
        if t < 0:
            continue
        j = int(ns.match_j[p, i])
        if j >= 0:
            used.add(j)
            s = float(ns.match_s[p, i])
            a, b = table.text[t], table.text[l_tok[j]]
            parts.append(f"{a}={b}" if s >= 1.0 else f"{a}~{b}({s:.2f})")
        else:
            q_left.append(str(table.text[t]))
    for j, t in enumerate(l_tok):
        if t >= 0 and j not in used:
            l_left.append(str(table.text[t]))
    split = exact_split(q_left, l_left) if ns.resid[p] >= 1.0 and "".join(q_left) != "".join(l_left) else None
    back = exact_split(l_left, q_left) if ns.resid[p] >= 1.0 and split is None else None
    if split is not None or back is not None:  # one token split in two, the other leftovers unaligned
        i, a, b = split or back
        one, two = (q_left, l_left) if split else (l_left, q_left)
        word, halves = one.pop(i), two[a:b + 1]
        del two[a:b + 1]
        parts.append(f"{word}={'+'.join(halves)}(split)" if split else f"{'+'.join(halves)}={word}(split)")
        parts.extend(f"-{t}" for t in q_left)
        parts.extend(f"+{t}" for t in l_left)
    elif ns.resid[p] > 0 and q_left and l_left:
        parts.append(f"{''.join(q_left)}~{''.join(l_left)}({float(ns.resid[p]):.2f},merged)")
    else:
        parts.extend(f"-{t}" for t in q_left)
        parts.extend(f"+{t}" for t in l_left)
    return " ".join(parts)


def hits_frame(index: ListIndex, batch: QueryBatch, cand: Candidates, ns: NameScores, config: MatchConfig,
               ev: ft.Evidence, *, pair: np.ndarray, name_idx: np.ndarray, qname: np.ndarray, l_kind: np.ndarray,
               q_kind: np.ndarray, acct: np.ndarray, entry: np.ndarray) -> pl.DataFrame:
    """The hit rows (without run_id) of the chosen rows, with their reasons.

    The reasons run the feature table again on these rows with a trace (features.score_rows), so the
    steps they list are the computation itself: the last step's score is the hit's score.
    """
    final, name_score, band, reasons = _explained(index, batch, cand, ns, config, ev, pair=pair, name_idx=name_idx,
                                                  l_kind=l_kind, q_kind=q_kind)
    ent = index.entries[entry.tolist()]
    return pl.DataFrame({
        "account_id": batch.account_id[acct].tolist(),
        "source": ent["source"], "source_id": ent["source_id"], "entry_name": ent["primary_name"],
        "matched_name": index.names["name"][name_idx.tolist()],
        "query_name": batch.qname_text[qname].tolist(),
        "score": final,
        "name_score": name_score,
        "band": band,
        "alias_quality": np.where(ev.weak, "weak", "strong").tolist(),
        "regime": ent["regime"], "programs": ent["programs"].list.join("; "),
        "reasons": reasons,
    }, schema=HIT_SCHEMA)


def hit_rows(index: ListIndex, batch: QueryBatch, cand: Candidates, ns: NameScores, config: MatchConfig,
             ev: ft.Evidence, *, pair: np.ndarray, name_idx: np.ndarray, qname: np.ndarray, l_kind: np.ndarray,
             q_kind: np.ndarray, entry: np.ndarray, scored: ft.Scored | None = None) -> list[dict]:
    """`hits_frame(...).drop("account_id").to_dicts()` for a lookup's few hits, without building a frame
    (a millisecond of polars for a handful of rows): the same values, keys in the same order. `scored`:
    the traced feature table of these rows when the caller ran it already."""
    final, name_score, band, reasons = _explained(index, batch, cand, ns, config, ev, pair=pair, name_idx=name_idx,
                                                  l_kind=l_kind, q_kind=q_kind, scored=scored)
    names, entries = index.names["name"], index.entries
    final = final.astype(np.float64).tolist()
    rows = []
    for k, weak in enumerate(ev.weak.tolist()):
        e = entries.row(int(entry[k]), named=True)
        programs = e["programs"]
        rows.append({
            "source": e["source"], "source_id": e["source_id"], "entry_name": e["primary_name"],
            "matched_name": names[int(name_idx[k])], "query_name": batch.qname_text[qname[k]],
            "score": final[k], "name_score": name_score[k], "band": band[k],
            "alias_quality": "weak" if weak else "strong", "regime": e["regime"],
            "programs": None if programs is None else "; ".join(p for p in programs if p is not None),
            "reasons": reasons[k],
        })
    return rows


def _explained(index: ListIndex, batch: QueryBatch, cand: Candidates, ns: NameScores, config: MatchConfig,
               ev: ft.Evidence, *, pair: np.ndarray, name_idx: np.ndarray, l_kind: np.ndarray,
               q_kind: np.ndarray, scored: ft.Scored | None = None) -> tuple[np.ndarray, list[float], list[str], list[str]]:
    """Per chosen row: the final score, the name score (4 places), the band and the reasons (JSON)."""
    if scored is None or scored.steps is None:
        scored = ft.score_rows(ev, config, trace=True)
    names = index.names
    reasons = []
    for k in range(len(pair)):
        p = int(pair[k])
        qu, lu = int(cand.pq[p]), int(cand.pl[p])
        name = {
            "score": round(float(scored.name_score[k]), 4),
            "query_form": str(batch.units.text[qu]), "list_form": str(index.units.text[lu]),
            "route": f"{KIND_NAMES[int(q_kind[k])]}/{KIND_NAMES[int(l_kind[k])]}",
            "alignment": _alignment(ns, p, batch.units.tok[qu], index.units.tok[lu], batch.table),
            "name_type": names["name_type"][int(name_idx[k])],
            "blocking": [RULES[r_] for r_, bit in RULE_BITS.items() if cand.rules[p] & bit],
        }
        reasons.append(json.dumps({"name": name, "features": ft.reason_steps(scored, k, config)},
                                  ensure_ascii=False))
    final = scored.final
    band = np.where(final >= config.block_review, "block_review", np.where(
        final >= config.review, "review", np.where(final >= config.low, "low", "below"))).tolist()
    return final, np.round(scored.name_score.astype(np.float64), 4).tolist(), band, reasons


_SIGN = {"factor": "×", "set": "=", "floor": "≥", "cap": "≤"}


def format_steps(steps: list[dict]) -> str:
    """Reason steps on one line: name 0.9933 → headroom ×0.96 = 0.9536 → dob conflict -0.3 = 0.6536 …"""
    parts = []
    for s in steps:
        if s["effect"] == "base":
            parts.append(f"{s['feature']} {s['score_after']}")
        elif s["effect"] == "clip":
            parts.append(f"clip = {s['score_after']}")
        else:
            value = f"{s['value']:+}" if s["effect"] == "add" else f"{_SIGN[s['effect']]}{s['value']}"
            parts.append(f"{s['feature']} {s['level']} {value} = {s['score_after']}")
    return " → ".join(parts)

