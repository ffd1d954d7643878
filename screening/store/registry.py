"""The migration sets of the store, in the order they are applied.

One line per package that owns tables: "set name": "module:Migrations object". A set may read the
tables of the sets listed before it (a view over another set's table, say).
"""

MIGRATION_SETS: dict[str, str] = {
    "lists": "lists.schema:migrations",
    "accounts": "screening.accounts.schema:migrations",
    "matching": "screening.matching.schema:migrations",
    "runs": "screening.runs.schema:migrations",
    "eligibility": "screening.eligibility.schema:migrations",
    "alerts": "screening.alerts.schema:migrations",
    "jobs": "jobs.schema:migrations",
    "reports": "reports.schema:migrations",
}
