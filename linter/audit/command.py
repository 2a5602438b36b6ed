"""The `audit` and `report` subcommands (argument handling and the progress display)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from linter.engine import Options


def add_parsers(sub: Any, common: Any) -> None:
    a = sub.add_parser(
        "audit",
        help="check many repositories into a resumable SQLite store",
        description="Check many repositories into a resumable SQLite store. Audited repositories are untrusted: nothing in them"
        " is run (no git), only regular files inside them are read, and their own .goplumber.yaml is ignored: the auditor's"
        " configuration (--config, else the one found from the current directory) governs every repository.",
    )
    a.add_argument("repos", nargs="*", metavar="REPO", help="repository directories")
    a.add_argument("--list", metavar="FILE", help="a file with one repository path per line")
    a.add_argument("--repos-dir", metavar="DIR", help="audit every subdirectory of DIR")
    a.add_argument("--db", default="goplumber-audit.sqlite", metavar="FILE", help="the store (default: goplumber-audit.sqlite)")
    a.add_argument("--force", action="store_true", help="re-check repositories already done at the same commit")
    a.add_argument("--shard", metavar="K/N", help="audit only the K-th of N deterministic slices of the list")
    a.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster (pip install 'goplumber[dask]')")
    common(a)
    r = sub.add_parser("report", help="summarise one or more audit stores")
    r.add_argument("--db", action="append", required=True, metavar="FILE", help="audit store (repeatable: stores are merged)")
    r.add_argument("--format", choices=["html", "md", "csv", "json"], default="html")
    r.add_argument("--output", metavar="FILE", help="write the report here instead of standard output")


def _error(command: str, message: str) -> int:
    print(f"goplumber {command}: {message}", file=sys.stderr)
    return 2


def run_audit(args: argparse.Namespace, options: Options) -> int:
    from linter.audit import runner
    from linter.audit.store import StoreError, text

    repos = runner.shard(runner.repositories(args.repos, args.list, args.repos_dir), args.shard)
    if not repos:
        print("goplumber audit: no repositories given (REPO..., --list or --repos-dir)", file=sys.stderr)
        return 2
    options.cache_dir = None
    arguments = " ".join(sys.argv[1:])
    started = time.perf_counter()
    try:
        if sys.stdout.isatty() and not os.environ.get("CI"):
            progress = _run_live(repos, options, args, arguments)
        else:
            progress = runner.run(
                repos, options, args.db, options.jobs, args.force, args.scheduler, arguments, args.shard, runner.plain_reporter()
            )
    except StoreError as e:
        return _error("audit", str(e))
    except KeyboardInterrupt:
        print(
            f"goplumber audit: interrupted; the repositories finished are kept in {text(args.db)} (run the same command to resume)",
            file=sys.stderr,
        )
        return 130
    took = time.perf_counter() - started
    print(
        f"audited {progress.done - progress.skipped} of {len(repos)} repositories ({progress.skipped} unchanged, {progress.errors} failed) "
        f"in {took:.1f}s: {progress.files} files, {progress.findings} findings -> {text(args.db)}"
    )
    return 0


def _run_live(repos: list[str], options: Options, args: argparse.Namespace, arguments: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[bold]audit"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "{task.fields[files]} files · {task.fields[rate]} files/s · {task.fields[findings]} findings · {task.fields[errors]} failed"
        ),
        TimeRemainingColumn(),
    ) as bar:
        task = bar.add_task("audit", total=len(repos), files=0, rate="0", findings=0, errors=0)

        from linter.audit import runner

        def report(p: runner.Progress, o: runner.RepoOutcome | None) -> None:
            elapsed = max(time.perf_counter() - p.started, 1e-6)
            bar.update(task, completed=p.done, files=p.files, rate=f"{p.files / elapsed:,.0f}", findings=p.findings, errors=p.errors)
            if o is not None and o.status != "ok":
                bar.console.print(f"[red]failed[/red] {o.path}: {o.error}")

        return runner.run(repos, options, args.db, options.jobs, args.force, args.scheduler, arguments, args.shard, report)


def run_report(args: argparse.Namespace) -> int:
    from linter.audit import report as reports
    from linter.audit.store import StoreError, read_all, text

    try:
        text_out = reports.render(read_all(args.db), args.format)
    except StoreError as e:
        return _error("report", text(str(e)))
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text_out)
        except OSError as e:
            return _error("report", f"cannot write {text(args.output)}: {e.strerror or e}")
    else:
        sys.stdout.write(text_out)
    return 0
