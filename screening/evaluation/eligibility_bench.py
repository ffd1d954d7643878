"""Eligibility benchmark: the whole pipeline over a synthetic base; prints wall time and peak RSS.

    python -m screening.evaluation.eligibility_bench --n 1000000
    screening eligibility bench --n 1000000
    screening eligibility bench --single 2000

Synthesis is timed apart from the checks (it is not part of a real run). Peak RSS is the process
maximum (`getrusage`), so it includes the synthetic base itself.

`--single N` times instead what a registration lookup runs: `check_subject` on N synthetic records one
at a time (no store), after a warm-up; it prints the per-record latency p50/p90/p99/max and the CPU
time per record (the sanctions screen is not included: `screening bench` times that).
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import time

import click
import duckdb


def run_bench(n: int, seed: int = 1) -> dict[str, object]:
    from screening.eligibility.run import evaluate, prepare
    from screening.evaluation.synth import REFERENCE_DATE, synth_accounts

    started = time.perf_counter()
    accounts = synth_accounts(n, seed)
    synth_seconds = time.perf_counter() - started
    con = duckdb.connect()
    started = time.perf_counter()
    base = prepare(con, accounts, key=b"benchmark-key")
    prepared = time.perf_counter()
    evaluation = evaluate(base, as_of=REFERENCE_DATE)
    finished = time.perf_counter()
    counts = evaluation.results["status"].value_counts()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "accounts": n,
        "cpus": os.cpu_count(),
        "synth_seconds": round(synth_seconds, 1),
        "prepare_seconds": round(prepared - started, 1),
        "checks_seconds": round(finished - prepared, 1),
        "eligibility_seconds": round(finished - started, 1),
        "peak_rss_mib": round(peak_kib / 1024),
        "status": dict(zip(counts["status"].to_list(), counts["count"].to_list(), strict=True)),
        "reasons": evaluation.reasons.height,
        "as_of": str(REFERENCE_DATE),
        "date": str(dt.date.today()),
    }


def run_single_bench(n: int, seed: int = 1, warmup: int = 50) -> dict[str, object]:
    """Per-record latency of `check_subject` (the registration lookup's eligibility) over `n` records."""
    from screening.eligibility.run import check_subject
    from screening.evaluation.metrics import latency
    from screening.evaluation.synth import REFERENCE_DATE, synth_accounts

    records = [{k: str(v) for k, v in row.items() if v is not None}
               for row in synth_accounts(n + warmup, seed).drop("account_id").to_dicts()]
    key = b"benchmark-key"
    for record in records[:warmup]:  # first calls load the name and brand tables and compile regexes
        check_subject(record, as_of=REFERENCE_DATE, key=key)
    durations: list[float] = []
    statuses: dict[str, int] = {}
    cpu = time.process_time()
    for record in records[warmup:]:
        started = time.perf_counter()
        result = check_subject(record, as_of=REFERENCE_DATE, key=key)
        durations.append(time.perf_counter() - started)
        statuses[result.status] = statuses.get(result.status, 0) + 1
    cpu_ms = (time.process_time() - cpu) * 1000 / n
    lat = latency(durations)
    return {"records": n, "cpus": os.cpu_count(), "p50_ms": round(lat.p50_ms, 2), "p90_ms": round(lat.p90_ms, 2),
            "p99_ms": round(lat.p99_ms, 2), "max_ms": round(lat.max_ms, 2), "cpu_ms_per_record": round(cpu_ms, 2),
            "status": statuses, "load_average": [round(x, 2) for x in os.getloadavg()], "date": str(dt.date.today())}


def format_single(result: dict[str, object]) -> str:
    return (
        f"eligibility of one record (check_subject, no store), {result['records']:,} synthetic records one at a "
        f"time on {result['cpus']} CPUs: p50 {result['p50_ms']} / p90 {result['p90_ms']} / p99 {result['p99_ms']} / "
        f"max {result['max_ms']} ms, CPU {result['cpu_ms_per_record']} ms per record; load average "
        f"{result['load_average']}; statuses {result['status']}"
    )


def format_bench(result: dict[str, object]) -> str:
    return (
        f"eligibility over {result['accounts']:,} synthetic accounts on {result['cpus']} CPUs: "
        f"{result['eligibility_seconds']} s wall (ID hashing + checks {result['prepare_seconds']} s, "
        f"rules {result['checks_seconds']} s; synthesis {result['synth_seconds']} s not counted), "
        f"peak RSS {result['peak_rss_mib']:,} MiB; statuses {result['status']}"
    )


@click.command("bench")
@click.option("--n", "n", type=int, default=1_000_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--single", type=click.IntRange(min=1), default=None,
              help="Instead: time the one-record check (a registration lookup's) on this many records.")
@click.option("--json", "as_json", is_flag=True)
def bench_command(n: int, seed: int, single: int | None, as_json: bool) -> None:
    """Time eligibility over N synthetic accounts (wall time, peak memory), or one record at a time."""
    from screening.cli import emit

    if single is not None:
        result = run_single_bench(single, seed)
        emit(result, as_json, format_single(result))
        return
    result = run_bench(n, seed)
    emit(result, as_json, format_bench(result))


if __name__ == "__main__":
    sys.exit(bench_command())
