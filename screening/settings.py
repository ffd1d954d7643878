"""Process settings, read from `SCREENING_*` environment variables (one comment each)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from screening.exc import UsageError

# The DuckDB store. CLI `--db` wins; else this variable; else a file in the user's data directory.
DB_ENV = "SCREENING_DB"
# Raw published files are kept next to the store unless this points elsewhere.
RAW_DIR_ENV = "SCREENING_RAW_DIR"
# Per-source mirror: SCREENING_URL_<SOURCE_KEY>[_<FILE>] (upper case, non-alphanumerics as "_")
# replaces the official URL, e.g. SCREENING_URL_UN_SC=http://mirror.local/consolidated.xml.
URL_ENV_PREFIX = "SCREENING_URL_"
# Per-source maximum publication age in days, SCREENING_MAX_PUBLICATION_DAYS_<SOURCE_KEY> (upper case),
# e.g. SCREENING_MAX_PUBLICATION_DAYS_UN_SC=3: a version published longer ago is stale (default: the
# source's ListSpec.max_publication_days, listed in the README).
MAX_PUBLICATION_DAYS_PREFIX = "SCREENING_MAX_PUBLICATION_DAYS_"
# A refresh that shrinks a list by more than this share against the last version is rejected.
MAX_SHRINK_ENV = "SCREENING_MAX_SHRINK"
DEFAULT_MAX_SHRINK = 0.2
# HTTP timeouts (seconds) and retries for list downloads.
HTTP_TIMEOUT_ENV = "SCREENING_HTTP_TIMEOUT"
HTTP_RETRIES_ENV = "SCREENING_HTTP_RETRIES"
# Secret key (text) for the keyed hashes (HMAC-SHA256) under which ID numbers, phones and e-mails are
# stored and compared. Unset: a development key, with a warning (never in production).
ID_HASH_KEY_ENV = "SCREENING_ID_HASH_KEY"
# How often (seconds) a process serving lookup() looks for newer list versions and re-reads freshness.
LOOKUP_REFRESH_ENV = "SCREENING_LOOKUP_REFRESH_SECONDS"
DEFAULT_LOOKUP_REFRESH = 30.0
# How long (seconds) opening the store waits for another process's write lock before giving up.
LOCK_WAIT_ENV = "SCREENING_LOCK_WAIT_SECONDS"
# `screening serve` on SIGTERM: how long a running job may still finish before it is recorded abandoned.
SHUTDOWN_GRACE_ENV = "SCREENING_SHUTDOWN_GRACE_SECONDS"
# Logs: one JSON object per line when set to 1/true (else human-readable lines), and the level.
LOG_JSON_ENV = "SCREENING_LOG_JSON"
LOG_LEVEL_ENV = "SCREENING_LOG_LEVEL"
# The published list-index snapshots lookup() and the API read (never the store); default: "index" beside
# the store.
SNAPSHOT_DIR_ENV = "SCREENING_SNAPSHOT_DIR"
# The assembled in-memory list index of the store's versions in force, one file per content, so a new
# process (a batch run) loads it instead of assembling it; default: "index-cache" beside the store.
INDEX_CACHE_DIR_ENV = "SCREENING_INDEX_CACHE_DIR"
# The service's working folder (scheduler job store, lookup-event spool); default: "service" beside the store.
SERVICE_DIR_ENV = "SCREENING_SERVICE_DIR"
# Folder where the platform drops account files (CSV / Parquet / JSONL) for the accounts.import job; default:
# "inbox" beside the store. Imported files move to inbox/done, refused ones to inbox/failed.
ACCOUNTS_INBOX_ENV = "SCREENING_ACCOUNTS_INBOX"
# Comma-separated API keys the HTTP API accepts in the X-API-Key header; unset = no key needed (loopback
# and trusted networks only). Entries may be "client:key" to name the client in the lookup record.
API_KEYS_ENV = "SCREENING_API_KEYS"
# Job schedules: SCREENING_SCHEDULE_<JOB> (job id upper case, "." as "_"), a crontab line
# ("0 2 * * *", Asia/Shanghai), "every <seconds>", or "off". Defaults in jobs/registry.py.
SCHEDULE_ENV_PREFIX = "SCREENING_SCHEDULE_"
# Days personal data is kept after an account closes / a lookup was made (retention.purge); default 1825
# (five years, the PRC AML record-keeping period).
RETENTION_DAYS_ENV = "SCREENING_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 1825
# Days of job-run history kept (retention.purge trims job_runs); default 400.
JOB_HISTORY_DAYS_ENV = "SCREENING_JOB_HISTORY_DAYS"
# The regime policy YAML of the alerts workflow (default: screening/resources/policy/regime_policy.yml).
POLICY_FILE_ENV = "SCREENING_POLICY_FILE"
# Show the full traceback of an unexpected internal error in the CLI (else one line).
DEBUG_ENV = "SCREENING_DEBUG"
# The Chromium binary that prints a report's PDF copy (`screening report --pdf`); else `chromium` on PATH.
CHROMIUM_ENV = "SCREENING_CHROMIUM"
# The engine of the screen.full job: "local" (default) or "spark" (the spark extra, Java 17); with spark, the
# master URL (default: an active session, else local[*]) and the number of partitions (default: Spark's).
FULL_SCREEN_ENGINE_ENV = "SCREENING_FULL_SCREEN_ENGINE"
SPARK_MASTER_ENV = "SCREENING_SPARK_MASTER"
SPARK_PARTITIONS_ENV = "SCREENING_SPARK_PARTITIONS"


def default_db_path() -> Path:
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("screening")) / "screening.duckdb"


def raw_dir_for(db_path: Path) -> Path:
    env = os.environ.get(RAW_DIR_ENV)
    return Path(env) if env else db_path.parent / "raw"


def max_shrink() -> float:
    return float(os.environ.get(MAX_SHRINK_ENV, DEFAULT_MAX_SHRINK))


def max_publication_days(source: str, default: int) -> int:
    """The configured maximum publication age (days) of a source, else `default`."""
    name = MAX_PUBLICATION_DAYS_PREFIX + _env_key(source)
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise UsageError(f"{name}={value!r}: expected a whole number of days (0 or more)")
    return days


def http_timeout() -> float:
    return float(os.environ.get(HTTP_TIMEOUT_ENV, "30"))


def http_retries() -> int:
    return int(os.environ.get(HTTP_RETRIES_ENV, "3"))


def mirror_url(source: str, filename: str | None = None) -> str | None:
    """The configured mirror for a source (or one file of a multi-file source), if any."""
    base = URL_ENV_PREFIX + _env_key(source)
    if filename:
        specific = os.environ.get(f"{base}_{_env_key(filename)}")
        if specific:
            return specific
    return os.environ.get(base)


def _env_key(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).upper()


def id_hash_key_text() -> str | None:
    return os.environ.get(ID_HASH_KEY_ENV) or None


def policy_file() -> Path | None:
    env = os.environ.get(POLICY_FILE_ENV)
    return Path(env) if env else None


def lookup_refresh_seconds() -> float:
    return float(os.environ.get(LOOKUP_REFRESH_ENV, DEFAULT_LOOKUP_REFRESH))


def lock_wait_seconds() -> float:
    return float(os.environ.get(LOCK_WAIT_ENV, "10"))


def shutdown_grace_seconds() -> float:
    return float(os.environ.get(SHUTDOWN_GRACE_ENV, "20"))


def snapshot_dir_for(db_path: Path) -> Path:
    env = os.environ.get(SNAPSHOT_DIR_ENV)
    return Path(env) if env else Path(db_path).parent / "index"


def index_cache_dir_for(db_path: Path) -> Path:
    env = os.environ.get(INDEX_CACHE_DIR_ENV)
    return Path(env) if env else Path(db_path).parent / "index-cache"


def service_dir_for(db_path: Path) -> Path:
    env = os.environ.get(SERVICE_DIR_ENV)
    return Path(env) if env else Path(db_path).parent / "service"


def accounts_inbox_for(db_path: Path) -> Path:
    env = os.environ.get(ACCOUNTS_INBOX_ENV)
    return Path(env) if env else Path(db_path).parent / "inbox"


def api_keys() -> dict[str, str]:
    """key → client name (the name is what the lookup record keeps, never the key)."""
    keys: dict[str, str] = {}
    for n, item in enumerate(k.strip() for k in os.environ.get(API_KEYS_ENV, "").split(",")):
        if not item:
            continue
        client, sep, key = item.partition(":")
        keys[key if sep else client] = client if sep else f"key{n + 1}"
    return keys


def job_schedule(job_id: str) -> str | None:
    return os.environ.get(SCHEDULE_ENV_PREFIX + _env_key(job_id)) or None


def retention_days() -> int:
    return int(os.environ.get(RETENTION_DAYS_ENV, DEFAULT_RETENTION_DAYS))


def job_history_days() -> int:
    return int(os.environ.get(JOB_HISTORY_DAYS_ENV, "400"))


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def log_json() -> bool:
    return _flag(LOG_JSON_ENV)


def log_level() -> str:
    return os.environ.get(LOG_LEVEL_ENV, "WARNING")


def debug() -> bool:
    return _flag(DEBUG_ENV)


def chromium_path() -> str | None:
    return os.environ.get(CHROMIUM_ENV) or None


def full_screen_engine() -> str:
    value = os.environ.get(FULL_SCREEN_ENGINE_ENV, "").strip().lower() or "local"
    if value not in ("local", "spark"):
        raise UsageError(f"{FULL_SCREEN_ENGINE_ENV}={value!r}: expected local or spark")
    return value


def spark_master() -> str | None:
    return os.environ.get(SPARK_MASTER_ENV) or None


def spark_partitions() -> int | None:
    value = os.environ.get(SPARK_PARTITIONS_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise UsageError(f"{SPARK_PARTITIONS_ENV}={value!r}: expected a whole number of partitions (1 or more)")
    return int(value)
