"""Display names that imitate a protected brand (docs/architecture.md §5).

Every display name is folded once: NFKC (full-width forms), invisible characters removed, lower
case, each character mapped to its Unicode TR39 skeleton (ICU SpoofChecker: Cyrillic `а` → `a`,
`0` → `o` …), traditional → simplified, shape-similar CJK and leetspeak tables, separators removed.
The character maps are built for the distinct characters of the column, then applied with one
vectorised multi-pattern replace, so the cost is per distinct character, not per row.

Findings (all `review`: a human decides):
    brand_imitation      the folded name contains a protected form, or its pinyin does
    brand_near_spelling  a plain misspelling of a protected Latin or pinyin form somewhere in the
                         folded name (impersonation words aside): one edit for forms of
                         `near_min_length` letters, two from `near_two_edits_min_length`
                         (substitution, insertion, deletion, swapped neighbours, a doubled or
                         dropped doubled letter: one change each), as whole words, unless a
                         legitimate look-alike word (`lookalike_words`: "quantum" for
                         TerraQuanta) explains it
    staff_impersonation  the name is nothing but impersonation words ("官方客服", "Official Support")
The detail names the techniques seen (homoglyphs, mixed scripts, full-width, invisible characters,
leetspeak, separators, traditional characters, pinyin, impersonation words).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from screening.eligibility.model import RuleSpec, collect_reasons, empty_reasons
from screening.eligibility.subjects import t2s_converter

CONFIG_PATH = Path(__file__).resolve().parents[1] / "resources" / "brand" / "brand.yml"
_INVISIBLE = r"[\p{Cf}\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0]"
_SEPARATORS = r"[^\p{L}\p{N}]"


@dataclass(frozen=True)
class BrandConfig:
    protected: tuple[tuple[str, tuple[str, ...]], ...]  # (key, forms)
    allow_accounts: frozenset[str] = frozenset()
    impersonation_words: tuple[str, ...] = ()
    leet: dict[str, str] = field(default_factory=dict)
    cjk_confusables: dict[str, str] = field(default_factory=dict)
    near_min_length: int = 5
    near_max_edits: int = 2
    near_two_edits_min_length: int = 9
    lookalike_words: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> BrandConfig:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            protected=tuple((p["key"], tuple(p["forms"])) for p in raw["protected"]),
            allow_accounts=frozenset(raw.get("allow_accounts") or ()),
            impersonation_words=tuple(raw.get("impersonation_words") or ()),
            leet={str(k): str(v) for k, v in (raw.get("leet") or {}).items()},
            cjk_confusables=dict(raw.get("cjk_confusables") or {}),
            near_min_length=int(raw.get("near_min_length", 5)),
            near_max_edits=int(raw.get("near_max_edits", 2)),
            near_two_edits_min_length=int(raw.get("near_two_edits_min_length", 9)),
            lookalike_words=tuple(str(w) for w in raw.get("lookalike_words") or ()),
        )

    def allowed_edits(self, form: str) -> int:
        """Misspellings of a protected form of this length that still count as imitations."""
        if len(form) >= self.near_two_edits_min_length:
            return min(2, self.near_max_edits)
        return min(1, self.near_max_edits) if len(form) >= self.near_min_length else 0


@lru_cache(maxsize=1)
def default_config() -> BrandConfig:
    return BrandConfig.load()


@lru_cache(maxsize=1)
def _spoof_checker():  # type: ignore[no-untyped-def]
    import icu

    return icu.SpoofChecker()


@lru_cache(maxsize=65536)
def _fold_char(char: str, leet_items: tuple[tuple[str, str], ...], cjk_items: tuple[tuple[str, str], ...]) -> str:
    """One character's folded form: t2s, CJK look-alikes, skeleton, lower case, leetspeak."""
    leet, cjk = dict(leet_items), dict(cjk_items)
    if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff":
        char = t2s_converter().convert(char)
        return cjk.get(char, char)
    folded = _spoof_checker().getSkeleton(0, char).lower()
    return "".join(leet.get(c, c) for c in folded)


def _char_map(texts: pl.Series, config: BrandConfig) -> dict[str, str]:
    """Folded form of each distinct character of `texts` that changes under folding."""
    chars = texts.drop_nulls().to_frame("t").select(case_folded(pl.col("t")).str.split("")).to_series()
    return fold_map(chars.explode().drop_nulls().unique().to_list(), config)


def case_folded(col: pl.Expr) -> pl.Expr:
    """The text whose characters `fold_map` folds: NFKC, lower case."""
    return col.str.normalize("NFKC").str.to_lowercase()


def fold_map(chars: Iterable[str], config: BrandConfig) -> dict[str, str]:
    """Folded form of each of `chars` that changes under folding."""
    leet, cjk = tuple(sorted(config.leet.items())), tuple(sorted(config.cjk_confusables.items()))
    mapping = {c: _fold_char(c, leet, cjk) for c in chars if c}
    return {c: f for c, f in mapping.items() if f != c}


def fold_expr(col: pl.Expr, mapping: dict[str, str], separator: str = "") -> pl.Expr:
    """The matching form of a name (see module docstring); `mapping` from `_char_map`. Separators are
    removed, or replaced by `separator` where word boundaries matter."""
    text = col.str.normalize("NFKC").str.replace_all(_INVISIBLE, "").str.to_lowercase()
    if mapping:
        text = text.str.replace_many(list(mapping), list(mapping.values()))
    return text.str.replace_all(_SEPARATORS, separator)


def _pinyin_expr(folded: pl.Expr, pinyin: dict[str, str]) -> pl.Expr:
    """Han characters of a folded name replaced by toneless pinyin (Latin letters kept)."""
    return folded.str.replace_many(list(pinyin), list(pinyin.values())) if pinyin else folded


HAN = r"\p{Han}"


def _han_pinyin(texts: pl.Series) -> dict[str, str]:
    return pinyin_map(texts.drop_nulls().str.extract_all(HAN).explode().drop_nulls().unique().to_list())


def pinyin_map(chars: Iterable[str]) -> dict[str, str]:
    """Toneless pinyin of each Han character of `chars`."""
    from pypinyin import Style, lazy_pinyin

    return {c: lazy_pinyin(c, style=Style.NORMAL)[0] for c in chars}


SHOWN = pl.coalesce("display_name", "name")


@dataclass(frozen=True)
class BrandRules:
    """The brand check's expressions that depend on the configuration only: the name's core (over
    folded), its flags, the near-spelling candidates and the reason rules (over the flagged row).
    What depends on the characters met is built apart: `brand_forms`, `brand_rules_pinyin`, `_techniques`."""

    core: pl.Expr  # over folded
    flags: dict[str, pl.Expr]  # contains, pinyin_hit, has_word (over folded, pinyin)
    near_forms: list[tuple[str, int]]
    near_candidate: pl.Expr  # over contains, pinyin_hit, core
    flagged: pl.Expr  # over the flags, near, core
    rules: tuple[RuleSpec, ...]  # over the flagged row with edits and techniques


_RULES: dict[int, tuple[BrandConfig, BrandRules]] = {}


def brand_rules(config: BrandConfig) -> BrandRules:
    """The configuration's `BrandRules`, built once per configuration (as `_folded_config`)."""
    known = _RULES.get(id(config))
    if known is not None and known[0] is config:
        return known[1]
    folded_forms, folded_words, pinyin_forms, latin_forms, lookalikes = _folded_config(config)
    core = pl.col("folded")
    if folded_words:
        core = core.str.replace_many(folded_words, [""] * len(folded_words))
    contains = pl.col("folded").str.contains_any(folded_forms)
    pinyin_hit = pl.col("pinyin").str.contains_any(pinyin_forms) if pinyin_forms else pl.lit(False)
    has_word = pl.col("folded").str.contains_any(folded_words) if folded_words else pl.lit(False)
    near_forms = [(f, config.allowed_edits(f)) for f in dict.fromkeys(latin_forms + pinyin_forms)
                  if f.isascii() and config.allowed_edits(f)]
    candidate = (~pl.col("contains") & ~pl.col("pinyin_hit")
                 & (pl.col("core").str.len_chars() >= min((len(f) - e for f, e in near_forms), default=0)))
    if lookalikes:
        candidate = candidate & ~pl.col("core").str.contains_any(lookalikes)
    hit = pl.col("contains") | pl.col("pinyin_hit")
    staff_only = pl.col("has_word") & (pl.col("core") == "")
    protected_text = pl.lit(config.protected[0][1][0] if len(config.protected) == 1 else "a protected name")
    techniques_text = pl.when(pl.col("techniques") != "").then(pl.format(" (via {})", pl.col("techniques"))).otherwise(pl.lit(""))
    rules = (
        RuleSpec(
            hit, "brand", "brand_imitation", "review",
            pl.format("display name “{}” imitates {}", pl.col("shown"), protected_text) + techniques_text,
        ),
        RuleSpec(
            ~hit & pl.col("near"), "brand", "brand_near_spelling", "review",
            pl.format("display name “{}” is a misspelling of {} ({} spelling {})", pl.col("shown"), protected_text,
                      pl.col("edits"), pl.when(pl.col("edits") == 1).then(pl.lit("change")).otherwise(pl.lit("changes")))
            + techniques_text,
        ),
        RuleSpec(
            ~hit & ~pl.col("near") & staff_only, "brand", "staff_impersonation", "review",
            pl.format("display name “{}” consists only of words claiming to speak for the platform", pl.col("shown")),
        ),
    )
    built = BrandRules(core=core, flags={"contains": contains, "pinyin_hit": pinyin_hit & ~contains, "has_word": has_word},
                       near_forms=near_forms, near_candidate=candidate, flagged=hit | pl.col("near") | staff_only,
                       rules=rules)
    _RULES[id(config)] = (config, built)  # the config is held: its id is not reused while cached
    return built


def brand_forms(config: BrandConfig, mapping: dict[str, str]) -> dict[str, pl.Expr]:
    """The name's forms for the character map `mapping`: folded, and spaced (words kept apart)."""
    folded_words = _folded_config(config)[1]
    spaced = fold_expr(pl.col("shown"), mapping, " ")
    if folded_words:
        spaced = spaced.str.replace_many(folded_words, [" "] * len(folded_words))
    return {"folded": fold_expr(pl.col("shown"), mapping), "spaced": spaced}


def brand_rules_pinyin(config: BrandConfig, pinyin_all: dict[str, str]) -> pl.Expr:
    """The name's pinyin form (over folded) for the pinyin map of the Han characters met."""
    return _pinyin_expr(pl.col("folded"), pinyin_all) if _folded_config(config)[2] else pl.lit(None, dtype=pl.Utf8)


def near_edits(cores: list[str], spaced: list[str], near_forms: list[tuple[str, int]], workers: int = -1) -> list[int | None]:
    """Fewest spelling changes to a protected form of each core (None: none close enough). A C++
    partial-ratio pass over every core keeps the few that may hold a misspelt form; those are checked
    exactly, window by window."""
    from rapidfuzz import fuzz
    from rapidfuzz.process import cdist

    edits: list[int | None] = [None] * len(cores)
    for form, allowed in near_forms:
        cutoff = 100.0 * (1.0 - allowed / len(form)) - 1.0
        close = cdist(cores, [form], scorer=fuzz.partial_ratio, score_cutoff=cutoff, workers=workers)[:, 0]
        for i in np.flatnonzero(close > 0).tolist():
            d = misspelling_edits(cores[i], form, allowed, word_bounds(spaced[i]))
            if d is not None and (edits[i] is None or d < edits[i]):
                edits[i] = d
    return edits


def brand_reasons(df: pl.DataFrame, config: BrandConfig | None = None) -> pl.DataFrame:
    """Reasons for the display names of `df` (account_id, display_name; name used when no display
    name) that imitate a protected name."""
    config = config or default_config()
    allowed = pl.Series(sorted(config.allow_accounts), dtype=pl.Utf8).implode()
    frame = df.select("account_id", SHOWN.alias("shown")).filter(
        pl.col("shown").is_not_null() & ~pl.col("account_id").is_in(allowed)
    )
    if frame.is_empty():
        return empty_reasons()
    pinyin_forms = _folded_config(config)[2]
    mapping = _char_map(frame["shown"], config)
    forms = brand_forms(config, mapping)
    frame = frame.with_columns(folded=forms["folded"])
    pinyin_all = _han_pinyin(frame["folded"]) if pinyin_forms else {}
    rules = brand_rules(config)
    frame = frame.with_columns(core=rules.core, spaced=forms["spaced"], pinyin=brand_rules_pinyin(config, pinyin_all))
    frame = frame.with_columns(**rules.flags)
    frame = frame.with_columns(near=pl.lit(False), edits=pl.lit(None, dtype=pl.Int32))
    if rules.near_forms:
        candidates = frame.filter(rules.near_candidate)
        if candidates.height:
            edits = near_edits(candidates["core"].to_list(), candidates["spaced"].to_list(), rules.near_forms)
            found = candidates.select("account_id").with_columns(edits=pl.Series(edits, dtype=pl.Int32))
            found = found.filter(pl.col("edits").is_not_null())
            frame = frame.drop("edits").join(found, on="account_id", how="left").with_columns(
                near=pl.col("edits").is_not_null())
    flagged = frame.filter(rules.flagged).with_columns(techniques=_techniques(mapping, config))
    if flagged.is_empty():
        return empty_reasons()
    return collect_reasons([rule.over(flagged) for rule in rules.rules])


_DOUBLED = re.compile(r"(.)\1+")


def word_bounds(spaced: str) -> frozenset[int]:
    """Offsets in the name with separators removed where a word of `spaced` starts or ends."""
    out, pos = {0}, 0
    for word in spaced.split():
        out.add(pos)
        pos += len(word)
        out.add(pos)
    return frozenset(out)


def misspelling_edits(text: str, form: str, allowed: int, bounds: frozenset[int] | None = None) -> int | None:
    """Fewest spelling changes that turn some stretch of `text` into `form` (OSA: a swapped pair of
    neighbours is one change), when at most `allowed`; a doubled or dropped doubled letter is one change
    (TerraQuantta, TeraQuanta). `bounds`: the stretch must start and end at word boundaries (in
    "Sierra Quant" the stretch "ierraquant" starts inside a word: another name, not a misspelling).
    None when no stretch is that close."""
    from rapidfuzz.distance import OSA

    best: int | None = None
    for squeezed, a, b in ((False, text, form), (True, _DOUBLED.sub(r"\1", text), _DOUBLED.sub(r"\1", form))):
        n = len(b)
        if squeezed and bounds is not None:
            # offsets move when doubled letters collapse: map each boundary through the collapse
            keep = [i == 0 or text[i] != text[i - 1] for i in range(len(text))]
            shift = [0, *itertools.accumulate(keep)]
            edges: frozenset[int] | None = frozenset(shift[i] for i in bounds)
        else:
            edges = bounds
        for size in range(max(1, n - allowed), n + allowed + 1):
            for start in range(0, max(0, len(a) - size) + 1):
                if edges is not None and (start not in edges or start + size not in edges):
                    continue
                d = OSA.distance(a[start:start + size], b, score_cutoff=allowed)
                # read with doubled letters collapsed: the doubling itself is the one change shown
                d = max(d, 1) if squeezed else d
                if d <= allowed and (best is None or d < best):
                    best = d
    return best


_FOLDED: dict[int, tuple[BrandConfig, tuple[list[str], ...]]] = {}


def _folded_config(config: BrandConfig) -> tuple[list[str], ...]:
    """The configuration's own strings folded, once per configuration: (protected forms, impersonation
    words, pinyin of the Han forms, Latin forms, look-alike words). Folding maps character by character,
    so a string's folded form depends only on its own characters, never on the names checked beside it;
    folding them on every call cost a one-record check ~4 ms."""
    known = _FOLDED.get(id(config))
    if known is not None and known[0] is config:
        return known[1]
    forms = [f for _, fs in config.protected for f in fs]
    words = list(config.impersonation_words)
    mapping = _char_map(pl.Series(forms + words + list(config.lookalike_words), dtype=pl.Utf8), config)
    folded_forms = _apply(forms, fold_expr, mapping)
    han_forms = [f for f in folded_forms if any("\u4e00" <= c <= "\u9fff" for c in f)]
    folded = (folded_forms, _apply(words, fold_expr, mapping),
              _apply(han_forms, _pinyin_expr, _han_pinyin(pl.Series(han_forms, dtype=pl.Utf8))),
              [f for f in folded_forms if f.isascii()], _apply(list(config.lookalike_words), fold_expr, mapping))
    _FOLDED[id(config)] = (config, folded)  # the config is held: its id is not reused while cached
    return folded


def _apply(values: list[str], function, mapping: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    """A column expression applied to a short list of strings."""
    return pl.DataFrame({"v": values}, schema={"v": pl.Utf8}).select(function(pl.col("v"), mapping))["v"].to_list()


def _techniques(mapping: dict[str, str], config: BrandConfig) -> pl.Expr:
    """Comma-separated names of the imitation techniques visible in the raw display name."""
    shown = pl.col("shown")
    leet_chars = "".join(c for c in config.leet if c.isascii())
    homoglyphs = [c for c, f in mapping.items() if not c.isascii() and f.isascii() and not ("\uff01" <= c <= "\uff5e")]
    traditional = [c for c, f in mapping.items() if "\u4e00" <= c <= "\u9fff" and "\u4e00" <= f[:1] <= "\u9fff"]
    parts = [
        pl.when(shown.str.contains(_INVISIBLE)).then(pl.lit("invisible characters")),
        pl.when(shown.str.contains(r"[\uff01-\uff5e]")).then(pl.lit("full-width forms")),
        pl.when(shown.str.contains(r"\p{Latin}") & shown.str.contains(r"[\p{Cyrillic}\p{Greek}]")).then(pl.lit("mixed scripts")),
        pl.when(shown.str.contains_any(homoglyphs) if homoglyphs else pl.lit(False)).then(pl.lit("homoglyphs")),
        pl.when(shown.str.contains(f"[{_regex_escape(leet_chars)}]") & pl.col("contains")).then(pl.lit("leetspeak")),
        pl.when(shown.str.contains(r"\p{L}[\s\-_.·•/\\|]+\p{L}") & pl.col("contains")).then(pl.lit("separators")),
        pl.when(shown.str.contains_any(traditional) if traditional else pl.lit(False)).then(pl.lit("traditional or look-alike characters")),
        pl.when(pl.col("pinyin_hit")).then(pl.lit("pinyin or homophones")),
        pl.when(pl.col("has_word")).then(pl.lit("impersonation words")),
    ]
    return pl.concat_str(parts, separator=", ", ignore_nulls=True).fill_null("")


def _regex_escape(chars: str) -> str:
    return "".join("\\" + c if c in r"\^$.|?*+()[]{}-" else c for c in chars)
