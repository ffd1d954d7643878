"""The row path of the one-record check (`screening.eligibility.single.check_one`, what `check_subject`
runs without a store) against the frame path (the batch pipeline over a one-row frame), word for word;
hostile text goes to the frame path; what neither can take fails as it always did."""

from __future__ import annotations

import duckdb
import pytest

from screening.eligibility.rowexpr import Unsupported
from screening.eligibility.run import check_subject
from screening.eligibility.single import check_one
from screening.exc import InputError
from tests.screening.eligibility.test_parity import AS_OF, RULES, fixture_corpus, generated, synthetic

KEY = b"rows-key"


def frame_path(record: dict[str, object]) -> object:
    """check_subject on the frame pipeline: a store connection without accounts takes that path."""
    return check_subject(record, as_of=AS_OF, con=duckdb.connect(), key=KEY)


def test_row_path_equals_frame_path_over_the_parity_corpus() -> None:
    records = ([{"account_id": f"R{k:03d}", **r} for k, r in enumerate(RULES)] + fixture_corpus()[len(RULES):]
               + generated(220) + synthetic(160, seed=14))
    fast = 0
    for record in records:
        try:
            got = check_one(dict(record), as_of=AS_OF, key=KEY)
        except Unsupported:
            continue
        assert got == frame_path(record), record
        fast += 1
    assert fast >= 0.95 * len(records)


HOSTILE = {
    "bidi override": {"name": "\u202eimoH\u202c 王", "display_name": "\u202eatnauQarreT\u202c"},
    "zero-width": {"name": "王\u200b小明", "display_name": "Terra\u200bQuanta"},
    "astral": {"name": "𠀀明", "display_name": "TerraQuanta 😀"},
    "tag characters": {"name": "Hans\U000e0041 Meier"},
    "line separator": {"name": "王\u2028小明"},
    "control": {"name": "王\x07小明", "id_number": "1101051980\t0506123"},
}
PLAIN_BUT_ODD = {
    "full-width": {"name": "Ｍａｒｙ Ａｎｎ", "display_name": "Ｔｅｒｒａ Ｑｕａｎｔａ", "id_type": "RIC",
                   "id_number": "１１０１０５１９８００５０６１２３Ｘ"},
    "combining marks": {"name": "Jose\u0301 Mari\u0301a", "display_name": "Te\u0301rra Quanta"},
    "ideographic space": {"name": "王\u3000小明", "display_name": "泰拉\u3000寬塔"},
    "greek final sigma": {"name": "ΟΔΥΣΣΕΥΣ", "display_name": "ΣΟΦΟΣ"},
    "homoglyphs": {"name": "Mary", "display_name": "ТеrrаQuаntа"},
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_text_goes_to_the_frame_path_with_the_same_answer(case: str) -> None:
    record = {"account_id": "H1", "subject_type": "person", "birth_date": "1990-01-02", **HOSTILE[case]}
    with pytest.raises(Unsupported):
        check_one(dict(record), as_of=AS_OF, key=KEY)
    assert check_subject(record, as_of=AS_OF, key=KEY) == frame_path(record)


@pytest.mark.parametrize("case", sorted(PLAIN_BUT_ODD))
def test_odd_but_plain_text_stays_on_the_row_path_with_the_frame_answer(case: str) -> None:
    record = {"account_id": "P1", "subject_type": "person", "birth_date": "1980-05-06", **PLAIN_BUT_ODD[case]}
    assert check_one(dict(record), as_of=AS_OF, key=KEY) == frame_path(record)


def test_a_record_that_cannot_be_checked_fails_closed_as_before() -> None:
    record = {"account_id": "X1", "name": "王小明"}  # no subject_type column: the frame path names it
    with pytest.raises(Unsupported):
        check_one(dict(record), as_of=AS_OF, key=KEY)
    with pytest.raises(InputError, match="subject_type"):
        check_subject(record, as_of=AS_OF, key=KEY)
    with pytest.raises(InputError, match="subject_type"):
        frame_path(record)


def test_values_of_any_type_and_unknown_fields_read_as_text() -> None:
    record = {"account_id": 17, "subject_type": "person", "name": "周强", "birth_date": AS_OF.replace(year=2000),
              "self_supporting": True, "id_number": 110105198005061234, "favourite_colour": "blue", "country": None}
    assert check_one(dict(record), as_of=AS_OF, key=KEY) == frame_path(record)
