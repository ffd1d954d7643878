"""Screening runs: the ledger of every run (kind, list versions, configuration, population) and its hits."""
