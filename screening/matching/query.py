"""The account side of a match: accounts (a frame or one record) normalised into a `QueryBatch`.

Each distinct name is normalised once (screening.normalize, vectorised); its forms become units
(distinct forms, strict for Han-named accounts) with token ids against the list vocabulary, so a
batch of one (lookup, compare) and a million accounts run the same code after this step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from screening import normalize
from screening.matching.arrays import Ragged, UnitTable, build_units
from screening.matching.codes import (
    KIND_CODES, NO_DATE, SCRIPT_HAN, SCRIPT_HANGUL, SUBJECT_CODES, cjk_person_names, country_codes,
    legal_family_codes, normalise_id, normalise_id_expr, script_codes,
)
from screening.matching.index import ListIndex
from screening.matching.tokens import TokenTable

ACCOUNT_SUBJECT_TYPES = {
    "person": "person", "natural_person": "person", "individual": "person",
    "organization": "organization", "organisation": "organization", "legal_person": "organization",
    "other_organization": "organization", "company": "organization", "entity": "organization",
}
# the account columns prepare_queries reads (a missing one is read as empty)
QUERY_COLUMNS = ("account_id", "subject_type", "name", "name_latin", "birth_date", "country", "nationality",
                 "id_type", "id_number")

@dataclass
class QueryBatch:
    """Accounts of one chunk, normalised: the account side of candidate pairs."""

    account_id: np.ndarray  # object
    acct_type: np.ndarray  # int8 subject code (0 unknown)
    acct_dob: np.ndarray  # int32 days since 1970 (NO_DATE when absent)
    acct_c1: np.ndarray  # int32 country code
    acct_c2: np.ndarray  # int32 nationality code
    acct_id: np.ndarray  # object: normalised ID number ("" when absent)
    acct_id_type: np.ndarray  # object
    qname_text: np.ndarray  # object: the account-side raw name (name or name_latin)
    qname_acct: np.ndarray  # int32
    qname_script: np.ndarray  # int32: script of the account-side name (0 = Latin)
    acct_script: np.ndarray  # int32: non-Latin script the account's names are written in (0 = Latin only)
    acct_cjk: np.ndarray  # bool: one of the account's names is a Chinese or Korean name in Han or Hangul
    units: UnitTable
    table: TokenTable  # list vocabulary + this batch's new tokens
    unit_names: Ragged  # owner = unit; columns qname, kind, legal

    def __len__(self) -> int:
        return len(self.account_id)


def _column(accounts: pl.DataFrame, name: str, dtype: pl.DataType = pl.String()) -> pl.Series:
    assert name in QUERY_COLUMNS, name
    if name in accounts.columns:
        return accounts[name]
    return pl.Series(name, [None] * accounts.height, dtype=dtype)


def prepare_queries(accounts: pl.DataFrame, index: ListIndex) -> QueryBatch:
    """Normalise the accounts' names (each distinct name once, vectorised) and encode their tokens."""
    n = accounts.height
    stype = _column(accounts, "subject_type").cast(pl.String).str.to_lowercase().replace_strict(
        ACCOUNT_SUBJECT_TYPES, default=None, return_dtype=pl.String)
    acct_type = stype.replace_strict(SUBJECT_CODES, default=0, return_dtype=pl.Int8).to_numpy()
    dob = _column(accounts, "birth_date", pl.Date())
    if dob.dtype == pl.String:
        dob = dob.str.to_date(strict=False)
    dob = dob.cast(pl.Date).cast(pl.Int32).fill_null(NO_DATE).to_numpy().astype(np.int32)
    c1 = country_codes(_column(accounts, "country").cast(pl.String))
    c2 = country_codes(_column(accounts, "nationality").cast(pl.String))
    ids = (pl.select(normalise_id_expr(_column(accounts, "id_number").cast(pl.String).fill_null("")))
           .to_series().to_numpy().astype(object))
    id_types = _column(accounts, "id_type").cast(pl.String).fill_null("").to_numpy().astype(object)

    frame = pl.DataFrame({"acct": np.arange(n, dtype=np.int32), "subject_type": stype,
                          "name": _column(accounts, "name").cast(pl.String),
                          "name_latin": _column(accounts, "name_latin").cast(pl.String)})
    qnames = (
        frame.unpivot(index=["acct", "subject_type"], on=["name", "name_latin"], value_name="raw")
        .with_columns(pl.col("raw").str.strip_chars())
        .filter(pl.col("raw").is_not_null() & (pl.col("raw") != ""))
        .unique(["acct", "raw"], maintain_order=True)
        .sort("acct", maintain_order=True)
    )
    distinct = qnames.select("raw", "subject_type").unique(maintain_order=True).with_row_index("didx")
    forms = normalize.name_forms_frame(distinct["raw"], distinct["subject_type"])
    forms = forms.filter(pl.col("form").str.len_chars() > 0)
    qnames = qnames.join(distinct, on=["raw", "subject_type"], how="left", maintain_order="left",
                         nulls_equal=True).with_row_index("qname")
    rows = qnames.select("qname", "didx").join(
        forms.rename({"idx": "didx"}).with_columns(pl.col("didx").cast(pl.UInt32)), on="didx")
    return _assemble(
        index, _column(accounts, "account_id").cast(pl.String).to_numpy().astype(object), acct_type, dob, c1, c2,
        ids, id_types, qnames["acct"].to_numpy().astype(np.int32), qnames["raw"].to_numpy().astype(object),
        rows["qname"].to_numpy().astype(np.int32), rows["form"].to_list(), rows["kind"].to_list(),
        rows["legal_form"].to_list())


def prepare_record(record: dict, index: ListIndex) -> QueryBatch:
    """One account given as a dict (docs/architecture.md §3.2 keys): the same batch as prepare_queries gives for a
    one-row frame, built without frame overhead (registration lookups)."""
    stype = ACCOUNT_SUBJECT_TYPES.get(str(record.get("subject_type") or "").strip().lower())
    dob = record.get("birth_date")
    if isinstance(dob, str):
        try:
            dob = dt.date.fromisoformat(dob[:10])
        except ValueError:
            dob = None
    days = NO_DATE if not isinstance(dob, dt.date) else (dob - dt.date(1970, 1, 1)).days
    raw_names = []
    for key in ("name", "name_latin"):
        value = (record.get(key) or "").strip()
        if value and value not in raw_names:
            raw_names.append(value)
    row_q, row_form, row_kind, row_legal = [], [], [], []
    for q, raw in enumerate(raw_names):
        for form in normalize.name_forms(raw, stype):
            if form.text:
                row_q.append(q)
                row_form.append(form.text)
                row_kind.append(form.kind)
                row_legal.append(form.legal_form)
    return _assemble(
        index, np.asarray([str(record.get("account_id") or "(lookup)")], dtype=object),
        np.asarray([SUBJECT_CODES.get(stype or "", 0)], dtype=np.int8), np.asarray([days], dtype=np.int32),
        country_codes([record.get("country")]), country_codes([record.get("nationality")]),
        np.asarray([normalise_id(record.get("id_number"))], dtype=object),
        np.asarray([record.get("id_type") or ""], dtype=object),
        np.zeros(len(raw_names), dtype=np.int32), np.asarray(raw_names, dtype=object),
        np.asarray(row_q, dtype=np.int32), row_form, row_kind, row_legal)


def _drop_derived_variants(acct_script: np.ndarray, qname_acct: np.ndarray, qname_script: np.ndarray,
                           row_qname: np.ndarray, row_form: list[str], row_kind: list[str],
                           row_legal: list[str | None]) -> tuple[np.ndarray, list[str], list[str], list[str | None]]:
    """Forms that would guess what the account's own writing already says.

    - An account with a Han or Hangul name: its reading is known, so the romanisation-variant forms of its
      Latin name are guesses it contradicts ("Wong Jie" with 王傑 is wang, not huang; "So-young Kim" with
      김소영 has no Cantonese surname So for Su). The Han or Hangul name's own variants (a heteronym surname
      in its ordinary reading: 曾 ceng; the listed spellings of a Korean surname) stay.
    - A Hangul name with variant forms: the letter-per-syllable reading ("i su bin") is replaced by the
      usual spellings of the surname ("lee su bin", "yi su bin"); alone it lets the one-letter surname
      weigh like a particle and go missing at no cost (이수빈 ~ "Su Bin").
    """
    if len(row_qname) == 0:
        return row_qname, row_form, row_kind, row_legal
    variant = np.fromiter((k == "variant" for k in row_kind), dtype=bool, count=len(row_kind))
    latin = np.fromiter((k == "latin" for k in row_kind), dtype=bool, count=len(row_kind))
    own = acct_script[qname_acct[row_qname]]
    drop = variant & ((own == SCRIPT_HAN) | (own == SCRIPT_HANGUL)) & (qname_script[row_qname] != own)
    hangul_with_variants = np.zeros(len(qname_script), dtype=bool)
    hangul_with_variants[row_qname[variant]] = True
    hangul_with_variants &= qname_script == SCRIPT_HANGUL
    # only a one-letter surname reading goes ("i su bin"); "choe hwi" (최휘) is the listed spelling itself
    one_letter = np.fromiter((f[1:2] == " " for f in row_form), dtype=bool, count=len(row_form))
    drop |= latin & hangul_with_variants[row_qname] & one_letter
    if not drop.any():
        return row_qname, row_form, row_kind, row_legal
    keep = np.flatnonzero(~drop)
    return (row_qname[keep], [row_form[i] for i in keep], [row_kind[i] for i in keep],
            [row_legal[i] for i in keep])


def _assemble(index: ListIndex, account_id: np.ndarray, acct_type: np.ndarray, dob: np.ndarray, c1: np.ndarray,
              c2: np.ndarray, ids: np.ndarray, id_types: np.ndarray, qname_acct: np.ndarray, qname_text: np.ndarray,
              row_qname: np.ndarray, row_form: list[str], row_kind: list[str],
              row_legal: list[str | None]) -> QueryBatch:
    """The shared tail: units (distinct forms, strict for Han-named accounts), token ids, ragged maps."""
    n = len(account_id)
    qname_script = script_codes(qname_text.tolist())
    # an account with a Han name: its romanisations are derived, so pinyin syllables must match exactly
    acct_script = np.zeros(n, dtype=np.int32)
    acct_script[qname_acct[qname_script > 0]] = qname_script[qname_script > 0]
    han_acct = acct_script == SCRIPT_HAN
    acct_cjk = np.zeros(n, dtype=bool)
    acct_cjk[qname_acct[cjk_person_names(qname_text.tolist(), qname_script)]] = True
    row_qname, row_form, row_kind, row_legal = _drop_derived_variants(
        acct_script, qname_acct, qname_script, row_qname, row_form, row_kind, row_legal)
    # not strict: an organisation's reading of one word, its brand with the syllables joined (华为有限公司
    # "huawei"), which meets a listing's added words (Technologies, International) as any company name does
    row_strict = np.zeros(0, dtype=bool)
    if len(row_qname):
        row_acct = qname_acct[row_qname]
        one_word = np.fromiter((" " not in f for f in row_form), dtype=bool, count=len(row_form))
        row_strict = han_acct[row_acct] & ~(one_word & (acct_type[row_acct] == SUBJECT_CODES["organization"]))
    unit_of: dict[str, int] = {}
    row_unit = np.fromiter((unit_of.setdefault(("1" if st else "0") + f, len(unit_of))
                            for st, f in zip(row_strict.tolist(), row_form)), dtype=np.int32, count=len(row_form))
    unit_keys = list(unit_of)
    units, table = build_units([k[1:] for k in unit_keys], index.vocab,
                               np.fromiter((k[0] == "1" for k in unit_keys), dtype=bool, count=len(unit_keys)))
    # the length of the name as written (a field-length cut leaves a long one: kernels.cell_matrices)
    chars = np.zeros(len(units), dtype=np.int32)
    np.maximum.at(chars, row_unit, np.fromiter((len(t) for t in qname_text), dtype=np.int32,
                                               count=len(qname_text))[row_qname])
    units = replace(units, chars=chars)
    kind = np.fromiter((KIND_CODES.get(k, 4) for k in row_kind), dtype=np.int8, count=len(row_kind))
    unit_names = Ragged.group(row_unit, len(units), qname=row_qname, kind=kind, legal=legal_family_codes(row_legal))
    return QueryBatch(
        account_id=account_id, acct_type=acct_type, acct_dob=dob, acct_c1=c1, acct_c2=c2, acct_id=ids,
        acct_id_type=id_types, qname_text=qname_text, qname_acct=qname_acct, qname_script=qname_script,
        acct_script=acct_script, acct_cjk=acct_cjk, units=units, table=table, unit_names=unit_names,
    )

