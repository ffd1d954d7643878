"""Engines that run the batch screen somewhere other than this process (`spark.py`).

An engine partitions the accounts, loads the published index snapshot once per worker and calls the
same batch function the local engine uses (`query.prepare_queries` → `screen.screen_batch`); no scoring
code lives here, so an engine cannot drift from the local results.
"""
