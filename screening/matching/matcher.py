"""The matching core shared by the batch screen, `lookup()` and `compare()`.

    accounts ─► query.prepare_queries (normalise once per distinct name, token ids)
             ─► candidates (blocking.py: key equi-joins ∪ identifiers ∪ fallback)
             ─► score_names (scoring.py, per distinct form pair)
             ─► expand to (account, list entry) rows ─► qualifiers (features.py) ─► best row
             ─► hits with reasons (explain.py)

Everything after normalisation works on numpy arrays, so a batch of one (lookup, compare) runs the
same code as a million accounts.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.matching import features as ft
from screening.matching.candidates import Candidates, MatchStats
from screening.matching.codes import KIND_CODES, SCRIPT_HAN, SCRIPT_HANGUL, SUBJECT_CODES
from screening.matching.config import MatchConfig
from screening.matching.explain import HIT_SCHEMA, hit_rows, hits_frame
from screening.matching.index import ListIndex
from screening.matching.keys import RULE_BITS
from screening.matching.query import QueryBatch
from screening.matching.scoring import NameScores, may_cut, score_names
from screening.matching.tokens import is_particle
from screening.normalize.tokenize import ascii_words
from screening.normalize.translit import to_ascii


@functools.lru_cache(maxsize=64)
def floors(config: MatchConfig, floor: float) -> tuple[float, float]:
    """(name floor, bound floor) of a run keeping hits from `floor`: the least name score a row needs
    before the final-stage additions, and the least keyed / alignment bound a pair needs to be scored
    (features.bound_floor). Per configuration, not per lookup: the feature table is walked once."""
    return floor - ft.max_positive_adjustment(config), ft.bound_floor(config, floor)


@dataclass
class Chosen:
    """The best row per (account, entry) at or above the floor: what `hits_frame` turns into hits."""

    ns: NameScores
    ev: ft.Evidence
    scored: ft.Scored  # the feature table's run of these rows (its steps when the caller asked for a trace)
    pair: np.ndarray
    name_idx: np.ndarray
    qname: np.ndarray
    l_kind: np.ndarray
    q_kind: np.ndarray
    acct: np.ndarray
    entry: np.ndarray

    def frame(self, index: ListIndex, batch: QueryBatch, cand: Candidates, config: MatchConfig) -> pl.DataFrame:
        return hits_frame(index, batch, cand, self.ns, config, self.ev, pair=self.pair, name_idx=self.name_idx,
                          qname=self.qname, l_kind=self.l_kind, q_kind=self.q_kind, acct=self.acct, entry=self.entry)

    def rows(self, index: ListIndex, batch: QueryBatch, cand: Candidates, config: MatchConfig) -> list[dict]:
        """`frame` as dicts without account_id (one account's few hits: no frame built)."""
        return hit_rows(index, batch, cand, self.ns, config, self.ev, pair=self.pair, name_idx=self.name_idx,
                        qname=self.qname, l_kind=self.l_kind, q_kind=self.q_kind, entry=self.entry,
                        scored=self.scored)


def match(index: ListIndex, batch: QueryBatch, cand: Candidates, config: MatchConfig, *, floor: float,
          entry_mask: np.ndarray | None = None, stats: MatchStats | None = None) -> pl.DataFrame:
    """Score candidate pairs and return one hit per (account, entry) at or above `floor`.

    Pairs found through an identifier (rule `i`) are expanded whatever their name score, so an
    account whose ID number equals a listed one is a hit even under another name.
    """
    chosen = best_rows(index, batch, cand, config, floor=floor, entry_mask=entry_mask, stats=stats)
    if chosen is None:
        return pl.DataFrame(schema=HIT_SCHEMA)
    return chosen.frame(index, batch, cand, config)


def best_rows(index: ListIndex, batch: QueryBatch, cand: Candidates, config: MatchConfig, *, floor: float,
              entry_mask: np.ndarray | None = None, stats: MatchStats | None = None,
              trace: bool = False) -> Chosen | None:
    """`match` up to the hit rows: the chosen rows, or None when no pair reaches `floor` (a lookup that
    hits nothing builds no frame). With `trace` (a lookup's few rows) the feature table keeps its steps,
    so the reasons read them instead of running the table a second time on the chosen rows."""
    name_floor, bound_floor = floors(config, floor)
    by_id = (cand.rules & RULE_BITS["i"]) != 0
    # pairs that cannot reach the name floor, nor be lifted by the `contained` floor, are not aligned (their
    # score stays 0); identifier pairs always are
    ns = score_names(batch.units, index.units, cand.pq, cand.pl, batch.table, index.vocab.equivalents, config,
                     floor=bound_floor, protect=by_id)
    # `contained` needs two aligned tokens at least: most pairs were pruned unaligned, so only the others are read
    aligned = np.flatnonzero((ns.match_j >= 0).sum(axis=1) >= 2)
    contained = np.zeros(len(cand), dtype=bool)
    contained[aligned] = ft.contained_pairs(ns.match_j[aligned], ns.match_s[aligned], batch.units.tok[cand.pq[aligned]],
                                            index.units.tok[cand.pl[aligned]], batch.units.strict[cand.pq[aligned]],
                                            batch.table, config)
    keep = np.flatnonzero((ns.score >= name_floor) | contained | by_id)
    if len(keep) == 0:
        return None

    lpos, lrow = index.unit_names.expand(cand.pl[keep])
    pair = keep[lpos]
    name_idx = index.unit_names.columns["name"][lrow]
    l_kind = index.unit_names.columns["kind"][lrow]
    l_legal = index.unit_names.columns["legal"][lrow]
    qpos, qrow = batch.unit_names.expand(cand.pq[pair])
    pair, name_idx, l_kind, l_legal = pair[qpos], name_idx[qpos], l_kind[qpos], l_legal[qpos]
    qname = batch.unit_names.columns["qname"][qrow]
    q_kind = batch.unit_names.columns["kind"][qrow]
    q_legal = batch.unit_names.columns["legal"][qrow]
    acct = batch.qname_acct[qname]
    entry = index.name_entry[name_idx]
    if entry_mask is not None:
        ok = entry_mask[entry]
        pair, name_idx, l_kind, l_legal, qname, q_kind, q_legal, acct, entry = (
            a[ok] for a in (pair, name_idx, l_kind, l_legal, qname, q_kind, q_legal, acct, entry))
    if stats is not None:
        stats.rows += len(pair)

    # both sides written in the same non-Latin script: their own writing decides; a match found only
    # through romanisation (homophones: 王伟 / 汪伟 both read "wang wei") is discounted, also when the
    # account's Latin name carried it (the account's own script is that of any of its names)
    q_script = batch.acct_script[acct]
    original = (q_kind == KIND_CODES["original"]) & (l_kind == KIND_CODES["original"])
    # a Chinese person's surname is never written run together with the given name: a Han-named
    # person whose name aligned only by joining its tokens into one listed token (马安 "ma an" ~
    # "MA'AN") is another name
    han_person = (q_script == SCRIPT_HAN) & (batch.acct_type[acct] == SUBJECT_CODES["person"])
    person = (index.entry_type[entry] == SUBJECT_CODES["person"]) & (batch.acct_type[acct] <= SUBJECT_CODES["person"])
    # a Korean name's syllables keep their order as a Chinese one's do (김은정 Eun-jeong is not "KIM Jong Un")
    hangul_person = (q_script == SCRIPT_HANGUL) & person
    # a Hangul-written name is a Korean name: like a Chinese one (features.contained_pairs), it has no optional
    # given names, 조수빈 "Jo Su-bin" is not the listed "Su Bin" with a name added
    contained_ok = person & (q_script != SCRIPT_HANGUL)
    organisations = ((index.entry_type[entry] == SUBJECT_CODES["organization"])
                     & (batch.acct_type[acct] == SUBJECT_CODES["organization"]))
    end_missing = np.zeros(len(cand.pq), dtype=bool)
    end_missing[keep] = ft.end_missing_pairs(ns.match_j[keep], ns.match_s[keep], ns.resid[keep],
                                             batch.units.tok[cand.pq[keep]], index.units.tok[cand.pl[keep]],
                                             batch.table, config)
    # a Latin name of a person with a Chinese or Korean name in Han or Hangul romanises it: every syllable counts
    # (a Han-written account's own reading is held to that in the alignment already)
    listed_cjk, acct_cjk = index.entry_cjk[entry] & person, batch.acct_cjk[acct] & person
    cuttable = may_cut(batch.units, cand.pq[pair], config)
    syllable_gap = np.zeros(len(pair), dtype=np.int8)
    rows = np.flatnonzero((listed_cjk | acct_cjk) & ~batch.units.strict[cand.pq[pair]]
                          & (index.name_script[name_idx] == 0))
    if len(rows):
        sel = pair[rows]
        syllable_gap[rows] = ft.syllable_gap_pairs(
            ns.match_j[sel], ns.match_s[sel], ns.resid[sel], batch.units.tok[cand.pq[sel]],
            index.units.tok[cand.pl[sel]], batch.table, listed_cjk[rows], acct_cjk[rows], cuttable[rows])
    stype = ft.type_levels(index, entry, batch.acct_type[acct])
    ev = ft.Evidence(
        base=ns.score[pair], contained=contained[pair] & contained_ok, end_missing=end_missing[pair] & person,
        syllable_gap=syllable_gap,
        cut_gap=ft.cut_gap_pairs(ns.match_j[pair], ns.match_s[pair], batch.units.tok[cand.pq[pair]],
                                 index.units.tok[cand.pl[pair]], batch.table, cuttable),
        org_initial=organisations & ft.initial_pairs(ns.match_j[pair], batch.units.tok[cand.pq[pair]],
                                                     index.units.tok[cand.pl[pair]], batch.table),
        other_name=ft.other_name_pairs(ns.match_j[pair], ns.match_s[pair], ns.resid[pair],
                                       batch.units.tok[cand.pq[pair]], index.units.tok[cand.pl[pair]], batch.table,
                                       index.vocab.equivalents, config, organisations),
        patronymic=ft.patronymic_levels(ns.patronymic[pair], ns.match_j[pair]),
        disordered=ns.disordered[pair] & (batch.units.strict[cand.pq[pair]] | hangul_person),
        digits=ns.digits_mismatch[pair], q_kind=q_kind,
        l_kind=l_kind, homophone=(q_script > 0) & (q_script == index.name_script[name_idx]) & ~original,
        han_joined=han_person & ns.joined[pair], weak=index.name_weak[name_idx],
        name_weight=_listed_weight(index, batch, cand.pl[pair], ns.score[pair] >= config.strong_name_floor, config),
        dob=ft.dob_levels(index, entry, batch.acct_dob[acct]),
        country=ft.country_levels(index, entry, batch.acct_c1[acct], batch.acct_c2[acct]),
        stype=stype,
        legal=(q_legal != 0) & (l_legal != 0) & (q_legal != l_legal),
        partners=_partners(batch, qname, (batch.acct_type[acct] == SUBJECT_CODES["organization"])
                           & (index.entry_type[entry] == SUBJECT_CODES["person"])),
        organisations=organisations,
        # one missing surname is one step: not again where `end_missing` counted it
        compound_first=_compound_first(ns, cand, pair, batch, index, name_idx, person & ~end_missing[pair]),
        nickname=ft.nickname_step_pairs(ns.match_j[pair], ns.match_s[pair], ns.resid[pair],
                                        batch.units.tok[cand.pq[pair]], index.units.tok[cand.pl[pair]],
                                        batch.table, index.vocab.equivalents),
        given_only=person & ft.given_only_pairs(batch.units.tok[cand.pq[pair]], index.units.tok[cand.pl[pair]],
                                                batch.table),
        one_word=ft.one_word_pairs(ns.match_j[pair], ns.match_s[pair], ns.resid[pair],
                                   batch.units.tok[cand.pq[pair]], index.units.tok[cand.pl[pair]], batch.table),
        listed_part=_listed_part(ns, cand, pair, batch, index, stype),
        idm=ft.id_matches(index, entry, batch.acct_id[acct], batch.acct_id_type[acct]))
    scored = ft.score_rows(ev, config, trace=trace)
    name_score, final, weak = scored.name_score, scored.final, ev.weak

    # best row per (account, entry): highest final, then highest name score, then strong before weak;
    # then the first listed name and account name, so equal rows resolve the same way in every run
    group = acct.astype(np.int64) * (len(index.entry_type) + 1) + entry
    order = np.lexsort((qname, name_idx, weak, -name_score, -final, group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    best = order[first]
    best = best[final[best] >= floor]
    if len(best) == 0:
        return None
    best = best[np.lexsort((-final[best], acct[best]))]
    return Chosen(ns, ev.take(best), scored.take(best), pair=pair[best], name_idx=name_idx[best], qname=qname[best],
                  l_kind=l_kind[best], q_kind=q_kind[best], acct=acct[best], entry=entry[best])


_PARTNERS_RE = re.compile(r"\S\s*&\s*\S|\s(?:and|und|et|и)\s", re.IGNORECASE)
# two names of three letters or more joined by a hyphen ("Davis-Powell", "Williams-Anderson")
_HYPHENED_RE = re.compile(r"(?<![^\W\d_])([^\W\d_]{3,})-([^\W\d_]{3,})(?![^\W\d_])")


def _names_partners(text: str) -> bool:
    """The name joins two names with "&", "and" or a hyphen, neither a particle ("Al-Noor", "Abu-Hassan" are one
    name)."""
    if _PARTNERS_RE.search(text):
        return True
    return any(not (is_particle(a.lower()) or is_particle(b.lower())) for a, b in _HYPHENED_RE.findall(text))


def _partners(batch: QueryBatch, qname: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per row: the account's name (`qname`) joins names (`_names_partners`: a firm named after its partners),
    for the selected rows."""
    out = np.zeros(len(qname), dtype=bool)
    names = np.unique(qname[rows])
    if len(names):
        joined = np.fromiter((_names_partners(str(t)) for t in batch.qname_text[names]), bool, len(names))
        out[rows] = np.isin(qname[rows], names[joined])
    return out


def _compounds(text: str) -> list[tuple[str, str]]:
    """The (first, second) tokens of a double surname, neither a particle: two
    words a name joins with a hyphen ("Lopez-Hernandez"; not "AL-HASSAN"), or the two words before the one comma
    of a surname-first name ("GARCIA RODRIGUEZ, Martha", as OFAC lists Spanish names)."""
    pairs = _HYPHENED_RE.findall(text)
    if text.count(",") == 1:
        surnames = text.split(",")[0].split()
        if len(surnames) == 2 and all(len(w) >= 3 for w in surnames):
            pairs.append(tuple(surnames))
    out = []
    for pair in pairs:
        # each word as the index holds it (the normaliser's transliteration and tokens: Hernández -> hernandez)
        words = [ascii_words(to_ascii(w.casefold()), False) for w in pair]
        if all(len(w) == 1 and w[0].isalpha() and not is_particle(w[0]) for w in words):
            out.append((words[0][0], words[1][0]))
    return out


def _compound_first(ns: NameScores, cand: Candidates, pair: np.ndarray, batch: QueryBatch, index: ListIndex,
                    name_idx: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`features.compound_first_pairs` for the selected rows (persons) whose listed name has a double surname
    (`_compounds`; False elsewhere)."""
    out = np.zeros(len(pair), dtype=bool)
    sel = np.flatnonzero(rows)
    if len(sel) == 0:
        return out
    names = np.unique(name_idx[sel])
    texts = index.names["name"].gather(names).to_list()
    joined = {int(n): c for n, c in zip(names.tolist(), map(_compounds, texts)) if c}
    sel = sel[np.isin(name_idx[sel], np.fromiter(joined, dtype=name_idx.dtype, count=len(joined)))]
    if len(sel):
        out[sel] = ft.compound_first_pairs(ns.match_j[pair[sel]], index.units.tok[cand.pl[pair[sel]]],
                                           [joined[int(n)] for n in name_idx[sel].tolist()], batch.table)
    return out


def _listed_part(ns: NameScores, cand: Candidates, pair: np.ndarray, batch: QueryBatch, index: ListIndex,
                 stype: np.ndarray) -> np.ndarray:
    """`features.listed_part_pairs` for the rows of a person against an organisation (False elsewhere)."""
    out = np.zeros(len(pair), dtype=bool)
    rows = np.flatnonzero(stype == 1)
    if len(rows):
        sel = pair[rows]
        out[rows] = ft.listed_part_pairs(ns.match_j[sel], ns.resid[sel], batch.units.tok[cand.pq[sel]],
                                         index.units.tok[cand.pl[sel]], batch.table)
    return out


def _listed_weight(index: ListIndex, batch: QueryBatch, units: np.ndarray, rows: np.ndarray,
                   config: MatchConfig) -> np.ndarray:
    """The listed forms' token weights summed, for the selected rows (0 elsewhere): how distinctive a name is."""
    out = np.zeros(len(units), dtype=np.float32)
    sel = np.flatnonzero(rows)
    if len(sel):
        tok = index.units.tok[units[sel]]
        out[sel] = np.where(tok >= 0, batch.table.weights(config)[np.maximum(tok, 0)], 0.0).sum(axis=1)
    return out

