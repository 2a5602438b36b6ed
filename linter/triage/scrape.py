"""`goplumber triage --url http://HOST:PORT`: snapshot a live service twice, `--interval` apart,
and triage the second snapshot against the first.

Each snapshot fetches, from the service's `net/http/pprof` endpoints and its `/metrics`:

- `/debug/pprof/goroutine?debug=2` (wait states, `created by`), and the protobuf profile
  `/debug/pprof/goroutine`, used instead when the dump is refused or too large;
- `/debug/pprof/goroutineleak` (protobuf; Go 1.26 with the experiment, 1.27 by default): a 404
  (older Go) is noted, not an error;
- `/debug/pprof/heap?gc=1` (protobuf; `gc=1` runs a collection first, so in-use is current);
- `/metrics` (Prometheus text exposition): a 404 is noted.

Bounded: every response has a time limit (`timeout`, for connecting and for the whole body) and
a size limit (`max_bytes`); redirects are not followed; loopback addresses never go through a
proxy. A service that cannot be reached, or serves no goroutine profile, is an `InputError`
(exit 2). The files are written to a directory (`--save DIR`, or a temporary one) and passed to
`linter.triage.report.triage` like files given on the command line."""

from __future__ import annotations

import ipaddress
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from linter.triage.inputs import InputError

DEFAULT_INTERVAL = 30.0
DEFAULT_TIMEOUT = 30.0
MAX_BYTES = 256 << 20
CHUNK = 1 << 16


@dataclass(frozen=True)
class Endpoint:
    name: str  # file name stem
    path: str  # path and query under the base URL
    optional: bool  # a 404 is noted, not an error
    kind: str  # what triage gets it as: goroutine, goroutineleak, heap, metrics
    fallback: bool = False  # used only when the endpoint before it (same kind) failed


ENDPOINTS = (
    Endpoint("goroutine-debug2", "/debug/pprof/goroutine?debug=2", False, "goroutine"),
    Endpoint("goroutine", "/debug/pprof/goroutine", False, "goroutine", fallback=True),
    Endpoint("goroutineleak", "/debug/pprof/goroutineleak", True, "goroutineleak"),
    Endpoint("heap", "/debug/pprof/heap?gc=1", True, "heap"),
    Endpoint("metrics", "/metrics", True, "metrics"),
)
SUFFIX = {"goroutine-debug2": ".txt", "metrics": ".txt"}


@dataclass
class Scraped:
    """What two snapshots gave: the files to triage, their bases, and what was missing."""

    current: list[str] = field(default_factory=list)
    base: list[str] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)  # file -> the URL it came from
    notes: list[str] = field(default_factory=list)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} not followed", headers, fp)


def base_url(url: str) -> str:
    """`http://HOST:PORT[/prefix]` checked and without a trailing slash; InputError otherwise."""
    u = urllib.parse.urlsplit(url.strip())
    if u.scheme not in ("http", "https") or not u.hostname:
        raise InputError(f"--url {url!r}: expected http://HOST:PORT (the service's address, where /debug/pprof/ is served)")
    try:
        u.port  # noqa: B018 (validates the port)
    except ValueError as e:
        raise InputError(f"--url {url!r}: {e}") from None
    if u.query or u.fragment:
        raise InputError(f"--url {url!r}: no query or fragment, only the service's address")
    return urllib.parse.urlunsplit((u.scheme, u.netloc, u.path.rstrip("/"), "", ""))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _opener(base: str) -> urllib.request.OpenerDirector:
    host = urllib.parse.urlsplit(base).hostname or ""
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if _loopback(host):
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


class _HTTPStatus(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status = status


def fetch(opener: urllib.request.OpenerDirector, url: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_BYTES) -> bytes:
    """The body of GET `url`, within `timeout` seconds in all and `max_bytes`; _HTTPStatus for
    a non-200 answer, OSError (TimeoutError included) or ValueError for the rest."""
    deadline = time.monotonic() + timeout
    req = urllib.request.Request(url, headers={"User-Agent": "goplumber-triage", "Accept-Encoding": "identity"})  # noqa: S310 (base_url allows http and https only)
    try:
        resp = opener.open(req, timeout=timeout)
    except urllib.error.HTTPError as e:
        e.close()
        raise _HTTPStatus(e.code, str(e.reason)) from None
    with resp:
        if resp.status != 200:
            raise _HTTPStatus(resp.status, resp.reason)
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise ValueError(f"response of {int(length):,} bytes is larger than the limit ({max_bytes:,})")
        parts: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"response not complete after {timeout:g} s")
            chunk = resp.read1(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise ValueError(f"response larger than the limit ({max_bytes:,} bytes)")
            parts.append(chunk)
    return b"".join(parts)


def snapshot(
    base: str,
    dest: Path,
    tag: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    opener: urllib.request.OpenerDirector | None = None,
) -> tuple[dict[str, Path], dict[str, str], list[str]]:
    """One snapshot into `dest` (files `TAG-NAME.ext`): ({kind: file}, {file: url}, notes)."""
    opener = opener or _opener(base)
    files: dict[str, Path] = {}
    urls: dict[str, str] = {}
    notes: list[str] = []
    errors: dict[str, str] = {}
    for ep in ENDPOINTS:
        if ep.fallback and ep.kind in files:
            continue
        url = base + ep.path
        try:
            data = fetch(opener, url, timeout, max_bytes)
        except _HTTPStatus as e:
            if e.status == 404 and ep.optional:
                notes.append(f"{url}: not served (404){_why_missing(ep.kind)}")
                continue
            errors[ep.kind] = f"{url}: {e}"
            continue
        except (OSError, ValueError) as e:
            reason = getattr(e, "reason", None) or e
            if isinstance(e, urllib.error.URLError) and not ep.fallback and not files and not errors:
                # nothing answered the first request: the service is not there
                raise InputError(f"--url {base}: cannot connect: {reason}") from None
            errors[ep.kind] = f"{url}: {reason}"
            continue
        p = dest / f"{tag}-{ep.name}{SUFFIX.get(ep.name, '.pb.gz')}"
        p.write_bytes(data)
        files[ep.kind] = p
        urls[str(p)] = url
        errors.pop(ep.kind, None)
    for kind, err in errors.items():
        if kind == "goroutine":
            raise InputError(f"--url {base}: no goroutine profile: {err}")
        notes.append(f"{err} (left out)")
    return files, urls, notes


def _why_missing(kind: str) -> str:
    if kind == "goroutineleak":
        return "; the goroutineleak profile needs Go 1.27 (or 1.26 with GOEXPERIMENT=goroutineleakprofile)"
    if kind == "metrics":
        return "; no Prometheus metrics to compare"
    return ""


def collect(
    url: str,
    interval: float,
    dest: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
) -> Scraped:
    """Two snapshots of the service at `url`, `interval` seconds apart, in `dest`. Kinds that
    only one snapshot has are left out (with a note): growth needs both."""
    if not interval >= 0:
        raise InputError(f"--interval {interval}: must be a number of seconds >= 0")
    base = base_url(url)
    opener = _opener(base)
    dest.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _m: None)
    say(f"snapshot 1 of {base}")
    first, urls1, notes1 = snapshot(base, dest, "1", timeout=timeout, max_bytes=max_bytes, opener=opener)
    say(f"waiting {interval:g} s")
    sleep(interval)
    say(f"snapshot 2 of {base}")
    second, urls2, notes2 = snapshot(base, dest, "2", timeout=timeout, max_bytes=max_bytes, opener=opener)
    out = Scraped(urls={**urls1, **urls2})
    for note in notes1 + notes2:
        if note not in out.notes:
            out.notes.append(note)
    for kind, p in second.items():
        b = first.get(kind)
        if b is None:
            out.notes.append(f"{out.urls[str(p)]}: only in the second snapshot, left out")
            continue
        if b.suffix != p.suffix:  # one snapshot fell back to the protobuf goroutine profile
            out.notes.append(f"goroutine profiles of different formats ({b.name}, {p.name}): stacks compared loosely")
        out.current.append(str(p))
        out.base.append(str(b))
    for kind, b in first.items():
        if kind not in second:
            out.notes.append(f"{out.urls[str(b)]}: only in the first snapshot, left out")
    return out
