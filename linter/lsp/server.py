"""`goplumber lsp`: the language server (pygls 2) and its scheduler.

Checks run on one worker thread, never on the event loop, one at a time (they are CPU-bound:
a second thread would only share the interpreter lock). What waits to run is kept per file and
per directory, so a burst of edits to a file is one check of its newest text; a check whose
text went out of date is cancelled between two files (the engine asks `cancelled()`), and the
background work (the rest of a package, the workspace scan) gives way to an edited file.

For an edited file:

1. the file itself is checked at once (after `debounceMs`, 0 by default), with the package's
   other open buffers standing in for their files on disk: its diagnostics go out first;
2. then the package's other files (the directory's: the engine's unit for the call graph and
   the cross-file taint) are checked again with the new text, and the ones whose diagnostics
   changed are published again;
3. on save (or a change on disk, didChangeWatchedFiles) the packages whose last check read
   that directory (the same-module lookups: release methods, wrappers) are checked again too.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from linter import __version__
from linter.lsp import actions, convert
from linter.lsp.checker import Cancelled, Checker, FileOutcome, PackageOutcome, RuleSet
from linter.lsp.positions import UTF8, UTF16, UTF32, Text, encode
from linter.lsp.settings import Settings, parse_settings
from linter.model import Finding

log = logging.getLogger("goplumber.lsp")

FILE, PACKAGE, SCAN = 0, 1, 2  # job priorities: an edited file first, its package, then the workspace
CONFIG_NAMES = (".goplumber.yaml", ".goplumber.yml")
RESULT_WAIT = 10.0  # seconds a code action or hover waits for the check of the current text


@dataclass
class Job:
    priority: int
    directory: str
    targets: set[str]  # absolute paths; PACKAGE: filled in when it runs (all but `exclude`)
    due: float
    exclude: set[str] = field(default_factory=set)
    use_cache: bool = False
    cancel: threading.Event = field(default_factory=threading.Event)
    preempted: bool = False
    seq: int = 0

    @property
    def key(self) -> tuple[int, str]:
        return (self.priority, min(self.targets) if self.priority == FILE and self.targets else self.directory)


@dataclass
class Published:
    version: int | None
    findings: tuple[Finding, ...]
    errors: tuple[Any, ...]
    outcome: FileOutcome
    ruleset: RuleSet


@dataclass
class Scan:
    token: str | None
    total: int
    done: int = 0
    findings: int = 0
    cancelled: bool = False


class GoplumberServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("goplumber", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = Settings()
        self.checker = Checker()
        self.roots: list[str] = []
        self.pending: dict[tuple[int, str], Job] = {}
        self.running: Job | None = None
        self.results: dict[str, Published] = {}  # path -> what was last published for it
        self.dependents: dict[str, set[str]] = {}  # directory -> directories whose check read it
        self.waiters: dict[str, list[tuple[int, asyncio.Future[None]]]] = {}
        self.versions: dict[str, int] = {}  # path -> version of the open buffer
        self.texts: dict[str, tuple[int, bytes]] = {}  # path -> (version, bytes) of the open buffer
        self.config_errors: set[str] = set()  # config files with an error diagnostic published
        self.scan: Scan | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="goplumber-check")
        self.wake: asyncio.Event | None = None
        self.loop_task: asyncio.Task[None] | None = None
        self.stopping = False
        self.seq = itertools.count()

    # -- documents ------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        enc = str(self.workspace.position_encoding or UTF16)
        return enc if enc in (UTF8, UTF16, UTF32) else UTF16

    def path_of(self, uri: str) -> str | None:
        if not uri.startswith("file:"):
            return None
        path = to_fs_path(uri)
        return os.path.abspath(path) if path else None

    def uri_of(self, path: str) -> str:
        return convert.file_uri(path)

    def buffer(self, path: str) -> bytes | None:
        """The open buffer's bytes at its current version (encoded once per version)."""
        version = self.versions.get(path)
        if version is None:
            return None
        got = self.texts.get(path)
        if got is not None and got[0] == version:
            return got[1]
        try:
            doc = self.workspace.get_text_document(self.uri_of(path))
            data = encode(doc.source)
        except Exception:  # noqa: BLE001 - a document pygls lost: treat it as closed
            return None
        self.texts[path] = (version, data)
        return data

    def buffers_in(self, directory: str) -> dict[str, bytes]:
        out = {}
        for p in self.versions:
            if os.path.dirname(p) == directory:
                data = self.buffer(p)
                if data is not None:
                    out[p] = data
        return out

    def reported(self, path: str) -> bool:
        """Whether diagnostics are published for `path`: open files, and every file with a
        workspace scan."""
        return path in self.versions or self.settings.workspace_scan

    # -- scheduling -----------------------------------------------------------------------------

    def schedule(self, job: Job) -> None:
        job.seq = next(self.seq)
        old = self.pending.get(job.key)
        if old is not None:
            if job.priority == PACKAGE:
                job.exclude &= old.exclude  # both edits must be seen by the files neither checked
            job.due = min(job.due, old.due) if job.priority != FILE else job.due
            job.use_cache = job.use_cache and old.use_cache
        self.pending[job.key] = job
        run = self.running
        if run is not None and not run.cancel.is_set():
            if job.priority < run.priority:
                run.preempted = True
                run.cancel.set()  # background work gives way; it is scheduled again
            elif run.priority == FILE and job.priority == FILE and job.targets == run.targets:
                run.cancel.set()  # its text is out of date: the new job checks the newest
        if self.wake is not None:
            self.wake.set()

    def check_file(self, path: str, delay: float = 0.0) -> None:
        self.schedule(Job(FILE, os.path.dirname(path), {path}, time.monotonic() + delay))

    def check_package(self, directory: str, exclude: set[str] | None = None) -> None:
        self.schedule(Job(PACKAGE, directory, set(), time.monotonic(), exclude=set(exclude or ())))

    def package_targets(self, directory: str, exclude: set[str]) -> set[str]:
        names: set[str] = set()
        if self.settings.workspace_scan:
            try:
                names = {os.path.join(directory, n) for n in os.listdir(directory) if n.endswith(".go")}
            except OSError:
                names = set()
            names = {n for n in names if os.path.isfile(n)}
            names |= {p for p, r in self.results.items() if os.path.dirname(p) == directory and r.findings}
        names |= {p for p in self.versions if os.path.dirname(p) == directory}
        return names - exclude

    def _pick(self) -> tuple[Job | None, float | None]:
        now = time.monotonic()
        ready = [j for j in self.pending.values() if j.due <= now]
        if not ready:
            waits = [j.due - now for j in self.pending.values()]
            return None, min(waits) if waits else None
        job = min(ready, key=lambda j: (j.priority, j.due, j.seq))
        del self.pending[job.key]
        return job, None

    async def run_jobs(self) -> None:
        self.wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        while not self.stopping:
            job, wait = self._pick()
            if job is None:
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), wait)
                except asyncio.TimeoutError:
                    pass
                continue
            if job.priority == PACKAGE:
                job.targets = self.package_targets(job.directory, job.exclude)
            if not job.targets:
                continue
            buffers = self.buffers_in(job.directory)
            versions = {p: self.versions[p] for p in buffers}
            self.running = job
            try:
                outcome = await loop.run_in_executor(self.executor, self._work, job, buffers)
            except Cancelled:
                if job.preempted and not self.stopping:
                    job.preempted = False
                    job.cancel = threading.Event()
                    if job.key not in self.pending:
                        self.pending[job.key] = job
                continue
            except Exception as e:  # noqa: BLE001 - a bug in one check must not stop the server
                log.exception("check of %s failed", sorted(job.targets))
                self.show_log(f"goplumber: internal error checking {', '.join(sorted(job.targets))}: {type(e).__name__}: {e}", error=True)
                continue
            finally:
                self.running = None
            try:
                self._publish(job, outcome, versions)
            except Exception as e:  # noqa: BLE001 - nor a bug in publishing one
                log.exception("publishing the check of %s failed", sorted(job.targets))
                self.show_log(f"goplumber: internal error publishing {', '.join(sorted(job.targets))}: {type(e).__name__}: {e}", error=True)

    def _work(self, job: Job, buffers: dict[str, bytes]) -> PackageOutcome:
        return self.checker.check_package(job.directory, sorted(job.targets), buffers, job.cancel.is_set, job.use_cache)

    def _publish(self, job: Job, outcome: PackageOutcome, versions: dict[str, int]) -> None:
        ruleset = outcome.ruleset
        self._config_state(ruleset)
        self._record_dependencies(outcome)
        current = []
        for path, fo in outcome.files.items():
            version = versions.get(path)
            if path in self.versions and self.versions[path] != version:
                continue  # edited since: a newer check is on its way
            if path not in self.versions and not self.reported(path):
                continue
            current.append(path)
            prev = self.results.get(path)
            findings, errors = tuple(fo.findings), tuple(fo.errors)
            if prev is None and path not in self.versions and not findings and not any(e.incomplete for e in errors):
                continue  # a clean file on disk nothing was published for: nothing to say
            if job.priority != FILE and prev is not None and (prev.version, prev.findings, prev.errors) == (version, findings, errors):
                prev.outcome, prev.ruleset = fo, ruleset
                continue
            self.results[path] = Published(version, findings, errors, fo, ruleset)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=self.uri_of(path), diagnostics=convert.diagnostics(fo, ruleset, self.encoding), version=version
                )
            )
            log.debug("published %d diagnostics for %s (version %s)", len(fo.findings), path, version)
        for path in current:
            for _, fut in self.waiters.pop(path, []):
                if not fut.done():
                    fut.set_result(None)
        if job.priority == FILE:
            others = self.package_targets(job.directory, set(job.targets))
            if others:
                self.check_package(job.directory, set(job.targets))
        if job.priority == SCAN and self.scan is not None:
            self._scan_step(outcome)

    def _record_dependencies(self, outcome: PackageOutcome) -> None:
        here = outcome.directory
        if outcome.from_cache:
            return
        for dirs in self.dependents.values():
            dirs.discard(here)
        for d in outcome.depends_on:
            self.dependents.setdefault(d, set()).add(here)

    def _config_state(self, ruleset: RuleSet) -> None:
        """A broken config or rule file: an error diagnostic on it, and a message once."""
        where = ruleset.error_path
        if ruleset.error is not None and where is not None:
            if where not in self.config_errors:
                self.config_errors.add(where)
                self.show_log(f"goplumber: {ruleset.error} (files under it are not checked until it is fixed)", error=True)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=self.uri_of(os.path.abspath(where)), diagnostics=[convert.config_diagnostic(ruleset)])
            )
        elif ruleset.config_path is not None and ruleset.config_path in self.config_errors:
            self.config_errors.discard(ruleset.config_path)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=self.uri_of(ruleset.config_path), diagnostics=[]))

    def show_log(self, message: str, error: bool = False) -> None:
        kind = types.MessageType.Error if error else types.MessageType.Info
        self.window_log_message(types.LogMessageParams(type=kind, message=message))
        if error:
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    # -- what a request needs: the findings of the current text ---------------------------------

    async def current(self, path: str) -> Published | None:
        """The published result for the buffer's current version, checking it first if needed."""
        version = self.versions.get(path)
        got = self.results.get(path)
        if got is not None and (version is None or got.version == version):
            return got
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.setdefault(path, []).append((version or 0, fut))
        run = self.running
        underway = run is not None and run.priority == FILE and path in run.targets and not run.cancel.is_set()
        if not underway and not any(j.priority == FILE and path in j.targets for j in self.pending.values()):
            self.check_file(path)
        try:
            await asyncio.wait_for(fut, RESULT_WAIT)
        except asyncio.TimeoutError:
            pass
        got = self.results.get(path)
        return got if got is not None and (version is None or got.version == version) else None

    # -- the workspace scan ---------------------------------------------------------------------

    async def start_scan(self, roots: list[str] | None = None) -> None:
        from linter.discovery import discover
        from linter.engine import group_by_directory

        roots = self.roots if roots is None else roots
        if not roots or self.stopping or self.scan is not None:
            return
        loop = asyncio.get_running_loop()
        errors: list[Any] = []
        files = await loop.run_in_executor(self.executor, lambda: discover(roots, errors))
        groups = group_by_directory(os.path.abspath(f) for f in files)
        token: str | None = None
        caps = self.client_capabilities.window
        if caps is not None and caps.work_done_progress:
            token = f"goplumber-scan-{next(self.seq)}"
            try:
                await self.work_done_progress.create_async(token)
            except Exception:  # noqa: BLE001 - a client that refuses: scan without progress
                token = None
        self.scan = Scan(token, len(groups))
        if token is not None:
            self.work_done_progress.begin(
                token,
                types.WorkDoneProgressBegin(title="goplumber", message=f"checking {len(files)} files", percentage=0, cancellable=True),
            )
        if not groups:
            self._scan_end()
        now = time.monotonic()
        for g in groups:
            self.schedule(Job(SCAN, os.path.dirname(g[0]), set(g), now, use_cache=True))

    def _scan_step(self, outcome: PackageOutcome) -> None:
        scan = self.scan
        assert scan is not None
        scan.done += 1
        scan.findings += sum(len(f.findings) for f in outcome.files.values())
        token = scan.token
        if token is not None:
            fut = self.work_done_progress.tokens.get(token)
            if fut is not None and fut.cancelled() and not scan.cancelled:
                scan.cancelled = True
                for key in [k for k, j in self.pending.items() if j.priority == SCAN]:
                    del self.pending[key]
        remaining = any(j.priority == SCAN for j in self.pending.values()) or (self.running is not None and self.running.priority == SCAN)
        if scan.cancelled or not remaining:
            self._scan_end()
        elif token is not None:
            pct = int(100 * scan.done / max(scan.total, 1))
            self.work_done_progress.report(
                token, types.WorkDoneProgressReport(message=f"{scan.done}/{scan.total} packages, {scan.findings} findings", percentage=pct)
            )

    def _scan_end(self) -> None:
        scan = self.scan
        if scan is None:
            return
        self.scan = None
        if scan.token is not None:
            what = "cancelled" if scan.cancelled else "done"
            self.work_done_progress.end(
                scan.token, types.WorkDoneProgressEnd(message=f"{what}: {scan.findings} findings in {scan.done} packages")
            )

    # -- changes ----------------------------------------------------------------------------------

    def recheck_all(self) -> None:
        for path in list(self.versions):
            self.check_file(path)
        dirs = {os.path.dirname(p) for p in self.results if p not in self.versions}
        for d in dirs:
            self.check_package(d)

    def disk_changed(self, directory: str) -> None:
        """Files of `directory` changed on disk: its package, and the packages that read it."""
        self.check_package(directory)
        for d in sorted(self.dependents.get(directory, ())):
            self.check_package(d)

    def forget_go_mod(self) -> None:
        """A go.mod changed: the memoized module roots and Go versions are read again."""
        from linter import goversion, model, roots
        from linter.checks import taint

        roots.nearest.cache_clear()
        goversion.go_mod_version.cache_clear()
        model._path_forms.cache_clear()
        taint._module.cache_clear()

    def apply_settings(self, options: Any) -> None:
        base = self.roots[0] if self.roots else None
        self.settings = parse_settings(options, base, self.settings)
        self.checker.update(self.settings)
        for problem in self.settings.problems:
            self.show_log(f"goplumber: initialization option {problem}; ignored", error=True)

    def stop(self) -> None:
        self.stopping = True
        for job in [self.running, *self.pending.values()]:
            if job is not None:
                job.cancel.set()
        self.pending.clear()
        if self.wake is not None:
            self.wake.set()
        self.executor.shutdown(wait=False, cancel_futures=True)


def build() -> GoplumberServer:
    """The server with its features registered."""
    server = GoplumberServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: GoplumberServer, params: types.InitializeParams) -> None:
        roots = [ls.path_of(f.uri) for f in params.workspace_folders or []]
        if not any(roots) and params.root_uri:
            roots = [ls.path_of(params.root_uri)]
        if not any(roots) and params.root_path:
            roots = [os.path.abspath(params.root_path)]
        ls.roots = [r for r in roots if r]
        ls.checker.roots = list(ls.roots)
        ls.apply_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: GoplumberServer, params: types.InitializedParams) -> None:
        ls.loop_task = asyncio.ensure_future(ls.run_jobs())
        caps = ls.client_capabilities.workspace
        watch = caps.did_change_watched_files if caps is not None else None
        if watch is not None and watch.dynamic_registration:
            watchers = [
                types.FileSystemWatcher(glob_pattern=g)
                for g in ("**/*.go", "**/go.mod", "**/.goplumber.yaml", "**/.goplumber.yml", "**/*.yaml")
            ]
            try:
                await ls.client_register_capability_async(
                    types.RegistrationParams(
                        registrations=[
                            types.Registration(
                                id="goplumber-watch",
                                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                            )
                        ]
                    )
                )
            except Exception:  # noqa: BLE001 - without it, config changes are still seen (mtime)
                log.info("the client did not register the file watchers")
        if ls.settings.workspace_scan:
            await ls.start_scan()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: GoplumberServer, params: Any = None) -> None:
        ls.stop()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: GoplumberServer, params: types.DidOpenTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        if path is None or not path.endswith(".go"):
            return
        ls.versions[path] = params.text_document.version
        ls.check_file(path)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: GoplumberServer, params: types.DidChangeTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        if path is None or path not in ls.versions:
            return
        ls.versions[path] = params.text_document.version
        ls.check_file(path, ls.settings.debounce_ms / 1000.0)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: GoplumberServer, params: types.DidSaveTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        if path is None:
            return
        name = os.path.basename(path)
        if name in CONFIG_NAMES or name == "go.mod":
            if name == "go.mod":
                ls.forget_go_mod()
            ls.checker.forget_rules()
            ls.recheck_all()
            return
        if path in ls.versions:
            ls.check_file(path)
            directory = os.path.dirname(path)
            for d in sorted(ls.dependents.get(directory, ())):
                ls.check_package(d)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GoplumberServer, params: types.DidCloseTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        if path is None or path not in ls.versions:
            return
        del ls.versions[path]
        ls.texts.pop(path, None)
        for key in [k for k, j in ls.pending.items() if j.priority == FILE and path in j.targets]:
            del ls.pending[key]
        if ls.settings.workspace_scan and os.path.isfile(path):
            ls.results.pop(path, None)
            ls.check_file(path)  # as it is on disk now
        else:
            ls.results.pop(path, None)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))
        ls.check_package(os.path.dirname(path), {path})

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: GoplumberServer, params: types.DidChangeWatchedFilesParams) -> None:
        rules_changed = go_mod = False
        dirs: set[str] = set()
        for change in params.changes:
            path = ls.path_of(change.uri)
            if path is None:
                continue
            name = os.path.basename(path)
            if name == "go.mod":
                go_mod = True
            elif name in CONFIG_NAMES or (name.endswith((".yaml", ".yml")) and ls.checker.is_rule_file(path)):
                rules_changed = True
            elif name.endswith(".go"):
                dirs.add(os.path.dirname(path))
                if change.type == types.FileChangeType.Deleted and path not in ls.versions and path in ls.results:
                    del ls.results[path]
                    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=change.uri, diagnostics=[]))
        if go_mod:
            ls.forget_go_mod()
        if go_mod or rules_changed:
            ls.checker.forget_rules()
            ls.recheck_all()
        for d in sorted(dirs):
            ls.disk_changed(d)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(ls: GoplumberServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        removed = {ls.path_of(f.uri) for f in params.event.removed}
        added = [p for p in (ls.path_of(f.uri) for f in params.event.added) if p and p not in ls.roots]
        ls.roots = [r for r in ls.roots if r not in removed] + added
        ls.checker.roots = list(ls.roots)
        for path in [p for p in ls.results if p not in ls.versions and any(p.startswith(r + os.sep) for r in removed if r)]:
            del ls.results[path]
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=ls.uri_of(path), diagnostics=[]))
        if added and ls.settings.workspace_scan:
            await ls.start_scan(added)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: GoplumberServer, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("goplumber"), dict):
            ls.apply_settings(settings["goplumber"])
            ls.recheck_all()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=False),
    )
    async def code_action(ls: GoplumberServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        path = ls.path_of(params.text_document.uri)
        if path is None or not path.endswith(".go"):
            return None
        only = params.context.only
        quickfix = types.CodeActionKind.QuickFix.value
        kinds = [str(getattr(k, "value", k)) for k in only or ()]
        if kinds and not any(k in ("", quickfix) or quickfix.startswith(k + ".") for k in kinds):
            return None
        got = await ls.current(path)
        if got is None or got.outcome.text is None:
            return None
        return code_actions(ls, params, got)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: GoplumberServer, params: types.HoverParams) -> types.Hover | None:
        path = ls.path_of(params.text_document.uri)
        if path is None or not path.endswith(".go"):
            return None
        got = await ls.current(path)
        if got is None or not got.findings:
            return None
        pos = (params.position.line, params.position.character)
        under = []
        for f in got.findings:
            r = convert.finding_range(f, got.outcome.text, ls.encoding)
            if (r.start.line, r.start.character) <= pos <= (r.end.line, r.end.character):
                under.append((f, r))
        if not under:
            return None
        markdown = _hover_markdown(ls)
        text = convert.hover_text([f for f, _ in under], got.ruleset.by_id, markdown)
        kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
        return types.Hover(contents=types.MarkupContent(kind=kind, value=text), range=under[0][1])

    return server


def _hover_markdown(ls: GoplumberServer) -> bool:
    td = ls.client_capabilities.text_document
    formats = td.hover.content_format if td is not None and td.hover is not None else None
    return not formats or types.MarkupKind.Markdown in formats


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (b.start.line, b.start.character) <= (
        a.end.line,
        a.end.character,
    )


def code_actions(ls: GoplumberServer, params: types.CodeActionParams, got: Published) -> list[types.CodeAction]:
    text = got.outcome.text
    assert text is not None
    enc = ls.encoding
    uri = params.text_document.uri
    wanted = {d.data.get("fingerprint") for d in params.context.diagnostics if d.source == convert.SOURCE and isinstance(d.data, dict)}
    diags = convert.diagnostics(got.outcome, got.ruleset, enc)
    by_fp = {d.data["fingerprint"]: d for d in diags if isinstance(d.data, dict)}
    out: list[types.CodeAction] = []
    for f in got.findings:
        diag = by_fp.get(f.fingerprint)
        if diag is None or not (f.fingerprint in wanted or _overlaps(diag.range, params.range)):
            continue
        fix = actions.fix_changes(f)
        if fix is not None:
            title, changes = fix
            out.append(
                types.CodeAction(
                    title=f"{title[:1].upper()}{title[1:]} ({f.rule_id})",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=True,
                    edit=_workspace_edit(ls, uri, got.version, text, changes, enc),
                )
            )
        sup = actions.suppress_change(text, f)
        if sup is not None:
            out.append(
                types.CodeAction(
                    title=f"Suppress {f.rule_id} here (//goplumber:ignore {f.rule_id})",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=_workspace_edit(ls, uri, got.version, text, [sup], enc),
                )
            )
    return out


def _workspace_edit(
    ls: GoplumberServer, uri: str, version: int | None, text: Text, changes: list[actions.Change], enc: str
) -> types.WorkspaceEdit:
    edits = []
    for c in changes:
        (sl, sc), (el, ec) = actions.lsp_range(text, c, enc)
        edits.append(types.TextEdit(range=types.Range(types.Position(sl, sc), types.Position(el, ec)), new_text=c.text))
    caps = ls.client_capabilities.workspace
    versioned = caps is not None and caps.workspace_edit is not None and caps.workspace_edit.document_changes
    if versioned and version is not None:
        doc = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=doc, edits=edits)])
    return types.WorkspaceEdit(changes={uri: edits})


def serve(log_file: str | None = None, verbose: bool = False, stdin: Any = None, stdout: Any = None) -> int:
    """Run the server over stdio until the client says exit (or goes away). 0 after a
    shutdown request, 1 when the client exited without one (as the protocol asks)."""
    handler: logging.Handler = logging.FileHandler(log_file) if log_file else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    server = build()
    try:
        server.start_io(stdin, stdout)
    finally:
        server.stop()
    return 0 if getattr(server.protocol, "_shutdown", False) else 1
