"""Command line: `goplumber check|test|rules|explain`. Exit codes: 0 clean, 1 findings (or
failing fixtures), 2 usage or configuration error (bad flags, broken rule or config files)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from linter import __version__
from linter.config import Config, ConfigError, find_config, load_config
from linter.engine import Options, check_paths, configured_rules, select_rules
from linter.formatter import FORMATS
from linter.goversion import parse_version
from linter.loader import RuleFileError
from linter.model import SEVERITIES, Rule

if TYPE_CHECKING:
    from linter.formatter.text import TextStyle

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _default_cache_dir() -> str:
    from linter.cache import default_dir

    return default_dir()


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"goplumber: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


COMMANDS = ("check", "test", "audit", "report", "rules", "explain")


def _build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line. With `only`, the other commands are listed but get no options: the
    pre-commit hook runs `check` on a few files, and building every sub-parser is a noticeable
    part of that (their `--help` needs them, so a run naming no known command builds all)."""

    def wanted(command: str) -> bool:
        return only is None or only == command

    p = _Parser(prog="goplumber", description="Find memory, goroutine and connection leak patterns in Go code.")
    p.add_argument("--version", action="version", version=f"goplumber {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def rules_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule directory or file (repeatable)")
        sp.add_argument("--no-builtin-rules", action="store_true", help="use only the rules given with --rules")
        sp.add_argument("--config", metavar="FILE", help="config file (default: nearest .goplumber.yaml up to the repository root)")
        sp.add_argument("--no-config", action="store_true", help="ignore .goplumber.yaml")

    def common(sp: argparse.ArgumentParser) -> None:
        rules_opts(sp)
        sp.add_argument(
            "--select", action="append", default=None, metavar="ID", help="run only these rule ids (comma-separated, repeatable)"
        )
        sp.add_argument("--ignore", action="append", default=[], metavar="ID", help="skip these rule ids (comma-separated, repeatable)")
        sp.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N", help="worker processes (default: CPU count)")
        sp.add_argument("--go-version", metavar="X.Y", help="Go version to assume instead of the go.mod `go` directive")
        sp.add_argument("--hints", action="store_true", help="also report info-level hints that are not leaks (timer churn on Go >= 1.23)")
        sp.add_argument("--cache-dir", metavar="DIR", help="result cache (default: the user cache directory, e.g. ~/.cache/goplumber)")
        sp.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
        sp.add_argument(
            "--timeout-per-file",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="CPU seconds of analysis per file before it is given up and reported (package-level work: this per file of the package; default 10; 0: no limit)",
        )

    c = sub.add_parser("check", help="check Go files or directories (default: .)")
    if wanted("check"):
        _check_arguments(c)
        common(c)

    t = sub.add_parser("test", help="run rules on annotated fixtures (// ruleid: / // ok:)")
    if wanted("test"):
        t.add_argument("paths", nargs="*", default=["testdata"], metavar="DIR")
        common(t)

    if wanted("audit") or wanted("report"):
        from linter.audit.command import add_parsers

        add_parsers(sub, common)
    else:
        sub.add_parser("audit", help="check many repositories into a resumable SQLite store")
        sub.add_parser("report", help="summarise one or more audit stores")

    r = sub.add_parser("rules", help="list the rules")
    if wanted("rules"):
        rules_opts(r)
    e = sub.add_parser("explain", help="print a rule's description")
    if wanted("explain"):
        e.add_argument("rule_id")
        rules_opts(e)
    return p


def _check_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    c.add_argument("--format", choices=FORMATS, default="text")
    c.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="[FORMAT:]FILE",
        help="write --format output to FILE while the terminal gets text; or FORMAT:FILE (repeatable) to add a report in that format"
        " (a FILE containing ':' needs the FORMAT: prefix, e.g. text:a:b.txt)",
    )
    c.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour text output (default auto: when stdout is a terminal and NO_COLOR is not set)",
    )
    c.add_argument(
        "--fail-on", choices=SEVERITIES, default=None, help="lowest severity that makes the exit code 1 (default: info, any finding)"
    )
    c.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in this baseline")
    c.add_argument("--write-baseline", metavar="FILE", help="record the current findings as the baseline")
    c.add_argument("--new-from-rev", metavar="REV", help="report only findings on lines changed since git revision REV")
    c.add_argument("--new-from-patch", metavar="FILE", help="report only findings on lines added or changed by this unified diff")
    c.add_argument("--report-unused-ignores", action="store_true", help="list goplumber:ignore / nolint comments that suppress nothing")
    c.add_argument(
        "--no-default-excludes",
        action="store_true",
        help="check files named on the command line even in vendor/, testdata/ or node_modules/, generated or //go:build ignore"
        " (by default they are skipped with a note, as in a directory walk)",
    )


def _ids(values: list[str] | None) -> set[str] | None:
    if values is None:
        return None
    return {x.strip() for v in values for x in v.split(",") if x.strip()}


def _config(args: argparse.Namespace) -> Config | None:
    if getattr(args, "no_config", False):
        return None
    if args.config:
        if not os.path.isfile(args.config):
            raise UsageError(f"--config: no such file: {args.config}")
        return load_config(args.config)
    # audit: the auditor's configuration (the current directory's) governs every repository;
    # an audited repository's own .goplumber.yaml is never read.
    start = "." if args.command == "audit" else (getattr(args, "paths", None) or ["."])[0]
    found = find_config(start)
    return load_config(found) if found else None


def _options(args: argparse.Namespace, cfg: Config | None) -> Options:
    go_version = None
    version_text = getattr(args, "go_version", None) or (cfg.go_version if cfg else None)
    if version_text:
        try:
            go_version = parse_version(version_text)
        except ValueError as e:
            raise UsageError(f"--go-version: {e}") from None
    jobs = getattr(args, "jobs", 1)
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    return Options(
        rule_dirs=list(args.rules),
        builtin_rules=not args.no_builtin_rules,
        select=_ids(getattr(args, "select", None)),
        ignore=_ids(getattr(args, "ignore", [])) or set(),
        go_version=go_version,
        jobs=jobs,
        config=cfg,
        timeout_per_file=getattr(args, "timeout_per_file", 10.0),
        hints=getattr(args, "hints", False),
        # `test` names fixture files, which live in testdata/
        default_excludes=not getattr(args, "no_default_excludes", False) and args.command != "test",
        cache_dir=None if getattr(args, "no_cache", True) or args.command != "check" else (args.cache_dir or _default_cache_dir()),
    )


def main(argv: list[str] | None = None) -> int:
    first = (sys.argv[1:] if argv is None else argv)[:1]
    parser = _build_parser(first[0] if first and first[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "report":
        from linter.audit.command import run_report

        return run_report(args)
    try:
        cfg = _config(args)
        options = _options(args, cfg)
        every = configured_rules(options)
        known = {r.id for r in every}
        for rid in sorted((options.select or set()) | options.ignore):
            if rid not in known:
                raise UsageError(f"unknown rule id {rid!r} (see `goplumber rules`)")
        rules = select_rules(every, options)
        if args.command == "rules":
            for r in sorted(rules, key=lambda r: r.id):
                print(f"{r.id:22} {r.severity:8} {r.summary}")
            return EXIT_CLEAN
        if args.command == "explain":
            rule = next((r for r in rules if r.id == args.rule_id), None)
            if rule is None:
                raise UsageError(f"no rule {args.rule_id!r} (see `goplumber rules`)")
            print(f"{rule.id} ({rule.severity})\n")
            import textwrap

            print(textwrap.dedent(rule.description or rule.message))
            return EXIT_CLEAN
        if args.command == "audit":
            from linter.audit.command import run_audit
            from linter.audit.runner import AuditError

            try:
                return run_audit(args, options)
            except AuditError as e:
                raise UsageError(str(e)) from None
        if args.command == "test":
            from linter import fixtures

            report = fixtures.run_fixtures(args.paths, rules, options)
            sys.stdout.write(fixtures.render(report))
            return EXIT_CLEAN if report.passed else EXIT_FINDINGS
        return _check(args, rules, options, cfg, known)
    except (RuleFileError, ConfigError) as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    except UsageError as e:
        print(f"goplumber: {e}", file=sys.stderr)
        return EXIT_USAGE


def _changed_lines(args: argparse.Namespace) -> dict[str, set[int]]:
    from linter import diffscope

    try:
        if args.new_from_rev:
            return diffscope.changed_lines_from_git(args.new_from_rev)
        from linter.safeio import read_bounded

        patch = read_bounded(args.new_from_patch, diffscope.MAX_PATCH_BYTES, "patch")  # a regular file, bounded
        return diffscope.changed_lines_from_patch(patch.decode("utf-8", errors="replace"))
    except OSError as e:
        raise UsageError(f"--new-from-patch: cannot read {args.new_from_patch}: {e.strerror or e}") from None
    except diffscope.DiffError as e:
        raise UsageError(str(e)) from None


def _output_spec(spec: str) -> tuple[str | None, str]:
    """`--output FILE` (None: the --format output) or `--output FORMAT:FILE`. A prefix before the
    first ':' that is not a format is an error, so `xml:foo.xml` is not written as text to a
    file of that name; a file name with a ':' takes a prefix (`text:a:b.txt`). `C:\\x` (a
    drive letter) is a file."""
    head, sep, tail = spec.partition(":")
    if not sep or (len(head) == 1 and head.isalpha() and tail[:1] in ("\\", "/")):
        return None, spec
    if head in FORMATS:
        if not tail:
            raise UsageError(f"--output {spec}: no file name after {head}:")
        return head, tail
    raise UsageError(
        f"--output {spec}: unknown format {head!r} (formats: {', '.join(FORMATS)}); a file name containing ':' needs a"
        f" FORMAT: prefix, e.g. text:{spec}"
    )


def _text_style(args: argparse.Namespace) -> TextStyle:
    from linter.formatter.text import TextStyle

    tty = sys.stdout.isatty()
    color = args.color == "always" or (args.color == "auto" and tty and not os.environ.get("NO_COLOR"))
    return TextStyle(color=color, excerpt=tty)


def _check(args: argparse.Namespace, rules: list[Rule], options: Options, cfg: Config | None, known: set[str] | None = None) -> int:
    from linter.formatter import render
    from linter.formatter.escape import display_path, printable
    from linter.suppress import unused_for_rules_that_ran

    if args.new_from_rev and args.new_from_patch:
        raise UsageError("--new-from-rev and --new-from-patch cannot be combined")
    if args.baseline and args.write_baseline:
        raise UsageError("--baseline and --write-baseline cannot be combined")
    outputs = [_output_spec(spec) for spec in args.output]
    changed = _changed_lines(args) if args.new_from_rev or args.new_from_patch else None
    result = check_paths([_relative(p) for p in args.paths], rules, options)
    if changed is not None:
        from linter.diffscope import only_changed

        result.findings = only_changed(result.findings, changed)
    if args.write_baseline or args.baseline:
        from linter import baseline
    if args.write_baseline:
        try:
            baseline.write(args.write_baseline, result.findings)
        except OSError as e:
            raise UsageError(f"--write-baseline: cannot write {args.write_baseline}: {e.strerror or e}") from None
        print(f"goplumber: wrote {len(result.findings)} finding(s) to baseline {args.write_baseline}", file=sys.stderr)
    if args.baseline:
        try:
            outcome = baseline.apply(args.baseline, result.findings)
        except baseline.BaselineError as e:
            raise UsageError(str(e)) from None
        result.findings, result.baselined, result.stale_baseline = outcome.kept, outcome.baselined, outcome.stale
    if args.report_unused_ignores:  # in every format; only suppressions of rules that ran
        result.unused_ignores = unused_for_rules_that_ran(result.unused_ignores, {r.id for r in rules}, known or {r.id for r in rules})
    else:
        result.unused_ignores = []

    terminal = args.format
    for fmt, path in outputs:
        if fmt is None:
            fmt, terminal = args.format, "text"
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(render(fmt, result, rules))
        except OSError as e:
            raise UsageError(f"--output: cannot write {path}: {e.strerror or e}") from None
    sys.stdout.write(render(terminal, result, rules, _text_style(args) if terminal == "text" else None))
    if args.baseline:
        entries = "entry" if result.stale_baseline == 1 else "entries"
        stale = result.stale_baseline
        print(f"goplumber: {result.baselined} finding(s) in the baseline, {stale} baseline {entries} no longer occur", file=sys.stderr)
    if args.report_unused_ignores and result.unused_ignores:
        for path, line, text in result.unused_ignores:
            print(f"{display_path(path)}:{line}: unused suppression: {printable(text)}", file=sys.stderr)
    fail_on = args.fail_on or (cfg.fail_on if cfg else None) or "info"
    threshold = SEVERITIES.index(fail_on)
    failing = [f for f in result.findings if SEVERITIES.index(f.severity) <= threshold]
    if args.report_unused_ignores and result.unused_ignores:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _relative(path: str) -> str:
    """Paths under the current directory are reported relative to it."""
    ab = os.path.abspath(path)
    cwd = os.getcwd()
    if ab == cwd:
        return "."
    if ab.startswith(cwd + os.sep):
        return os.path.relpath(ab, cwd)
    return path
