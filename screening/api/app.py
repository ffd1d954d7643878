"""The HTTP lookup API (FastAPI): the registration flow's `lookup()` over HTTP.

- `POST /v1/lookup`, `POST /v1/lookup/batch` (≤ 100): names and ID numbers travel in the body only, never
  in URLs; the access log carries the route template, status, duration and client name, nothing else.
- `GET /v1/lists`, `GET /healthz` (the process is up), `GET /readyz` (503 until a list index is loaded and
  warmed: it loads in a background thread at start, from the assembled index kept beside the store),
  `GET /metrics` (Prometheus; labels are route templates, decisions and list keys, never names or IDs).
- Optional API keys (`SCREENING_API_KEYS`, header `X-API-Key`).
- A lone lookup runs on the event loop, concurrent ones in the thread pool (see `lookup_one`). Handlers
  read only the published index snapshot, never the store. Each lookup is appended to the event spool
  (events.py), which the `lookups.fold` job folds into the store.
- Fails closed like `lookup()`: no index or stale mandatory lists → `review`; an error → a JSON error
  with the status of the exception tree (`http_status`), never a `clear`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import threading
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json

from screening import exc, settings
from screening.registration.events import Spool, hash_key, lookup_event
from screening.logs import get_logger

log = get_logger("screening.api.access")

MAX_BATCH = 100
API_VERSION = "1"


class LookupRequest(BaseModel):
    """One subject, as the registration form has it (docs/architecture.md §3.2)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=1000, description="Legal name, any script.")
    subject_type: Literal["person", "organization", "natural_person", "legal_person", "other_organization",
                          "company"] | None = None
    name_latin: str | None = Field(default=None, max_length=1000)
    birth_date: dt.date | None = Field(default=None, description="ISO date (persons).")
    country: str | None = Field(default=None, max_length=64)
    nationality: str | None = Field(default=None, max_length=64)
    id_type: str | None = Field(default=None, max_length=32)
    id_number: str | None = Field(default=None, max_length=64)
    account_id: str | None = Field(default=None, max_length=128, description="The platform's id, if any.")
    eligibility: bool = Field(default=True, description=(
        "Also run the eligibility checks (age, ID format and check digit, brand names) and fold them into the "
        "decision. They cost far more than the sanctions screen (tens of ms against a few ms); false: the "
        "sanctions screen only, `eligibility` is null."))


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[LookupRequest] = Field(min_length=1, max_length=MAX_BATCH)


class Hit(BaseModel):
    source: str
    source_id: str
    entry_name: str | None
    matched_name: str | None
    query_name: str | None = None
    score: float
    band: str
    reasons: dict[str, Any]


class LookupResponse(BaseModel):
    screening_id: str
    decision: Literal["clear", "review", "block"]
    reasons: list[str]
    hits: list[Hit]
    eligibility: dict[str, Any] | None
    list_versions: list[dict[str, Any]]
    config_hash: str
    stale_sources: list[str]
    took_ms: float


class BatchResponse(BaseModel):
    results: list[LookupResponse]


class Metrics:
    """Prometheus metrics of one app (own registry, so several apps can live in one test process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("screening_http_requests_total", "HTTP requests", ["route", "method", "status"],
                                registry=self.registry)
        self.latency = Histogram("screening_http_request_seconds", "HTTP request duration", ["route"],
                                 buckets=(.002, .005, .01, .015, .025, .05, .1, .25, .5, 1, 2.5),
                                 registry=self.registry)
        self.decisions = Counter("screening_lookup_decisions_total", "Lookup decisions", ["decision"],
                                 registry=self.registry)
        self.stale = Gauge("screening_list_stale", "1 when a mandatory list is stale", ["source"],
                           registry=self.registry)
        self.index_age = Gauge("screening_index_loaded_timestamp_seconds", "When the served index was loaded",
                               registry=self.registry)


Lookup = Callable[..., Any]  # screening.registration.lookup's signature


def create_app(db: Path, *, lookup: Lookup | None = None, spool: Spool | None = None,
               on_startup: Callable[[], None] | None = None, on_shutdown: Callable[[], None] | None = None) -> FastAPI:
    """The API for the store at `db` (its published index snapshot). `on_startup` / `on_shutdown` run in
    the lifespan (the service starts and stops the scheduler there)."""
    from screening.registration import get_screener
    from screening.registration import lookup as registration_lookup

    db = Path(db)
    lookup = lookup or registration_lookup
    metrics = Metrics()
    keys = settings.api_keys()
    hash_key()  # at start-up: it warns (once) when the development key is in use
    spool = spool if spool is not None else Spool(settings.service_dir_for(db) / "spool")

    warmed = threading.Event()

    def warm() -> None:
        try:
            try:
                get_screener(db).warm()
            except Exception as error:  # noqa: BLE001 - /readyz and the lookups say what is missing
                log.warning("index warm-up failed", error=f"{type(error).__name__}: {error}")
            try:
                from screening.eligibility.single import warm_up

                warm_up()  # the one-record eligibility check compiles its rules (~1 s) before the first lookup
            except Exception as error:  # noqa: BLE001 - a lookup then compiles them, or takes the frame path
                log.warning("eligibility warm-up failed", error=f"{type(error).__name__}: {error}")
        finally:
            warmed.set()

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        if on_startup:
            on_startup()
        # the index loads and warms in the background (healthz answers meanwhile); /readyz says when. After
        # on_startup, which publishes the index: a screener finding none would open the store itself, and
        # DuckDB refuses a read-only and a read-write connection to one file in one process
        threading.Thread(target=warm, name="index-warm", daemon=True).start()
        yield
        if on_shutdown:
            on_shutdown()
        spool.close()

    app = FastAPI(title="Sanctions and eligibility screening", version=API_VERSION, lifespan=lifespan,
                  docs_url="/docs", redoc_url=None)
    app.state.metrics, app.state.spool, app.state.db = metrics, spool, db

    app.add_middleware(_AccessLog, metrics=metrics)

    @app.exception_handler(exc.ScreeningError)
    async def screening_error(request: Request, error: exc.ScreeningError) -> JSONResponse:
        return JSONResponse({"error": type(error).__name__, "detail": str(error)}, status_code=error.http_status)

    async def client(request: Request, x_api_key: str | None = Header(default=None)) -> str | None:
        if not keys:
            return None
        for key, name in keys.items():
            if x_api_key is not None and hmac.compare_digest(key.encode(), x_api_key.encode()):
                request.state.client_name = name
                return name
        raise exc.Forbidden("a valid X-API-Key header is required") if x_api_key else _Unauthorised()

    def screen_one(item: LookupRequest, client_name: str | None) -> dict[str, Any]:
        result = lookup(item.name, subject_type=item.subject_type, name_latin=item.name_latin,
                        birth_date=item.birth_date, country=item.country, nationality=item.nationality,
                        id_number=item.id_number, id_type=item.id_type, db=db, eligibility=item.eligibility, record=False)
        metrics.decisions.labels(result.decision).inc()
        spool.append(lookup_event(result, item.model_dump(), client=client_name, account_id=item.account_id))
        return _response(result)

    lookups_running = [0]  # lookups between their handler's start and end (the event loop is one thread)

    @app.post("/v1/lookup", response_model=LookupResponse, tags=["lookup"])
    async def lookup_one(item: LookupRequest, client_name: str | None = Depends(client)) -> Response:
        """Screen one subject: clear / review / block with reasons, hits, eligibility and the list
        versions it was screened against. Fails closed (review) when the lists are stale or missing."""
        # A lookup alone runs inline on the event loop: handing it to the thread pool costs two thread
        # wake-ups (each a scheduling delay on a busy machine) for nothing to overlap with. Lookups that
        # arrive together go to the thread pool, where the matcher's and polars' kernels release the GIL
        # and overlap (all inline, 8 clients got a third fewer answers/s). The yield lets requests read in
        # the same turn of the loop count each other first.
        lookups_running[0] += 1
        try:
            await asyncio.sleep(0)
            if lookups_running[0] == 1:
                return _json(screen_one(item, client_name))
            return _json(await run_in_threadpool(screen_one, item, client_name))
        finally:
            lookups_running[0] -= 1

    @app.post("/v1/lookup/batch", response_model=BatchResponse, tags=["lookup"])
    def lookup_batch(batch: BatchRequest, client_name: str | None = Depends(client)) -> Response:
        """Up to 100 subjects in one call, answered in order."""
        # in the thread pool (a plain def): up to 100 lookups must not hold the event loop
        return _json({"results": [screen_one(item, client_name) for item in batch.items]})

    @app.get("/v1/lists", tags=["lists"])
    def list_versions(client_name: str | None = Depends(client)) -> dict[str, Any]:
        """Per source in the served index: version, publisher date, SHA-256, age in days, stale."""
        screener = get_screener(db)
        snapshot, freshness = screener.snapshot()
        if snapshot is None:
            raise exc.StoreError("no list index loaded yet")
        from screening.matching.snapshot import stale_sources

        stale = set(stale_sources(freshness or {}))
        today = dt.date.today()
        sources = []
        for v in snapshot.manifest["versions"]:
            published = dt.date.fromisoformat(v["publisher_date"][:10]) if v.get("publisher_date") else None
            sources.append({"source": v["source"], "version_id": v["version_id"], "publisher_date": published,
                            "sha256": v["sha256"], "age_days": (today - published).days if published else None,
                            "stale": v["source"] in stale})
        return {"snapshot_id": snapshot.snapshot_id, "sources": sources,
                "missing_mandatory": (freshness or {}).get("missing", [])}

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    def readyz() -> JSONResponse:
        """503 until the list index is loaded and warmed (the first lookups then answer at full speed)."""
        if not warmed.is_set():
            return JSONResponse({"status": "not ready", "detail": "list index loading"}, status_code=503)
        snapshot, _ = get_screener(db).snapshot()
        if snapshot is None:
            return JSONResponse({"status": "not ready", "detail": "list index not loaded"}, status_code=503)
        return JSONResponse({"status": "ready", "snapshot_id": snapshot.snapshot_id})

    @app.get("/metrics", tags=["ops"])
    def prometheus() -> Response:
        snapshot, freshness = get_screener(db).snapshot()
        if snapshot is not None:
            from screening.matching.snapshot import stale_sources

            stale = set(stale_sources(freshness or {}))
            for source in (freshness or {}).get("stale_at", {}):
                metrics.stale.labels(source).set(1 if source in stale else 0)
            metrics.index_age.set(snapshot.index.loaded_at)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(_Unauthorised)
    async def unauthorised(request: Request, error: _Unauthorised) -> JSONResponse:
        return JSONResponse({"error": "Unauthorised", "detail": "X-API-Key header required"}, status_code=401,
                            headers={"WWW-Authenticate": "ApiKey"})

    return app


class _AccessLog:
    """Metrics and the access log of every request: the route template, never the raw URL (names and IDs
    stay in bodies). Plain ASGI: Starlette's `@app.middleware("http")` costs a task and a stream copy
    per request, a noticeable part of a lookup's few milliseconds."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_status(message: dict) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")  # the router's template
            seconds = time.perf_counter() - started
            self.metrics.requests.labels(template, scope["method"], str(status[0])).inc()
            self.metrics.latency.labels(template).observe(seconds)
            log.info("request", method=scope["method"], route=template, status=status[0],
                     ms=round(seconds * 1000, 2), client=scope.get("state", {}).get("client_name"))


class _Unauthorised(Exception):
    """No API key given where one is required (401; a wrong key is 403)."""


_HIT_FIELDS = tuple(Hit.model_fields)


def _response(result: Any) -> dict[str, Any]:
    """A LookupResult in the shape of `LookupResponse` (serialised by `_json`, which writes dates as ISO text)."""
    return {"screening_id": result.screening_id, "decision": result.decision, "reasons": result.reasons,
            "hits": [_hit(h) for h in result.hits], "eligibility": result.eligibility,
            "list_versions": result.list_versions, "config_hash": result.config_hash,
            "stale_sources": result.stale_sources, "took_ms": result.elapsed_ms}


def _json(content: dict[str, Any]) -> Response:
    """The response body in one Rust pass (pydantic-core): building and validating `LookupResponse` models
    for data the service made itself cost more than the rest of the request; the models stay the contract
    of the OpenAPI document, and the tests validate responses against them."""
    return Response(to_json(content), media_type="application/json")


def _hit(hit: dict[str, Any]) -> dict[str, Any]:
    out = {k: hit.get(k) for k in _HIT_FIELDS}
    reasons = out["reasons"]
    out["reasons"] = json.loads(reasons) if isinstance(reasons, str) else (reasons or {})
    return out
