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
from screening.matching.scoring import NameScores
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
    if ns.resid[p] > 0 and q_left and l_left:
        parts.append(f"{''.join(q_left)}~{''.join(l_left)}({float(ns.resid[p]):.2f},merged)")
    else:
        parts.extend(f"-{t}" for t in q_left)
        parts.extend(f"+{t}" for t in l_left)
    return " ".join(parts)


def _hits_frame(index: ListIndex, batch: QueryBatch, cand: Candidates, ns: NameScores, config: MatchConfig,
                best: np.ndarray, **a: np.ndarray) -> pl.DataFrame:
    """The §3.3 hit rows (without run_id) with machine-readable reasons, for the chosen rows only."""
    entries = index.entries
    e = a["entry"][best]
    names = index.names
    n_idx = a["name_idx"][best]
    reasons = []
    for k, r in enumerate(best.tolist()):
        p = int(a["pair"][r])
        qu, lu = int(cand.pq[p]), int(cand.pl[p])
        feats = []
        dob, country, stype = int(a["dob"][r]), int(a["country"][r]), int(a["stype"][r])
        if dob in ft.DOB_LEVELS:
            level = ft.DOB_LEVELS[dob]
            feats.append({"feature": "dob", "level": level, "weight": getattr(config, f"w_dob_{level}")})
        if country in ft.COUNTRY_LEVELS:
            level = ft.COUNTRY_LEVELS[country]
            feats.append({"feature": "country", "level": level, "weight": getattr(config, f"w_country_{level}")})
        if stype == 1:
            feats.append({"feature": "subject_type", "level": "mismatch", "weight": config.w_type_mismatch})
        elif stype == 2:
            feats.append({"feature": "subject_type", "level": "vessel", "weight": config.w_type_vessel})
        elif stype == 3 and a["name_score"][r] < 0.99:
            feats.append({"feature": "subject_type", "level": "org_vessel", "weight": config.w_type_org_vessel})
        if a["legal"][r]:
            feats.append({"feature": "legal_form", "level": "mismatch", "weight": config.w_legal_form_mismatch})
        if a["idm"][r]:
            feats.append({"feature": "identifier", "level": "match", "weight": config.id_match_score})
        if a["weak"][r]:
            feats.append({"feature": "alias", "level": "weak", "capped": bool(a["capped"][r])})
        if a["floored"][r]:
            feats.append({"feature": "strong_name_floor", "level": "applied", "weight": config.review})
        name = {
            "score": round(float(a["name_score"][r]), 4),
            "query_form": str(batch.units.text[qu]), "list_form": str(index.units.text[lu]),
            "route": f"{KIND_NAMES[int(a['q_kind'][r])]}/{KIND_NAMES[int(a['l_kind'][r])]}",
            "alignment": _alignment(ns, p, batch.units.tok[qu], index.units.tok[lu], batch.table),
            "name_type": names["name_type"][int(n_idx[k])],
            "blocking": [RULES[r_] for r_, bit in RULE_BITS.items() if cand.rules[p] & bit],
        }
        if ns.digits_mismatch[p]:
            name["numbers"] = "mismatch"
        if a["homophone"][r]:
            name["homophone"] = True
        reasons.append(json.dumps({"name": name, "features": feats}, ensure_ascii=False))
    final = a["final"][best]
    band = np.where(final >= config.block_review, "block_review",
                    np.where(final >= config.review, "review", np.where(final >= config.low, "low", "below")))
    ent = entries[e.tolist()]
    return pl.DataFrame({
        "account_id": batch.account_id[a["acct"][best]].tolist(),
        "source": ent["source"], "source_id": ent["source_id"], "entry_name": ent["primary_name"],
        "matched_name": names["name"][n_idx.tolist()],
        "query_name": batch.qname_text[a["qname"][best]].tolist(),
        "score": np.round(final.astype(np.float64), 4), "name_score": np.round(a["name_score"][best].astype(np.float64), 4),
        "band": band.tolist(),
        "alias_quality": np.where(a["weak"][best], "weak", "strong").tolist(),
        "regime": ent["regime"], "programs": ent["programs"].list.join("; "),
        "reasons": reasons,
    }, schema=HIT_SCHEMA)
