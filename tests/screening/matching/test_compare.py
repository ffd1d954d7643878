"""compare() is the batch scorer: same score and reasons as a screening run for the same records."""

from __future__ import annotations

import pytest

import json

import polars as pl

from screening.matching.pairwise import compare, compare_many
from screening.runs import screen_accounts

ENTRY_SQL = """
WITH one_dob AS (SELECT source, source_id, any_value(date_from) AS dob FROM current_birth_dates
                 WHERE precision = 'exact' GROUP BY ALL HAVING count(*) = 1),
     one_nat AS (SELECT source, source_id, any_value(country) AS country FROM current_countries
                 GROUP BY ALL HAVING count(*) = 1 AND bool_and(role = 'nationality')),
     no_ids AS (SELECT source, source_id FROM current_entries
                WHERE (source, source_id) NOT IN (SELECT source, source_id FROM current_identifiers)),
     strong AS (SELECT source, source_id, list(DISTINCT name ORDER BY name) AS names FROM current_names
                GROUP BY ALL HAVING bool_and(quality = 'strong'))
SELECT e.source, e.source_id, e.subject_type, s.names, d.dob, n.country
FROM current_entries e JOIN one_dob d USING (source, source_id) JOIN one_nat n USING (source, source_id)
JOIN no_ids USING (source, source_id) JOIN strong s USING (source, source_id)
WHERE e.subject_type = 'person' ORDER BY e.source, e.source_id LIMIT 12
"""


def test_compare_equals_the_batch_path(con) -> None:
    entries = con.sql(ENTRY_SQL).pl()
    assert entries.height >= 5
    accounts = entries.with_row_index("i").select(
        pl.col("i").cast(pl.String).alias("account_id"), pl.lit("person").alias("subject_type"),
        # a typo'd variant of the entry's first name
        pl.col("names").list.first().str.replace(r"(\w)(\w)(\w*)$", "${1}${3}").alias("name"),
        pl.col("dob").alias("birth_date"), pl.col("country").alias("nationality"))
    hits = screen_accounts(con, accounts, store=False, min_score=0.0).hits
    for i, row in enumerate(entries.iter_rows(named=True)):
        own = hits.filter((pl.col("account_id") == str(i)) & (pl.col("source") == row["source"])
                          & (pl.col("source_id") == row["source_id"]))
        result = compare(accounts["name"][i], row["names"], subject_type="person", a_birth_date=row["dob"],
                         b_birth_date=row["dob"], a_country=row["country"], b_country=row["country"])
        if own.height == 0:
            assert result.score < 0.5
            continue
        assert result.score == own["score"][0], row
        assert result.name_score == own["name_score"][0]
        batch_reasons = json.loads(own["reasons"][0])
        assert result.reasons["features"] == batch_reasons["features"]
        assert result.reasons["name"]["alignment"] == batch_reasons["name"]["alignment"]


def test_compare_many_matches_single_calls() -> None:
    pairs = [({"names": "Olaf Scholze"}, {"names": "Olaf Scholz"}),
             ({"names": ["王伟", "Wang Wei"], "subject_type": "person"}, {"names": "WANG Wei", "subject_type": "person"}),
             ({"names": "Acme Ltd", "subject_type": "organization"}, {"names": "ACME Limited", "subject_type": "organization"})]
    many = compare_many(pairs)
    single = [compare(a["names"], b["names"], subject_type=a.get("subject_type")) for a, b in pairs]
    assert [r.score for r in many] == [r.score for r in single]


def test_reordered_legal_form_costs_less_than_trade_words() -> None:
    """A legal form the normaliser could not strip (reversed) leaves legal-form words on the account side;
    they cost little (particles.yml `legal`), trade words of the same weight class still cost."""
    listed = "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU 'LAZURNAYA'"
    reversed_ = compare("'LAZURNAYA' OTVETSTVENNOSTYU OGRANICHENNOI S OBSHCHESTVO", listed, subject_type="organization")
    trade = compare("LAZURNAYA TRADING EXPORT SERVICES COMPANY", listed, subject_type="organization")
    assert reversed_.band in ("review", "block_review")
    assert trade.name_score < reversed_.name_score


@pytest.mark.parametrize(("account", "listed", "subject_type"), [
    ("LIMITADA MBS GRUPO", "GRUPO MBS LIMITADA", "organization"),  # US CSL 11794, legal form moved to the front
    ("Ahmad, Jan Haji", "Haji Ahmad Jan", "person"),  # EU 521, the title moved behind the given name
    ("RTBIOTECHPROM OJSC", "RT-BIOTECHPROM OJSC", "organization"),  # OFAC cons 18777, hyphen dropped: a merge
                                                                    # beats aligning the long token alone
])
def test_moved_legal_form_or_title_still_alerts(account: str, listed: str, subject_type: str) -> None:
    assert compare(account, listed, subject_type=subject_type).band in ("review", "block_review")


def test_a_title_that_is_also_a_name_is_not_discounted() -> None:
    # inside a name "Amir" is a given name as often as a title: it costs like a given name, Haji less
    haji = compare("Karim Haji Hassan", "Karim Hassan", subject_type="person")
    for given in ("Amir", "Omar"):
        assert compare(f"Karim {given} Hassan", "Karim Hassan", subject_type="person").name_score < haji.name_score
    assert haji.name_score < 1.0


def test_a_romanisation_variant_counts_only_near_exact() -> None:
    # Cantonese / Hokkien Chan, Tan = pinyin Chen: the same name in another romanisation alerts ...
    assert compare("Chan Guowei", "Chen Guowei", subject_type="person").band in ("review", "block_review")
    # ... but a variant plus another difference is two steps away: "Alex Tan" is not "ALEX CHENG"
    assert compare("Alex Tan", "ALEX CHENG", subject_type="person").band not in ("review", "block_review")


def test_a_heteronym_surname_matches_its_ordinary_reading_from_either_side() -> None:
    # 曾 is zeng as a surname, ceng otherwise: a romaniser who missed that wrote "CENG GUOFAN"
    assert compare("曾国藩", "CENG GUOFAN", subject_type="person").band in ("review", "block_review")
    assert compare("CENG GUOFAN", "曾国藩", subject_type="person").band in ("review", "block_review")
    # the Han name's own pinyin stays decisive for its Latin name's guesses: 王傑 is wang, not huang
    assert compare("王傑", "Huang Jie", subject_type="person").band not in ("review", "block_review")
