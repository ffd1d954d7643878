"""Which writing system a name is in (ISO 15924), from the Unicode character names: the one script
detector, for the list adapters and the matcher alike (a base module: `lists/` may import it).

Lists publish names in their original script (UN `NAME_ORIGINAL_SCRIPT`, EU `nameAlias` in AR/FA/RU…,
UK `NameNonLatinScript`) without saying which script; matching and review need to know. Two views of
the same per-letter table (`char_script`):

- `detect_script` (stored as `list_names.script`): the dominant script of the letters, with the usual
  mixes (Han + kana = Japanese, Han + Hangul = Korean). Han text is told apart as Simplified (`Hans`) or
  Traditional (`Hant`) with OpenCC where the characters decide it, else `Hani`.
- `non_latin_script` (the matcher): the script of the first letter that is not Latin, so any non-Latin
  writing in a mixed name counts (`李 John` is a Han name for the pinyin rules).

Letters whose Unicode name names no script (MODIFIER LETTER ʻ, MICRO SIGN) count for neither; full-width
and other compatibility Latin letters are Latin.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

# First word(s) of a Unicode character name -> ISO 15924 code. Looked up token by token, so
# "FULLWIDTH LATIN CAPITAL LETTER A" and "ARABIC LETTER FARSI YEH" are found too.
SCRIPT_WORDS: dict[str, str] = {
    "LATIN": "Latn",
    "ARABIC": "Arab",
    "CYRILLIC": "Cyrl",
    "GREEK": "Grek",
    "HEBREW": "Hebr",
    "ARMENIAN": "Armn",
    "GEORGIAN": "Geor",
    "SYRIAC": "Syrc",
    "THAANA": "Thaa",
    "DEVANAGARI": "Deva",
    "BENGALI": "Beng",
    "GURMUKHI": "Guru",
    "GUJARATI": "Gujr",
    "ORIYA": "Orya",
    "TAMIL": "Taml",
    "TELUGU": "Telu",
    "KANNADA": "Knda",
    "MALAYALAM": "Mlym",
    "SINHALA": "Sinh",
    "THAI": "Thai",
    "LAO": "Laoo",
    "TIBETAN": "Tibt",
    "MYANMAR": "Mymr",
    "KHMER": "Khmr",
    "MONGOLIAN": "Mong",
    "ETHIOPIC": "Ethi",
    "HANGUL": "Hang",
    "HIRAGANA": "Hira",
    "KATAKANA": "Kana",
    "CJK": "Hani",
    "BOPOMOFO": "Bopo",
}


@lru_cache(maxsize=8192)
def char_script(char: str) -> str | None:
    """The ISO 15924 code of one character's script, or None (not a letter of a known script)."""
    name = unicodedata.name(char, "")
    for token in name.replace("-", " ").split()[:3]:
        script = SCRIPT_WORDS.get(token)
        if script is not None:
            return script
    return None


def detect_script(text: str | None) -> str | None:
    """The ISO 15924 code of the script `text` is written in, or None when it holds no letters."""
    if not text:
        return None
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            script = char_script(char)
            if script is not None:
                counts[script] += 1
    if not counts:
        return None
    if "Hani" in counts and ("Hira" in counts or "Kana" in counts):
        return "Jpan"
    if "Hang" in counts and "Hani" in counts:
        return "Kore"
    script = counts.most_common(1)[0][0]
    if script in ("Hira", "Kana"):
        return "Jpan"
    if script == "Hani":
        return _han_variant(text)
    return script


def non_latin_script(text: str) -> str | None:
    """The script of the first letter that is not Latin (`Hani` for any Han, `Hira`/`Kana` for kana), or
    None when every letter is Latin (or of no known script)."""
    if text.isascii():
        return None
    for char in text:
        if char.isascii() or not char.isalpha():
            continue
        script = char_script(char)
        if script is not None and script != "Latn":
            return script
    return None


@lru_cache(maxsize=1)
def _converters() -> tuple[object, object] | None:
    try:
        import opencc
    except ImportError:  # pragma: no cover - OpenCC is a declared dependency
        return None
    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def _han_variant(text: str) -> str:
    """`Hans` or `Hant` when converting the text one way changes it and the other way does not."""
    converters = _converters()
    if converters is None:  # pragma: no cover
        return "Hani"
    t2s, s2t = converters
    as_simplified = t2s.convert(text)  # type: ignore[attr-defined]
    as_traditional = s2t.convert(text)  # type: ignore[attr-defined]
    if as_simplified == text and as_traditional != text:
        return "Hans"
    if as_traditional == text and as_simplified != text:
        return "Hant"
    return "Hani"
