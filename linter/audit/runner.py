"""`goplumber audit`: check many repositories, in parallel, into a resumable SQLite store.

Repositories are spread over worker processes (biggest first, so one large repository does not
start last), or over an existing Dask cluster with `--scheduler`. Each finished repository is
committed at once: Ctrl-C or a crash loses only the repositories in flight, and a rerun skips
those already done at the same git commit (or the same source hash outside git). A repository
that fails is recorded with its error; the audit goes on."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

from linter.audit.store import RepoOutcome, Store
from linter.engine import Options, check_paths, prepare_rules
from linter.goversion import go_mod_version
from linter.model import Rule


class AuditError(ValueError):
    pass


def repositories(dirs: list[str], list_file: str | None, repos_dir: str | None) -> list[str]:
    out: list[str] = list(dirs)
    if list_file:
        try:
            with open(list_file, encoding="utf-8") as fh:
                out += [ln.strip() for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
        except OSError as e:
            raise AuditError(f"--list: cannot read {list_file}: {e.strerror or e}") from None
    if repos_dir:
        try:
            out += sorted(
                os.path.join(repos_dir, n)
                for n in os.listdir(repos_dir)
                if os.path.isdir(os.path.join(repos_dir, n)) and not n.startswith(".")
            )
        except OSError as e:
            raise AuditError(f"--repos-dir: cannot list {repos_dir}: {e.strerror or e}") from None
    seen: set[str] = set()
    unique = []
    for r in out:
        key = os.path.abspath(r)
        if key not in seen:
            seen.add(key)
            unique.append(os.path.normpath(r))
    return unique


def shard(repos: list[str], spec: str | None) -> list[str]:
    """`K/N`: the K-th of N deterministic slices of the sorted repository list (1-based)."""
    if not spec:
        return repos
    try:
        k, n = (int(x) for x in spec.split("/"))
    except ValueError:
        raise AuditError(f"--shard must look like K/N (e.g. 2/4), not {spec!r}") from None
    if not 1 <= k <= n:
        raise AuditError(f"--shard {spec}: K must be between 1 and N")
    ordered = sorted(repos, key=os.path.abspath)
    return [r for i, r in enumerate(ordered) if i % n == k - 1]


def identify(repo: str) -> tuple[str | None, str | None]:
    """(git commit, source hash): the commit when the repository is a clean git checkout."""
    commit = None
    if os.path.exists(os.path.join(repo, ".git")):
        try:
            head = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30)
            dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--", "*.go"], capture_output=True, text=True, timeout=60)
            if head.returncode == 0 and dirty.returncode == 0 and not dirty.stdout.strip():
                commit = head.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit = None
    if commit is not None:
        return commit, None
    h = hashlib.sha256()
    for root, dirs, files in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("vendor", "node_modules"))
        for name in sorted(files):
            if name.endswith(".go"):
                p = os.path.join(root, name)
                try:
                    with open(p, "rb") as fh:
                        h.update(os.path.relpath(p, repo).encode() + b"\0" + hashlib.sha256(fh.read()).digest())
                except OSError:
                    h.update(p.encode() + b"\0unreadable")
    return None, h.hexdigest()


def audit_one(repo: str, rules: list[Rule], options: Options) -> RepoOutcome:
    started = time.perf_counter()
    try:
        if not os.path.isdir(repo):
            raise AuditError("not a directory")
        commit, content = identify(repo)
        version = go_mod_version(repo)
        result = check_paths([repo], rules, options)
        return RepoOutcome(
            path=repo,
            git_commit=commit,
            content_hash=content,
            go_version=f"{version[0]}.{version[1]}" if version else None,
            files=result.stats.files,
            lines=result.stats.lines,
            duration=time.perf_counter() - started,
            status="ok",
            error="; ".join(f"{e.path}: {e.message}" for e in result.errors[:20]) or None,
            findings=result.findings,
        )
    except Exception as e:  # noqa: BLE001 - a broken repository is recorded, never fatal
        tb = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
        where = f" ({os.path.basename(tb.filename)}:{tb.lineno})" if tb else ""
        return RepoOutcome(repo, None, None, None, 0, 0, time.perf_counter() - started, "error", f"{type(e).__name__}: {e}{where}", [])


_RULES: list[Rule] = []
_OPTIONS = Options()


def _init(options: Options) -> None:
    global _RULES, _OPTIONS
    _OPTIONS = Options(**{**options.__dict__, "jobs": 1, "cache_dir": None})
    _RULES = prepare_rules(_OPTIONS)


def _task(repo: str) -> RepoOutcome:
    return audit_one(repo, _RULES, _OPTIONS)


def dask_task(repo: str, options: Options) -> RepoOutcome:
    """The unit of work sent to a Dask worker (rules are prepared once per worker process)."""
    if not _RULES or _OPTIONS.__dict__ != {**options.__dict__, "jobs": 1, "cache_dir": None}:
        _init(options)
    return _task(repo)


@dataclass
class Progress:
    total: int
    done: int = 0
    files: int = 0
    findings: int = 0
    errors: int = 0
    skipped: int = 0
    started: float = 0.0

    def line(self) -> str:
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        rate = self.files / elapsed
        left = self.total - self.done
        eta = elapsed / self.done * left if self.done else float("nan")
        return (
            f"audit: {self.done}/{self.total} repositories ({self.skipped} unchanged, {self.errors} failed), "
            f"{self.files} files, {rate:,.0f} files/s, {self.findings} findings, ETA {eta:,.0f}s".replace("nan", "?")
        )


def run(
    repos: list[str],
    options: Options,
    db_path: str,
    jobs: int,
    force: bool = False,
    scheduler: str | None = None,
    arguments: str = "",
    shard_spec: str | None = None,
    report: Callable[[Progress, RepoOutcome | None], None] | None = None,
) -> Progress:
    store = Store(db_path)
    run_id = store.start_run(arguments, shard_spec)
    progress = Progress(total=len(repos), started=time.perf_counter())
    todo = []
    for repo in repos:
        if not force and os.path.isdir(repo):
            commit, content = identify(repo)
            if store.is_done(repo, commit, content):
                progress.done += 1
                progress.skipped += 1
                continue
        todo.append(repo)
    todo.sort(key=lambda r: -_size(r))  # biggest first: the pool ends together
    try:
        for outcome in _execute(todo, options, jobs, scheduler):
            store.record(run_id, outcome)
            progress.done += 1
            progress.files += outcome.files
            progress.findings += len(outcome.findings)
            progress.errors += outcome.status != "ok"
            if report:
                report(progress, outcome)
    finally:
        store.finish_run(run_id)
        store.close()
    return progress


def _execute(todo: list[str], options: Options, jobs: int, scheduler: str | None) -> Iterator[RepoOutcome]:
    if not todo:
        return
    if scheduler:
        yield from _execute_dask(todo, options, scheduler)
        return
    if jobs <= 1 or len(todo) == 1:
        _init(options)
        for repo in todo:
            yield _task(repo)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(options,)) as ex:
        pending: set[Future[RepoOutcome]] = set()
        queue = list(todo)
        while queue or pending:
            while queue and len(pending) < jobs * 2:
                pending.add(ex.submit(_task, queue.pop(0)))
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()


def _execute_dask(todo: list[str], options: Options, scheduler: str) -> Iterator[RepoOutcome]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise AuditError("--scheduler needs Dask: pip install 'goplumber[dask]'") from None
    client = Client(scheduler)
    try:
        futures = client.map(dask_task, todo, options=options, pure=False)
        for fut in as_completed(futures):
            yield fut.result()
    finally:
        client.close()


def _size(repo: str) -> int:
    total = 0
    for root, dirs, files in os.walk(repo):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("vendor", "testdata")]
        for n in files:
            if n.endswith(".go"):
                try:
                    total += os.path.getsize(os.path.join(root, n))
                except OSError:
                    pass
    return total


def plain_reporter(interval: float = 5.0) -> Callable[[Progress, RepoOutcome | None], None]:
    """Periodic progress lines for logs (CI), instead of a live display."""
    last = [0.0]

    def report(p: Progress, o: RepoOutcome | None) -> None:
        now = time.perf_counter()
        if o is not None and o.status != "ok":
            print(f"audit: {o.path}: failed: {o.error}", file=sys.stderr, flush=True)
        if now - last[0] >= interval or p.done == p.total:
            last[0] = now
            print(p.line(), file=sys.stderr, flush=True)

    return report
