"""name_forms_frame() must give exactly what name_forms() gives, row for row, on real list names."""
from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import polars as pl
import pytest
from lxml import etree

from screening.normalize import frame as frame_module
from screening.normalize import name_forms, name_forms_frame
from screening.normalize.bench import make_names

SNAPSHOT = Path(__file__).resolve().parents[3] / "lists" / "snapshot"


def _gz_rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
        return list(csv.reader(io.StringIO(fh.read())))


def snapshot_names() -> tuple[list[str], list[str | None]]:
    """Real names and types: OFAC SDN primary names (every 3rd), CN list names incl. Han, UN original script."""
    names: list[str] = []
    types: list[str | None] = []
    sdn = SNAPSHOT / "us_ofac_sdn" / "2023-12-28" / "sdn.csv.gz"
    for row in _gz_rows(sdn)[::3]:
        if len(row) > 2:
            names.append(row[1])
            types.append(row[2].strip() if row[2].strip() != "-0-" else "entity")
    cn = SNAPSHOT / "cn_sanctions" / "2026-08-07" / "sanctions.csv.gz"
    with gzip.open(cn, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for key in ("Name", "Chinese name", "Alias"):
                if row.get(key):
                    names.append(row[key])
                    types.append(row["Type"] or None)
    un = SNAPSHOT / "un_sc" / "2026-02-27" / "consolidated.xml.gz"
    with gzip.open(un) as fh:
        root = etree.parse(fh).getroot()
    for el in root.iter("NAME_ORIGINAL_SCRIPT"):
        if el.text and el.text.strip():
            names.append(el.text)
            types.append("person" if el.getparent().tag == "INDIVIDUAL" else "organization")
    return names, types


def expected_rows(names: list[str | None], types: list[str | None]) -> list[tuple[int, str, str, str | None]]:
    return [(i, f.text, f.kind, f.legal_form) for i, (n, t) in enumerate(zip(names, types))
            for f in name_forms(n or "", t)]


def frame_rows(frame: pl.DataFrame) -> list[tuple[int, str, str, str | None]]:
    return list(frame.iter_rows())


def test_snapshot_names_cover_scripts() -> None:
    names, _ = snapshot_names()
    text = "".join(names)
    assert len(names) > 5000
    for probe in ("[\u4e00-\u9fff]", "[\u0400-\u04ff]", "[\u0600-\u06ff]"):  # Han, Cyrillic, Arabic
        assert re.search(probe, text)


def test_frame_agrees_with_name_forms_on_real_list_names() -> None:
    names, types = snapshot_names()
    frame = name_forms_frame(names, types)
    assert frame.schema == pl.Schema({"idx": pl.UInt32, "form": pl.String, "kind": pl.String, "legal_form": pl.String})
    assert frame_rows(frame) == expected_rows(names, types)


def test_frame_agrees_on_generated_account_names() -> None:
    """Mostly Chinese person names: exercises the vectorised Han path (OpenCC batch, Aho-Corasick pinyin)."""
    names, types = make_names(6000, seed=11)
    names += ["習近平", "曾国藩", "单田芳", "欧阳娜娜", "王先生", "某公司", "王", "长乐", "重庆", "银行行长", "阿里巴巴"] * 2
    types += ["person", None, "person", None, None, None, "person", None, "person", None, "organization"] * 2
    assert frame_rows(name_forms_frame(pl.Series(names), pl.Series(types))) == expected_rows(names, types)


def test_frame_agrees_in_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frame_module, "PARALLEL_MIN", 100)
    names, types = make_names(3000, seed=12)
    assert frame_rows(name_forms_frame(names, types)) == expected_rows(names, types)


def test_frame_positions_duplicates_and_empties() -> None:
    names = ["Xi Jinping", None, "", "习近平", "Xi Jinping", "Huawei Co., Ltd.", "Huawei Co., Ltd."]
    types = [None, None, "person", "person", None, "organization", None]
    frame = name_forms_frame(names, types)
    assert frame["idx"].unique().sort().to_list() == [0, 3, 4, 5, 6]
    assert frame.filter(pl.col("idx") == 0)["form"].to_list() == frame.filter(pl.col("idx") == 4)["form"].to_list()
    assert frame.filter(pl.col("idx") == 5)["legal_form"].to_list() == ["ltd"]
    assert frame_rows(frame) == expected_rows(names, types)


def test_frame_without_types_and_empty_input() -> None:
    frame = name_forms_frame(["Stripe LLC", "习近平"])
    assert frame_rows(frame) == expected_rows(["Stripe LLC", "习近平"], [None, None])
    assert name_forms_frame([]).height == 0
    with pytest.raises(ValueError):
        name_forms_frame(["a", "b"], ["person"])
