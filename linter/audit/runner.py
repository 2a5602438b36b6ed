"""Audit many repositories: each one checked in a worker process, its outcome written to the
store as soon as it is known, so an interrupted audit resumes where it stopped.

Audited repositories are untrusted: nothing in them is executed (git metadata is read as data,
see `gitinfo`), only regular files inside the repository are read, and the auditor's
configuration governs every repository (a repository's own `.goplumber.yaml` is not read).

A repository is identified by its resolved path (the same directory reached by a relative
path, an absolute one or a symbolic link is one repository), recorded with its remote URL and
commit when it is a git checkout. A rerun skips a repository only when both its sources (a
hash of the `.go` files that would be checked) and the audit key (goplumber version, the rule
set with its rule files' content, the selection, the options and the configuration) are
unchanged. A repository that fails is recorded with its error; the audit goes on."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from linter.audit.gitinfo import read_git, read_regular
from linter.audit.store import RepoOutcome, Store, text
from linter.discovery import discover
from linter.engine import MAX_FILE_BYTES, Options, assign_fingerprints, check_paths, prepare_rules
from linter.goversion import go_mod_version
from linter.model import FileError, Rule


class AuditError(ValueError):
    pass


def repositories(dirs: list[str], list_file: str | None, repos_dir: str | None) -> list[str]:
    out: list[str] = list(dirs)
    if list_file:
        try:
            # Undecodable bytes are kept as they are (surrogate escapes): a line is a path.
            with open(list_file, encoding="utf-8", errors="surrogateescape") as fh:
                out += [ln.strip() for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
        except OSError as e:
            raise AuditError(f"--list: cannot read {text(list_file)}: {e.strerror or e}") from None
    if repos_dir:
        try:
            out += sorted(
                os.path.join(repos_dir, n)
                for n in os.listdir(repos_dir)
                if os.path.isdir(os.path.join(repos_dir, n)) and not n.startswith(".")
            )
        except OSError as e:
            raise AuditError(f"--repos-dir: cannot list {text(repos_dir)}: {e.strerror or e}") from None
    seen: set[str] = set()
    unique = []
    for r in out:
        key = os.path.realpath(r)  # one repository however it is reached
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
    ordered = sorted(repos, key=os.path.realpath)
    return [r for i, r in enumerate(ordered) if i % n == k - 1]


@dataclass(frozen=True)
class Identity:
    path: str  # the store key: the resolved path, in its stored (escaped) form
    git_commit: str | None
    remote_url: str | None
    content_hash: str
    size: int  # bytes of Go source, to start the biggest repositories first


def identify(repo: str) -> Identity:
    """Who the repository is and what its sources are, without running anything in it."""
    root = os.path.realpath(repo)
    git = read_git(root)
    content, size = source_hash(root)
    return Identity(text(root), git.commit if git else None, text(git.remote) if git and git.remote else None, content, size)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def source_hash(root: str) -> tuple[str, int]:
    """A hash of the files `check` would read (discovery's rules): regular `.go` files inside the
    repository, at most MAX_FILE_BYTES each. Never opens a FIFO or a device, never follows a
    symbolic link out of the tree; paths are hashed as bytes (names need not be UTF-8)."""
    root = os.path.realpath(root)
    h = hashlib.sha256()
    size = 0
    errors: list[FileError] = []
    for p in sorted(discover([root], errors)):
        h.update(os.fsencode(os.path.relpath(p, root)) + b"\0")
        data = read_regular(p, MAX_FILE_BYTES) if _inside(os.path.realpath(p), root) else None
        if data is None:
            h.update(b"\1not read\0")
            continue
        size += len(data)
        h.update(hashlib.sha256(data).digest())
    for e in sorted(errors):
        h.update(b"\2" + os.fsencode(os.path.relpath(e.path, root)) + b"\0")
    return h.hexdigest(), size


def describe_options(options: Options) -> dict[str, Any]:
    """The options that decide what an audit finds (shown in the report, part of the audit key)."""
    cfg = options.config
    config = None
    if cfg is not None:
        config = {
            "path": text(os.path.abspath(cfg.path)) if cfg.path else None,
            "enable": cfg.enable,
            "disable": cfg.disable,
            "severity": cfg.severity,
            "rule_dirs": [text(d) for d in cfg.rule_dirs],
            "exclude": cfg.exclude,
            "go_version": cfg.go_version,
            "hints": cfg.hints,
            "parameters": cfg.parameters,
        }
    return {
        "select": sorted(options.select) if options.select is not None else None,
        "ignore": sorted(options.ignore),
        "builtin_rules": options.builtin_rules,
        "rule_dirs": [text(os.path.abspath(d)) for d in options.rule_dirs],
        "go_version": ".".join(map(str, options.go_version)) if options.go_version else None,
        "timeout_per_file": options.timeout_per_file,
        "hints": options.hints,
        "config": config,
    }


def audit_key(rules: list[Rule], options: Options) -> str:
    """goplumber version + every rule (id, severity, parameters, its rule file's content) +
    the selection, options and configuration: a rerun with a different key re-audits."""
    from linter.cache import ruleset_digest

    return ruleset_digest(rules, json.dumps(describe_options(options), sort_keys=True, default=str))


def _relative(path: str, root: str) -> str:
    rel = os.path.relpath(path, root) if os.path.isabs(path) else path
    return rel.replace(os.sep, "/")


def audit_one(repo: str, rules: list[Rule], options: Options, ident: Identity | None = None) -> RepoOutcome:
    started = time.perf_counter()
    root = os.path.realpath(repo)
    try:
        if not os.path.isdir(root):
            raise AuditError("not a directory")
        if ident is None:
            ident = identify(repo)
        version = go_mod_version(root)
        result = check_paths([root], rules, options)
        # Paths relative to the repository: the same findings (and fingerprints, as `check`
        # run from the repository root gives them) wherever the repository was found.
        findings = assign_fingerprints(sorted(dataclasses.replace(f, path=_relative(f.path, root)) for f in result.findings))
        stored = [dataclasses.replace(f, path=text(f.path), message=text(f.message), snippet=text(f.snippet)) for f in findings]
        notes = "; ".join(f"{_relative(e.path, root)}: {e.message}" for e in result.errors[:20])
        return RepoOutcome(
            path=ident.path,
            git_commit=ident.git_commit,
            content_hash=ident.content_hash,
            go_version=f"{version[0]}.{version[1]}" if version else None,
            files=result.stats.files,
            lines=result.stats.lines,
            duration=time.perf_counter() - started,
            status="ok",
            error=text(notes) or None,
            findings=stored,
            remote_url=ident.remote_url,
        )
    except Exception as e:  # noqa: BLE001 - a broken repository is recorded, never fatal
        tb = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
        where = f" ({os.path.basename(tb.filename)}:{tb.lineno})" if tb else ""
        return _failed(ident.path if ident else text(root), f"{type(e).__name__}: {e}{where}", time.perf_counter() - started)


def _failed(path: str, error: str, duration: float = 0.0) -> RepoOutcome:
    return RepoOutcome(path, None, None, None, 0, 0, duration, "error", text(error), [])


_RULES: list[Rule] = []
_OPTIONS = Options()

Item = tuple[str, Identity | None]


def _init(options: Options) -> None:
    global _RULES, _OPTIONS
    _OPTIONS = Options(**{**options.__dict__, "jobs": 1, "cache_dir": None})
    _RULES = prepare_rules(_OPTIONS)


def _task(item: Item) -> RepoOutcome:
    return audit_one(item[0], _RULES, _OPTIONS, item[1])


def dask_task(item: Item, options: Options) -> RepoOutcome:
    """The unit of work sent to a Dask worker (rules are prepared once per worker process)."""
    if not _RULES or _OPTIONS.__dict__ != {**options.__dict__, "jobs": 1, "cache_dir": None}:
        _init(options)
    return _task(item)


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
    rules = prepare_rules(options)
    key = audit_key(rules, options)
    store = Store(db_path)
    run_id = None
    try:
        run_id = store.start_run(text(arguments), shard_spec, sorted(r.id for r in rules), describe_options(options), key)
        progress = Progress(total=len(repos), started=time.perf_counter())
        todo: list[Item] = []
        for repo in repos:
            ident = identify(repo) if os.path.isdir(repo) else None
            if ident is not None and not force and store.is_done(ident.path, key, ident.content_hash):
                progress.done += 1
                progress.skipped += 1
                continue
            todo.append((repo, ident))
        todo.sort(key=lambda item: -(item[1].size if item[1] else 0))  # biggest first: the pool ends together
        outcomes = _execute(todo, options, jobs, scheduler)
        try:
            for outcome in outcomes:
                store.record(run_id, outcome, key)
                progress.done += 1
                progress.files += outcome.files
                progress.findings += len(outcome.findings)
                progress.errors += outcome.status != "ok"
                if report:
                    report(progress, outcome)
        finally:
            outcomes.close()  # stops the worker pool now (Ctrl-C, a store error), not when collected
    finally:
        if run_id is not None:
            store.finish_run(run_id, quiet=True)
        store.close()
    return progress


def _execute(todo: list[Item], options: Options, jobs: int, scheduler: str | None) -> Generator[RepoOutcome, None, None]:
    if not todo:
        return
    if scheduler:
        yield from _execute_dask(todo, options, scheduler)
        return
    if jobs <= 1 or len(todo) == 1:
        _init(options)
        for item in todo:
            yield _task(item)
        return
    queue = list(todo)
    while queue:  # a new pool when a worker died (the repositories it had are recorded as failed)
        yield from _pool(queue, options, jobs)


def _pool(queue: list[Item], options: Options, jobs: int) -> Iterator[RepoOutcome]:
    from linter.interrupt import sigint_blocked, stop_pool, worker_initializer

    # workers start with SIGINT blocked and then ignore it: Ctrl-C is the parent's alone, even
    # for a worker the executor spawns late (it spawns them on demand, at a submit)
    ex = ProcessPoolExecutor(max_workers=jobs, initializer=worker_initializer, initargs=(_init, options))
    pending: dict[Future[RepoOutcome], Item] = {}
    finished = False
    try:
        while queue or pending:
            with sigint_blocked():
                while queue and len(pending) < jobs * 2:
                    item = queue.pop(0)
                    pending[ex.submit(_task, item)] = item
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                item = pending.pop(fut)
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    broken = True
                    outcome = _failed(text(os.path.realpath(item[0])), "a worker process died while checking it (crash or out of memory)")
                yield outcome
            if broken:
                for item in pending.values():
                    yield _failed(text(os.path.realpath(item[0])), "a worker process died while this was being checked")
                pending.clear()
                finished = True
                return
        finished = True
    finally:
        if not finished:  # interrupted (Ctrl-C) or the store failed: stop now, not after the queue
            for fut in pending:
                fut.cancel()
            # not shutdown(wait=True): joining the executor's manager thread after its workers
            # were killed can hang; end the workers and leave the thread to notice
            stop_pool(ex)
        else:
            ex.shutdown(wait=True, cancel_futures=True)


def _execute_dask(todo: list[Item], options: Options, scheduler: str) -> Iterator[RepoOutcome]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise AuditError("--scheduler needs Dask: pip install 'goplumber[dask]'") from None
    try:
        client = Client(scheduler)
    except Exception as e:  # noqa: BLE001 - an unreachable or malformed address is a usage error
        raise AuditError(f"--scheduler {scheduler}: cannot connect: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    try:
        futures = client.map(dask_task, todo, options=options, pure=False)
        items = dict(zip(futures, todo, strict=True))
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as e:  # noqa: BLE001 - a lost worker fails that repository only
                yield _failed(text(os.path.realpath(items[fut][0])), f"{type(e).__name__}: {e}")
    finally:
        client.close()


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
