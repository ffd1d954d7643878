"""Feature case tables (Latin and Han), scored by compare() — the batch scorer on a batch of one.

Each row: account-side name(s), listed name(s), optional record data, and what must come out
(nomenklatura-style CASES). Bands: block_review ≥ 0.90, review ≥ 0.80, low ≥ 0.66 by default.
"""

from __future__ import annotations

import pytest

from screening.matching.config import DEFAULT_CONFIG as C
from screening.matching.pairwise import compare

ALERT = C.review  # at or above: an alert

NAME_CASES = [
    # a (account), b (listed), subject_type, expectation, why
    ("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", "person", "alert", "comma-inverted, patronymic listed"),
    ("Wang Jianhua", "Jianhua Wang", "person", "alert", "token order"),
    ("SIS DOO", "SIS d.o.o.", "organization", "alert", "case, punctuation, legal form (Apple 2019)"),
    ("Müller Hans", "Hans Mueller", "person", "alert", "diacritics, transliteration"),
    ("Olaf Scholze", "Olaf Scholz", "person", "alert", "one typo in a long token"),
    ("Hans Peter Schmidt", "Hanspeter Schmidt", "person", "alert", "token merge"),
    ("CHEMEZOV, Alex ander", "CHEMEZOV, Alexander", "person", "alert",
     "token split whose first half is a nickname (us_csl CHEMEZOV, the token_split variant)"),
    ("Abdelmalek Droukdel", "Abde1malek Droukdel", "person", "alert", "OCR digit"),
    ("Bill Clinton", "William Clinton", "person", "alert", "nickname"),
    ("Mehmet Ali Yilmaz", "Mohammed Ali Yilmaz", "person", "alert", "romanisation variant"),
    ("J Smith", "John Smith", "person", "alert", "initial"),
    ("Octavian Scholz", "Olaf Scholz", "person", "miss", "different given name"),
    ("Boeing 737", "Boeing 747", "organization", "miss", "numbers differ"),
    ("36TH GUARDS AIRBORNE ASSAULT CHERNIGOV RED BANNER ORDER OF SUVOROV DIVISION",
     "76TH GUARDS AIRBORNE ASSAULT CHERNIGOV RED BANNER ORDER OF SUVOROV DIVISION", "organization", "miss",
     "ordinals are numbers: another division (us_ofac_sdn)"),
    ("China Electronics Technology Group Corporation, 7th Research Institute (CETC-Seven)",
     "China Electronics Technology Group Corporation, 7th Research Institute (CETC-7)", "organization", "alert",
     "7th and 7 are one number (us_csl)"),
    ("Ali Hassan Mahmoud", "Ali Hassan", "person", "no_block", "an extra account token costs"),
    ("Ahmed Mohammed", "Ahmed Mohammed BUSTAJI", "person", "no_block", "the rare listed family name is missing"),
    ("Salman bin Muhammad", "Muhammad bin Salman", "person", "alert", "order-free (reorders must hit)"),
    ("Ben Netanyahu", "Benjamin Netanyahu", "person", "alert", "a nickname that is also a particle (ben)"),
    ("Nikolai Platonovich Patrushev", "Nikolai Patr Ushev", "person", "alert",
     "one token split while another listed token is missing"),
    ("KAVKAZA SEVERNOGO RAZVITIYA KORPORATSIYA OBSHCHESTVO AKTSIONERNOE OTKRYTOE",
     "OTKRYTOE AKTSIONERNOE OBSHCHESTVO KORPORATSIYA RAZVITIYA SEVERNOGO KAVKAZA", "organization", "alert",
     "reversed: the legal-form words the normaliser left are generic words"),
    ("LIMITED LIABILITY COMPANY RYBINSKAY", "LIMITED LIABILITY COMPANY RYBINSKAYA VERF", "organization", "alert",
     "cut at a field length: the listed tokens after the cut token were lost with it"),
    ("Rybinskaya Shipyard Company", "Rybinskaya Verf", "organization", "miss",
     "not a cut: the different word costs fully"),
    ("OPEN JOINT STOCK COMPANY 'BELOGLINS", "OPEN JOINT STOCK COMPANY 'BELOGLINSKIY ELEVATOR'", "organization",
     "alert", "a long cut-off token (us_csl 20662-SSI cut at 35 characters)"),
    ("Caspian Limited", "CASPIAN AIR", "organization", "miss",
     "one word against a listed company named by that word and its trade (us_csl 'CASPIAN AIR')"),
    # issue 13 §3, clean-base false alerts (us_csl "Robert Thomas Caldwell", gb_ofsi "Ashraf Hussein ALI")
    ("Robert Thomas", "Robert Thomas Caldwell", "person", "miss", "the listed surname missing at the end"),
    ("Hussein Ali", "Ashraf Hussein ALI", "person", "miss", "the listed first name missing at the front"),
    ("Khaled Mohammed", "Mohammed Khaled NASRI", "person", "miss",
     "two common given names backwards, the listed family name missing (gb_ofsi)"),
    ("Mahmoud Hassan", "AYACHE, Hassan Mahmoud", "person", "miss",
     "backwards, the listed surname missing at the front (us_csl)"),
    ("Abdullah Ahmed", "Ahmed Abdullah AL MUZAINI", "person", "miss",
     "backwards, the listed family name missing with its particle: al is no name of its own (gb_ofsi)"),
    ("Michelle Michaela", "Michaela Michelle Micheli", "person", "alert",
     "rarer names backwards: read surname first, a middle name left out (name_bench, nomenklatura)"),
    ("Joseph, King Adam", "Adam Joseph King", "person", "alert",
     "the listed word left over is a title the account's side dropped (field_misalignment variant)"),
    ("Vladimir Putin", "Vladimir Vladimirovich Putin", "person", "alert", "a middle name (patronymic) left out"),
    ("Rotenberg Arkadii", "Arkadii Romanovich Rotenberg", "person", "alert",
     "surname first, the patronymic left out (name_bench)"),
    ("Kim Jong Un Park Lee", "KIM Jong Un", "person", "alert", "a distinctive listed name inside a longer one"),
    # two names common on the lists a letter apart are two names (features.py `other_name`)
    ("Ahmed Mohammed Khalil", "Muhammad Ahmed Khaliq", "person", "miss", "Khalil and Khaliq: two names"),
    ("Yasser Mohammed", "Mohamed AL-NASSER", "person", "miss", "Yasser and Nasser: two names"),
    ("Mohammed Saleh", "Mohamed Salem", "person", "miss", "Saleh and Salem, met in a merged reading"),
    ("Scott Ltd", "SCOT", "organization", "miss", "a common one-word name against another one-word name"),
    ("Mohammed Hasan", "Muhammad HASSAN", "person", "alert", "doubled letters and the variant table: one name"),
    ("Ahmed Khaled", "Ahmad Khalid", "person", "alert", "romanisations of one name (variant table)"),
    ("Olaf Scholze", "Olaf Scholz", "person", "alert", "a typo of a rare name stays a typo"),
    ("Christopher Jonathan Brown", "Christopher Jonathan Paul Browning", "person", "miss",
     "a cut loses a name's end, not its middle"),
    ("South Industry Group", "SOUTH INDUSTRIES GROUP", "organization", "alert",
     "a generic word in another number is one word, not two names"),
    ("Christopher Jonathan Brown", "Christopher Jonathan Browning", "person", "alert",
     "cut at the end: the cut-off reading holds"),
    ("Steven Paul Brown", "Steven Paul Browning", "person", "miss",
     "too short to have been cut at a field length: Brown is a surname of its own"),
    ("Juan Lu", "Juan Luis Vargas-Yanez", "person", "miss", "no field cuts a name at seven characters (us_csl)"),
    ("Валерий Павлов", "Валерий Павлович СЕРДЮКОВ", "person", "miss",
     "a surname is no cut-off patronymic in a short name (gb_ofsi)"),
    # a cut at a field length seldom ends on a whole common name (kernels.cell_matrices, features `other_name`)
    ("Ali Saleh", "Ali SALEHI", "person", "miss", "Saleh and Salehi, both common: two names, not a cut (gb_ofsi)"),
    ("Khaled Nasr", "Khaled NASRI", "person", "miss", "Nasr and Nasri: two names, not a cut (gb_ofsi)"),
    ("Ibrahim Mahmoud", "Ebrahim MAHMOUDZADEH", "person", "miss", "Mahmoud begins another surname (gb_ofsi)"),
    ("Sultan Mahmoud", "MAHMUD", "person", "miss", "Sultan is a given name, not a title to strip (us_csl)"),
    # two Chinese surnames a letter apart are two families (features `other_name`, level surnames)
    ("Jennifer Huang", "Jennifer Zhuang", "person", "miss", "Huang and Zhuang (us_csl)"),
    ("Angela Cheng", "ANGELA CHEN", "person", "miss", "Cheng and Chen (us_bis_dpl)"),
    ("Jason Li", "JASON LIAO", "person", "miss", "Li and Liao, not Liao cut short (us_bis_dpl)"),
    ("Kevin Chan", "Kevin Chen", "person", "alert", "Chan is Cantonese for Chen (陈): one surname"),
    ("Xu Wen", "Wen Tzu-yu", "person", "miss",
     "pinyin Xu and Wade-Giles Tzu (zi) are two syllables, though x and tz sound alike (cn_sanctions)"),
    ("Hsu Wen", "XU Wen", "person", "alert", "Wade-Giles Hsu is pinyin Xu"),
    # a Chinese company named by its brand alone meets the listing's added words as any company does
    ("华为有限公司", "Huawei International Co., Limited", "organization", "alert",
     "the brand's syllables joined, as the lists write it (us_csl)"),
    # a lone letter in a company's name is a name of its own (features `initial`), unless a cut left it
    ("Westbrook Group", "Group W", "organization", "miss", "Westbrook is not the W of Group W (us_csl)"),
    ("Caspian Semiconductors SARL", "C AND I SEMICONDUCTORS CO LIMITED", "organization", "miss",
     "Caspian is not the C of C and I (us_csl)"),
    ("The World Islamic Front for Jihad A", "The World Islamic Front for Jihad Against Jews and Crusaders",
     "organization", "alert", "cut at 35 characters on one letter (au_dfat 155, truncation variant)"),
    ("조수빈", "Su Bin", "person", "miss",
     "a Korean name has no optional given names: Jo Su-bin is not the listed Su Bin with a name added (us_csl)"),
    ("OPEN JOINT STOCK COMPANY RUSSIAN HE", "OPEN JOINT STOCK COMPANY RUSSIAN HELICOPTERS", "organization", "alert",
     "cut at 35 characters on a common two-letter word (He): still read as cut (us_ofac_cons 18820)"),
]


@pytest.mark.parametrize(("a", "b", "stype", "expect", "why"), NAME_CASES)
def test_name_cases(a: str, b: str, stype: str, expect: str, why: str) -> None:
    r = compare(a, b, subject_type=stype)
    if expect == "alert":
        assert r.score >= ALERT, (why, r.score, r.reasons)
    elif expect == "miss":
        assert r.score < ALERT, (why, r.score, r.reasons)
    else:
        assert r.score < C.block_review, (why, r.score, r.reasons)


HAN_CASES = [
    ("王伟", "王伟", "alert", "same Han name"),
    ("王偉", "王伟", "alert", "traditional vs simplified"),
    ("王伟", "WANG Wei", "alert", "Han against the listed romanisation"),
    ("Wang Wei", "王伟", "alert", "pinyin against the listed Han name"),
    ("王伟", "汪伟", "miss", "homophones: different characters, same pinyin"),
    ("王伟", "王玮", "miss", "one character differs"),
    ("王伟", "WANG Wei Ming", "miss", "Han-derived names have no optional middle names"),
    ("张明", "ZHANG Ming Hua", "miss", "a listed given-name syllable the account lacks"),
    ("华为技术有限公司", "华为技术", "alert", "legal form 有限公司"),
    ("马安", "MA'AN", "miss", "a Chinese surname is never run together with the given name"),
    ("习近平", "XI Jin Ping", "alert", "listed syllables split: still the same name"),
    ("이수빈", "LEE Su Bin", "alert", "Hangul surname in its usual spelling"),
    ("이수빈", "Su Bin", "miss", "the one-syllable Korean surname is missing, not a particle"),
]


@pytest.mark.parametrize(("a", "b", "expect", "why"), HAN_CASES)
def test_han_cases(a: str, b: str, expect: str, why: str) -> None:
    stype = "organization" if "公司" in a else "person"
    r = compare(a, b, subject_type=stype)
    if expect == "alert":
        assert r.score >= ALERT, (why, r.score, r.reasons)
    else:
        assert r.score < ALERT, (why, r.score, r.reasons)


def test_pinyin_match_is_discounted_below_exact() -> None:
    exact = compare("王伟", "王伟", subject_type="person")
    pinyin = compare("王伟", "WANG Wei", subject_type="person")
    assert exact.score > pinyin.score >= ALERT
    assert pinyin.reasons["name"]["route"].startswith("pinyin")


def test_dob_qualifies_without_hiding_a_strong_name() -> None:
    plain = compare("Ivan Petrov", "Ivan Petrov", subject_type="person")
    same = compare("Ivan Petrov", "Ivan Petrov", subject_type="person", a_birth_date="1970-05-01",
                   b_birth_date="1970-05-01")
    year = compare("Ivan Petrov", "Ivan Petrov", subject_type="person", a_birth_date="1970-05-01", b_birth_date="1970")
    conflict = compare("Ivan Petrov", "Ivan Petrov", subject_type="person", a_birth_date="1970-05-01",
                       b_birth_date="1990-02-02")
    assert same.score > year.score > plain.score > conflict.score
    assert plain.score < 1.0  # an uncorroborated exact name leaves room above it
    assert conflict.band == "low"  # lowered, still visible
    assert {f["level"] for f in conflict.reasons["features"] if f["feature"] == "dob"} == {"conflict"}


def test_day_month_swapped_corroborates_and_one_year_off_is_near() -> None:
    # a date written in the other convention (03/05 for 05/03) is the same date: it ranks between an equal date
    # and a same-year one; a year off costs a little, far less than a conflict
    plain = compare("Ivan Petrov", "Ivan Petrov")
    exact = compare("Ivan Petrov", "Ivan Petrov", a_birth_date="1970-03-05", b_birth_date="1970-03-05")
    swapped = compare("Ivan Petrov", "Ivan Petrov", a_birth_date="1970-05-03", b_birth_date="1970-03-05")
    year = compare("Ivan Petrov", "Ivan Petrov", a_birth_date="1970-08-21", b_birth_date="1970-03-05")
    assert {f["level"] for f in swapped.reasons["features"] if f["feature"] == "dob"} == {"swapped"}
    assert exact.score >= swapped.score > year.score > plain.score  # both clipped at 1.0 on an exact name
    off = compare("Ivan Petrov", "Ivan Petrov", a_birth_date="1971-05-03", b_birth_date="1970-05-03")
    assert {f["level"] for f in off.reasons["features"] if f["feature"] == "dob"} == {"near"}
    conflict = compare("Ivan Petrov", "Ivan Petrov", a_birth_date="1980-05-03", b_birth_date="1970-05-03")
    assert plain.score > off.score > conflict.score


def test_country_and_type() -> None:
    base = compare("Acme Trading", "Acme Trading", subject_type="organization")
    other = compare("Acme Trading", "Acme Trading", subject_type="organization", a_country="CH", b_country="IR")
    same = compare("Acme Trading", "Acme Trading", subject_type="organization", a_country="IR", b_country="IR")
    assert same.score > base.score > other.score
    mixed = compare("Acme Trading", "Acme Trading", a_subject_type="person", b_subject_type="organization")
    assert mixed.score < base.score
    assert any(f["feature"] == "subject_type" for f in mixed.reasons["features"])


def test_weak_alias_only_corroborates() -> None:
    weak = compare("Abu Omar", "Abu Omar", subject_type="person", b_weak=True)
    assert weak.band == "low"
    assert any(f["feature"] == "alias" and f["effect"] == "cap" for f in weak.reasons["features"])
    backed = compare("Abu Omar", "Abu Omar", subject_type="person", b_weak=True, a_birth_date="1975-01-01",
                     b_birth_date="1975-01-01")
    assert backed.score >= ALERT


def test_identifier_is_decisive() -> None:
    r = compare("Petrov Ivan", "Sidorov Pavel", a_id="AB 1234567", b_id="ab1234567", a_id_type="passport",
                b_id_type="passport")
    assert r.score == 1.0 and r.band == "block_review"
    assert any(f["feature"] == "identifier" for f in r.reasons["features"])
    other_kind = compare("Petrov Ivan", "Sidorov Pavel", a_id="1234567890", b_id="1234567890", a_id_type="USCC",
                         b_id_type="passport")
    assert other_kind.score < ALERT  # a company code never equals a passport


def test_reasons_explain_the_alignment() -> None:
    r = compare("Olaf Scholze", "Olaf Scholz")
    name = r.reasons["name"]
    assert name["alignment"] == "olaf=olaf scholze~scholz(0.83)"
    assert name["query_form"] == "olaf scholze" and name["list_form"] == "olaf scholz"


def test_han_name_overrides_the_variant_guesses_of_its_latin_name() -> None:
    """王傑 reads wang: the Cantonese "Wong Jie" next to it is not also huang jie (黄)."""
    import polars as pl

    from screening.matching.matcher import match
    from screening.matching.query import prepare_queries
    from screening.matching.pairwise import _pair_candidates, build_entries_index

    index = build_entries_index([{"names": ["Huang Jie"], "subject_type": "person", "source_id": "0"}], C)
    scores = {}
    for name in ("王傑", None):
        accounts = pl.DataFrame({"account_id": ["0"], "subject_type": ["person"], "name": [name or "Wong Jie"],
                                 "name_latin": ["Wong Jie"]})
        batch = prepare_queries(accounts, index)
        hits = match(index, batch, _pair_candidates(index, batch, accounts), C, floor=-1.0)
        scores[name] = hits["score"].max() if hits.height else 0.0
    assert scores[None] >= ALERT  # Latin only: Wong may be Huang
    assert scores["王傑"] < C.low  # the Han name says wang
