"""`goplumber triage`: join runtime snapshots (goroutine, goroutineleak and heap profiles,
/metrics) with the static findings on the source, so the growth an incident shows points at
the line that causes it.

Entry points: `add_arguments(parser)` for the CLI's sub-parser, `run(args) -> exit code`, and
for programs `linter.triage.report.triage(inputs, bases, source) -> Report` with
`linter.triage.render.render(format, report)`. See /docs or README "Incident triage"."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.triage.scrape import Scraped

EXIT_CLEAN, EXIT_CONFIRMED, EXIT_USAGE = 0, 1, 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    from linter.triage.render import available

    p.add_argument(
        "inputs",
        nargs="*",
        metavar="FILE",
        help="snapshots: goroutine/goroutineleak profiles (debug=1, debug=2, protobuf), heap profile (protobuf), /metrics text",
    )
    p.add_argument(
        "--base",
        action="append",
        default=[],
        metavar="FILE",
        help="the earlier snapshot of the same kind (repeatable, one per kind); growth is the difference",
    )
    p.add_argument(
        "--source", metavar="DIR", help="the service's source tree: the static check runs on it and its findings are linked to the growth"
    )
    p.add_argument("--format", choices=available(), default="text")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    live = p.add_argument_group("live service (instead of FILE and --base)")
    live.add_argument(
        "--url",
        metavar="http://HOST:PORT",
        help="snapshot a running service's /debug/pprof/ (goroutine, goroutineleak, heap) and /metrics twice, --interval apart, and triage that",
    )
    live.add_argument(
        "--interval", type=float, default=30.0, metavar="SECONDS", help="with --url: time between the two snapshots (default 30)"
    )
    live.add_argument("--save", metavar="DIR", help="with --url: keep the snapshots in DIR (default: a temporary directory, removed)")


def run(args: argparse.Namespace, scraped: Scraped | None = None) -> int:
    """Exit 0: nothing confirmed; 1: at least one finding confirmed by runtime evidence, or
    growth no finding explains; 2: usage error or an input that cannot be read or recognised."""
    import os

    from linter.triage.inputs import InputError
    from linter.triage.render import render

    if getattr(args, "url", None):
        return _run_url(args)
    inputs = list(args.inputs)
    if not inputs:
        print("goplumber: triage: no input: name one or more snapshot files (or --url http://HOST:PORT)", file=sys.stderr)
        return EXIT_USAGE
    if args.source is not None and not os.path.isdir(args.source):
        print(f"goplumber: triage: --source {args.source}: not a directory", file=sys.stderr)
        return EXIT_USAGE
    from linter.config import ConfigError
    from linter.loader import RuleFileError

    try:
        from linter.triage.report import triage

        report = triage(inputs, args.base, args.source, check_options=_check_options(args) if args.source else None)
        if scraped is not None:  # --url: show where each snapshot came from
            for info in report.inputs:
                info.path = scraped.urls.get(info.path, info.path)
            report.notes.extend(scraped.notes)
    except (InputError, ValueError) as e:
        print(f"goplumber: triage: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (RuleFileError, ConfigError) as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    out = render(args.format, report)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(out)
        except OSError as e:
            print(f"goplumber: triage: --output: cannot write {args.output}: {e.strerror or e}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(out)
    return EXIT_CONFIRMED if any(f.confirmed for f in report.findings) or report.unexplained else EXIT_CLEAN


def _run_url(args: argparse.Namespace) -> int:
    """--url: two snapshots of the live service into --save (or a temporary directory), then
    the same run as for files."""
    import tempfile
    from pathlib import Path

    from linter.triage.inputs import InputError
    from linter.triage.scrape import collect

    if args.inputs or args.base:
        print("goplumber: triage: --url snapshots the service itself: give no FILE or --base with it", file=sys.stderr)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="goplumber-triage-") as tmp:
        dest = Path(args.save) if args.save else Path(tmp)
        try:
            scraped = collect(args.url, args.interval, dest, progress=lambda m: print(f"goplumber: triage: {m}", file=sys.stderr))
        except InputError as e:
            print(f"goplumber: triage: {e}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as e:
            print(f"goplumber: triage: --save {dest}: {e.strerror or e}", file=sys.stderr)
            return EXIT_USAGE
        args.inputs, args.base, args.url = scraped.current, scraped.base, None
        return run(args, scraped)


def _check_options(args: argparse.Namespace) -> object:
    import os

    from linter.config import find_config, load_config
    from linter.engine import Options
    from linter.goversion import parse_version

    cfg = None
    if not getattr(args, "no_config", False):
        found = getattr(args, "config", None) or find_config(args.source)
        cfg = load_config(found) if found else None
    text = getattr(args, "go_version", None) or (cfg.go_version if cfg else None)
    return Options(
        rule_dirs=list(getattr(args, "rules", []) or []),
        builtin_rules=not getattr(args, "no_builtin_rules", False),
        config=cfg,
        go_version=parse_version(text) if text else None,
        jobs=os.cpu_count() or 1,
        hints=True,  # timer findings on Go >= 1.23 are shown as not confirmable, not hidden
    )
