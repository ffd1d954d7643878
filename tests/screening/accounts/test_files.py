"""Account files as bytes: encodings (real GBK/GB18030 and UTF-16 bytes of real names), strict decoding
naming the line, structure errors naming the line, bad lines set aside on request."""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import polars as pl
import pytest

from screening.accounts import read_accounts
from screening.exc import InputError, UsageError

# Real names: a person (王小明 with its pinyin) and a listed organisation from China's own list
# (美国国家民主基金会, the National Endowment for Democracy, cn_sanctions).
TEXT = ("account_id,subject_type,name,name_latin,country\n"
        "A1,person,王小明,Wang Xiaoming,中国\n"
        "A2,organization,美国国家民主基金会,,美国\n"
        "A3,person,José Müller,,DE\n")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _names(path: Path, **options) -> list[str]:
    return read_accounts(path, **options).accounts["name"].to_list()


@pytest.mark.parametrize(("codec", "prefix", "encoding"), [
    ("utf-8", b"", "utf-8"),
    ("utf-8", codecs.BOM_UTF8, "utf-8 (byte-order mark)"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le (byte-order mark)"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be (byte-order mark)"),
    ("utf-16-le", b"", "utf-16-le"),
])
def test_unicode_encodings(tmp_path: Path, codec: str, prefix: bytes, encoding: str) -> None:
    path = _write(tmp_path, "a.csv", prefix + TEXT.encode(codec))
    result = read_accounts(path)
    assert result.encoding == encoding
    assert result.accounts["name"].to_list() == ["王小明", "美国国家民主基金会", "José Müller"]
    assert result.accounts["country"].to_list() == ["CN", "US", "DE"]  # 中国 / 美国 through countrynames


def test_gbk_and_gb18030_files_are_detected_and_read_exactly(tmp_path: Path) -> None:
    gbk_text = TEXT.replace("José Müller", "李娜")  # GBK has no é/ü
    gbk = _write(tmp_path, "gbk.csv", gbk_text.encode("gbk"))
    result = read_accounts(gbk)
    assert result.encoding == "gb18030 (detected)"
    assert result.accounts["name"].to_list() == ["王小明", "美国国家民主基金会", "李娜"]
    gb18030 = _write(tmp_path, "gb18030.csv", TEXT.encode("gb18030"))  # GB18030 covers é and ü too
    assert _names(gb18030) == ["王小明", "美国国家民主基金会", "José Müller"]
    assert _names(gbk, encoding="gbk") == ["王小明", "美国国家民主基金会", "李娜"]


def test_a_short_gbk_file_is_not_mistaken_for_big5(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv", "account_id,subject_type,name\nA1,person,王小明\n".encode("gbk"))
    assert _names(path) == ["王小明"]


def test_a_damaged_utf8_file_is_refused_naming_the_line(tmp_path: Path) -> None:
    data = TEXT.encode("utf-8").replace("José".encode(), b"Jos\xe9")  # one Latin-1 byte in a UTF-8 file
    path = _write(tmp_path, "a.csv", data)
    with pytest.raises(InputError, match=r"a\.csv: line 4: bytes e9 are not valid utf-8"):
        read_accounts(path)


def test_a_wrong_encoding_option_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv", TEXT.replace("José Müller", "李娜").encode("gbk"))
    with pytest.raises(InputError, match="line 2: bytes .* are not valid utf-8"):
        read_accounts(path, encoding="utf-8")
    with pytest.raises(UsageError, match="unknown encoding"):
        read_accounts(path, encoding="no-such-codec")


def test_gzip_and_tsv(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv.gz", gzip.compress(TEXT.encode("gb18030")))
    assert _names(path)[0] == "王小明"
    tsv = _write(tmp_path, "a.tsv", TEXT.replace(",", "\t").encode("utf-16"))  # Excel's "Unicode text"
    assert _names(tsv)[1] == "美国国家民主基金会"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"\n\n", "the file is empty"),
    (b"account_id,name\nA1,x\n", "line 1: missing required column.*subject_type"),
    (b"account_id,subject_type,name\nA1,person,ok\nA2,person\n", "line 3: 2 fields where the header has 3"),
    (b"account_id,subject_type,name\nA1,person,ok\nA2,person,x,y\n", "line 3: 4 fields where the header has 3"),
    (b'account_id,subject_type,name\nA1,person,"open quote\n', "line 2: "),
])
def test_structure_errors_name_the_file_and_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = _write(tmp_path, "bad.csv", content)
    with pytest.raises(InputError, match=message) as error:
        read_accounts(path)
    assert str(path) in str(error.value)


def test_a_broken_json_line_is_refused_or_set_aside(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.jsonl", b'{"account_id": "A1", "subject_type": "person", "name": "Li Na"}\n\n'
                                      b'{"account_id": "A2", "subject_type": \n'
                                      b'["not", "an", "object"]\n'
                                      b'{"account_id": "A4", "subject_type": "person", "name": "Wang Fang", "phone": 138}\n')
    with pytest.raises(InputError, match=r"a\.jsonl: line 3: not valid JSON .*\(1 more bad lines\)"):
        read_accounts(path)
    result = read_accounts(path, bad_lines="quarantine")
    assert result.accounts.select("account_id", "line").rows() == [("A1", 1), ("A4", 5)]
    assert result.accounts["phone"].to_list() == [None, "138"]
    assert result.bad_lines["line"].to_list() == [3, 4]
    assert result.unscreenable().rows() == [(None, 3, result.unscreenable()["reason"][0]),
                                            (None, 4, "line not read: not a JSON object")]


def test_bad_csv_lines_set_aside_with_their_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv", b'account_id,subject_type,name\nA1,person,"Li\nNa"\n\nA2,person\nA3,person,Wang Fang\n'
                                     b"A4,person,x,y\n")
    result = read_accounts(path, bad_lines="quarantine")
    assert result.accounts.select("account_id", "name", "line").rows() == [("A1", "Li Na", 2), ("A3", "Wang Fang", 6)]
    assert result.bad_lines.rows() == [(5, "2 fields where the header has 3"), (7, "4 fields where the header has 3")]
    assert result.unscreenable()["line"].to_list() == [5, 7]


def test_line_numbers_on_the_fast_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv", TEXT.encode())
    assert read_accounts(path).accounts["line"].to_list() == [2, 3, 4]
    parquet = tmp_path / "a.parquet"
    pl.read_csv(path).write_parquet(parquet)
    assert read_accounts(parquet).accounts["line"].to_list() == [1, 2, 3]


def test_unsupported_or_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported account file type"):
        read_accounts(_write(tmp_path, "a.xlsx", b"PK"))
    with pytest.raises(InputError, match="no such file"):
        read_accounts(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        read_accounts(_write(tmp_path, "a.parquet", b"not parquet"))


@pytest.mark.parametrize("quoted", [False, True], ids=["unquoted", "quoted"])
def test_both_csv_paths_agree(tmp_path: Path, quoted: bool) -> None:
    """Without quote characters fields are counted vectorised; with them the csv module reads the records."""
    name = '"Wang, Fang"' if quoted else "Wang Fang"
    path = _write(tmp_path, "a.csv", f"account_id,subject_type,name\r\nA1,person,Li Na\r\n\r\nA2,person\r\n"
                                     f"A3,person,{name}\r\nA4,person,x,y\r\n".encode())
    result = read_accounts(path, bad_lines="quarantine")
    assert result.accounts.select("account_id", "line").rows() == [("A1", 2), ("A3", 5)]
    assert result.accounts["name"].to_list() == ["Li Na", "Wang, Fang" if quoted else "Wang Fang"]
    assert result.bad_lines.rows() == [(4, "2 fields where the header has 3"), (6, "4 fields where the header has 3")]


def test_a_large_gbk_file_is_not_taken_for_damaged_utf8(tmp_path: Path) -> None:
    """Some GBK byte pairs are also well-formed UTF-8 (张伟 = d5 c5 ce b0, and ce b0 is UTF-8): only a file
    whose non-ASCII bytes are almost all UTF-8 is treated as damaged UTF-8."""
    rows = "".join(f"A{i},person,张伟,Zhang Wei\n" for i in range(2000))
    path = _write(tmp_path, "a.csv", ("account_id,subject_type,name,name_latin\n" + rows).encode("gbk"))
    result = read_accounts(path)
    assert result.encoding == "gb18030 (detected)" and set(result.accounts["name"]) == {"张伟"}


def test_a_small_utf8_file_with_one_stray_byte_is_refused_not_read_as_windows_1252(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv", "account_id,subject_type,name\nA1,person,José Müller\n".encode()
                  + b"A2,person,Jos\xe9\n")
    with pytest.raises(InputError, match="line 3: bytes e9 are not valid utf-8"):
        read_accounts(path)
    latin1 = _write(tmp_path, "b.csv", "account_id,subject_type,name\nA1,person,José Müller\n".encode("cp1252"))
    assert _names(latin1) == ["José Müller"]
