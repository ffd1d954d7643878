"""One account = one legal subject (docs/architecture.md §5).

(a) Possible transfers: an account whose identifying data changed to another subject between
imports (different ID number, or a different legal name together with a different birth date).
(b) Accounts sharing a legal subject, grouped as connected components of these links:
    - the same normalised ID number (compared as keyed hashes, never in clear);
    - persons: the same normalised name (Han; or Latin / pinyin, order-free) and birth date, unless
      both hold valid IDs of the same family that differ (then they are two people);
    - organisations: the same normalised name and country, unless both hold different valid codes.
Links are found by equi-joins on blocking keys, so the cost stays near-linear in the accounts.
When an account of a group is suspended (or blocked for sanctions), the group's other accounts
are flagged: ineligible when they share its ID number, review when linked by name only.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

from screening.eligibility.model import collect_reasons, empty_reasons, reasons_where

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


@lru_cache(maxsize=1)
def name_config() -> dict:
    return yaml.safe_load((RESOURCES / "eligibility" / "names.yml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _surname_pinyin() -> dict[str, str]:
    table = pl.read_csv(RESOURCES / "synth" / "cn_surnames.csv", infer_schema=False)
    return dict(zip(table["han"].to_list(), table["pinyin"].to_list(), strict=True))


@lru_cache(maxsize=1)
def t2s_converter():  # type: ignore[no-untyped-def]
    """The traditional → simplified converter (loading its dictionaries costs more than converting)."""
    import opencc

    return opencc.OpenCC("t2s")


def han_char_maps(texts: pl.Series) -> tuple[dict[str, str], dict[str, str]]:
    """For the Han characters occurring in `texts`: traditional → simplified, and → pinyin."""
    from pypinyin import Style, lazy_pinyin

    chars = (
        texts.drop_nulls().str.extract_all(r"\p{Han}").explode().drop_nulls().unique().to_list()
    )
    simplified = {c: t2s_converter().convert(c) for c in chars}
    pinyin = {c: lazy_pinyin(simplified[c], style=Style.NORMAL)[0] for c in chars}
    return {k: v for k, v in simplified.items() if k != v}, pinyin


def _latin_key(expr: pl.Expr, org_words: dict[str, str] | None = None) -> pl.Expr:
    """Lower case, accents dropped, hyphens joined, tokens sorted: 'Min-jun KIM' → 'kim minjun'."""
    text = expr.str.normalize("NFKD").str.replace_all(r"\p{Mn}", "").str.to_lowercase()
    if org_words:
        text = text.str.replace_all(r"[.,]", " ")
        for word, short in org_words.items():
            text = text.str.replace_all(rf"\b{word}\b", short)
    text = text.str.replace_all(r"['’\-]", "").str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()
    return text.str.split(" ").list.sort().list.join(" ").replace("", None)


def name_keys(df: pl.DataFrame) -> pl.DataFrame:
    """account_id, han_key (Han names, simplified, no spaces), latin_key (Latin name, or the pinyin
    of the Han name with the surname apart: 王小明 → 'wang xiaoming'), org_key."""
    t2s, pinyin = han_char_maps(df["name"])
    surnames = _surname_pinyin()
    has_han = pl.col("name").str.contains(r"\p{Han}")
    han = pl.col("name").str.replace_all(r"[\s·•・.]", "")
    if t2s:
        han = han.str.replace_many(list(t2s), list(t2s.values()))
    first, rest = pl.col("_han").str.slice(0, 1), pl.col("_han").str.slice(1)
    first_py = first.replace_strict(pinyin | surnames, default="")
    rest_py = rest.str.replace_many(list(pinyin), list(pinyin.values())) if pinyin else rest
    latin_source = pl.coalesce(
        pl.col("name_latin"),
        pl.when(~has_han).then(pl.col("name")),
        pl.when(pl.col("_han").str.contains(r"^\p{Han}+$")).then(first_py + " " + rest_py),
    )
    org_words = name_config()["org_words"]
    org_text = pl.when(has_han).then(pl.col("_han").str.replace_all(r"[^\p{L}\p{N}]", "")).otherwise(
        _latin_key(pl.col("name"), org_words).str.replace_all(" ", "")
    )
    return (
        df.lazy()
        .select("account_id", "subject_type", "name", "name_latin")
        .with_columns(_han=han)
        .select(
            "account_id",
            pl.when(has_han & (pl.col("subject_type") == "person")).then(pl.col("_han")).alias("han_key"),
            pl.when(pl.col("subject_type") == "person").then(_latin_key(latin_source)).alias("latin_key"),
            pl.when(pl.col("subject_type") == "organization").then(org_text).alias("org_key"),
        )
        .collect()
    )


def _pairs(frame: pl.LazyFrame, keys: list[str], basis: str, max_block: int) -> pl.LazyFrame:
    """Pairs (a < b) sharing all `keys`, from blocks of at most `max_block` accounts, minus pairs
    holding different valid IDs of the same family (two distinct subjects)."""
    blocks = frame.drop_nulls(keys).with_columns(_size=pl.len().over(keys)).filter(pl.col("_size") <= max_block)
    right = blocks.select(
        *keys, pl.col("account_id").alias("b"), pl.col("id_family").alias("b_family"),
        pl.col("id_hash").alias("b_hash"), pl.col("han_key").alias("b_han"),
    )
    pairs = blocks.join(right, on=keys).filter(pl.col("account_id") < pl.col("b"))
    distinct_ids = (
        pl.col("id_family").is_not_null() & (pl.col("id_family") == pl.col("b_family")) & (pl.col("id_hash") != pl.col("b_hash"))
    )
    both_han_differ = pl.col("han_key").is_not_null() & pl.col("b_han").is_not_null() & (pl.col("han_key") != pl.col("b_han"))
    return pairs.filter(~distinct_ids.fill_null(False) & ~both_han_differ.fill_null(False)).select(
        pl.col("account_id").alias("a"), "b", pl.lit(basis).alias("basis")
    )


def links(base: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """Edges (a, b, basis) between accounts that share a legal subject."""
    max_block = int(name_config()["max_block_size"])
    frame = (
        base.lazy()
        .select(
            "account_id", "subject_type", "country", "dob_used", "id_hash",
            pl.when(pl.col("id_error").is_null()).then(pl.col("id_hash")).alias("_valid_hash"),
            pl.when(pl.col("id_error").is_null() & pl.col("id_hash").is_not_null())
            .then(pl.col("id_kind").replace({"HK_MO_PERMIT": "RIC", "TW_PERMIT": "RIC", "FOREIGN_PR": "RIC"}))
            .alias("id_family"),
        )
        .join(keys.lazy(), on="account_id", how="left")
    )
    by_id = frame.drop_nulls("_valid_hash").select(
        pl.col("account_id").min().over("_valid_hash").alias("a"), pl.col("account_id").alias("b"), pl.lit("id").alias("basis")
    ).filter(pl.col("a") != pl.col("b"))
    persons = frame.filter(pl.col("subject_type") == "person")
    orgs = frame.filter(pl.col("subject_type") == "organization").with_columns(pl.col("country").fill_null(""))
    edges = pl.concat(
        [
            by_id,
            _pairs(persons, ["han_key", "dob_used"], "name_dob", max_block),
            _pairs(persons, ["latin_key", "dob_used"], "name_dob", max_block),
            _pairs(orgs, ["org_key", "country"], "org_name_country", max_block),
        ]
    )
    return edges.unique(["a", "b", "basis"]).collect()


def components(edges: pl.DataFrame) -> pl.DataFrame:
    """account_id → group_id (smallest account_id of its connected component), by min-label
    propagation over the edges (a few rounds: groups are small)."""
    both = pl.concat([edges.select("a", "b"), edges.select(pl.col("b").alias("a"), pl.col("a").alias("b"))])
    labels = both.select(pl.col("a").alias("account_id")).unique().with_columns(group_id=pl.col("account_id"))
    for _ in range(64):
        proposal = (
            both.join(labels.rename({"account_id": "b", "group_id": "label_b"}), on="b")
            .group_by("a")
            .agg(pl.col("label_b").min())
            .rename({"a": "account_id"})
        )
        updated = labels.join(proposal, on="account_id", how="left").with_columns(
            group_id=pl.min_horizontal("group_id", "label_b")
        ).drop("label_b")
        if updated.join(labels, on="account_id", suffix="_old").filter(pl.col("group_id") != pl.col("group_id_old")).is_empty():
            return updated
        labels = updated
    raise RuntimeError("group labelling did not converge")


def subject_reasons(
    base: pl.DataFrame,
    *,
    blocked: pl.DataFrame | None = None,
    allow_multiple: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(groups, reasons): groups as account_id, group_id, basis; reasons for shared subjects.

    `blocked` (account_id, why) adds accounts blocked for sanctions to those suspended by status.
    A single account (a registration checked alone) links to nothing: its name keys are not even built.
    """
    edges = links(base, name_keys(base)) if base.height > 1 else None
    if edges is None or edges.is_empty():
        return pl.DataFrame(schema={"account_id": pl.Utf8, "group_id": pl.Utf8, "basis": pl.Utf8}), empty_reasons()
    groups = components(edges)
    statuses = name_config()["blocked_statuses"]
    blocked_by_status = base.filter(pl.col("status").is_in(statuses)).select(
        "account_id", pl.format("{}", pl.col("status")).alias("why")
    )
    blocked_all = pl.concat([blocked_by_status, blocked.select("account_id", "why")]) if blocked is not None else blocked_by_status
    blocked_all = blocked_all.group_by("account_id").agg(pl.col("why").unique().sort().str.join("/"))
    members = (
        groups.join(base.select("account_id", "id_hash"), on="account_id", how="left")
        .join(blocked_all, on="account_id", how="left")
        .with_columns(is_blocked=pl.col("why").is_not_null())
    )
    # Does the member share its ID number with a blocked member of its group?
    blocked_ids = members.filter(pl.col("is_blocked") & pl.col("id_hash").is_not_null()).select(
        "group_id", "id_hash", pl.lit(True).alias("shares_id_with_blocked")
    ).unique()
    members = members.join(blocked_ids, on=["group_id", "id_hash"], how="left").with_columns(
        pl.col("shares_id_with_blocked").fill_null(False)
    )
    summary = members.group_by("group_id").agg(
        pl.col("account_id").sort().alias("all_members"),
        pl.col("account_id").filter(pl.col("is_blocked")).sort().alias("blocked_members"),
        pl.format("{} ({})", "account_id", "why").filter(pl.col("is_blocked")).sort().str.join(", ").alias("blocked_text"),
    )
    members = members.join(summary, on="group_id")
    basis_by_member = edges.select(pl.col("a").alias("account_id"), "basis").vstack(edges.select(pl.col("b").alias("account_id"), "basis"))
    basis_text = basis_by_member.group_by("account_id").agg(
        pl.col("basis").unique().sort().replace_strict(
            {"id": "same ID number", "name_dob": "same name and birth date", "org_name_country": "same organisation name and country"}
        ).str.join(", ").alias("basis_text"),
        pl.col("basis").unique().sort().str.join("+").alias("basis"),
    )
    members = members.join(basis_text, on="account_id", how="left")
    others = pl.col("all_members").list.set_difference(pl.concat_list(pl.col("account_id"))).list.join(", ")
    group_blocked = pl.col("blocked_members").list.len() > 0
    reasons = collect_reasons(
        [
            reasons_where(
                members, group_blocked & ~pl.col("is_blocked"), "subject", "linked_to_blocked_subject",
                pl.when(pl.col("shares_id_with_blocked")).then(pl.lit("ineligible")).otherwise(pl.lit("review")),
                pl.format("same legal subject ({}) as blocked account(s) {}: re-registration would evade the block",
                          pl.col("basis_text"), pl.col("blocked_text")),
            ),
            reasons_where(
                members, ~group_blocked, "subject", "shared_subject", "info" if allow_multiple else "review",
                pl.format("same legal subject ({}) as account(s) {}", pl.col("basis_text"), others),
            ),
        ]
    )
    return members.select("account_id", "group_id", "basis"), reasons


def transfer_reasons(changes: pl.DataFrame) -> pl.DataFrame:
    """Possible transfers from `account_identity_changes` rows (review)."""
    if changes.is_empty():
        return empty_reasons()
    id_text = pl.when(pl.col("id_changed")).then(
        pl.format("ID number changed from {} to {}", pl.col("old_id_masked").fill_null("none"), pl.col("new_id_masked").fill_null("none"))
    )
    name_text = pl.when(pl.col("name_changed") & pl.col("birth_date_changed")).then(
        pl.format("legal name changed from {} to {} and birth date from {} to {}",
                  pl.col("old_name"), pl.col("new_name"), pl.col("old_birth_date"), pl.col("new_birth_date"))
    )
    detail = pl.concat_str([id_text, name_text], separator="; ", ignore_nulls=True) + pl.format(
        " since import {}: the account may have passed to another subject", pl.col("previous_import_id")
    )
    return collect_reasons([reasons_where(changes, pl.lit(True), "subject", "possible_transfer", "review", detail)])
