"""The table of variation types: key → taxonomy item → expected outcome → generator."""

from __future__ import annotations

from screening.evaluation.variants.cultural import (
    gen_arabic_particles,
    gen_digit_changed,
    gen_digits_to_words,
    gen_gendered_surname,
    gen_homoglyph,
    gen_nickname,
    gen_phonetic,
    gen_title_honorific,
    gen_translit_arabic,
    gen_translit_cyrillic,
)
from screening.evaluation.variants.han import (
    gen_cantonese,
    gen_chinese_telegraph_code,
    gen_han_pinyin,
    gen_han_simplified_traditional,
    gen_pinyin_segmentation,
    gen_wade_giles,
)
from screening.evaluation.variants.model import Expected, Generator, VariationType
from screening.evaluation.variants.negatives import (
    gen_han_different_given,
    gen_near_miss_contradicting,
    gen_substring_trap,
)
from screening.evaluation.variants.normalisation import (
    gen_case,
    gen_diacritics,
    gen_exact,
    gen_fullwidth,
    gen_legal_form,
    gen_original_script,
    gen_punctuation,
    gen_zero_width,
)
from screening.evaluation.variants.record import (
    gen_dob_day_month_swapped,
    gen_dob_match,
    gen_dob_off_by_one,
    gen_entity_type_mismatch,
    gen_id_number,
    gen_weak_alias,
    gen_weak_alias_dob,
)
from screening.evaluation.variants.structure import (
    gen_comma_inverted,
    gen_drop_middle,
    gen_extra_token,
    gen_field_misalignment,
    gen_initials_given,
    gen_initials_middle,
    gen_org_abbreviation,
    gen_token_merge,
    gen_token_reorder,
    gen_token_split,
    gen_truncation,
)
from screening.evaluation.variants.typos import (
    gen_double_letter,
    gen_keyboard,
    gen_ocr,
    gen_transposition,
    gen_typo_edit1,
    gen_typo_edit2,
)


def _v(key: str, section: str, expected: Expected, strength: str, fn: Generator) -> VariationType:
    return VariationType(key, section, expected, strength, fn, (fn.__doc__ or "").strip())


VARIATIONS: tuple[VariationType, ...] = (
    # A. normalisation
    _v("exact", "A1", "must_hit", "exact", gen_exact),
    _v("original_script", "D21", "must_hit", "exact", gen_original_script),
    _v("case", "A2", "must_hit", "exact", gen_case),
    _v("punctuation_spacing", "A3", "must_hit", "exact", gen_punctuation),
    _v("diacritics", "A4", "must_hit", "strong", gen_diacritics),
    _v("fullwidth", "A5", "must_hit", "exact", gen_fullwidth),
    _v("zero_width", "A6", "must_hit", "exact", gen_zero_width),
    _v("legal_form", "A7", "must_hit", "strong", gen_legal_form),
    # B. typographic errors
    _v("typo_edit1", "B8", "should_hit", "strong", gen_typo_edit1),
    _v("typo_edit2", "B8", "should_hit", "moderate", gen_typo_edit2),
    _v("transposition", "B9", "should_hit", "strong", gen_transposition),
    _v("keyboard", "B9", "should_hit", "strong", gen_keyboard),
    _v("ocr", "B10", "should_hit", "moderate", gen_ocr),
    _v("double_letter", "B11", "should_hit", "strong", gen_double_letter),
    # C. structure
    _v("token_reorder", "C12", "must_hit", "strong", gen_token_reorder),
    _v("comma_inverted", "C12", "must_hit", "strong", gen_comma_inverted),
    _v("field_misalignment", "C18", "must_hit", "strong", gen_field_misalignment),
    _v("drop_middle", "C13", "should_hit", "moderate", gen_drop_middle),
    _v("extra_token", "C14", "should_hit", "moderate", gen_extra_token),
    _v("token_merge", "C15", "should_hit", "strong", gen_token_merge),
    _v("token_split", "C15", "should_hit", "strong", gen_token_split),
    _v("initials_middle", "C16", "should_hit", "moderate", gen_initials_middle),
    _v("initials_given", "C16", "should_hit", "weak", gen_initials_given),
    _v("org_abbreviation", "C16", "should_hit", "strong", gen_org_abbreviation),
    _v("truncation", "C17", "should_hit", "moderate", gen_truncation),
    # D. linguistic / cultural
    _v("translit_arabic", "D19", "should_hit", "strong", gen_translit_arabic),
    _v("translit_cyrillic", "D19", "should_hit", "strong", gen_translit_cyrillic),
    _v("wade_giles", "D19", "should_hit", "strong", gen_wade_giles),
    _v("cantonese", "D19", "should_hit", "moderate", gen_cantonese),
    _v("pinyin_segmentation", "D20", "should_hit", "strong", gen_pinyin_segmentation),
    _v("han_pinyin", "D21", "must_hit", "strong", gen_han_pinyin),
    _v("homoglyph", "D21", "must_hit", "exact", gen_homoglyph),
    _v("han_simplified_traditional", "D22", "must_hit", "exact", gen_han_simplified_traditional),
    _v("chinese_telegraph_code", "D23", "should_hit", "strong", gen_chinese_telegraph_code),
    _v("title_honorific", "D24", "must_hit", "exact", gen_title_honorific),
    _v("arabic_particles", "D24", "should_hit", "strong", gen_arabic_particles),
    _v("nickname", "D25", "should_hit", "moderate", gen_nickname),
    _v("gendered_surname", "D26", "should_hit", "moderate", gen_gendered_surname),
    _v("phonetic", "D27", "should_hit", "strong", gen_phonetic),
    _v("digits_to_words", "D28", "should_hit", "moderate", gen_digits_to_words),
    # E. aliases and identifiers
    _v("weak_alias_dob", "E29", "should_hit", "moderate", gen_weak_alias_dob),
    _v("dob_match", "E30", "should_hit", "moderate", gen_dob_match),
    _v("dob_day_month_swapped", "E30", "should_hit", "moderate", gen_dob_day_month_swapped),
    _v("dob_off_by_one", "E30", "should_hit", "moderate", gen_dob_off_by_one),
    _v("id_number", "E30", "should_hit", "strong", gen_id_number),
    _v("entity_type_mismatch", "E31", "should_hit", "moderate", gen_entity_type_mismatch),
    # F. negative controls (and negatives from other groups)
    _v("weak_alias", "E29", "must_not_hit", "weak", gen_weak_alias),
    _v("digit_changed", "D28", "must_not_hit", "weak", gen_digit_changed),
    _v("near_miss_contradicting", "F32", "must_not_hit", "weak", gen_near_miss_contradicting),
    _v("substring_trap", "F33", "must_not_hit", "weak", gen_substring_trap),
    _v("han_different_given", "F34", "must_not_hit", "weak", gen_han_different_given),
)

VARIATIONS_BY_KEY: dict[str, VariationType] = {v.key: v for v in VARIATIONS}
