"""Display names that imitate a protected brand (DESIGN §5, domain.md §4).

Every display name is folded once: NFKC (full-width forms), invisible characters removed, lower
case, each character mapped to its Unicode TR39 skeleton (ICU SpoofChecker: Cyrillic `а` → `a`,
`0` → `o` …), traditional → simplified, shape-similar CJK and leetspeak tables, separators removed.
The character maps are built for the distinct characters of the column, then applied with one
vectorised multi-pattern replace, so the cost is per distinct character, not per row.

Findings (all `review`: a human decides, domain.md §4.2):
    brand_imitation      the folded name contains a protected form, or its pinyin does
    brand_near_spelling  the folded name (impersonation words aside) is within a small edit
                         distance of a protected Latin form
    staff_impersonation  the name is nothing but impersonation words ("官方客服", "Official Support")
The detail names the techniques seen (homoglyphs, mixed scripts, full-width, invisible characters,
leetspeak, separators, traditional characters, pinyin, impersonation words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

from screening.eligibility.model import empty_reasons, reasons_where

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
    near_min_length: int = 8
    near_max_edits: int = 1

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> BrandConfig:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            protected=tuple((p["key"], tuple(p["forms"])) for p in raw["protected"]),
            allow_accounts=frozenset(raw.get("allow_accounts") or ()),
            impersonation_words=tuple(raw.get("impersonation_words") or ()),
            leet={str(k): str(v) for k, v in (raw.get("leet") or {}).items()},
            cjk_confusables=dict(raw.get("cjk_confusables") or {}),
            near_min_length=int(raw.get("near_min_length", 8)),
            near_max_edits=int(raw.get("near_max_edits", 1)),
        )


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
    import opencc

    leet, cjk = dict(leet_items), dict(cjk_items)
    if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff":
        char = opencc.OpenCC("t2s").convert(char)
        return cjk.get(char, char)
    folded = _spoof_checker().getSkeleton(0, char).lower()
    return "".join(leet.get(c, c) for c in folded)


def _char_map(texts: pl.Series, config: BrandConfig) -> dict[str, str]:
    """Folded form of each distinct character of `texts` that changes under folding."""
    chars = texts.drop_nulls().str.normalize("NFKC").str.to_lowercase().str.split("").explode().drop_nulls().unique().to_list()
    leet, cjk = tuple(sorted(config.leet.items())), tuple(sorted(config.cjk_confusables.items()))
    mapping = {c: _fold_char(c, leet, cjk) for c in chars if c}
    return {c: f for c, f in mapping.items() if f != c}


def fold_expr(col: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    """The matching form of a name (see module docstring); `mapping` from `_char_map`."""
    text = col.str.normalize("NFKC").str.replace_all(_INVISIBLE, "").str.to_lowercase()
    if mapping:
        text = text.str.replace_many(list(mapping), list(mapping.values()))
    return text.str.replace_all(_SEPARATORS, "")


def _pinyin_expr(folded: pl.Expr, pinyin: dict[str, str]) -> pl.Expr:
    """Han characters of a folded name replaced by toneless pinyin (Latin letters kept)."""
    return folded.str.replace_many(list(pinyin), list(pinyin.values())) if pinyin else folded


def _han_pinyin(texts: pl.Series) -> dict[str, str]:
    from pypinyin import Style, lazy_pinyin

    chars = texts.drop_nulls().str.extract_all(r"\p{Han}").explode().drop_nulls().unique().to_list()
    return {c: lazy_pinyin(c, style=Style.NORMAL)[0] for c in chars}


def brand_reasons(df: pl.DataFrame, config: BrandConfig | None = None) -> pl.DataFrame:
    """Reasons for the display names of `df` (account_id, display_name; name used when no display
    name) that imitate a protected name."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist

    config = config or default_config()
    shown = pl.coalesce("display_name", "name")
    allowed = pl.Series(sorted(config.allow_accounts), dtype=pl.Utf8).implode()
    frame = df.select("account_id", shown.alias("shown")).filter(
        pl.col("shown").is_not_null() & ~pl.col("account_id").is_in(allowed)
    )
    if frame.is_empty():
        return empty_reasons()
    forms = [f for _, fs in config.protected for f in fs]
    words = list(config.impersonation_words)
    all_text = pl.concat([frame["shown"], pl.Series(forms + words, dtype=pl.Utf8)])
    mapping = _char_map(all_text, config)
    folded_forms = _apply(forms, fold_expr, mapping)
    folded_words = _apply(words, fold_expr, mapping)
    han_forms = [f for f in folded_forms if any("\u4e00" <= c <= "\u9fff" for c in f)]
    pinyin_forms = _apply(han_forms, _pinyin_expr, _han_pinyin(pl.Series(han_forms, dtype=pl.Utf8)))
    latin_forms = [f for f in folded_forms if f.isascii()]
    frame = frame.with_columns(folded=fold_expr(pl.col("shown"), mapping))
    pinyin_all = _han_pinyin(frame["folded"]) if pinyin_forms else {}
    core = pl.col("folded")
    if folded_words:
        core = core.str.replace_many(folded_words, [""] * len(folded_words))
    frame = frame.with_columns(
        core=core,
        pinyin=_pinyin_expr(pl.col("folded"), pinyin_all) if pinyin_forms else pl.lit(None, dtype=pl.Utf8),
    )
    contains = pl.col("folded").str.contains_any(folded_forms)
    pinyin_hit = pl.col("pinyin").str.contains_any(pinyin_forms) if pinyin_forms else pl.lit(False)
    has_word = pl.col("folded").str.contains_any(folded_words) if folded_words else pl.lit(False)
    frame = frame.with_columns(contains=contains, pinyin_hit=pinyin_hit & ~contains, has_word=has_word)
    # Near spellings: only cores of about the protected length are compared (few; C++ kernel).
    near_forms = [f for f in latin_forms if len(f) >= config.near_min_length]
    frame = frame.with_columns(near=pl.lit(False))
    if near_forms:
        lengths = [len(f) for f in near_forms]
        candidates = frame.filter(
            ~pl.col("contains") & ~pl.col("pinyin_hit")
            & pl.col("core").str.len_chars().is_between(min(lengths) - config.near_max_edits, max(lengths) + config.near_max_edits)
        )
        if candidates.height:
            distance = cdist(candidates["core"].to_list(), near_forms, scorer=Levenshtein.distance, workers=-1)
            near_ids = candidates.filter(pl.Series(distance.min(axis=1) <= config.near_max_edits))["account_id"]
            frame = frame.with_columns(near=pl.col("account_id").is_in(near_ids.implode()))
    techniques = _techniques(mapping, config)
    hit = pl.col("contains") | pl.col("pinyin_hit")
    staff_only = pl.col("has_word") & (pl.col("core") == "")
    flagged = frame.filter(hit | pl.col("near") | staff_only).with_columns(techniques=techniques)
    if flagged.is_empty():
        return empty_reasons()
    protected_text = pl.lit(config.protected[0][1][0] if len(config.protected) == 1 else "a protected name")
    techniques_text = pl.when(pl.col("techniques") != "").then(pl.format(" (via {})", pl.col("techniques"))).otherwise(pl.lit(""))
    return pl.concat(
        [
            reasons_where(
                flagged, hit, "brand", "brand_imitation", "review",
                pl.format("display name “{}” imitates {}", pl.col("shown"), protected_text) + techniques_text,
            ),
            reasons_where(
                flagged, ~hit & pl.col("near"), "brand", "brand_near_spelling", "review",
                pl.format("display name “{}” is one spelling change from {}", pl.col("shown"), protected_text) + techniques_text,
            ),
            reasons_where(
                flagged, ~hit & ~pl.col("near") & staff_only, "brand", "staff_impersonation", "review",
                pl.format("display name “{}” consists only of words claiming to speak for the platform", pl.col("shown")),
            ),
        ]
    )


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
