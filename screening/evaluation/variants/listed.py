"""The list-side names the generators start from, read from the store in a fixed order (determinism)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from screening.evaluation.variants.model import Listed

LISTED_SQL = """
WITH dob AS (
    SELECT source, source_id, arg_min(date_from, date_from) AS birth_date,
           arg_min(precision, date_from) AS birth_precision
    FROM current_birth_dates WHERE date_from IS NOT NULL GROUP BY ALL
), ctry AS (
    SELECT source, source_id,
           arg_min(country, CASE role WHEN 'nationality' THEN 0 WHEN 'citizenship' THEN 1 ELSE 2 END) AS country
    FROM current_countries GROUP BY ALL
), pass AS (
    SELECT source, source_id, min(number) AS passport
    FROM current_identifiers WHERE id_type = 'passport' GROUP BY ALL
), tok AS (
    SELECT name, unnest(string_split(regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g'), ' ')) AS t
    FROM (SELECT DISTINCT name FROM current_names)
), freq AS (
    SELECT t, count(DISTINCT name) AS df FROM tok WHERE t <> '' GROUP BY t
), common AS (
    SELECT name, min(df) >= {common_df} AS common_name FROM tok JOIN freq USING (t) WHERE t <> '' GROUP BY name
)
SELECT n.source, n.source_id, e.subject_type, n.name, n.name_type, n.quality,
       dob.birth_date, dob.birth_precision, ctry.country, pass.passport, coalesce(common.common_name, false)
FROM (SELECT DISTINCT source, source_id, name, name_type, quality FROM current_names) n
JOIN current_entries e USING (source, source_id)
LEFT JOIN dob USING (source, source_id)
LEFT JOIN ctry USING (source, source_id)
LEFT JOIN pass USING (source, source_id)
LEFT JOIN common USING (name)
WHERE e.subject_type IN ('person', 'organization') {where}
ORDER BY n.source, n.source_id, n.name, n.name_type
"""


# A token carried by at least this many distinct list names is common (ali, hassan, mohammad, wang).
COMMON_TOKEN_NAMES = 25


def load_listed(con: duckdb.DuckDBPyConnection, sources: Sequence[str] | None = None) -> list[Listed]:
    """Every name of every person/organisation entry in force, in a fixed order (determinism)."""
    where, params = "", []
    if sources:
        where = "AND n.source IN (SELECT unnest(?))"
        params = [list(sources)]
    rows = con.execute(LISTED_SQL.format(where=where, common_df=COMMON_TOKEN_NAMES), params).fetchall()
    return [Listed(*r) for r in rows]
