"""The helpers the XML adapters share (lists/xmlparse.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from lxml import etree

from lists.model import Quarantined
from lists.parsing import ListFormatError
from lists.xmlparse import EntryNotes, parse_xml, raw_xml, read_xml, xml_text, xml_texts


def test_read_xml_reads_plain_and_gzipped_files(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text("<LIST><X/></LIST>")
    (tmp_path / "b.xml.gz").write_bytes(gzip.compress(b"<LIST/>"))
    assert read_xml(tmp_path / "a.xml", "Test list", "LIST")[0].tag == "X"
    assert read_xml(tmp_path / "b.xml.gz", "Test list", "LIST").tag == "LIST"


def test_read_xml_refuses_broken_xml_and_other_roots(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text("<LIST><X></LIST>")
    with pytest.raises(ListFormatError, match="Test list: a.xml is not well-formed XML"):
        read_xml(path, "Test list", "LIST")
    path.write_text("<OTHER/>")
    with pytest.raises(ListFormatError, match="Test list: root element is <OTHER>, expected <LIST>$"):
        read_xml(path, "Test list", "LIST")
    path.write_text('<export xmlns="urn:other"/>')
    with pytest.raises(ListFormatError, match="root element is <{urn:other}export>, expected <export> in namespace urn:x"):
        read_xml(path, "Test list", "{urn:x}export")


def test_parse_xml_does_not_expand_entities() -> None:
    doc = b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>'
    assert "root:" not in etree.tostring(parse_xml(doc, "doc"), encoding="unicode")


def test_texts_and_raw() -> None:
    el = parse_xml(b"<R><N> a  b </N><N/><N>c</N><V>x</V></R>\n", "doc")
    assert xml_text(el, "N") == "a b"
    assert xml_text(el, "MISSING") is None
    assert xml_texts(el, "N") == ["a b", "c"]
    assert raw_xml(el[3]) == "<V>x</V>"


def test_entry_notes_file_problems_under_the_entry() -> None:
    quarantine: list[Quarantined] = []
    notes = EntryNotes("QDi.001", quarantine, not_a_country=frozenset({"na"}))
    el = parse_xml(b"<COUNTRY>Atlantis</COUNTRY>", "doc")
    assert notes.country("Iran", el, "nationality") == "IR"
    assert notes.country("NA", el, "nationality") is None  # the list's "not available" marker
    assert notes.country(None, el, "birth") is None
    assert notes.country("Atlantis", el, "birth") is None
    assert quarantine == [
        Quarantined("unrecognised birth country 'Atlantis'", "<COUNTRY>Atlantis</COUNTRY>", "QDi.001")
    ]
