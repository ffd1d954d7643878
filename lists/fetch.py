"""Downloading published lists: timeouts, retries with back-off, conditional GET, integrity checks.

Shared by every source; a source only declares its URLs (ListSpec.urls), which configuration can
point at a mirror (settings.mirror_url).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from lists.spec import ListSpec
from screening import settings
from screening.exc import ListRefused
from screening.logs import get_logger

log = get_logger(__name__)

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchError(ListRefused):
    """A download failed after its retries; nothing was replaced (the version in force stays)."""

    def __init__(self, url: str, reason: str, http_status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.http_status = http_status


@dataclass
class FetchResult:
    status: str  # "changed" (files written to `path`) or "unchanged" (conditional GET said 304)
    path: Path | None
    origin: str
    etag: str | None = None
    last_modified: str | None = None
    http_status: int | None = None
    missing_optional: list[str] = field(default_factory=list)


def source_urls(spec: ListSpec) -> dict[str, str]:
    """The URL of each file of the source, with configured mirrors applied.

    `SCREENING_URL_<KEY>` replaces a single-file source's URL; for a multi-file source it is a base
    URL the file names are appended to. `SCREENING_URL_<KEY>_<FILE>` replaces one file's URL.
    """
    base = settings.mirror_url(spec.key)
    urls = {}
    for filename, official in spec.urls.items():
        if not spec.multi_file:
            urls[filename] = base or official
            continue
        specific = settings.mirror_url(spec.key, filename)
        if specific and specific != base:
            urls[filename] = specific
        elif base:
            urls[filename] = base.rstrip("/") + "/" + filename
        else:
            urls[filename] = official
    return urls


def fetch_source(
    spec: ListSpec,
    dest: Path,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    session: requests.Session | None = None,
) -> FetchResult:
    """Download a source's file(s) into `dest`.

    The first file carries the conditional GET (the validators of the version in force); a 304 there
    means the source is unchanged and nothing else is downloaded. A multi-file source is then fetched
    whole, so a version folder is always consistent.
    """
    if not spec.urls:
        raise FetchError(spec.key, "source has no download URL (a manual list: use `screening lists load`)")
    session = session or requests.Session()
    urls = source_urls(spec)
    dest.mkdir(parents=True, exist_ok=True)
    first_name, first_url = next(iter(urls.items()))
    conditional = {}
    if etag:
        conditional["If-None-Match"] = etag
    if last_modified:
        conditional["If-Modified-Since"] = last_modified
    response = _get(session, first_url, conditional)
    if response.status_code == 304:
        return FetchResult("unchanged", None, first_url, etag, last_modified, 304)
    (dest / first_name).write_bytes(response.content)
    result = FetchResult("changed", dest if spec.multi_file else dest / first_name, first_url,
                         response.headers.get("ETag"), response.headers.get("Last-Modified"), response.status_code)
    for filename, url in list(urls.items())[1:]:
        try:
            (dest / filename).write_bytes(_get(session, url, {}).content)
        except FetchError as exc:
            if filename in spec.optional_files and exc.http_status == 404:
                result.missing_optional.append(filename)
                continue
            raise
    return result


def _get(session: requests.Session, url: str, headers: dict[str, str]) -> requests.Response:
    """GET with a timeout and retries (exponential back-off) on network errors and 5xx/429."""
    retries = settings.http_retries()
    timeout = settings.http_timeout()
    last_error = "no attempt made"
    last_status: int | None = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
        try:
            response = session.get(url, headers=headers, timeout=timeout)
            if response.status_code == 304:
                return response
            if response.status_code in RETRY_STATUSES:
                last_error, last_status = f"HTTP {response.status_code}", response.status_code
                log.warning("retrying download", url=url, http_status=response.status_code)
                continue
            if response.status_code >= 400:
                raise FetchError(url, f"HTTP {response.status_code}", response.status_code)
            _check_complete(url, response)
            return response
        except FetchError as exc:
            if exc.reason.startswith("truncated"):
                last_error, last_status = exc.reason, exc.http_status
                continue
            raise
        except requests.RequestException as exc:
            last_error, last_status = f"{type(exc).__name__}: {exc}", None
            log.warning("retrying download", url=url, error=str(last_error))
    raise FetchError(url, f"gave up after {retries + 1} attempts: {last_error}", last_status)


def _check_complete(url: str, response: requests.Response) -> None:
    expected = response.headers.get("Content-Length")
    encoding = response.headers.get("Content-Encoding")
    if expected and not encoding and int(expected) != len(response.content):
        raise FetchError(url, f"truncated body: {len(response.content)} of {expected} bytes", response.status_code)
    if not response.content:
        raise FetchError(url, "empty body", response.status_code)
