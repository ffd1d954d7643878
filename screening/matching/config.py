"""Matcher knobs: one documented object with defaults, hashed and stored with every run.

Every field carries a description (like nomenklatura's `ConfigVar`), so `describe_config()` prints the
table a compliance officer reads. Fields marked `scoring=False` only change speed or memory, never a
score, and are left out of the hash.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


def _var(default: Any, description: str, *, scoring: bool = True) -> Any:
    return field(default=default, metadata={"description": description, "scoring": scoring})


@dataclass(frozen=True)
class MatchConfig:
    """Thresholds, feature weights and blocking limits of the matcher."""

    # --- bands (final score) ---
    block_review: float = _var(0.88, "Final score at or above which a hit is banded block_review (review before any "
                                     "transaction; suspension candidate).")
    review: float = _var(0.77, "Final score at or above which a hit is banded review (an alert); the default "
                               "floor of `screening screen` output.")
    low: float = _var(0.63, "Final score at or above which a hit is kept as low (logged for sampling, no alert).")

    # --- name: token alignment ---
    token_min_sim: float = _var(0.60, "Token pairs less similar than this are not aligned (count as missing).")
    extra_query_cost: float = _var(0.65, "Weight of an account-side token with no list-side partner (a missing "
                                         "query token costs much).")
    extra_query_cost_whole: float = _var(0.40, "Weight of an unaligned account-side token when every token of a listed "
                                                "name of two or more tokens aligned (the listed name sits inside the "
                                                "account's name: added middle names, patronymics).")
    contained_extra_ratio: float = _var(1.0, "A listed person's full name (two tokens or more), every token as "
                                             "listed and "
                                             "in the listed order, inside a longer account name stays in review "
                                             "(features.py `contained`) while the account's extra tokens weigh at "
                                             "most this many times the listed name's: a registrant's full name may "
                                             "carry extra given names, a name twice as long is another name.")
    end_missing: float = _var(0.9, "Factor on the name score of a person whose two-token account name is a three-token "
                                   "listed name less its first or last name (\"Robert Thomas\" ~ \"Robert Thomas "
                                   "Caldwell\"); a middle name or a patronymic left out costs only `extra_list_cost` "
                                   "(features.py `end_missing`).")
    syllable_gap_factor: float = _var(0.85, "Factor on the name score when a romanised Chinese or Korean name meets "
                                            "another with a syllable left over: the account lacks one of a listed "
                                            "person's who is also listed in Han or Hangul, or adds one to the listed "
                                            "name while itself bearing a Han or Hangul name. Such names have no "
                                            "optional middle name (features.py `syllable`).")
    other_name_df: int = _var(5, "Tokens on at least this many list names are names (or words) in their own right: "
                                 "an account token aligned to a listed token it does not equal, with no name "
                                 "table relating them, is another name when it is this common (features.py "
                                 "`other_name`).")
    other_name_factor: float = _var(0.9, "Factor on the name score when an aligned token pair is two names in their "
                                         "own right (Khalil / Khaliq, Yasser / Nasser; features.py `other_name`).")
    other_surname_factor: float = _var(0.85, "Factor on the name score when two Chinese surnames in Latin letters "
                                             "met, spelt apart and unrelated by the surname table (Cheng / Chen, "
                                             "Huang / Zhuang): two families (features.py `other_name`).")
    nisba_min_df: int = _var(20, "List names an account name must be on to be read as a whole name when the listed "
                                 "one is it plus -i or -y (features.py `other_name`, level nisba).")
    nisba_factor: float = _var(0.85, "Factor on the name score when the listed name is a nisba of the account's "
                                     "whole common name (Khalil / KHALILI; features.py `other_name`).")
    org_initial_factor: float = _var(0.85, "Factor on the name score of two organisation names when a word of one "
                                           "aligned to a lone letter of the other (\"Westbrook Group\" ~ \"Group W\"; "
                                           "features.py `initial`).")
    cut_gap_factor: float = _var(0.9, "Factor on the name score when the account's last token is read as cut off "
                                      "(it begins the listed token) while a listed token before it is missing: a "
                                      "cut loses a name's end, not its middle (features.py `cut`).")
    conflict_cost: float = _var(1.0, "Extra weight when both names keep unaligned tokens (a different given name, "
                                      "a different family branch): a substitution says more than an omission.")
    conflict_min_weight: float = _var(0.8, "In the conflict term, the account's leftover tokens count at least this "
                                           "weight: a particle or a repeated name in the place of a listed name "
                                           "(\"ABDUL KABIR ABDUL JAN\" ~ \"ABDUL KABIR MOHAMMAD JAN\") is a "
                                           "substitution, not an omission (0 = their own weight).")
    affix_extra_weight: float = _var(0.3, "Weight factor of an account-side legal-form or title word (Obshchestvo, "
                                          "Limitada, Haji; particles.yml `legal`, `title`) with no list-side "
                                          "partner: the normaliser strips a legal form only as an ordered phrase "
                                          "at either end and a title only in front; moved, they stay behind.")
    duplicate_weight: float = _var(0.2, "Weight factor of a token repeated on one side once its twin aligned.")
    patronymic_swap: float = _var(0.70, "Factor on the name score when the names before and after a patronymic "
                                        "connector (bin, ben, ould …) change places and the rest of the name keeps "
                                        "its order: \"Ahmad bin Hasan al-Ubaidi\" is the father or son of \"Hasan "
                                        "bin Ahmad al-Ubaidi\", not the same person.")
    patronymic_reversed: float = _var(0.85, "Factor when the names around a patronymic connector changed places "
                                            "because "
                                            "the whole name is written backwards (a reversed list name, or a father "
                                            "and son: a three-word chain cannot tell).")
    squeeze_sim: float = _var(0.88, "Similarity of tokens equal once doubled letters are collapsed (Hasan ~ Hassan).")
    extra_list_cost: float = _var(0.30, "Weight of a list-side token with no account-side partner (an extra listed "
                                        "token, e.g. a patronymic, costs little).")
    full_weight_len: int = _var(4, "Tokens of at least this many letters weigh 1; shorter ones weigh len/this.")
    min_token_weight: float = _var(0.30, "Floor of a token's weight (initials, one-letter tokens).")
    cjk_char_len: float = _var(2.5, "Letters one Han/Kana/Hangul character counts as when weighing a token.")
    common_token_weight: float = _var(0.60, "Weight factor of the most common list tokens (Mohammed, Ali, Group); rarer "
                                            "tokens weigh more, log-scaled between the two df settings.")
    common_df_rare: int = _var(5, "Tokens on at most this many list names weigh fully.")
    common_df_full: int = _var(300, "Tokens on at least this many list names get `common_token_weight`.")
    stopword_weight: float = _var(0.35, "Weight multiplier for stop words and particles (al, bin, de, the, of).")
    initial_sim: float = _var(0.75, "Similarity of an initial to a token starting with that letter (J ~ John).")
    initial_weight: float = _var(0.40, "Weight of a token aligned through an initial only (both sides).")
    phonetic_sim: float = _var(0.82, "Similarity floor of two tokens with the same phonetic key (Mohammed ~ Muhammad).")
    nickname_sim: float = _var(0.85, "Similarity of a given name and a listed nickname of it (Bill ~ William).")
    variant_sim: float = _var(0.90, "Similarity of two romanisations of one name (Mohammed ~ Mehmet, Wang ~ Wong), "
                                   "from the bundled name-variant tables.")
    prefix_sim: float = _var(0.85, "Similarity of a name's last token to a listed token it begins (a name cut at "
                                   "a field length: LIMITED LIABILITY COMPANY RYBINSKAY ~ …RYBINSKAYA VERF). Not "
                                   "for a whole name of three letters or more borne by `other_name_df` list names: "
                                   "a cut seldom ends on one (Saleh ~ SALEHI, Mahmoud ~ MAHMOUDZADEH are other "
                                   "names).")
    prefix_long_sim: float = _var(0.90, "…when the cut-off last token has `prefix_long_len` letters or more: a long "
                                        "beginning is seldom another word (OPEN JOINT STOCK COMPANY 'BELOGLINS ~ "
                                        "'BELOGLINSKIY ELEVATOR'; Brown ~ Browning keeps `prefix_sim`).")
    cut_min_chars: int = _var(20, "Characters an account's name as written needs for its last token to be read as "
                                  "cut at a field length (fields hold 20 or more): \"Juan Lu\" is no cut of \"Juan "
                                  "Luis Vargas-Yanez\", nor \"Валерий Павлов\" of \"Валерий Павлович СЕРДЮКОВ\".")
    prefix_long_len: int = _var(8, "Letters from which a cut-off last token aligns at `prefix_long_sim`.")
    truncated_weight: float = _var(0.3, "Weight factor of listed tokens after the one the account's cut-off last "
                                        "token begins (a name cut at a field length lost them with the cut).")
    short_token_len: int = _var(3, "Tokens this short (or shorter) must match exactly (or as initials).")
    edit_slack: float = _var(1.0, "Token similarity is 1 - edits / (length - this): one typo in a 4-letter token "
                                  "(0.6) costs more than in a 10-letter one (0.88).")
    phonetic_min_len: int = _var(6, "The phonetic key lifts only tokens this long (short syllables share keys).")
    phonetic_gate: float = _var(0.7, "The phonetic key only lifts token pairs at least this similar in spelling once "
                                     "the transliteration digraphs are read alike (kh as h, sh as ch: Mohamad ~ "
                                     "Mukhammad 0.71); further apart, one skeleton holds different names (Hisham / "
                                     "Hashemi, Khaled / Khaludi, Ahmed / Ahmadi).")
    merge_split: bool = _var(True, "Also align adjacent tokens joined (Hans Peter ~ Hanspeter, Jian Hua ~ Jianhua).")
    merge_min_sim: float = _var(0.80, "Tokens left over on both sides, joined in order, align when at least this "
                                      "similar (merge / split).")
    merge_protect_sim: float = _var(0.91, "Token pairs less similar than this are also tried as parts of a merge / "
                                          "split (the better reading wins); above `variant_sim`, so a nickname or "
                                          "romanisation-table match does not hide a split (\"Alex ander\" is "
                                          "Alexander split, not the nickname Alex and an extra token).")
    order_bonus: float = _var(0.02, "Share of the name score kept for token order and exact spelling: it breaks "
                                    "ties between an exact and a reordered or normalised match.")
    kind_factor_pinyin: float = _var(0.97, "Factor on a match found only through Han → pinyin (homophones share "
                                           "pinyin).")
    kind_factor_homophone: float = _var(0.75, "Factor on a match found only through romanisation when both names are "
                                              "written in the same non-Latin script: 王伟 / 汪伟 both read wang wei, "
                                              "but different characters are different people.")
    kind_factor_han_joined: float = _var(0.75, "Factor on a Han-named person's match found only by joining its surname "
                                               "and given name into one listed token (马安 'ma an' ~ \"MA'AN\"): "
                                               "Chinese names keep the surname apart.")
    kind_factor_variant: float = _var(0.96, "Factor on a match found only through a romanisation variant form.")
    variant_min_score: float = _var(0.95, "A match through a romanisation variant form counts only at this name score "
                                         "or above (before the factor): a variant plus another difference is two "
                                         "steps from the listed name.")
    digits_mismatch: float = _var(0.70, "Factor on the name score when the two names carry different numbers.")
    place_extra_weight: float = _var(0.25, "Weight factor of a Chinese place name (Zhejiang, Hangzhou, Beijing …) "
                                           "first or last in a name of three tokens or more and left unaligned, on "
                                           "either side: companies are listed with and without the place of "
                                           "registration in front (\"Zhejiang Dahua Technology\" ~ \"Dahua "
                                           "Technology\").")
    short_typo_sim: float = _var(0.5, "Similarity given to the only leftover short tokens of both names when one "
                                      "letter apart, in a long name whose other tokens aligned (\"Malaysia HK "
                                      "Shipping\" ~ \"MALAYSIA HI SHIPPING\"); 0 = short tokens must be equal.")
    single_word_generic_weight: float = _var(1.0, "Weight (floor) of a listed generic word (Institute, Systems, Shipping) "
                                                  "left over when the account's name is one word that aligned: "
                                                  "\"Hudson Ltd\" is not \"Hudson Institute\" on one shared word.")
    syllable_min_weight: float = _var(0.6, "Floor of a pinyin token's weight in a pair of Chinese-written names (the "
                                           "account in Han, or both names all pinyin syllables): a one-letter "
                                           "syllable is a whole character (吴 wu, 欧 o), as telling as a long one.")
    strict_order_penalty: float = _var(0.15, "Cut on a Han-written account's name whose aligned tokens are neither in "
                                             "the listed order nor one rotation of it (宋新利 read in Korean \"song sin "
                                             "ri\" is not the listed \"Sin Song RI\": the surname moved inside); the "
                                             "name score is multiplied by 1 - this (features.py `order`).")

    # --- qualifiers (added to the name score; see features.FEATURES) ---
    name_headroom: float = _var(0.04, "Share of the scale kept above an uncorroborated exact name: the name score "
                                      "is scaled to 1 - this, so DOB / country / ID agreement rank a hit higher "
                                      "(no wall of identical 1.0s).")
    w_dob_exact: float = _var(0.06, "DOB: the account's date equals a listed date.")
    w_dob_year: float = _var(0.02, "DOB: same year (listed year-only, or day/month differ).")
    w_dob_swapped: float = _var(0.04, "DOB: day and month transposed, same year (03-05 for 05-03): one date written in "
                                      "the other convention, almost as telling as an equal one.")
    w_dob_near: float = _var(-0.02, "DOB: one year off (day and month transposed: `w_dob_swapped`).")
    w_dob_conflict: float = _var(-0.30, "DOB: every listed date disagrees by more than a year.")
    w_country_match: float = _var(0.02, "Country: the account's country/nationality is linked to the entry.")
    w_country_conflict: float = _var(-0.04, "Country: the entry lists nationalities (persons) or any country "
                                            "(organisations) and the account's is not one.")
    w_type_mismatch: float = _var(-0.05, "Subject type: person vs organisation.")
    w_type_vessel: float = _var(-0.20, "Subject type: a person vs a listed vessel or aircraft.")
    w_type_org_vessel: float = _var(-0.15, "Subject type: an organisation vs a listed vessel or aircraft, unless the "
                                           "names are equal (an owner carries its ship's name).")
    w_legal_form_mismatch: float = _var(-0.08, "Both names carry legal forms and they differ (Ltd vs GmbH).")
    weak_alias_cap: float = _var(0.75, "A hit whose best name is a weak alias is capped here (low band) unless "
                                       "an identifier or the date of birth (day or year) corroborates it.")
    one_word_cap: float = _var(0.75, "A person and an organisation whose names share only one word, one of them "
                                     "having more (\"Johnson PLC\" ~ \"JOHNSON Hu\"), are capped here, below "
                                     "review (features.py `one_word`).")
    strong_name_floor: float = _var(0.93, "A strong-alias name score at or above this never drops below `low` (`review` "
                                          "for a distinctive name matched as listed, below), whatever the DOB / "
                                          "country / type say: a conflict lowers the band, the hit stays visible.")
    strong_name_review_weight: float = _var(1.7, "A floored strong name whose listed tokens weigh at least this together "
                                                  "(token weights above: about three ordinary tokens, or two long rare "
                                                  "ones) is raised to `review`, not `low`: a distinctive name with a "
                                                  "conflicting DOB alerts at the bottom of review; a common short name "
                                                  "(Wang Wei 1.3, Ali Ismail 1.2) stays at low.")
    strong_name_review_score: float = _var(0.98, "…and whose name score is at least this (the name as listed, reordered at "
                                                 "most; a typo away is another person's name as often as not).")
    id_match_score: float = _var(1.0, "Final score of a hit whose strong identifier equals the account's (decisive).")
    id_min_len: int = _var(6, "Identifiers shorter than this (after normalising) are never compared.")

    # --- blocking ---
    max_key_postings: int = _var(400, "Blocking keys shared by more list names than this are cut (common tokens "
                                      "such as ltd, mohammad); pair keys cover names made only of common tokens.")
    deletion_min_len: int = _var(5, "Tokens this long get one-deletion keys (recall for one typo or transposition).")
    fallback_token_sim: float = _var(0.75, "Fallback for names without any candidate: list tokens at least this "
                                           "similar to one of the name's tokens give candidates.")
    fallback_max_candidates: int = _var(200, "Most list names the fallback passes to the scorer per name.")

    # --- operational (not hashed) ---
    chunk_size: int = _var(200_000, "Accounts per chunk of a screen in one process (bounds memory; large enough "
                                    "for the normaliser's worker processes to pay off); a screen on worker "
                                    "processes sends them smaller ones.", scoring=False)
    pair_chunk: int = _var(200_000, "Candidate pairs per scoring block of names up to four tokens; blocks of "
                                    "wider names hold proportionally fewer (their cell matrices grow with the "
                                    "square of the width).", scoring=False)
    workers: int = _var(-1, "Cores a screen uses (-1 = all this process may use): a batch of at least "
                            "screen.PROCESS_MIN (50,000) accounts is screened by that many worker processes; a "
                            "smaller one in this process, with threads for scoring blocks side by side (1 = one "
                            "process, no threads).", scoring=False)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def scoring_dict(self) -> dict[str, Any]:
        """The fields that change a score: what the hash covers."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.metadata.get("scoring", True)}

    @functools.cached_property
    def hash(self) -> str:
        """Stable hash of the scoring fields (stored with each run; a change calls for a full rescreen)."""
        blob = json.dumps(self.scoring_dict(), sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def band(self, score: float) -> str | None:
        if score >= self.block_review:
            return "block_review"
        if score >= self.review:
            return "review"
        if score >= self.low:
            return "low"
        return None

    def replace(self, **changes: Any) -> "MatchConfig":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_file(cls, path: Path | str) -> "MatchConfig":
        """Defaults overridden by a YAML/JSON mapping of field → value; unknown fields are an error."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown matching settings: {', '.join(unknown)}")
        return cls(**data)


def describe_config(config: MatchConfig | None = None) -> list[dict[str, Any]]:
    """One row per setting: name, value, default, whether it changes scores, what it does."""
    config = config or MatchConfig()
    return [
        {"name": f.name, "value": getattr(config, f.name), "default": f.default,
         "scoring": f.metadata.get("scoring", True), "description": f.metadata["description"]}
        for f in dataclasses.fields(config)
    ]


DEFAULT_CONFIG = MatchConfig()
