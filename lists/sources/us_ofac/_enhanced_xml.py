"""The Enhanced XML of OFAC's Consolidated list (`CONS_ENHANCED.ZIP` holding `CONS_ENHANCED.XML`). It says
more than the CSV: names per script (Cyrillic, Chinese…), low-quality aliases flagged, dates of birth as
intervals, typed documents and countries with ISO codes, and the publication date (`dataAsOf`)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from lists.model import Address, BirthDate, ListEntry, Name, ParsedList, Quarantined
from lists.parsing import ListFormatError, clean, parse_birth_date, parse_date, read_bytes, span_precision
from lists.sources.us_ofac import REGIME
from lists.sources.us_ofac._fields import (
    add_country,
    add_country_text,
    add_identifier,
    birth_country,
    country_code,
    identifier_for,
)
from lists.sources.us_ofac.lookups import (
    ADDRESS_PARTS,
    ALIAS_TYPES,
    COUNTRY_FEATURES,
    ENTITY_TYPES,
    ID_TYPES,
    INFO_FEATURE_PREFIXES,
    INFO_FEATURES,
    SCRIPTS,
)
from lists.xmlparse import parse_xml, xml_texts

ENHANCED_ROOT = "sanctionsData"


def parse_enhanced(path: Path) -> ParsedList:
    """Parse the Enhanced XML (zipped as published, or bare)."""
    root = _xml_root(path)
    reader = _Reader(root)
    return reader.read()


def _xml_root(path: Path) -> etree._Element:
    data = read_bytes(path)
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".xml")]
            if len(members) != 1:
                raise ListFormatError(f"{path.name}: expected one XML file in the zip, found {members or 'none'}")
            data = archive.read(members[0])
    root = parse_xml(data, path.name)
    if etree.QName(root).localname != ENHANCED_ROOT:
        raise ListFormatError(f"{path.name}: root element is {etree.QName(root).localname!r}, expected {ENHANCED_ROOT!r}")
    return root


@dataclass
class _Reader:
    """Walks one Enhanced XML document; holds its namespace and code tables while it reads."""

    root: etree._Element

    def __post_init__(self) -> None:
        self.ns = {"o": etree.QName(self.root).namespace or ""}
        self.quarantine: list[Quarantined] = []
        self.iso_codes: dict[str, str] = {}
        for ref in self.root.iterfind("o:referenceValues/o:referenceValue", self.ns):
            iso = clean(self._text(ref, "o:isoCode"))
            if self._text(ref, "o:type") == "COUNTRY" and iso:
                self.iso_codes[ref.get("refId", "")] = iso.upper()

    def read(self) -> ParsedList:
        entities = self.root.find("o:entities", self.ns)
        if entities is None:
            raise ListFormatError("Enhanced XML without an <entities> element")
        entries: dict[str, ListEntry] = {}
        for element in entities.iterfind("o:entity", self.ns):
            entry = self._entry(element)
            if entry is None:
                continue
            if entry.source_id in entries:
                self._hold(f"duplicate entity id {entry.source_id}", element, entry.source_id)
                continue
            entries[entry.source_id] = entry
        as_of = parse_date(self._text(self.root, "o:publicationInfo/o:dataAsOf"))
        return ParsedList(entries=list(entries.values()), publisher_date=as_of, quarantine=self.quarantine)

    # entity ------------------------------------------------------------------------------------

    def _entry(self, element: etree._Element) -> ListEntry | None:
        entity_id = clean(element.get("id"))
        if entity_id is None:
            self._hold("entity without an id", element)
            return None
        entity_type = self._text(element, "o:generalInfo/o:entityType")
        subject_type = ENTITY_TYPES.get(entity_type or "")
        if subject_type is None:
            self._hold(f"unknown entityType {entity_type!r}", element, entity_id)
            return None
        names = self._names(element, entity_id)
        primary = next((n for n in names if n.name_type == "primary"), None)
        if primary is None:
            self._hold("entity without a primary name", element, entity_id)
            return None
        entry = ListEntry(
            source_id=entity_id,
            subject_type=subject_type,  # type: ignore[arg-type]
            primary_name=primary.name,
            names=names,
            programs=xml_texts(element, "o:sanctionsPrograms/o:sanctionsProgram", self.ns),
            regime=REGIME,
            listed_on=self._listed_on(element),
            remarks=clean(self._text(element, "o:generalInfo/o:remarks")),
        )
        for feature in element.iterfind("o:features/o:feature", self.ns):
            self._apply_feature(entry, feature)
        for document in element.iterfind("o:identityDocuments/o:identityDocument", self.ns):
            self._apply_document(entry, document)
        for address in element.iterfind("o:addresses/o:address", self.ns):
            self._apply_address(entry, address)
        return entry

    def _listed_on(self, element: etree._Element) -> dt.date | None:
        """The earliest date any of the entity's lists published it."""
        lists = element.iterfind("o:sanctionsLists/o:sanctionsList", self.ns)
        dates = [parse_date(e.get("datePublished")) for e in lists]
        known = [d for d in dates if d is not None]
        return min(known) if known else None

    # names -------------------------------------------------------------------------------------

    def _names(self, element: etree._Element, entity_id: str) -> list[Name]:
        """Every translation of every name; the primary name's other-script forms are `original_script`."""
        names: list[Name] = []
        for name_el in element.iterfind("o:names/o:name", self.ns):
            is_primary = self._flag(name_el, "o:isPrimary")
            alias_type = self._text(name_el, "o:aliasType")
            if is_primary:
                name_type = "primary"
            elif alias_type in ALIAS_TYPES:
                name_type = ALIAS_TYPES[alias_type]
            else:
                self._hold(f"unknown aliasType {alias_type!r}", name_el, entity_id)
                continue
            quality = "weak" if self._flag(name_el, "o:isLowQuality") else "strong"
            for translation in name_el.iterfind("o:translations/o:translation", self.ns):
                script_name = self._text(translation, "o:script")
                script = SCRIPTS.get(script_name or "")
                if script is None:
                    self._hold(f"unknown name script {script_name!r}", translation, entity_id)
                    continue
                text = self._full_name(translation)
                if text is None:
                    self._hold("name translation without a name", translation, entity_id)
                    continue
                translated_type = name_type
                if name_type == "primary" and not self._flag(translation, "o:isPrimary"):
                    translated_type = "original_script"
                names.append(Name(text, translated_type, quality, script))  # type: ignore[arg-type]
        return names

    def _full_name(self, translation: etree._Element) -> str | None:
        full = clean(self._text(translation, "o:formattedFullName"))
        if full is not None:
            return full
        parts = [clean(p.text) for p in translation.iterfind("o:nameParts/o:namePart/o:value", self.ns)]
        return clean(" ".join(p for p in parts if p))

    # features, documents, addresses -------------------------------------------------------------

    def _apply_feature(self, entry: ListEntry, feature: etree._Element) -> None:
        feature_type = clean(self._text(feature, "o:type")) or ""
        value = clean(self._text(feature, "o:value"))
        if feature_type == "Birthdate":
            birth_date = self._birth_date(feature, value)
            if birth_date is None:
                self._hold("unreadable Birthdate feature", feature, entry.source_id)
            elif birth_date not in entry.birth_dates:
                entry.birth_dates.append(birth_date)
        elif feature_type == "Place of Birth":
            code = birth_country(value) if value else None
            if code is not None:
                add_country(entry, code, "birth")
        elif feature_type in COUNTRY_FEATURES:
            self._add_country_ref(entry, self._text(feature, "o:valueRefId"), value, COUNTRY_FEATURES[feature_type])
        elif feature_type in ID_TYPES:
            if value:
                identifier = identifier_for(feature_type, value, None, entry.subject_type)
                if identifier is not None:
                    add_identifier(entry, identifier)
        elif feature_type not in INFO_FEATURES and not feature_type.startswith(INFO_FEATURE_PREFIXES):
            self._hold(f"unmapped feature type {feature_type!r}; left out", feature, entry.source_id)

    def _birth_date(self, feature: etree._Element, value: str | None) -> BirthDate | None:
        """The published interval (valueDate) with its flags; the text form when there is none."""
        when = feature.find("o:valueDate", self.ns)
        if when is None:
            return parse_birth_date(value)
        start = parse_date(self._text(when, "o:fromDateBegin"))
        end = parse_date(self._text(when, "o:toDateEnd"))
        if start is None or end is None or end < start:
            return parse_birth_date(value)
        if start == end:
            precision = "exact"
        else:
            precision = span_precision(start, end)
        if self._flag(when, "o:isApproximate") and precision != "range":
            precision = "approximate"
        text = value or f"{start.isoformat()}/{end.isoformat()}"
        return BirthDate(start, end, precision, text)  # type: ignore[arg-type]

    def _apply_document(self, entry: ListEntry, document: etree._Element) -> None:
        doc_type = clean(self._text(document, "o:type")) or ""
        number = clean(self._text(document, "o:documentNumber"))
        if doc_type not in ID_TYPES:
            self._hold(f"unknown identityDocument type {doc_type!r}", document, entry.source_id)
            return
        if number is None:
            self._hold("identityDocument without a number", document, entry.source_id)
            return
        issuer = document.find("o:issuingCountry", self.ns)
        country = None
        if issuer is not None:
            country = self.iso_codes.get(issuer.get("refId", "")) or country_code(issuer.text or "")
        identifier = identifier_for(doc_type, number, country, entry.subject_type)
        if identifier is not None:
            add_identifier(entry, identifier)

    def _apply_address(self, entry: ListEntry, address: etree._Element) -> None:
        country_el = address.find("o:country", self.ns)
        country_name = clean(country_el.text) if country_el is not None else None
        code = None
        if country_el is not None:
            code = self._add_country_ref(entry, country_el.get("refId"), country_name, "address")
        translations = address.findall("o:translations/o:translation", self.ns)
        for translation in translations or [address]:
            parts: dict[str, str] = {}
            for part in translation.iterfind("o:addressParts/o:addressPart", self.ns):
                part_type = clean(self._text(part, "o:type")) or ""
                part_value = clean(self._text(part, "o:value"))
                if part_type not in ADDRESS_PARTS:
                    self._hold(f"unknown address part type {part_type!r}; left out", part, entry.source_id)
                elif part_value:
                    parts[part_type] = part_value
            text_parts = [parts[k] for k in ADDRESS_PARTS if k in parts] + ([country_name] if country_name else [])
            if not text_parts:
                continue  # an empty address record, as OFAC writes for parties without one
            item = Address(", ".join(text_parts), parts.get("CITY"), code)
            if item not in entry.addresses:
                entry.addresses.append(item)

    def _add_country_ref(self, entry: ListEntry, ref_id: str | None, name: str | None, role: str) -> str | None:
        """A country by the file's own code table (refId -> isoCode), else by its name."""
        code = self.iso_codes.get(ref_id or "")
        if code is not None:
            add_country(entry, code, role)
            return code
        if name:
            return add_country_text(entry, name, role, self.quarantine)
        return None

    # small helpers -----------------------------------------------------------------------------

    def _text(self, element: etree._Element, path: str) -> str | None:
        return element.findtext(path, namespaces=self.ns)

    def _flag(self, element: etree._Element, path: str) -> bool:
        return (self._text(element, path) or "").strip().lower() == "true"

    def _hold(self, reason: str, element: etree._Element, source_id: str | None = None) -> None:
        raw = etree.tostring(element, encoding="unicode")
        self.quarantine.append(Quarantined(reason, raw[:4000], source_id))
