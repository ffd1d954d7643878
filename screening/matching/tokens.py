"""Token vocabulary and the token-pair similarity rule of the name alignment.

Every token the matcher sees gets an integer id and a row of attributes (length, weight class,
phonetic key, digits, script), computed once per distinct token, never per candidate pair. The
similarity of two tokens is computed for distinct token-id pairs only, with rapidfuzz `cpdist`.
"""

from __future__ import annotations

import csv
import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable, Sequence

import numpy as np
import polars as pl
import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA, Prefix

from screening.matching.config import MatchConfig

RESOURCES = resources.files("screening") / "resources" / "matching"

PARTICLE = 1
GENERIC = 2


@functools.cache
def particles_data() -> dict:
    """particles.yml, parsed once per process (libyaml's loader where PyYAML has it)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((RESOURCES / "particles.yml").read_text(encoding="utf-8"), Loader=loader)


@functools.cache
def _particles() -> dict[str, int]:
    data = particles_data()
    generic = data.get("generic", [])
    # a generic word cut at a field length ("JOINT STOCK COMPAN") is still a generic word
    table = {g[:n]: GENERIC for g in generic if len(g) >= 6 for n in range(5, len(g))}
    table.update({t: GENERIC for t in generic})
    table.update({t: PARTICLE for t in data.get("particles", [])})
    return table


@functools.cache
def patronymic_connectors() -> frozenset[str]:
    """Connectors of an Arabic / Maghrebi name chain (bin, ben, ould): "X bin Y" names X, child of Y."""
    data = particles_data()
    return frozenset(data.get("patronymic", []))


@functools.cache
def name_markers() -> frozenset[str]:
    """Particles that announce another name (abu, umm, bin …): Abu Al-Ward is not just Ward."""
    data = particles_data()
    return frozenset(data.get("markers", []))


@functools.cache
def descriptive_generic_words() -> frozenset[str]:
    """Generic organisation words that say what a company does (institute, systems, shipping), not how it
    is constituted (group, holding, ltd): particles.yml `generic` less `structural`."""
    data = particles_data()
    return frozenset(data.get("generic", [])) - frozenset(data.get("structural", []))


@functools.cache
def abbreviable_words() -> frozenset[str]:
    """Company words organisation names shorten to their first letters (Dev, Inv, Eng): particles.yml
    `abbreviable`."""
    data = particles_data()
    return frozenset(data.get("abbreviable", []))


@functools.cache
def affix_words() -> frozenset[str]:
    """Words of legal forms and titles (obshchestvo, limited, gmbh; haji, sheikh): left over when a legal
    form or a title is moved or cut where the normaliser does not strip it. A legal abbreviation of consonants
    with two letters swapped (JCS for JSC, LDT for LTD) is one too: the normaliser does not strip a mistyped
    one, and no name is spelt so."""
    data = particles_data()
    legal = frozenset(data.get("legal", []))
    swapped = {w[:i] + w[i + 1] + w[i] + w[i + 2:] for w in legal if 3 <= len(w) <= 5 and not _VOWEL_RE.search(w)
               for i in range(len(w) - 1)}
    return legal | swapped | frozenset(data.get("title", []))


_VOWEL_RE = re.compile("[aeiouy]")


@functools.cache
def particle_pairs() -> frozenset[tuple[str, str]]:
    """Spellings of one name particle (al / el / ul, abu / abo, bin / ibn), both directions."""
    data = particles_data()
    return frozenset((a, b) for group in data.get("equivalent", []) for a in group for b in group if a != b)


@functools.cache
def wade_giles_words() -> frozenset[str]:
    """Wade-Giles syllables as tokens (hsu, tzu, chih): Chinese syllables of their own."""
    from screening.normalize.wadegiles import loose_syllables

    return loose_syllables()


@functools.cache
def chinese_surname_words() -> frozenset[str]:
    """Chinese surnames as written in Latin letters: pinyin and the romanisations lists use (chen, chan, tan;
    huang, wong): one such surname spelt a letter from another is another surname (Cheng / Chen)."""
    from screening.normalize.chinese import surname_table

    readings, variants = surname_table()
    return frozenset(r for r in readings.values() if " " not in r) | frozenset(variants)


def place_words() -> frozenset[str]:
    """Chinese place names as tokens (zhejiang, hangzhou): where a company is registered, optional in its name."""
    from screening.normalize.chinese_org import place_tokens

    return place_tokens()


def is_particle(token: str) -> bool:
    """A name particle or generic organisation word (particles.yml)."""
    return token in _particles()


@functools.cache
def nickname_pairs() -> frozenset[tuple[str, str]]:
    """Given name ↔ nickname pairs (both directions), from the bundled nicknames table."""
    pairs: set[tuple[str, str]] = set()
    with (RESOURCES / "nicknames.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            a, b = row["name1"].strip().lower(), row["name2"].strip().lower()
            if a and b and a != b:
                pairs.add((a, b))
                pairs.add((b, a))
    # diminutives of Slavic given names (Sasha = Aleksandr), kept as data beside the English table
    for row in _csv_rows("diminutives.csv"):
        for a in row["full"].split():
            for b in row["diminutive"].split():
                pairs.update({(a, b), (b, a)})
    return frozenset(pairs)


@functools.cache
def given_names() -> frozenset[str]:
    """Given names and their nicknames (the nickname and diminutive tables)."""
    return frozenset(a for a, _ in nickname_pairs())


def _csv_rows(name: str) -> list[dict[str, str]]:
    """Rows of a bundled CSV table; lines starting with '#' are its provenance notes."""
    lines = (RESOURCES / name).read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader(line for line in lines if line and not line.startswith("#")))


@functools.cache
def variant_pairs() -> frozenset[tuple[str, str]]:
    """Romanisation variants of one name (Muhammad / Mohammed / Mehmet; Wang / Wong), both directions."""
    from anyascii import anyascii

    pairs: set[tuple[str, str]] = set()
    folder = RESOURCES / "name_variants"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        # Chinese romanisations come from the normaliser's variant forms (Wade-Giles, Cantonese …);
        # as token equivalences they would pair every Chen with every Tan
        if not item.name.endswith(".json") or item.name.startswith("chinese_"):
            continue
        data = json.loads(item.read_text(encoding="utf-8"))
        for table in data.values():
            for entry in table.values():
                forms = {re.sub(r"[^a-z]", "", anyascii(f).lower()) for f in entry.get("forms", [])}
                forms = sorted(f for f in forms if len(f) >= 2)
                pairs.update((a, b) for a in forms for b in forms if a != b)
    # spellings of Arabic given names seen on the lists (Tarek / Tariq, Azeez / Aziz, Sayed / Said)
    for row in _csv_rows("given_name_variants.csv"):
        forms = row["spellings"].split()
        pairs.update((a, b) for a in forms for b in forms if a != b)
    return frozenset(pairs)


@functools.cache
def common_tokens() -> dict[str, int]:
    """token → number of distinct list names holding it (bundled table, see write_token_stats)."""
    lines = (RESOURCES / "common_tokens.csv").read_text(encoding="utf-8").splitlines()
    rows = [ln for ln in lines if ln and not ln.startswith("#")][1:]
    return {t: int(d) for t, d in (r.rsplit(",", 1) for r in rows)}


def write_token_stats(index: "object", path) -> int:
    """Regenerate the common-token table from a loaded ListIndex (run on the bundled snapshot)."""
    from pathlib import Path

    counts = np.diff(index.token_units.offsets)
    rows = sorted(((int(c), t) for t, c in zip(index.vocab.table.text.tolist(), counts) if c >= 5),
                  key=lambda r: (-r[0], r[1]))
    sources = ", ".join(f"{r['source']} {r['publisher_date']}" for r in index.versions.to_dicts())
    with Path(path).open("w", encoding="utf-8") as fh:
        fh.write("# Name tokens common on the sanctions lists: df = distinct normalised list names holding the token.\n")
        fh.write("# Common tokens weigh less in the alignment (MatchConfig.common_*). Generated by\n")
        fh.write(f"# screening.matching.tokens.write_token_stats from the bundled snapshot lists: {sources}.\n")
        fh.write("token,df\n")
        for c, t in rows:
            fh.write(f"{t},{c}\n")
    return len(rows)


@functools.cache
def _syllables() -> frozenset[str]:
    lines = (RESOURCES / "pinyin_syllables.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip() for x in lines if x.strip() and not x.startswith("#"))


@functools.lru_cache(maxsize=200_000)
def is_pinyin(token: str) -> bool:
    """The token is one or more pinyin syllables run together (wang, jianhua, xiaoming)."""
    if not token or not token.isascii() or not token.isalpha() or len(token) > 18:
        return False
    syllables = _syllables()
    ok = [True] + [False] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 6), end):
            if ok[start] and token[start:end] in syllables:
                ok[end] = True
                break
    return ok[-1]


# Syllables of interjections, never of names: a token read through them is not a Chinese name ("salim").
_NON_NAME_SYLLABLES = frozenset({"m", "n", "ng", "hm", "hng", "r"})


@functools.cache
def pinyin_syllables() -> frozenset[str]:
    """Pinyin syllables that can be a character of a name (interjections left out)."""
    return _syllables() - _NON_NAME_SYLLABLES


@functools.lru_cache(maxsize=200_000)
def is_chinese_name_token(token: str) -> bool:
    """The token can be a Chinese surname or given name in pinyin: one or two syllables run together
    (wang, jianhua), none of them an interjection. Longer pinyin-looking tokens (hawala, roumanin) are
    names of other languages."""
    if not is_pinyin(token) or len(token) > 12:
        return False
    syllables = _syllables() - _NON_NAME_SYLLABLES
    n = len(token)
    return token in syllables or any(token[:i] in syllables and token[i:] in syllables for i in range(1, n))


# Han, Kana and Hangul characters: one of them carries the information of several letters
_CJK_RE = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]")
_ASCII_LETTER_RE = re.compile("[a-z]")


def has_cjk(token: str) -> bool:
    """The token holds a Han, Kana or Hangul character."""
    return _CJK_RE.search(token) is not None


_PHONETIC_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^hs", "s"), (r"^x", "s"), (r"x", "ks"),
        (r"tch|tsch|sch|sh|ch", "C"), (r"dzh|dj|zh|j", "J"),
        (r"kh", "h"), (r"gh", "g"), (r"ph", "f"), (r"th", "t"), (r"dh", "d"), (r"ck", "k"),
        (r"ts|tz", "s"), (r"q|c", "k"), (r"z", "s"), (r"w", "v"), (r"y", "i"),
        (r"h(?=[^aeiou]|$)", ""),
    )
)
_VOWELS = frozenset("aeiou")
_DOUBLED = re.compile(r"(.)\1+")
_OCR = str.maketrans("0123456789", "olzeasgtbg")


def ocr_fold(token: str) -> str:
    """Digits read as the letters they are mistaken for (0→o, 1→l, 5→s, 8→b …), for tokens that are
    mostly letters: "M0HAMMAD" is Mohammad; "747" stays a number."""
    digits = sum(ch.isdigit() for ch in token)
    if digits == 0 or digits * 2 > len(token):
        return token
    return token.translate(_OCR)


_NUMBER_RE = re.compile(r"\d\d|^\d+(?:st|nd|rd|th)$")


def is_number(token: str) -> bool:
    """A token that is a number: mostly digits (747), or holding two digits in a row or an ordinal (14th, 75nd,
    cetc13). One digit among letters is left to the OCR reading (L3HARR1S, C0LONEL)."""
    return bool(_DIGIT.search(token)) and (ocr_fold(token) == token or _NUMBER_RE.search(token) is not None)


def vowel_fold(token: str) -> str:
    """y read as i (Aly ~ Ali): short tokens are compared on this."""
    return token.replace("y", "i")


@functools.lru_cache(maxsize=200_000)
def phonetic_key(token: str) -> str | None:
    """A consonant skeleton shared by common transliteration variants (Mohammed / Muhammad / Mohamad).

    None for tokens that are too short, carry digits or are not Latin letters.
    """
    if len(token) < 3 or not token.isascii() or not token.isalpha():
        return None
    s = token
    for pattern, repl in _PHONETIC_RULES:
        s = pattern.sub(repl, s)
    out = [("A" if ch in _VOWELS else ch) if i == 0 else ch for i, ch in enumerate(s) if i == 0 or ch not in _VOWELS]
    key = "".join(ch for i, ch in enumerate(out) if i == 0 or ch != out[i - 1])
    consonants = sum(1 for ch in key if ch != "A")
    return key if consonants >= 2 else None


@functools.lru_cache(maxsize=200_000)
def phonetic_spelling(token: str) -> str:
    """The token with the transliteration digraphs of the phonetic key read alike (kh → h, sh → C, ph → f,
    q → k …) but its vowels kept: how far apart two spellings of one skeleton really are."""
    if _ASCII_LETTER_RE.search(token) is None:  # every rule reads Latin letters: a Han or Cyrillic token is as it is
        return token
    s = token
    for pattern, repl in _PHONETIC_RULES:
        s = pattern.sub(repl, s)
    return s


@dataclass(frozen=True)
class TokenTable:
    """Attributes of tokens, one row per token id."""

    text: np.ndarray  # object (str)
    nchars: np.ndarray  # int16: characters
    cjk: np.ndarray  # int16: CJK characters in it
    first: np.ndarray  # int32: code point of the first character
    digit: np.ndarray  # bool: carries a digit
    alpha: np.ndarray  # bool: letters only
    particle: np.ndarray  # int8: 0, PARTICLE or GENERIC
    phon: np.ndarray  # int64: phonetic key hash (0 = none)
    squeeze: np.ndarray  # int64: hash of the token with doubled letters collapsed
    pinyin: np.ndarray  # bool: one or more pinyin syllables
    cn_name: np.ndarray  # bool: one or two pinyin syllables that can be a Chinese name (is_chinese_name_token)
    df: np.ndarray  # int32: how many list names hold the token (bundled table; 0 = rare or unknown)
    ocr: np.ndarray  # object: the token with OCR digit confusions read as letters (else the token)
    folded: np.ndarray  # int64: hash of the vowel-folded token
    rn: np.ndarray  # bool: holds "rn", which OCR reads for "m"
    numbered: np.ndarray  # int64: hash of the token with each digit read as '#' (0 = no digit)
    sound: np.ndarray  # int64: hash of the token's consonants read alike, vowels kept (phonetic_spelling)
    number: np.ndarray  # int64: hash of the digits of a number (is_number: 747, 14th ~ 14, not L3HARR1S), else 0
    base: "TokenTable | None" = field(default=None, compare=False, repr=False)  # the table this one extends
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.text)

    @classmethod
    def build(cls, tokens: Sequence[str]) -> "TokenTable":
        particles = _particles()
        n = len(tokens)
        text = np.empty(n, dtype=object)
        text[:] = list(tokens)
        nchars = np.fromiter((len(t) for t in tokens), dtype=np.int16, count=n)
        cjk = np.fromiter((len(_CJK_RE.findall(t)) for t in tokens), dtype=np.int16, count=n)
        first = np.fromiter((ord(t[0]) if t else 0 for t in tokens), dtype=np.int32, count=n)
        digit = np.fromiter((any(ch.isdigit() for ch in t) and ocr_fold(t) == t for t in tokens), dtype=bool,
                            count=n)
        alpha = np.fromiter((t.isalpha() for t in tokens), dtype=bool, count=n)
        particle = np.fromiter((particles.get(t, 0) for t in tokens), dtype=np.int8, count=n)
        # the six hashed columns in one call: a lookup's few new tokens pay polars' per-call cost once
        phon, squeeze, folded, numbered, sound, number = stable_codes(
            [phonetic_key(t) for t in tokens] + [_DOUBLED.sub(r"\1", t) for t in tokens]
            + [vowel_fold(t) for t in tokens] + _numbered_shapes(tokens)
            + [phonetic_spelling(t) for t in tokens]
            + [_DIGITS.sub("", t) if is_number(t) else None for t in tokens]).reshape(6, n)
        pinyin = np.fromiter((is_pinyin(t) for t in tokens), dtype=bool, count=n)
        cn_name = np.fromiter((is_chinese_name_token(t) for t in tokens), dtype=bool, count=n)
        common = common_tokens()
        df = np.fromiter((common.get(t, 0) for t in tokens), dtype=np.int32, count=n)
        ocr = np.empty(n, dtype=object)
        ocr[:] = [ocr_fold(t) for t in tokens]
        rn = np.fromiter(("rn" in t for t in tokens), dtype=bool, count=n)
        return cls(text, nchars, cjk, first, digit, alpha, particle, phon, squeeze, pinyin, cn_name, df, ocr, folded,
                   rn, numbered, sound, number)

    @classmethod
    def concat(cls, a: "TokenTable", b: "TokenTable") -> "TokenTable":
        """`a` followed by `b`; remembers `a` so its weights are computed once. The string and hash-code
        columns (the widest; read only by gathers) are stacked views: a lookup's few new tokens do not
        copy them for the whole list vocabulary."""
        arrays = [_Stacked(getattr(a, f), getattr(b, f)) if f in _STACKED
                  else np.concatenate([getattr(a, f), getattr(b, f)]) for f in ARRAY_FIELDS]
        return cls(*arrays, base=a)

    def member(self, words: frozenset[str]) -> np.ndarray:
        """Per token id: the token is one of `words` (a particles.yml group). Cached per word set, so a
        lookup gathers from a mask instead of testing its candidates' tokens one by one."""
        key = ("member", words)
        mask = self._cache.get(key)
        if mask is None:
            if self.base is not None:
                tail = self.text[np.arange(len(self.base), len(self))].tolist()
                mask = np.concatenate([self.base.member(words),
                                       np.fromiter((t in words for t in tail), dtype=bool, count=len(tail))])
            else:
                mask = np.fromiter((t in words for t in self.text.tolist()), dtype=bool, count=len(self))
            self._cache[key] = mask
        return mask

    def weights(self, config: MatchConfig) -> np.ndarray:
        """Token weight: short tokens weigh less, particles and generic words much less, and tokens
        common on the lists (Mohammed, Ali, Trading) less than rare ones (Bustaji). Cached."""
        key = config.hash
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if self.base is not None:
            n = len(self.base)
            w = np.concatenate([self.base.weights(config), self._compute_weights(config, slice(n, None))])
        else:
            w = self._compute_weights(config, slice(None))
        self._cache[key] = w
        return w

    def _compute_weights(self, config: MatchConfig, part: slice) -> np.ndarray:
        nchars, cjk, particle, df = self.nchars[part], self.cjk[part], self.particle[part], self.df[part]
        length = (nchars - cjk) + cjk * config.cjk_char_len
        w = np.clip(length / config.full_weight_len, config.min_token_weight, 1.0).astype(np.float32)
        w[particle > 0] *= config.stopword_weight
        span = np.log(config.common_df_full / config.common_df_rare)
        rarity = np.clip(np.log(np.maximum(df, 1) / config.common_df_rare) / span, 0.0, 1.0)
        w *= (1.0 - (1.0 - config.common_token_weight) * rarity).astype(np.float32)
        return w


class _Stacked:
    """Two arrays read as one (indexing by int or int array), without concatenating them."""

    def __init__(self, head: "np.ndarray | _Stacked", tail: np.ndarray) -> None:
        self.head, self.tail, self.n, self.dtype = head, tail, len(head), head.dtype

    def __len__(self) -> int:
        return self.n + len(self.tail)

    def __getitem__(self, idx):  # type: ignore[no-untyped-def]
        if isinstance(idx, (int, np.integer)):
            return self.head[idx] if idx < self.n else self.tail[idx - self.n]
        idx = np.asarray(idx)
        low = idx < self.n
        if low.all():  # list tokens only: most gathers of a lookup
            return self.head[idx]
        out = np.empty(idx.shape, dtype=self.dtype)
        out[low] = self.head[idx[low]]
        out[~low] = self.tail[idx[~low] - self.n]
        return out


ARRAY_FIELDS = ("text", "nchars", "cjk", "first", "digit", "alpha", "particle", "phon", "squeeze", "pinyin", "cn_name",
                "df", "ocr", "folded", "rn", "numbered", "sound", "number")
# TokenTable.concat does not copy these
_STACKED = ("text", "ocr", "phon", "squeeze", "folded", "numbered", "sound", "number")
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\D+")  # what is not a digit (a number's value is its digits: 14th ~ 14)


_CODE_SEED = 0x5C12EE  # fixed: a code must mean the same in every process


def stable_codes(texts: Sequence[str | None]) -> np.ndarray:
    """Non-zero 63-bit codes of strings (0 for None), equal in every process.

    Python's `hash()` is salted per process, and token tables travel between processes (published index
    snapshots, Spark workers): a salted code compared with one made elsewhere matches nothing. polars'
    seeded hash is stable for a given polars version (the index snapshot records that version).
    """
    if not texts:
        return np.zeros(0, dtype=np.int64)
    series = pl.Series(texts, dtype=pl.String)
    codes = (series.hash(seed=_CODE_SEED).to_numpy() >> np.uint64(1)).astype(np.int64) | 1
    null = np.fromiter((t is None for t in texts), dtype=bool, count=len(texts))
    return np.where(null, 0, codes)


def _numbered_shapes(tokens: Sequence[str]) -> list[str | None]:
    """The token's shape with its digits blanked (None without digits, code 0): two different tokens of
    one shape differ only in their digits."""
    shapes = [_DIGIT.sub("#", t) for t in tokens]
    return [shape if shape != t else None for shape, t in zip(shapes, tokens)]


class Vocab:
    """Token ids of the list side (plus every nickname), immutable once built.

    Account-side tokens not in it get ids after the list vocabulary for one call only (`encode`), so
    many threads can share one Vocab.
    """

    def __init__(self, tokens: Iterable[str]) -> None:
        names = ({t for pair in nickname_pairs() for t in pair} | {t for pair in variant_pairs() for t in pair}
                 | {t for pair in particle_pairs() for t in pair})
        ordered = list(dict.fromkeys(list(tokens) + sorted(names)))
        self.ids: dict[str, int] = {t: i for i, t in enumerate(ordered)}
        self.table = TokenTable.build(ordered)
        codes = [self.ids[a] * (1 << 32) + self.ids[b] for a, b in nickname_pairs()]
        self.nick_codes = np.unique(np.asarray(codes, dtype=np.int64))
        codes = [self.ids[a] * (1 << 32) + self.ids[b] for a, b in variant_pairs()]
        self.variant_codes = np.unique(np.asarray(codes, dtype=np.int64))
        codes = [self.ids[a] * (1 << 32) + self.ids[b] for a, b in particle_pairs()]
        self.particle_codes = np.unique(np.asarray(codes, dtype=np.int64))

    @property
    def equivalents(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Code arrays of nickname, romanisation-variant and particle pairs (token_similarity)."""
        return self.nick_codes, self.variant_codes, self.particle_codes

    def __len__(self) -> int:
        return len(self.table)

    def encode(self, tokens: Sequence[str]) -> tuple[np.ndarray, TokenTable]:
        """Ids for `tokens` and the attribute table covering them (list vocabulary + new tokens)."""
        ids = np.empty(len(tokens), dtype=np.int32)
        extra: dict[str, int] = {}
        base = len(self.table)
        for i, t in enumerate(tokens):
            j = self.ids.get(t)
            if j is None:
                j = extra.get(t)
                if j is None:
                    j = extra[t] = base + len(extra)
            ids[i] = j
        if not extra:
            return ids, self.table
        return ids, TokenTable.concat(self.table, TokenTable.build(list(extra)))


def token_similarity(a: np.ndarray, b: np.ndarray, table: TokenTable, equivalents: tuple[np.ndarray, ...],
                     config: MatchConfig, workers: int = 1,
                     strict: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Similarity in [0, 1] of token pairs (a[i], b[i]); 0 means "not aligned".

    Returns (similarity, prefix): `prefix` marks pairs where the first token begins the second.
    `strict` (per pair): the account-side name was written in Han, so its romanisation is derived,
    not typed: two different pinyin tokens are two different names, never a typo (王伟 ≠ 王玮), and
    the nickname / romanisation-variant tables do not apply (dialect readings come from the
    normaliser's variant forms; the tables would pair every Li with every Yi).

    Rules, in order: equal → 1; edit similarity 1 - d / (len - edit_slack) with d the OSA distance
    (one edit in a short token weighs more); tokens with digits must be equal, and so must tokens
    that differ only in their digits (OCR digits facing letters aside); tokens of
    `short_token_len` letters or less must be equal, or read alike (c/k/q, s/z: `squeeze_sim`); an
    initial matches a token starting with it; the same phonetic key (when the spelling is not far off,
    `phonetic_gate`) or a nickname relation lifts the similarity; below `token_min_sim` → 0.
    """
    n = len(a)
    prefix = np.zeros(n, dtype=bool)
    if n == 0:
        return np.zeros(0, dtype=np.float32), prefix
    sim = np.zeros(n, dtype=np.float32)
    equal = a == b
    sim[equal] = 1.0
    todo = np.flatnonzero(~equal)
    if len(todo) == 0:
        return sim, prefix
    ta, tb = a[todo], b[todo]
    dist = process.cpdist(table.ocr[ta], table.ocr[tb], scorer=OSA.distance, workers=workers).astype(np.float32)
    # "rn" is read for "m" (Urnar ~ Umar): the closer of the two readings
    rn = np.flatnonzero(table.rn[ta] | table.rn[tb])
    if len(rn):
        ra = [str(x).replace("rn", "m") for x in table.ocr[ta[rn]]]
        rb = [str(x).replace("rn", "m") for x in table.ocr[tb[rn]]]
        dist[rn] = np.minimum(dist[rn], process.cpdist(ra, rb, scorer=OSA.distance, workers=workers))
    la, lb = table.nchars[ta], table.nchars[tb]
    longest = np.maximum(la, lb)
    # one edit costs more in a short token: 1 - d / (len - slack)
    s = np.clip(1.0 - dist / np.maximum(longest - config.edit_slack, 1.0), 0.0, 1.0).astype(np.float32)
    cjk = (table.cjk[ta] > 0) | (table.cjk[tb] > 0)
    # short tokens must be equal; read alike after OCR folding (BO8 ~ BOB) counts as equal
    short = (longest <= config.short_token_len) & ~cjk & (dist > 0)
    s[short] = 0.0
    # ...unless spelt with a letter of the same sound (NTC ~ NTK, TIZ ~ TIS: c/k/q, s/z), as a doubled letter
    # is one letter; never two Chinese syllables, pinyin or Wade-Giles (zi / si, xu / tzu are two characters:
    # a Wade-Giles name is read as pinyin by its own form)
    wade_giles = table.member(wade_giles_words())
    syllables = (table.pinyin[ta] | wade_giles[ta]) & (table.pinyin[tb] | wade_giles[tb])
    sound = short & (table.sound[ta] == table.sound[tb]) & ~syllables
    s[sound] = config.squeeze_sim
    # Han tokens of two characters differ in one character = a different name.
    s[cjk & (longest <= 2)] = 0.0
    folded = (table.folded[ta] == table.folded[tb]) & table.alpha[ta] & table.alpha[tb]
    s[folded] = np.maximum(s[folded], config.squeeze_sim)
    first_eq = table.first[ta] == table.first[tb]
    initial = ((la == 1) | (lb == 1)) & first_eq & table.alpha[ta] & table.alpha[tb] & ~cjk
    s[initial] = config.initial_sim
    squeezed = (table.squeeze[ta] == table.squeeze[tb]) & table.alpha[ta] & table.alpha[tb]
    s[squeezed] = np.maximum(s[squeezed], config.squeeze_sim)
    # one phonetic key lifts a pair whose spellings, digraphs read alike, are close (Mohamad ~ Mukhammad);
    # one skeleton also holds different names further apart (Hisham / Hashemi, Khaled / Khaludi)
    pa, pb = table.phon[ta], table.phon[tb]
    phon = np.flatnonzero((pa != 0) & (pa == pb) & (longest >= config.phonetic_min_len))
    if len(phon):
        ra = [phonetic_spelling(t) for t in table.text[ta[phon]]]
        rb = [phonetic_spelling(t) for t in table.text[tb[phon]]]
        rd = process.cpdist(ra, rb, scorer=OSA.distance, workers=workers)
        rl = np.maximum([len(x) for x in ra], [len(x) for x in rb])
        near = phon[1.0 - rd / np.maximum(rl - config.edit_slack, 1.0) >= config.phonetic_gate]
        s[near] = np.maximum(s[near], config.phonetic_sim)
    digits = table.digit[ta] | table.digit[tb]
    s[digits] = 0.0
    # the same token with other digits in the same places is another name (SOURCE1HERBS ≠ SOURCE9HERBS,
    # 14th ≠ 15th); a digit facing a letter is left to the OCR reading (L3HARR1S ~ L3HARRIS)
    renumbered = (table.numbered[ta] != 0) & (table.numbered[ta] == table.numbered[tb])
    s[renumbered] = 0.0
    if strict is not None:
        syllables = strict[todo] & table.pinyin[ta]
        s[syllables] = 0.0
    codes = ta.astype(np.int64) * (1 << 32) + tb.astype(np.int64)
    nick_codes, variant_codes, particle_codes = equivalents
    lenient = np.ones(len(todo), dtype=bool) if strict is None else ~strict[todo]
    if len(particle_codes):
        pos = np.minimum(np.searchsorted(particle_codes, codes), len(particle_codes) - 1)
        hit = (particle_codes[pos] == codes) & lenient
        s[hit] = np.maximum(s[hit], config.variant_sim)
    # equivalence tables speak of given names: never of generic words, and of short particles only when
    # the other token is a given name ("al" is no nickname of Albert, "Ben" is one of Benjamin)
    lenient &= (table.particle[ta] != GENERIC) & (table.particle[tb] != GENERIC)
    long_enough = (la >= 3) & (lb >= 3)
    no_particle = (table.particle[ta] == 0) & (table.particle[tb] == 0)
    one_particle = (table.particle[ta] == 0) | (table.particle[tb] == 0)
    # a two-letter nickname (Ed, Jo, Ab) counts when it is no particle ("Al" is the article too) and no
    # pinyin syllable (Lu, Si, Bo are Chinese names)
    short_nick = no_particle & ~(table.pinyin[ta] & (la < 3)) & ~(table.pinyin[tb] & (lb < 3))
    for known, value, ok in ((nick_codes, config.nickname_sim, lenient & ((long_enough & one_particle) | short_nick)),
                             (variant_codes, config.variant_sim, lenient & long_enough & no_particle)):
        if len(known):
            pos = np.minimum(np.searchsorted(known, codes), len(known) - 1)
            hit = (known[pos] == codes) & ok
            s[hit] = np.maximum(s[hit], value)
    s[s < config.token_min_sim] = 0.0
    sim[todo] = s
    # the first token begins the second (a cut-off last token: applied by the caller)
    shorter = np.flatnonzero((la >= 2) & (la < lb) & table.alpha[ta])
    if len(shorter):
        common = process.cpdist(table.text[ta[shorter]], table.text[tb[shorter]], scorer=Prefix.similarity,
                                workers=workers)
        prefix[todo[shorter]] = common == la[shorter]
    return sim, prefix
