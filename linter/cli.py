"""Command line: `goplumber check|test|rules|explain`. Exit codes: 0 clean, 1 findings (or
failing fixtures), 2 usage or configuration error (bad flags, broken rule files)."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap

from linter import __version__
from linter.engine import Options, check_paths, filter_rules
from linter.goversion import parse_version
from linter.loader import RuleFileError, load_rules
from linter.model import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"goplumber: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="goplumber", description="Find memory, goroutine and connection leak patterns in Go code.")
    p.add_argument("--version", action="version", version=f"goplumber {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule directory or file (repeatable)")
        sp.add_argument("--no-builtin-rules", action="store_true", help="use only the rules given with --rules")
        sp.add_argument(
            "--select", action="append", default=None, metavar="ID", help="run only these rule ids (comma-separated, repeatable)"
        )
        sp.add_argument("--ignore", action="append", default=[], metavar="ID", help="skip these rule ids (comma-separated, repeatable)")
        sp.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N", help="worker processes (default: CPU count)")
        sp.add_argument("--go-version", metavar="X.Y", help="Go version to assume instead of the go.mod `go` directive")

    c = sub.add_parser("check", help="check Go files or directories (default: .)")
    c.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    c.add_argument("--format", choices=["text", "json"], default="text")
    common(c)

    t = sub.add_parser("test", help="run rules on annotated fixtures (// ruleid: / // ok:)")
    t.add_argument("paths", nargs="*", default=["testdata"], metavar="DIR")
    common(t)

    r = sub.add_parser("rules", help="list the rules")
    r.add_argument("--rules", action="append", default=[], metavar="DIR")
    e = sub.add_parser("explain", help="print a rule's description")
    e.add_argument("rule_id")
    e.add_argument("--rules", action="append", default=[], metavar="DIR")
    return p


def _ids(values: list[str] | None) -> set[str] | None:
    if values is None:
        return None
    return {x.strip() for v in values for x in v.split(",") if x.strip()}


def _load(args: argparse.Namespace) -> list[Rule]:
    return load_rules(list(args.rules), include_bundled=not getattr(args, "no_builtin_rules", False))


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        rules = _load(args)
    except RuleFileError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    if args.command == "rules":
        for r in sorted(rules, key=lambda r: r.id):
            print(f"{r.id:22} {r.severity:8} {r.summary}")
        return EXIT_CLEAN
    if args.command == "explain":
        rule = next((r for r in rules if r.id == args.rule_id), None)
        if rule is None:
            print(f"goplumber: no rule {args.rule_id!r} (see `goplumber rules`)", file=sys.stderr)
            return EXIT_USAGE
        print(f"{rule.id} ({rule.severity})\n")
        print(textwrap.dedent(rule.description or rule.message))
        return EXIT_CLEAN
    return _run(args, rules)


def _run(args: argparse.Namespace, rules: list[Rule]) -> int:
    select, ignore = _ids(args.select), _ids(args.ignore) or set()
    known = {r.id for r in rules}
    for rid in sorted((select or set()) | ignore):
        if rid not in known:
            print(f"goplumber: unknown rule id {rid!r} (see `goplumber rules`)", file=sys.stderr)
            return EXIT_USAGE
    if args.jobs < 1:
        print("goplumber: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    go_version = None
    if args.go_version:
        try:
            go_version = parse_version(args.go_version)
        except ValueError as e:
            print(f"goplumber: --go-version: {e}", file=sys.stderr)
            return EXIT_USAGE
    options = Options(
        rule_dirs=list(args.rules),
        builtin_rules=not args.no_builtin_rules,
        select=select,
        ignore=ignore,
        go_version=go_version,
        jobs=args.jobs,
    )
    active = filter_rules(rules, select, ignore)
    if args.command == "test":
        from linter import fixtures

        report = fixtures.run_fixtures(args.paths, active, options)
        sys.stdout.write(fixtures.render(report))
        return EXIT_CLEAN if report.passed else EXIT_FINDINGS
    result = check_paths([_relative(p) for p in args.paths], active, options)
    from linter.formatter import FORMATTERS

    sys.stdout.write(FORMATTERS[args.format](result))
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


def _relative(path: str) -> str:
    """Paths under the current directory are reported relative to it."""
    ab = os.path.abspath(path)
    cwd = os.getcwd()
    if ab == cwd:
        return "."
    if ab.startswith(cwd + os.sep):
        return os.path.relpath(ab, cwd)
    return path
