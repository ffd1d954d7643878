"""The feature table: the algorithm from name alignment to final score, and the reasons it gives.

Each feature looks at the evidence of a candidate row (account, list entry) and picks at most one of
its levels; each level has an effect on the running score, a value (a MatchConfig field) and the
sentence an officer reads. `score_rows` runs the features in table order over numpy arrays (the batch
path and a single lookup run the same code) and `trace_rows` runs the same loop on the chosen rows,
recording one step per level that applied, with the score after it: the last step is the stored score.

    name stage   base (token alignment, scoring.py) → listed person's full name inside a longer one (floor) →
                 patronymic swap ×, Han name out of order ×,
                 different numbers ×,
                 variant minimum (→ 0), route factor × (homophone / Han joined / variant / pinyin),
                 two names a letter apart ×, a cut-off last name with a gap before it ×,
                 a listed person's first or last name missing ×
                 = the name score
    final stage  headroom × (1 − name_headroom) → DOB, country, subject type, legal form + →
                 strong-name floor (max) → weak-alias cap (min) → identifier (max) → clip to [0, 1]

Effects: base (the score starts here), factor (×), set (=), add (+), floor (max), cap (min), clip.
Floors, caps and the clip appear in the reasons only when they changed the score. The final score is
kept to four decimals (what is stored, banded and shown).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields
from importlib import resources
from typing import Callable, Literal

import numpy as np
import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA, Prefix

from screening.matching.codes import KIND_CODES, NO_DATE
from screening.matching.config import MatchConfig
from screening.matching.index import ListIndex
from screening.matching.tokens import (TokenTable, affix_words, chinese_surname_words, given_names, particles_data,
                                      place_words)
from screening.normalize.affixes import title_words

UNKNOWN = -1
Effect = Literal["base", "factor", "set", "add", "floor", "cap", "clip"]
Stage = Literal["name", "final"]


@dataclass
class Evidence:
    """What the features look at, one value per candidate row (account-side name × listed name)."""

    base: np.ndarray  # float32: the alignment score of the name pair (scoring.py)
    contained: np.ndarray  # bool: a listed person's full name, as listed and in order, inside a longer account name
    end_missing: np.ndarray  # bool: a person's two account names are a three-name listed name less an end one
    compound_first: np.ndarray  # bool: the first of a listed person's two surnames missing, the second met
    syllable_gap: np.ndarray  # int8: a romanised Chinese or Korean name met with a syllable left over: 1 a listed
    # one the account lacks, 2 one the account (itself Han- or Hangul-named) adds
    cut_gap: np.ndarray  # bool: the account's last token begins its listed token, and a listed token before it is missing
    org_initial: np.ndarray  # bool: two organisations, a word of one aligned to a lone letter of the other
    other_name: np.ndarray  # int8: two names met: 1 both common on the lists, 2 the account's, 3 one word each,
    # 4 two Chinese surnames
    patronymic: np.ndarray  # int8: names swapped around a patronymic connector: 1 alone, 2 in a reversed name
    disordered: np.ndarray  # bool: a Han- or Hangul-written name aligned neither in the listed order nor one rotation
    digits: np.ndarray  # bool: both names carry numbers and they differ
    q_kind: np.ndarray  # int8 kind code of the account-side form
    l_kind: np.ndarray  # int8 kind code of the listed form
    homophone: np.ndarray  # bool: both names in one non-Latin script, matched only through romanisation
    han_joined: np.ndarray  # bool: a Han-named person aligned only by joining surname and given name
    weak: np.ndarray  # bool: the listed name is a weak alias
    name_weight: np.ndarray  # float32: the listed form's token weights summed (set where the name is strong)
    dob: np.ndarray  # int8: 4 exact, 3 day and month swapped, 2 year, 1 near, 0 conflict, -1 unknown
    country: np.ndarray  # int8: 2 match, 0 conflict, -1 unknown
    stype: np.ndarray  # int8: 0 agree, 1 person vs organisation, 2 person vs vessel, 3 organisation vs vessel
    legal: np.ndarray  # bool: both legal forms known and of different families
    one_word: np.ndarray  # int8: one token aligned and a word left over that names (one_word_pairs)
    organisations: np.ndarray  # bool: an organisation on both sides
    listed_part: np.ndarray  # bool: a person against an organisation, the listed name met only in part
    partners: np.ndarray  # bool: an organisation named after partners ("Pavlov & Andreev") against a listed person
    given_only: np.ndarray  # bool: a listed person named by one given name alone against a longer account name
    nickname: np.ndarray  # bool: a given name met as a nickname of the listed one, the names differing otherwise too
    idm: np.ndarray  # bool: a strong identifier equal

    def __len__(self) -> int:
        return len(self.base)

    def take(self, rows: np.ndarray) -> "Evidence":
        return Evidence(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass
class State:
    """The running computation a level function may read: the evidence, the score so far, and the name
    score once the name stage is done."""

    ev: Evidence
    config: MatchConfig
    score: np.ndarray
    name_score: np.ndarray | None = None


@dataclass(frozen=True)
class Level:
    name: str
    effect: Effect
    var: str | None  # the MatchConfig field holding the value (None: `value` gives it, or the base)
    doc: str  # the sentence an officer reads; {field} is filled from MatchConfig
    value: Callable[[MatchConfig], float] | None = None

    def value_of(self, config: MatchConfig) -> float:
        if self.value is not None:
            return float(self.value(config))
        return float(getattr(config, self.var)) if self.var else float("nan")

    def text(self, config: MatchConfig) -> str:
        return _text(self.doc, config)


@functools.lru_cache(maxsize=256)
def _text(doc: str, config: MatchConfig) -> str:
    """A level's sentence with its settings filled in (cached: every hit's reasons repeat a few)."""
    return doc.format(**config.scoring_dict())


@dataclass(frozen=True)
class Feature:
    name: str
    stage: Stage
    levels: tuple[Level, ...]
    level_of: Callable[[State], np.ndarray]  # int8 per row: position in `levels`, -1 = no step
    description: str

    def level(self, name: str) -> Level:
        return next(lv for lv in self.levels if lv.name == name)


def _pick(*conditions: np.ndarray) -> np.ndarray:
    """The position of the first true condition per row, -1 when none."""
    return np.select(list(conditions), list(range(len(conditions))), UNKNOWN).astype(np.int8)


def _route_level(st: State) -> np.ndarray:
    """The smallest route factor among the routes that apply (one discount, not a product)."""
    ev, c = st.ev, st.config
    pinyin = (ev.q_kind == KIND_CODES["pinyin"]) | (ev.l_kind == KIND_CODES["pinyin"])
    variant = (ev.q_kind == KIND_CODES["variant"]) | (ev.l_kind == KIND_CODES["variant"])
    applies = np.stack([ev.homophone, ev.han_joined, variant, pinyin])
    factors = np.asarray([lv.value_of(c) for lv in ROUTE.levels], dtype=np.float32)
    cost = np.where(applies, factors[:, None], np.inf)
    best = np.argmin(cost, axis=0).astype(np.int8) if len(ev) else np.zeros(0, np.int8)
    return np.where(applies.any(axis=0), best, UNKNOWN).astype(np.int8)


def _is_variant(ev: Evidence) -> np.ndarray:
    return (ev.q_kind == KIND_CODES["variant"]) | (ev.l_kind == KIND_CODES["variant"])


def _strong(st: State) -> np.ndarray:
    return ~st.ev.weak & (st.name_score >= st.config.strong_name_floor)


def _always(st: State) -> np.ndarray:
    return np.zeros(len(st.ev), dtype=np.int8)


def _flag(values: Callable[[State], np.ndarray]) -> Callable[[State], np.ndarray]:
    return lambda st: np.where(values(st), 0, UNKNOWN).astype(np.int8)


def _below_review(config: MatchConfig) -> float:
    """The value of a cap that keeps a hit under review: `one_word_cap`, or just under review if that is lower."""
    return min(config.one_word_cap, config.review - 0.005)


ROUTE = Feature(
    "route", "name",
    (Level("homophone", "factor", "kind_factor_homophone",
           "Both names are written in the same non-Latin script and matched only through their romanisation "
           "(王伟 / 汪伟 both read wang wei): different characters are different people; ×{kind_factor_homophone}."),
     Level("han_joined", "factor", "kind_factor_han_joined",
           "A Han-named person matched only by joining surname and given name into one listed token "
           "(马安 'ma an' ~ MA'AN): Chinese names keep the surname apart; ×{kind_factor_han_joined}."),
     Level("variant", "factor", "kind_factor_variant",
           "Matched through a romanisation variant of the name (Wong ~ Wang); ×{kind_factor_variant}."),
     Level("pinyin", "factor", "kind_factor_pinyin",
           "Matched through the pinyin of a Han name (homophones share pinyin); ×{kind_factor_pinyin}.")),
    _route_level,
    "How the matching forms were reached: the smallest discount of the routes that apply.")

FEATURES: tuple[Feature, ...] = (
    Feature("name", "name",
            (Level("aligned", "base", None,
                   "Token-aligned similarity of the best account-side / listed name pair (scoring.py)."),),
            _always,
            "The base of the score: greedy one-to-one token alignment, order-free, weighted."),
    Feature("contained", "name",
            (Level("in_order", "floor", "review",
                   "Every token of the listed person's name, as listed and in the listed order, is in the account's "
                   "longer name, whose extra tokens weigh at most {contained_extra_ratio} times the listed name's: a "
                   "registrant's full name may carry extra given names; the name score is raised to where the hit "
                   "alerts at the bottom of review.", value=lambda c: contained_floor(c)),),
            _flag(lambda st: st.ev.contained),
            "The listed person's whole name inside a longer account name."),
    Feature("patronymic", "name",
            (Level("swapped", "factor", "patronymic_swap",
                   "The names before and after a patronymic connector (bin, ben, ould …) changed places, the rest "
                   "of the name in its order: \"Ahmad bin Hasan al-Ubaidi\" is the father or son of \"Hasan bin "
                   "Ahmad al-Ubaidi\"; ×{patronymic_swap}."),
             Level("reversed", "factor", "patronymic_reversed",
                   "The whole name is written backwards, so the names around its patronymic connector changed "
                   "places too: a reversed list name or a father and son (a three-word chain cannot tell); "
                   "×{patronymic_reversed}.")),
            lambda st: _pick(st.ev.patronymic == 1, st.ev.patronymic == 2),
            "Patronymic chains read in the other direction."),
    Feature("order", "name",
            (Level("disordered", "factor", "strict_order_penalty",
                   "A name written in Han, or a person's in Hangul, whose tokens align neither in the listed order "
                   "nor one rotation of it (宋新利 read in Korean 'song sin ri' is not the listed 'Sin Song RI': the "
                   "surname moved inside; 김은정 'Kim Eun Jeong' is not 'KIM Jong Un': the given name's syllables "
                   "swapped); ×(1 − {strict_order_penalty}).", value=lambda c: 1.0 - c.strict_order_penalty),),
            _flag(lambda st: st.ev.disordered),
            "Token order of a name written in Han or Hangul (its reading is derived, so its order is the name's)."),
    Feature("numbers", "name",
            (Level("mismatch", "factor", "digits_mismatch",
                   "Both names carry numbers and they differ (14th ≠ 15th); ×{digits_mismatch}."),),
            _flag(lambda st: st.ev.digits),
            "Numbers in the names."),
    Feature("variant_min", "name",
            (Level("below", "set", None,
                   "A match through a romanisation variant counts only at a name score of {variant_min_score} "
                   "or more: a variant plus another difference is two steps from the listed name; set to 0.",
                   value=lambda c: 0.0),),
            _flag(lambda st: _is_variant(st.ev) & (st.score < st.config.variant_min_score)),
            "The least a romanisation-variant match must reach."),
    ROUTE,
    Feature("nickname", "name",
            (Level("two_steps", "factor", "other_name_factor",
                   "A given name met only as a nickname of the listed one, and the names differ otherwise too, a "
                   "name missing on either side or another spelt otherwise (\"Ashley Perez\" ~ \"Lee Roy Perez\", "
                   "\"Kathryn Obrien\" ~ \"KATIE ELLEN O'BRIEN\"): two steps from the listed name, and some "
                   "nicknames stand for several names (Lee: Ashley, Leroy, Shirley …); ×{other_name_factor}."),),
            _flag(lambda st: st.ev.nickname),
            "A nickname beside another difference."),
    Feature("other_name", "name",
            (Level("both_common", "factor", "other_name_factor",
                   "An account name and the listed name it aligned to differ in spelling, no name table relates them "
                   "and each is borne by {other_name_df} or more list names (Khalil / Khaliq, Yasser / Nasser, "
                   "Saleh / Salem): two names in their own right, not a typo of one; ×{other_name_factor}."),
             Level("account_common", "factor", "other_name_factor",
                   "The account's name differs in spelling from the listed name it aligned to, no name table "
                   "relates them, and the account's is borne by {other_name_df} or more list names (Sayed ~ QAYED): "
                   "a registrant writes their own common name right, a typo seldom makes one; "
                   "×{other_name_factor}."),
             Level("one_word", "factor", "other_name_factor",
                   "A one-word name against a listed one-word name spelt otherwise, the account's word borne by "
                   "{other_name_df} or more list names (\"Scott Ltd\" ~ SCOT, \"King LLC\" ~ KINGV) or, between "
                   "organisations, the listed word that common (\"Martins\" ~ MARTIN) or a nickname of the "
                   "account's (\"Marty\" ~ MARTIN: the nickname table speaks of people): the only word is a word in "
                   "its own right and nothing else agrees; ×{other_name_factor}."),
             Level("surnames", "factor", "other_surname_factor",
                   "Two Chinese surnames in Latin letters met, spelt apart and unrelated by the surname table "
                   "(Cheng / Chen, Huang / Zhuang, Li / Liao): two families, whatever the given names share; "
                   "×{other_surname_factor}."),
             Level("nisba", "factor", "nisba_factor",
                   "The listed name is the account's name, borne by {nisba_min_df} or more list names, with -i or -y "
                   "added (Khalil / KHALILI, Mahmoud / MAHMOUDI): a family name made from the given name (a nisba), "
                   "not that name cut short; ×{nisba_factor}.")),
            lambda st: _pick(st.ev.other_name == 1, st.ev.other_name == 2, st.ev.other_name == 3,
                             st.ev.other_name == 4, st.ev.other_name == 5),
            "Two different names a letter or two apart."),
    Feature("cut", "name",
            (Level("gap", "factor", "cut_gap_factor",
                   "The account's last name begins the listed name it aligned to (read as a name cut at a field "
                   "length), yet a listed name before it is missing: a cut loses the end of a name, not its "
                   "middle (\"Christopher Jonathan Brown\" ~ \"Christopher Jonathan Paul Browning\" is another "
                   "surname); ×{cut_gap_factor}."),),
            _flag(lambda st: st.ev.cut_gap),
            "A cut-off last name with a gap before it."),
    Feature("initial", "name",
            (Level("organisation", "factor", "org_initial_factor",
                   "Two organisation names, a word of one aligned to a lone letter of the other (\"Westbrook "
                   "Group\" ~ \"Group W\", \"Caspian Semiconductors\" ~ \"C AND I SEMICONDUCTORS\"): a letter in "
                   "a company's name is a name of its own, seldom the initial of a word; ×{org_initial_factor}."),),
            _flag(lambda st: st.ev.org_initial),
            "A company's word met by a lone letter."),
    Feature("end_missing", "name",
            (Level("listed_end", "factor", "end_missing",
                   "The account's two names are a three-name listed person's less its first or last name (\"Robert "
                   "Thomas\" ~ \"Robert Thomas Caldwell\"; backwards, \"Khaled Mohammed\" ~ \"Mohammed Khaled "
                   "NASRI\" when both names are common), not a middle name or patronymic: another family's or "
                   "another person's name as often as not; ×{end_missing}."),),
            _flag(lambda st: st.ev.end_missing),
            "A listed person's first or last name missing from the account's name."),
    Feature("compound", "name",
            (Level("first_missing", "factor", "end_missing",
                   "The listed person's surname is two, joined by a hyphen or both before the one comma of a "
                   "surname-first name, and the account bears the second only (\"Juan Hernández\" ~ \"Juan "
                   "Lopez-Hernandez\", \"Martha Rodríguez\" ~ \"GARCIA RODRIGUEZ, Martha\"): such a name is known "
                   "by its first surname, the second alone is another family's as often as not (once: not where "
                   "`end_missing` counted the same name); ×{end_missing}."),),
            _flag(lambda st: st.ev.compound_first),
            "A compound surname met by its second part alone."),
    Feature("syllable", "name",
            (Level("listed_missing", "factor", "syllable_gap_factor",
                   "The listed person is also listed under a Chinese or Korean name in Han or Hangul, so their Latin "
                   "name romanises it, and the account's name lacks one of its syllables (\"Liu Fang\" ~ \"Liu "
                   "Shih-fang\", 刘世芳): such names have no optional middle names, one syllable less is another "
                   "person's name; ×{syllable_gap_factor}."),
             Level("account_extra", "factor", "syllable_gap_factor",
                   "The account also bears a Chinese or Korean name in Han or Hangul, so its Latin name romanises it, "
                   "and that name has a syllable the listed name lacks (이수빈 \"Su-bin Lee\" ~ \"Su Bin\"): "
                   "another person's name, not the listed one with a name added; ×{syllable_gap_factor}.")),
            lambda st: _pick(st.ev.syllable_gap == 1, st.ev.syllable_gap == 2),
            "A syllable of a romanised Chinese or Korean name left over."),
    Feature("headroom", "final",
            (Level("scale", "factor", "name_headroom",
                   "The name score is scaled to 1 − {name_headroom}: an uncorroborated exact name is not 1.0, "
                   "so DOB / country / ID agreement rank a hit higher.", value=lambda c: 1.0 - c.name_headroom),),
            _always,
            "Room above an exact name for corroboration."),
    Feature("dob", "final",
            (Level("exact", "add", "w_dob_exact", "The account's birth date equals a listed date; {w_dob_exact:+}."),
             Level("swapped", "add", "w_dob_swapped",
                   "Day and month transposed in the same year (one date in the other convention); {w_dob_swapped:+}."),
             Level("year", "add", "w_dob_year",
                   "Same year (a listed year only, or within a listed range); {w_dob_year:+}."),
             Level("near", "add", "w_dob_near", "One year off; {w_dob_near:+}."),
             Level("conflict", "add", "w_dob_conflict",
                   "Every listed birth date disagrees by more than a year; {w_dob_conflict:+}.")),
            lambda st: np.where(st.ev.dob >= 0, 4 - st.ev.dob, UNKNOWN).astype(np.int8),
            "Account birth date against the entry's listed dates."),
    Feature("country", "final",
            (Level("match", "add", "w_country_match",
                   "The account's country or nationality is linked to the entry; {w_country_match:+}."),
             Level("conflict", "add", "w_country_conflict",
                   "The entry lists nationalities (persons) or countries (organisations) and the account's is "
                   "not one of them; {w_country_conflict:+}.")),
            lambda st: _pick(st.ev.country == 2, st.ev.country == 0),
            "Account country or nationality against the entry's countries."),
    Feature("subject_type", "final",
            (Level("mismatch", "add", "w_type_mismatch", "A person against an organisation; {w_type_mismatch:+}."),
             Level("vessel", "add", "w_type_vessel",
                   "A person against a listed vessel or aircraft; {w_type_vessel:+}."),
             Level("org_vessel", "add", "w_type_org_vessel",
                   "An organisation against a listed vessel or aircraft under another name (an owner named "
                   "exactly like its ship is spared); {w_type_org_vessel:+}.")),
            lambda st: _pick(st.ev.stype == 1, st.ev.stype == 2, (st.ev.stype == 3) & (st.name_score < 0.99)),
            "Person, organisation, vessel or aircraft on each side."),
    Feature("legal_form", "final",
            (Level("mismatch", "add", "w_legal_form_mismatch",
                   "Both organisation names carry legal forms of different families (Ltd vs AG); "
                   "{w_legal_form_mismatch:+}."),),
            _flag(lambda st: st.ev.legal),
            "Legal forms of both organisation names."),
    Feature("one_word", "final",
            (Level("other_type", "cap", "one_word_cap",
                   "A person and an organisation that share one word of a longer name (\"Johnson PLC\" ~ \"JOHNSON "
                   "Hu\"): a company named like a person's surname is not that person, nor a person the company "
                   "one of whose words they bear; the hit stays below review, at most {one_word_cap}.",
                   value=_below_review),
             Level("organisation", "cap", "one_word_cap",
                   "A company named by one word against a listed organisation named by that word and a given name "
                   "(\"Griffin Ltd\" ~ \"Peter Griffin\", \"ЗАО «Андреев»\" ~ \"Dmitry Andreev\": the listed "
                   "name is a person's) or another word that names, beside an equal one (\"Ball PLC\" ~ \"Ball "
                   "Aerospace\", \"Stone Ltd\" ~ \"U-STONE LIMITED\"): the company shares one word of the listed "
                   "name; a generic word left over does not count (\"Atlas Inc.\" ~ \"ATLAS HOLDING\" alerts), nor "
                   "a word beside a cut one; the hit stays below review, at most {one_word_cap}.",
                   value=_below_review)),
            lambda st: _pick((st.ev.one_word > 0) & (st.ev.stype == 1),
                             ((st.ev.one_word == 2) | (st.ev.one_word == 3)) & st.ev.organisations),
            "One shared word between a person and an organisation, or between a one-word company and an "
            "organisation named by that word and another."),
    Feature("part", "final",
            (Level("other_type", "cap", "one_word_cap",
                   "A person against an organisation whose listed name the account's holds only in part (\"Fang "
                   "Tian\" ~ \"TIAN FANG HOLDINGS LIMITED\", \"Ward Inc\" ~ \"AL-WARD, 'Abd\"): a person named like "
                   "part of a company's name is not the company, nor a company named after part of a person's name "
                   "that person; the hit stays below review, at most {one_word_cap}.",
                   value=_below_review),),
            _flag(lambda st: st.ev.listed_part & (st.ev.stype == 1)),
            "A listed name of the other subject type met only in part."),
    Feature("partners", "final",
            (Level("other_type", "cap", "one_word_cap",
                   "An organisation named after its partners (\"Pavlov & Andreev OOO\", \"Davis-Powell\") against a "
                   "listed person (\"PAVLOV, Andrey\"): the firm's name joins two people's names, it is neither of "
                   "them; the hit stays below review, at most {one_word_cap}.",
                   value=_below_review),),
            _flag(lambda st: st.ev.partners),
            "An organisation named \"A & B\" against a listed person."),
    Feature("given_name", "final",
            (Level("alone", "cap", "one_word_cap",
                   "A listed person named by a given name alone (an alias \"John\") against an account's longer "
                   "name that bears it (\"John Lê\"): a given name alone names nobody, the account's other names "
                   "met nothing; the hit stays below review, at most {one_word_cap}.",
                   value=_below_review),),
            _flag(lambda st: st.ev.given_only),
            "A listed given name alone."),
    Feature("strong_name_floor", "final",
            (Level("distinctive", "floor", "review",
                   "A strong listed name matched as listed (name score {strong_name_review_score} or more) whose tokens "
                   "weigh {strong_name_review_weight} or more (a distinctive name): a DOB, country or type conflict lowers "
                   "the hit to the bottom of review, never below (a registrant can state a false date; lists' dates "
                   "are sometimes wrong)."),
             Level("applied", "floor", "low",
                   "A strong listed name matched at a name score of {strong_name_floor} or more (a common or short "
                   "name, or one a typo away): a DOB, country or type conflict lowers the hit to low, never hides "
                   "it.")),
            lambda st: _pick(_strong(st) & (st.name_score >= st.config.strong_name_review_score)
                             & (st.ev.name_weight >= st.config.strong_name_review_weight), _strong(st)),
            "The least a strong, near-exact name match scores."),
    Feature("alias", "final",
            (Level("weak", "cap", "weak_alias_cap",
                   "The best name is a weak alias (OFAC weak AKA, UN low quality) with no equal identifier and "
                   "no agreeing birth date: it stays below review, at most {weak_alias_cap}.",
                   value=lambda c: min(c.weak_alias_cap, c.review - 0.005)),),
            _flag(lambda st: st.ev.weak & ~st.ev.idm & (st.ev.dob < 2)),
            "Weak aliases only corroborate."),
    Feature("identifier", "final",
            (Level("match", "floor", "id_match_score",
                   "A strong identifier (passport, national ID, USCC, registration, IMO …) is equal after "
                   "normalising: decisive, {id_match_score}."),),
            _flag(lambda st: st.ev.idm),
            "Identifiers of the account and the entry."),
    Feature("clip", "final",
            (Level("range", "clip", None, "Scores are kept between 0 and 1.", value=lambda c: 1.0),),
            _always,
            "The score's range."),
)

BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}


def patronymic_levels(swapped: np.ndarray, match_j: np.ndarray) -> np.ndarray:
    """Per pair: 0, 1 names swapped around a patronymic connector, 2 swapped in a name whose ends changed
    places too (the first aligned account token is listed after the last one: the name written backwards,
    "Al-Ubaidi Hasan bin Ahmad" for "Ahmad bin Hasan Al-Ubaidi")."""
    aligned = match_j >= 0
    rows = np.arange(len(match_j))
    first = match_j[rows, aligned.argmax(axis=1)]
    last = match_j[rows, match_j.shape[1] - 1 - aligned[:, ::-1].argmax(axis=1)]
    return np.where(swapped, np.where(first > last, 2, 1), 0).astype(np.int8)


def contained_floor(config: MatchConfig) -> float:
    """The name score that the headroom scales to the review threshold (rounded up to the stored precision)."""
    return math.ceil(config.review / (1.0 - config.name_headroom) * 1e4) / 1e4


def one_word_pairs(match_j: np.ndarray, match_s: np.ndarray, resid: np.ndarray, q_tok: np.ndarray,
                   l_tok: np.ndarray, table: TokenTable) -> np.ndarray:
    """Per pair: exactly one token aligned, nothing merged, and a token left over that names someone or
    something (not a legal-form, title, particle or generic word: "Rahkar Company", "Haji Aminullah" are
    one name whatever type they were given): 1 on the account's side, else 3 a listed given name ("Peter
    Griffin"), 2 another listed word beside an equal one ("Ball" ~ "Ball Aerospace"), 4 beside one met
    otherwise (a cut or a typo: the rest of the name may be what the cut lost); 0 otherwise."""
    width = min(match_j.shape[1], q_tok.shape[1])
    match_j, match_s, q_tok = match_j[:, :width], match_s[:, :width], q_tok[:, :width]
    rows = np.flatnonzero(((match_j >= 0).sum(axis=1) == 1) & (resid == 0))
    out = np.zeros(len(match_j), dtype=np.int8)
    if len(rows) == 0:
        return out
    q, lt, mj = q_tok[rows], l_tok[rows], match_j[rows]
    l_aligned = _listed_aligned(mj, lt.shape)
    light = affix_words()

    def named(tok: np.ndarray, left: np.ndarray) -> np.ndarray:
        safe = np.maximum(tok, 0)
        word = np.fromiter((t not in light for t in table.text[safe.ravel()]), bool, safe.size).reshape(tok.shape)
        return (left & (tok >= 0) & (table.particle[safe] == 0) & word).any(axis=1)

    given = table.member(given_names())
    listed_given = ((~l_aligned) & (lt >= 0) & given[np.maximum(lt, 0)]).any(axis=1)
    listed_named = named(lt, ~l_aligned)
    equal = ((mj >= 0) & (match_s[rows] >= 1.0 - 1e-6)).any(axis=1)
    other = np.where(equal, 2, 4)
    out[rows] = np.where(named(q, mj < 0), 1, np.where(listed_named, np.where(listed_given, 3, other), 0))
    return out


def compound_first_pairs(match_j: np.ndarray, l_tok: np.ndarray, compounds: list[list[tuple[str, str]]],
                         table: TokenTable) -> np.ndarray:
    """Per pair: of a double surname of the listed name (`compounds`, per pair: its (first, second) words),
    adjacent among the listed tokens, the second aligned and the first not."""
    out = np.zeros(len(match_j), dtype=bool)
    aligned = _listed_aligned(match_j, l_tok.shape)
    for p, pairs in enumerate(compounds):
        if not pairs:
            continue
        text = table.text[np.maximum(l_tok[p], 0)]
        for j in range(l_tok.shape[1] - 1):
            if l_tok[p, j + 1] >= 0 and (text[j], text[j + 1]) in pairs and aligned[p, j + 1] and not aligned[p, j]:
                out[p] = True
                break
    return out


def nickname_step_pairs(match_j: np.ndarray, match_s: np.ndarray, resid: np.ndarray, q_tok: np.ndarray,
                        l_tok: np.ndarray, table: TokenTable, equivalents: tuple[np.ndarray, ...]) -> np.ndarray:
    """Per pair: an account token aligned to a different listed token that the nickname table relates to it and
    the romanisation-variant table does not (Bob ~ Robert; not Mohammed ~ Muhammad), and the names differ
    otherwise too: a name of either side unaligned (not an initial, particle or patronymic: "Sasha Bolshakov" ~
    "Aleksandr Sergeyevich BOLSHAKOV" is the nickname alone), merged, or another aligned pair short of equal."""
    width = min(match_j.shape[1], q_tok.shape[1])
    mj, ms, q = match_j[:, :width], match_s[:, :width], q_tok[:, :width]
    r, c = np.nonzero(mj >= 0)
    a, b = q[r, c], l_tok[r, mj[r, c]]
    nick = (a != b) & _nickname_only(a, b, equivalents)
    met = np.zeros(len(mj), dtype=bool)
    met[r[nick]] = True
    below = np.zeros(len(mj), dtype=np.int16)
    np.add.at(below, r, (ms[r, c] < 1.0 - 1e-6) & ~nick)
    endings = patronymic_endings()

    def named(tok: np.ndarray, left: np.ndarray) -> np.ndarray:
        safe = np.maximum(tok, 0)
        cand = left & (tok >= 0) & (table.nchars[safe] >= 2) & (table.particle[safe] == 0)
        r2, c2 = np.nonzero(cand)
        cand[r2, c2] = np.fromiter((not str(t).endswith(endings) for t in table.text[tok[r2, c2]]), bool, len(r2))
        return cand.any(axis=1)

    rows = np.flatnonzero(met)
    left = np.zeros(len(mj), dtype=bool)
    if len(rows):
        left[rows] = (named(q[rows], mj[rows] < 0)
                      | named(l_tok[rows], ~_listed_aligned(mj[rows], l_tok[rows].shape)))
    return met & ((below > 0) | left | (resid > 0))


def given_only_pairs(q_tok: np.ndarray, l_tok: np.ndarray, table: TokenTable) -> np.ndarray:
    """Per pair: the listed name is one token, a given name of the nickname or diminutive tables, and the
    account's name has two tokens or more."""
    one = (l_tok >= 0).sum(axis=1) == 1
    given = table.member(given_names())[np.maximum(l_tok[:, 0], 0)]
    return one & given & ((q_tok >= 0).sum(axis=1) >= 2)


def listed_part_pairs(match_j: np.ndarray, resid: np.ndarray, q_tok: np.ndarray, l_tok: np.ndarray,
                      table: TokenTable) -> np.ndarray:
    """Per pair: a listed word (other than a legal-form or title word) left over, or, where leftovers were
    joined (a merge or split), the listed side's joined leftovers longer than the account's: the listed
    name is not all in the account's. Particles and generic words count ("AL-WARD", "Holdings"): across
    subject types they are part of the name met."""
    width = min(match_j.shape[1], q_tok.shape[1])
    match_j, q_tok = match_j[:, :width], q_tok[:, :width]
    weighs = ~table.member(affix_words())

    def left_chars(tok: np.ndarray, left: np.ndarray) -> np.ndarray:
        safe = np.maximum(tok, 0)
        keep = left & (tok >= 0) & weighs[safe]
        return np.where(keep, table.nchars[safe], 0).sum(axis=1)

    l_chars = left_chars(l_tok, ~_listed_aligned(match_j, l_tok.shape))
    q_chars = left_chars(q_tok, match_j < 0)
    return np.where(resid > 0, l_chars > q_chars + 2, l_chars > 0)


def bound_floor(config: MatchConfig, floor: float) -> float:
    """The least keyed upper bound (blocking.upper_bound) a pair needs to be scored in a run keeping hits
    from `floor`: the final stage adds at most `max_positive_adjustment`, and the `contained` floor lifts a
    pair whose listed tokens all align as listed (so their keys cover the account's twins) and whose other
    account tokens weigh at most `contained_extra_ratio` times theirs: its bound is at least
    1 / (1 + extra_query_cost × ratio)."""
    plain = floor - max_positive_adjustment(config)
    lifted_best = contained_floor(config) * (1.0 - config.name_headroom) + max_positive_adjustment(config)
    if floor > lifted_best:
        return plain
    return min(plain, 1.0 / (1.0 + config.extra_query_cost * config.contained_extra_ratio) - 1e-6)


def contained_pairs(match_j: np.ndarray, match_s: np.ndarray, q_tok: np.ndarray, l_tok: np.ndarray,
                    strict: np.ndarray, table: TokenTable, config: MatchConfig) -> np.ndarray:
    """Per candidate pair (account-side tokens `q_tok` [P, Tq] aligned to list positions `match_j` with
    similarity `match_s`): every token of the listed form, two or more, aligned to an equal account token,
    in the listed order, and the account's other tokens weigh at most `contained_extra_ratio` times the
    listed ones. Never for Chinese names (a Han-derived account, `strict`, or both names pinyin syllables):
    a Chinese name has no optional given names, "Wei Liang Sun" is not "WEI SUN"."""
    weights = table.weights(config)
    width = min(match_j.shape[1], q_tok.shape[1])
    q_tok, match_j, match_s = q_tok[:, :width], match_j[:, :width], match_s[:, :width]
    q_valid, l_valid = q_tok >= 0, l_tok >= 0
    nq, nl = q_valid.sum(axis=1), l_valid.sum(axis=1)
    exact = (match_j >= 0) & (match_s >= 1.0 - 1e-6)
    j = np.where(exact, match_j, -1).astype(np.int16)
    ordered = ~(exact & (j < np.maximum.accumulate(j, axis=1))).any(axis=1)
    wq = np.where(q_valid, weights[np.maximum(q_tok, 0)], 0.0)
    wl = np.where(l_valid, weights[np.maximum(l_tok, 0)], 0.0).sum(axis=1)
    extra = np.where(q_valid & ~exact, wq, 0.0).sum(axis=1)
    chinese = ((table.cn_name[np.maximum(q_tok, 0)] | ~q_valid).all(axis=1)
               & (table.cn_name[np.maximum(l_tok, 0)] | ~l_valid).all(axis=1))
    return ((nl >= 2) & (nq > nl) & (exact.sum(axis=1) == nl) & ordered & ~strict & ~chinese
            & (extra <= config.contained_extra_ratio * wl + 1e-6))


def _listed_aligned(match_j: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Per pair and listed-token position: whether an account token aligned to it."""
    out = np.zeros(shape, dtype=bool)
    r, c = np.nonzero(match_j >= 0)
    out[r, match_j[r, c]] = True
    return out


def other_name_pairs(match_j: np.ndarray, match_s: np.ndarray, resid: np.ndarray, q_tok: np.ndarray,
                     l_tok: np.ndarray, table: TokenTable, equivalents: tuple[np.ndarray, ...],
                     config: MatchConfig, organisations: np.ndarray | None = None) -> np.ndarray:
    """Per pair: 1 when an account token met a listed token it does not equal, both on `other_name_df`
    or more list names; 2 when only the account's token is; 3 when both names are one word, spelt
    otherwise, the account's that common (between `organisations`, also the listed one, or a nickname of the
    account's; doubled letters and a cut end count there: nothing else agrees); 4 when the two are Chinese
    surnames in Latin letters (Cheng / Chen: two families, however
    common, cut or not); 5 when the listed name is the account's, borne by `nisba_min_df` list names, with -i
    or -y added (a nisba: Khalil / KHALILI); 0 otherwise. A typo seldom makes a name common on the lists: such
    a pair is two names.

    Met: aligned, or, where the leftovers of both names aligned joined (merge / split: "mohammedsaleh"
    ~ "mohamedsalem"), the k-th leftover of each side when both have as many and the two are
    `token_min_sim` alike. Not counted: tokens other than letters, of two letters or less (initials),
    particles and generic words (Industry / Industries are one word, not two names), related by the
    nickname, variant or particle tables, of one phonetic key where the key
    speaks (`phonetic_min_len` letters: Muammar / Moammar, Nooristani / Nuristani), and, but for
    level 3, the same once doubled letters are collapsed or y read as i, or one beginning the other (a
    name cut short; but not the account's last name when it is a whole common name, Saleh ~ SALEHI, nor
    two Chinese surnames)."""
    width = min(match_j.shape[1], q_tok.shape[1])
    mj, ms, q = match_j[:, :width], match_s[:, :width], q_tok[:, :width]
    out = np.zeros(len(mj), dtype=np.int8)
    r, c = np.nonzero((mj >= 0) & (ms < 1.0))
    aligned = _listed_aligned(mj, l_tok.shape)
    # merged rows: the leftovers of both sides in order, where both have as many (row-major nonzero keeps
    # each row's leftovers in order, so equal counts pair them one to one)
    left_q, left_l = (q >= 0) & (mj < 0), (l_tok >= 0) & ~aligned
    even = (resid > 0) & (left_q.sum(axis=1) == left_l.sum(axis=1))
    rq, cq = np.nonzero(left_q & even[:, None])
    _, cl = np.nonzero(left_l & even[:, None])
    mq, ml = q[rq, cq], l_tok[rq, cl]
    # only leftovers as alike as aligned tokens are (a split elsewhere leaves others side by side)
    dist = process.cpdist(table.text[mq], table.text[ml], scorer=OSA.distance) if len(rq) else np.zeros(0)
    longest = np.maximum(table.nchars[mq], table.nchars[ml])
    alike = 1.0 - dist / np.maximum(longest - config.edit_slack, 1.0) >= config.token_min_sim
    a = np.concatenate([q[r, c], mq[alike]])
    b = np.concatenate([l_tok[r, mj[r, c]], ml[alike]])
    r = np.concatenate([r, rq[alike]])
    last = np.concatenate([c, cq[alike]]) == (q >= 0).sum(axis=1)[r] - 1  # the account's last token
    if len(r) == 0:
        return out
    longer = 3  # no initial, no two-letter particle (al, el, ul)

    def sounded(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        # one phonetic key, where the key speaks (tokens of `phonetic_min_len` letters or more)
        return ((table.phon[a] != 0) & (table.phon[a] == table.phon[b])
                & (np.maximum(table.nchars[a], table.nchars[b]) >= config.phonetic_min_len))

    surnames = table.member(chinese_surname_words())
    two_surnames = surnames[a] & surnames[b]  # two Chinese surnames in Latin letters
    ok = ((a != b) & (a >= 0) & (b >= 0) & table.alpha[a] & table.alpha[b]
          & (np.minimum(table.nchars[a], table.nchars[b]) >= np.where(two_surnames, 2, longer))
          & (table.particle[a] == 0) & (table.particle[b] == 0)
          & (table.squeeze[a] != table.squeeze[b])
          & (table.folded[a] != table.folded[b]) & ~sounded(a, b)
          & ((table.df[a] >= config.other_name_df) | two_surnames))
    # a nisba: the listed name is the account's whole common name with -i or -y added (Khalil / KHALILI,
    # Mahmoud / MAHMOUDI): the family named after it, not the name cut short
    nisba = np.zeros(len(a), dtype=bool)
    maybe = np.flatnonzero((a >= 0) & (b >= 0) & (table.nchars[b] == table.nchars[a] + 1) & (table.nchars[a] >= 4)
                           & (table.df[a] >= config.nisba_min_df))
    if len(maybe):
        nisba[maybe] = np.fromiter((str(y)[:-1] == str(x) and str(y)[-1] in "iy"
                                    for x, y in zip(table.text[a[maybe]], table.text[b[maybe]])), bool, len(maybe))
    sel = np.flatnonzero(ok & _unrelated(a, b, equivalents) & ~nisba)
    # a name cut short (Shar ~ SHARI, Otvetst ~ OTVETSTVENNOSTYU) is the same name: where it was cut cannot
    # be told from a surname written first ("SHAR, 'Amin Abi"); but a cut at a field length does not end on
    # a whole common name, the account's last ("Ali Saleh" ~ "Ali SALEHI": kernels.cell_matrices)
    whole = last[sel] & (table.nchars[b[sel]] > table.nchars[a[sel]])
    sel = sel[~_begins(a[sel], b[sel], table) | whole | two_surnames[sel]]
    # the stronger level per pair: two surnames (coded 4, ranked first), both common (1), the account's (2)
    level = np.where(two_surnames[sel], 0, np.where(table.df[b[sel]] >= config.other_name_df, 1, 2)).astype(np.int8)
    best = np.full(len(mj), 9, dtype=np.int8)
    np.minimum.at(best, r[sel], level)
    best[r[nisba]] = -1  # a nisba ranks first
    out[best < 9] = np.select([best[best < 9] == -1, best[best < 9] == 0], [5, 4], best[best < 9])
    # one word against one word, the account's common: doubled letters and cut ends count too (Scott ~ SCOT,
    # King ~ KINGV), as nothing else in the names agrees; between two organisations, the listed word that
    # common too (Martins ~ MARTIN), or a nickname of the account's however rare (Marty ~ MARTIN, Miranda ~
    # MIRA: the nickname table speaks of people)
    single = (((q >= 0).sum(axis=1) == 1) & ((l_tok >= 0).sum(axis=1) == 1) & (mj[:, 0] == 0) & (ms[:, 0] < 1.0)
              & (out == 0))
    k = np.flatnonzero(single)
    a, b = q[k, 0], l_tok[k, 0]
    unrelated = _unrelated(a, b, equivalents)
    common = (table.df[a] >= config.other_name_df) & unrelated
    if organisations is not None:
        common |= organisations[k] & (((table.df[b] >= config.other_name_df) & unrelated)
                                      | _nickname_only(a, b, equivalents))
    one = ((a != b) & table.alpha[a] & table.alpha[b] & (table.nchars[a] >= longer) & (table.particle[a] == 0)
           & (table.particle[b] == 0) & ~sounded(a, b) & common)
    out[k[one]] = 3
    return out


def _begins(a: np.ndarray, b: np.ndarray, table: TokenTable) -> np.ndarray:
    """Per token pair: one token begins the other."""
    if len(a) == 0:
        return np.zeros(0, dtype=bool)
    common = process.cpdist(table.text[a], table.text[b], scorer=Prefix.similarity)
    return common == np.minimum(table.nchars[a], table.nchars[b])


def _unrelated(a: np.ndarray, b: np.ndarray, equivalents: tuple[np.ndarray, ...]) -> np.ndarray:
    """Per token pair: in none of the nickname, variant and particle code tables (token_similarity's)."""
    codes = a.astype(np.int64) * (1 << 32) + b.astype(np.int64)
    out = np.ones(len(a), dtype=bool)
    for known in equivalents:
        if len(known):
            pos = np.minimum(np.searchsorted(known, codes), len(known) - 1)
            out &= known[pos] != codes
    return out


def _nickname_only(a: np.ndarray, b: np.ndarray, equivalents: tuple[np.ndarray, ...]) -> np.ndarray:
    """Per token pair: related by the nickname table (equivalents[0]) and by no romanisation-variant or particle
    table (Bob ~ Robert; not Mohammed ~ Muhammad)."""
    return ~_unrelated(a, b, equivalents[:1]) & _unrelated(a, b, equivalents[1:])


def cut_gap_pairs(match_j: np.ndarray, match_s: np.ndarray, q_tok: np.ndarray, l_tok: np.ndarray,
                  table: TokenTable, cuttable: np.ndarray) -> np.ndarray:
    """Per pair: the account's last token aligned below equality to a longer listed token it begins (the
    alignment's cut-off reading, for a name long enough to be cut: `cuttable`), while a listed token before that
    one is aligned to nothing."""
    width = min(match_j.shape[1], q_tok.shape[1])
    mj, ms, q = match_j[:, :width], match_s[:, :width], q_tok[:, :width]
    out = np.zeros(len(mj), dtype=bool)
    j = _last_listed(mj, q)
    before = (np.arange(l_tok.shape[1])[None, :] < j[:, None]) & (l_tok >= 0) & ~_listed_aligned(mj, l_tok.shape)
    sel = np.flatnonzero(before.any(axis=1) & cuttable)
    out[sel] = _read_as_cut(mj, ms, q, l_tok, table, sel)
    return out


def _last_listed(mj: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per pair: the listed position the account's last token aligned to (-1: none)."""
    last = np.maximum((q >= 0).sum(axis=1) - 1, 0)
    return mj[np.arange(len(mj)), last].astype(np.int64)


def _read_as_cut(mj: np.ndarray, ms: np.ndarray, q: np.ndarray, l_tok: np.ndarray, table: TokenTable,
                 rows: np.ndarray) -> np.ndarray:
    """Per pair of `rows`: the account's last token aligned below equality to a longer listed token it begins
    (the alignment's cut-off reading)."""
    last = np.maximum((q[rows] >= 0).sum(axis=1) - 1, 0)
    j = mj[rows, last].astype(np.int64)
    out = np.zeros(len(rows), dtype=bool)
    sel = np.flatnonzero((j >= 0) & (ms[rows, last] < 1.0))
    a, b = q[rows[sel], last[sel]], l_tok[rows[sel], j[sel]]
    out[sel] = (table.nchars[b] > table.nchars[a]) & _begins(a, b, table)
    return out


def initial_pairs(match_j: np.ndarray, q_tok: np.ndarray, l_tok: np.ndarray, table: TokenTable) -> np.ndarray:
    """Per candidate pair: an aligned token pair where one side is a single letter and the other a longer word
    (an initial read for a word), unless the letter is the account's last token: a name cut at a field
    length ("The World Islamic Front for Jihad A")."""
    width = min(match_j.shape[1], q_tok.shape[1])
    mj, q = match_j[:, :width], q_tok[:, :width]
    r, c = np.nonzero(mj >= 0)
    a, b = table.nchars[q[r, c]], table.nchars[l_tok[r, mj[r, c]]]
    cut = c == (q >= 0).sum(axis=1)[r] - 1
    out = np.zeros(len(mj), dtype=bool)
    out[r[((a == 1) & (b > 1) & ~cut) | ((b == 1) & (a > 1))]] = True
    return out


def end_missing_pairs(match_j: np.ndarray, match_s: np.ndarray, resid: np.ndarray, q_tok: np.ndarray,
                      l_tok: np.ndarray, table: TokenTable, config: MatchConfig) -> np.ndarray:
    """Per candidate pair: a two-token account name, both tokens aligned (nothing merged, the last not cut)
    to a three-token listed name (its particles not counted, none of them aligned: "Ahmed Abdullah AL MUZAINI")
    whose third token names someone (two letters or more, no particle,
    legal-form, title, place word or patronymic, no twin of an aligned token) and stands before or after
    the two, read in the listed order or with the first listed token moved to the end ("PUTIN, Vladimir
    Vladimirovich" read "Vladimir Putin"). Read backwards, the two are flagged when the missing one was listed
    first, or last while both are names borne by `other_name_df` list names or more: "Khaled Mohammed" is not
    "Mohammed Khaled NASRI" less its family name, two common given names in any order are many people's (the
    surname-first reading stays for rarer names: "Michelle Michaela" ~ "Michaela Michelle Micheli", name_bench).
    A title word is never the missing name: the account's side may have dropped it as a title ("Joseph, King
    Adam"). Longer listed names are left alone: people go by a middle name ("Boris Johnson" ~ "Alexandre Boris
    de Pfeffel Johnson"), lists add a father's name after it."""
    width = min(match_j.shape[1], q_tok.shape[1])
    mj, q, ms = match_j[:, :width], q_tok[:, :width], match_s[:, :width]
    out = np.zeros(len(mj), dtype=bool)
    # the listed name's particles (al, bin) are not names of their own: "Ahmed Abdullah AL MUZAINI" has three
    named = (l_tok >= 0) & (table.particle[np.maximum(l_tok, 0)] == 0)
    aligned = _listed_aligned(mj, l_tok.shape)
    rows = np.flatnonzero(((q >= 0).sum(axis=1) == 2) & ((mj >= 0).sum(axis=1) == 2) & (resid == 0)
                          & (named.sum(axis=1) == 3) & ~(aligned & ~named & (l_tok >= 0)).any(axis=1))
    if len(rows) == 0:
        return out
    # listed positions counted over the named tokens only
    position = np.cumsum(named[rows], axis=1) - 1
    k2 = np.arange(len(rows))[:, None]
    mj = position[k2, np.maximum(mj[rows][:, :2], 0)]
    q, ms = q[rows][:, :2], ms[rows][:, :2]
    lt = l_tok[rows][named[rows]].reshape(len(rows), 3)
    k = np.arange(len(rows))
    third = 3 - mj.sum(axis=1)  # the listed position left over (positions 0, 1, 2)
    rotated = (mj - 1) % 3
    rotation = (rotated[:, 0] < rotated[:, 1]) & ((third - 1) % 3 != 1)
    common = (table.df[lt[k, mj[:, 0]]] >= config.other_name_df) & (table.df[lt[k, mj[:, 1]]] >= config.other_name_df)
    end = np.where(mj[:, 0] < mj[:, 1], third != 1, rotation | (third == 0) | ((third == 2) & common))
    tok = lt[k, third]
    twin = (lt == tok[:, None]).sum(axis=1) > 1
    names = (table.nchars[tok] >= 2) & table.alpha[tok] & (table.particle[tok] == 0) & ~twin
    sel = np.flatnonzero(end & names)
    if len(sel) == 0:
        return out
    light = affix_words() | place_words() | title_words()
    endings = patronymic_endings()
    word = np.fromiter((t not in light and not t.endswith(endings) for t in table.text[tok[sel]]), bool, len(sel))
    # the account's last token begins the listed token it aligned to: a name cut short
    a, b = table.text[q[sel, 1]], table.text[lt[sel, mj[sel, 1]]]
    cut = (ms[sel, 1] < 1.0) & np.fromiter((str(y).startswith(str(x)) for x, y in zip(a, b)), bool, len(sel))
    out[rows[sel]] = word & ~cut
    return out


def syllable_gap_pairs(match_j: np.ndarray, match_s: np.ndarray, resid: np.ndarray, q_tok: np.ndarray,
                       l_tok: np.ndarray, table: TokenTable, listed: np.ndarray, account: np.ndarray,
                       cuttable: np.ndarray) -> np.ndarray:
    """Per candidate pair, nothing merged and the account name of two tokens or more: 1 where the listed name
    romanises a Chinese or Korean name (`listed`) and one of its tokens of letters aligned to nothing, unless
    it comes after the listed token the account's cut-off last token begins (a name long enough to be cut,
    `cuttable`, loses its end); else 2 where the account's name romanises one (`account`) and one of its tokens
    of letters aligned to nothing; 0 otherwise. Such names have no particles: "bin" in 양수빈 and "an" (안) are syllables."""
    width = min(match_j.shape[1], q_tok.shape[1])
    mj, ms, q = match_j[:, :width], match_s[:, :width], q_tok[:, :width]
    nq = (q >= 0).sum(axis=1)
    cut = np.zeros(len(mj), dtype=bool)
    sel = np.flatnonzero(listed & cuttable)
    cut[sel] = _read_as_cut(mj, ms, q, l_tok, table, sel)
    after = cut[:, None] & (np.arange(l_tok.shape[1])[None, :] > _last_listed(mj, q)[:, None])

    def named(tok: np.ndarray, left: np.ndarray) -> np.ndarray:
        return (left & (tok >= 0) & table.alpha[np.maximum(tok, 0)]).any(axis=1)

    plain = (nq >= 2) & (resid == 0)
    missing = listed & plain & named(l_tok, ~_listed_aligned(mj, l_tok.shape) & ~after)
    extra = account & plain & named(q, mj < 0)
    return np.where(missing, 1, np.where(extra, 2, 0)).astype(np.int8)


@functools.cache
def patronymic_endings() -> tuple[str, ...]:
    """Endings of patronymics (particles.yml `patronymic_endings`): Romanovich, Ivanovna, Mammad oglu."""
    return tuple(particles_data().get("patronymic_endings", []))


def describe_features(config: MatchConfig | None = None) -> list[dict]:
    """Every rule of the score in the order it runs: feature, stage, what the feature is about, level,
    effect, setting, value, what the level means (`screening match features`)."""
    config = config or MatchConfig()
    return [{"feature": f.name, "stage": f.stage, "about": f.description, "level": lv.name, "effect": lv.effect,
             "setting": lv.var or "", "value": None if lv.effect in ("base", "clip") else round(lv.value_of(config), 4),
             "description": lv.text(config)}
            for f in FEATURES for lv in f.levels]


def _apply(effect: Effect, score: np.ndarray, value: np.ndarray | float) -> np.ndarray:
    if effect == "base":
        return np.asarray(value, dtype=np.float32)
    if effect == "factor":
        return score * np.float32(value) if np.isscalar(value) else score * value
    if effect == "set":
        return np.full_like(score, value)
    if effect == "add":
        return score + value
    if effect == "floor":
        return np.maximum(score, value)
    if effect == "cap":
        return np.minimum(score, value)
    return np.clip(score, 0.0, 1.0)


@dataclass
class Scored:
    name_score: np.ndarray  # float32: after the name stage
    final: np.ndarray  # float64, rounded to four decimals (the stored score)
    steps: list[tuple[Feature, np.ndarray, np.ndarray]] | None = None  # (feature, level per row, score after)

    def take(self, rows: np.ndarray) -> "Scored":
        """The selected rows (each row's levels and scores are its own: the table works row by row)."""
        steps = None if self.steps is None else [(f, code[rows], after[rows]) for f, code, after in self.steps]
        return Scored(self.name_score[rows], self.final[rows], steps)


def score_rows(ev: Evidence, config: MatchConfig, *, trace: bool = False) -> Scored:
    """Run the feature table over candidate rows; with `trace`, keep each feature's levels and the score
    after it (for the reasons of the rows that become hits)."""
    st = State(ev, config, np.zeros(len(ev), dtype=np.float32))
    steps = [] if trace else None
    for feature in FEATURES:
        if feature.stage == "final" and st.name_score is None:
            st.name_score = st.score
        code = feature.level_of(st)
        on = code >= 0
        if on.any():
            if feature.levels[0].effect == "base":
                after = _apply("base", st.score, ev.base)
            else:
                values = np.asarray([lv.value_of(config) for lv in feature.levels], dtype=np.float32)
                effect = feature.levels[0].effect
                after = np.where(on, _apply(effect, st.score, values[np.maximum(code, 0)]), st.score)
            after = after.astype(np.float32)
            if feature.levels[0].effect in ("floor", "cap", "clip"):
                code = np.where(after != st.score, code, UNKNOWN).astype(np.int8)
            st.score = after
        if steps is not None:
            steps.append((feature, code, st.score))
    # the score is kept to four decimals, so the band, the run's floor and an auditor replaying the
    # steps all see the number that is stored (0.72 − 0.04 − 0.05 is 0.6299999 in binary, shown as 0.63)
    final = np.round(st.score.astype(np.float64), 4)
    return Scored(st.name_score if st.name_score is not None else st.score, final, steps)


def reason_steps(scored: Scored, row: int, config: MatchConfig) -> list[dict]:
    """The steps of one traced row: feature, level, effect, value, score after, and the sentence."""
    out = []
    for feature, code, after in scored.steps or []:
        k = int(code[row])
        if k < 0:
            continue
        lv = feature.levels[k]
        value = lv.value_of(config) if lv.effect != "base" else float(after[row])
        step = {"feature": feature.name, "level": lv.name, "effect": lv.effect,
                "value": None if lv.effect == "clip" else round(value, 4),
                "score_after": round(float(after[row]), 4), "text": lv.text(config)}
        out.append(step)
    return out


def replay(steps: list[dict]) -> float:
    """The score the steps of a reason give, recomputed from their effects and values alone (an auditor's
    check; tests replay every hit of an evaluation run)."""
    score = 0.0
    for s in steps:
        effect, value = s["effect"], s["value"]
        if effect == "base":
            score = value
        elif effect == "factor":
            score *= value
        elif effect == "set":
            score = value
        elif effect == "add":
            score += value
        elif effect == "floor":
            score = max(score, value)
        elif effect == "cap":
            score = min(score, value)
        else:
            score = min(max(score, 0.0), 1.0)
    return score


def max_positive_adjustment(config: MatchConfig) -> float:
    """The most the final-stage additions can add to a name score (bounds the name-score floor of a run)."""
    return sum(max([lv.value_of(config) for lv in f.levels if lv.effect == "add"] + [0.0])
               for f in FEATURES if any(lv.effect == "add" for lv in f.levels))


# --------------------------------------------------------------------------------------------
# evidence per row (account, entry): DOB, country, subject type, identifier
# --------------------------------------------------------------------------------------------


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


def dob_levels(index: ListIndex, entry: np.ndarray, dob: np.ndarray) -> np.ndarray:
    """Per row: 4 exact, 3 day and month swapped (same year), 2 same year / in range, 1 one year off,
    0 conflict, -1 unknown (no date on a side)."""
    out = np.full(len(entry), UNKNOWN, dtype=np.int8)
    has = dob != NO_DATE
    rows = np.flatnonzero(has)
    if len(rows) == 0:
        return out
    pos, r = index.dobs.expand(entry[rows])
    if len(r) == 0:
        return out
    lo, hi, prec = index.dobs.columns["lo"][r], index.dobs.columns["hi"][r], index.dobs.columns["precision"][r]
    d = dob[rows][pos]
    dy, dm, dd = _ymd(d)
    ly, lm, ld = _ymd(lo)
    hy, _, _ = _ymd(hi)
    inside = (d >= lo) & (d <= hi)
    exact = inside & (prec == 0)
    year = (inside & (prec != 0)) | ((prec == 0) & (dy == ly))
    swapped = (prec == 0) & (dy == ly) & (dm == ld) & (dd == lm) & (dm != dd)
    off_one = (dy >= ly - 1) & (dy <= hy + 1)
    level = np.where(exact, 4, np.where(swapped, 3, np.where(year, 2, np.where(off_one, 1, 0)))).astype(np.int8)
    best = np.full(len(rows), UNKNOWN, dtype=np.int8)
    np.maximum.at(best, pos, level)
    out[rows] = best
    return out


def country_levels(index: ListIndex, entry: np.ndarray, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """Per row: 2 match, 0 conflict (listed nationality differs), -1 unknown / nothing to say."""
    out = np.full(len(entry), UNKNOWN, dtype=np.int8)
    rows = np.flatnonzero((c1 != 0) | (c2 != 0))
    if len(rows) == 0:
        return out
    pos, r = index.countries.expand(entry[rows])
    if len(r) == 0:
        return out
    code, nat = index.countries.columns["code"][r], index.countries.columns["nat"][r]
    # an organisation's countries (registration, address) all speak to who it is
    nat = nat | (index.entry_type[entry[rows][pos]] == 2)
    eq = ((code == c1[rows][pos]) | (code == c2[rows][pos])) & (code != 0)
    match = np.zeros(len(rows), dtype=bool)
    np.logical_or.at(match, pos, eq)
    has_nat = np.zeros(len(rows), dtype=bool)
    np.logical_or.at(has_nat, pos, nat)
    out[rows] = np.where(match, 2, np.where(has_nat, 0, UNKNOWN))
    return out


def type_levels(index: ListIndex, entry: np.ndarray, acct_type: np.ndarray) -> np.ndarray:
    """Per row: 0 agree / unknown, 1 person vs organisation, 2 a person against a vessel or aircraft,
    3 an organisation against a vessel or aircraft (weaker: shipping companies carry their ships' names)."""
    et = index.entry_type[entry]
    known = (acct_type > 0) & (et > 0)
    thing = known & (et >= 3)
    mismatch = known & (et < 3) & (et != acct_type)
    level = np.where(thing & (acct_type == 1), 2, np.where(thing, 3, np.where(mismatch, 1, 0)))
    return level.astype(np.int8)


@functools.cache
def _id_rules() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    path = resources.files("screening") / "resources" / "matching" / "identifiers.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    strong = frozenset(data["strong"])
    compat = {k: (strong if "*" in v else frozenset(v)) for k, v in data["account_types"].items()}
    return strong, compat


def id_matches(index: ListIndex, entry: np.ndarray, acct_id: np.ndarray, acct_id_type: np.ndarray) -> np.ndarray:
    """Per row: the account's normalised ID number equals a strong identifier of the entry."""
    out = np.zeros(len(entry), dtype=bool)
    rows = np.flatnonzero(acct_id != "")
    if len(rows) == 0:
        return out
    pos, r = index.identifiers.expand(entry[rows])
    if len(r) == 0:
        return out
    strong, compat = _id_rules()
    numbers, kinds = index.identifiers.columns["number"][r], index.identifiers.columns["kind"][r]
    equal = numbers == acct_id[rows][pos]
    if not equal.any():
        return out
    hit = np.zeros(len(r), dtype=bool)
    for k in np.flatnonzero(equal):
        acct_kind = acct_id_type[rows[pos[k]]] or "OTHER"
        allowed = compat.get(acct_kind, strong)
        hit[k] = kinds[k] in allowed
    np.logical_or.at(out, rows[pos], hit)
    return out
