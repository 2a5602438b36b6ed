"""Command line: `goplumber check|test|rules|explain|audit|report`.

Exit codes (what a gate can trust):

  0    clean: every file was checked and nothing at or above --fail-on was found
  1    findings (`test`: failing fixtures; `--report-unused-ignores`: unused suppressions)
  2    usage or configuration error: bad flags, a path that does not exist, broken rule or
       config files, a baseline or patch that cannot be read, an output that cannot be written
  3    analysis incomplete: a file could not be read, timed out (--timeout-per-file or another
       budget), hit an internal error or is over the size limit; also an internal error of
       goplumber itself (`goplumber: internal error: ...`). A clean result cannot be trusted, so
       3 wins over 1: the findings are still printed. Files that are not Go source the go tool
       would build (a binary file with NUL bytes, which the Go compiler rejects; a syntax
       error, checked as far as the parser recovered; a FIFO, device or broken symbolic link)
       and files skipped on purpose (vendor/, generated, config exclude, a link out of the
       tree) are notes and do not change the exit code (`linter.model.NOTE_KINDS`).
  130  interrupted (Ctrl-C / SIGINT): one line, no traceback, worker processes stopped

`goplumber test` keeps 0/1/2 (an internal error is 3 for every command). GOPLUMBER_DEBUG=1 prints
the traceback of an internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from linter import __version__
from linter.config import Config, ConfigError, find_config, load_config
from linter.engine import Options, Result, check_paths, configured_rules, select_rules
from linter.formatter import FORMATS
from linter.goversion import parse_version
from linter.loader import RuleFileError
from linter.model import SEVERITIES, Rule

if TYPE_CHECKING:
    from linter.formatter.text import TextStyle

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process killed by Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader went away (`goplumber check | head`)
STDIN = "-"
STDIN_NAME = "<stdin>"
CHECK_EPILOG = """\
PATH "-" reads one Go file from standard input, checked as if it were at --stdin-filename
(default <stdin> in the current directory).

exit codes:
  0    clean: every file was checked, nothing at or above --fail-on was found
  1    findings (or unused suppressions with --report-unused-ignores); --write-baseline: 0
  2    usage or configuration error (bad flags, a PATH that does not exist, broken rule or
       config file, unreadable baseline or patch, a --new-from-patch that is not a diff,
       unwritable --output)
  3    analysis incomplete: a file could not be read, timed out, hit an internal error or
       is over the size limit (findings are still printed; 3 wins over 1); also an
       internal error of goplumber itself. Binary (NUL) files, syntax errors, FIFOs,
       broken links and files skipped on purpose (vendor/, generated, excluded) are notes.
  130  interrupted (Ctrl-C)
"""


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


# what `explain` adds under every rule's description (one line, not a per-rule copy)
INCIDENT_POINTER = (
    "In an incident (memory or goroutines climbing): snapshot the service twice and let `goplumber triage`"
    ' confirm these findings from the growth; README.md, "Incident workflow" (or `goplumber triage --help`).'
)
COMMANDS = ("check", "test", "audit", "report", "rules", "explain", "triage", "lsp")


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

    c = sub.add_parser(
        "check",
        help="check Go files or directories (default: .)",
        description="Check Go files or directories (default: .) for leak patterns.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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

    tr = sub.add_parser(
        "triage",
        help="join goroutine/heap profiles and /metrics with the findings on --source",
        description="Link runtime growth (goroutine, goroutineleak and heap profiles, /metrics) to the findings on --source.",
    )
    if wanted("triage"):
        _triage_arguments(tr, rules_opts)

    r = sub.add_parser("rules", help="list the rules")
    if wanted("rules"):
        rules_opts(r)
    e = sub.add_parser("explain", help="print a rule's description")
    if wanted("explain"):
        e.add_argument("rule_id")
        rules_opts(e)
    s = sub.add_parser(
        "lsp",
        help="language server over stdio (diagnostics, quick fixes, hover in an editor)",
        description="Language Server Protocol over stdin/stdout: findings as diagnostics while you type. Options come"
        " from the client's initializationOptions and .goplumber.yaml (see README, Editors).",
    )
    if wanted("lsp"):
        s.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default and only transport)")
        s.add_argument("--log-file", metavar="FILE", help="write the server's log here (default: stderr)")
        s.add_argument("--verbose", "-v", action="store_true", help="log every check and message (debugging a client set-up)")
    return p


def _triage_arguments(p: argparse.ArgumentParser, rules_opts: Callable[[argparse.ArgumentParser], None]) -> None:
    from linter.triage import add_arguments

    add_arguments(p)
    rules_opts(p)
    p.add_argument("--go-version", metavar="X.Y", help="Go version to assume instead of the go.mod `go` directive")


def _triage_main(argv: list[str]) -> int:
    """`triage` takes its snapshot files and --base options in any order (`--base a b --base c
    d`), which argparse supports only outside sub-commands: it gets a parser of its own."""
    from linter.triage import run

    full = _build_parser("triage")
    sub = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    args = sub.choices["triage"].parse_intermixed_args(argv)
    args.command = "triage"
    return run(args)


def _check_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("paths", nargs="*", default=["."], metavar="PATH", help='files or directories (default: .); "-": one file from stdin')
    c.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="with PATH -: the name of the file read from stdin (output, config, go.mod, rule path globs, package siblings)",
    )
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
    c.add_argument("--write-baseline", metavar="FILE", help="record the current findings as the baseline (exit 0: a set-up step)")
    c.add_argument(
        "--new-from-rev",
        metavar="REV",
        help="report only findings on lines changed since git revision REV (the diff of the work tree against REV itself)",
    )
    c.add_argument(
        "--new-from-merge-base",
        metavar="REV",
        help="report only findings on lines changed since `git merge-base REV HEAD` (a branch's own changes, however far REV moved)",
    )
    c.add_argument("--new-from-patch", metavar="FILE", help="report only findings on lines added or changed by this unified diff")
    c.add_argument("--report-unused-ignores", action="store_true", help="list goplumber:ignore / nolint comments that suppress nothing")
    c.add_argument(
        "--fix",
        action="store_true",
        help="apply the fixes of fixable findings in place (atomically; files with syntax errors are left alone) and report what remains",
    )
    c.add_argument("--diff", action="store_true", help="print the fixes as a unified diff on stdout and change nothing")
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
    if args.command == "check" and start == STDIN:
        start = args.stdin_filename or STDIN_NAME
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
    """Run a command; whatever happens, end with an exit code and at most one line of error."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C while exiting just ends it
        print("goplumber: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):  # nothing more can be written; exit quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as e:  # noqa: BLE001 - a bug must end in one line, not a traceback
        if os.environ.get("GOPLUMBER_DEBUG"):
            traceback.print_exc()
            hint = ""
        else:
            hint = "; GOPLUMBER_DEBUG=1 shows the traceback"
        detail = " ".join(str(e).split())
        detail = detail if len(detail) <= 300 else detail[:297] + "..."
        print(
            f"goplumber: internal error: {type(e).__name__}{': ' + detail if detail else ''} "
            f"(a bug in goplumber: please report it with the command that caused it{hint})",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE


def _main(argv: list[str] | None) -> int:
    given = sys.argv[1:] if argv is None else argv
    first = given[:1]
    if first == ["triage"]:
        return _triage_main(given[1:])
    parser = _build_parser(first[0] if first and first[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "report":
        from linter.audit.command import run_report

        return run_report(args)
    if args.command == "lsp":
        from linter.lsp import serve

        return serve(log_file=args.log_file, verbose=args.verbose)
    try:
        if args.command == "check":
            _check_paths_exist(args)
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
            print(explain_text(rule))
            print(INCIDENT_POINTER)
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


def explain_text(rule: Rule) -> str:
    """What `goplumber explain RULE-ID` prints (the language server's hover shows it too)."""
    import textwrap

    return f"{rule.id} ({rule.severity})\n\n{textwrap.dedent(rule.description or rule.message)}"


def _check_paths_exist(args: argparse.Namespace) -> None:
    """A path that does not exist is a usage error (a typo must not pass as a clean check)."""
    if STDIN in args.paths:
        if len(args.paths) > 1:
            raise UsageError('"-" (a file on stdin) cannot be combined with other paths')
        if args.stdin_filename == "":
            raise UsageError("--stdin-filename: empty name")
    elif args.stdin_filename is not None:
        raise UsageError('--stdin-filename needs the path "-" (read the file from stdin)')
    missing = [p for p in args.paths if p != STDIN and not os.path.lexists(p)]
    if missing:
        shown = ", ".join("".join(c if c.isprintable() else repr(c)[1:-1] for c in p) for p in missing)
        raise UsageError(f"no such file or directory: {shown}")


def _changed_lines(args: argparse.Namespace) -> dict[str, set[int]]:
    from linter import diffscope

    try:
        if args.new_from_rev:
            return diffscope.changed_lines_from_git(args.new_from_rev)
        if args.new_from_merge_base:
            return diffscope.changed_lines_from_merge_base(args.new_from_merge_base)
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


def _read_stdin() -> bytes:
    """The file on stdin, read up to one byte past the size limit (the engine reports it as too
    large then; nothing is read without bound)."""
    from linter.engine import MAX_FILE_BYTES

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise UsageError('"-": standard input is closed')
    chunks, left = [], MAX_FILE_BYTES + 1
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _check(args: argparse.Namespace, rules: list[Rule], options: Options, cfg: Config | None, known: set[str] | None = None) -> int:
    from linter.formatter import render
    from linter.formatter.escape import display_path, printable
    from linter.suppress import unused_for_rules_that_ran

    diff_flags = [f for f in ("new_from_rev", "new_from_merge_base", "new_from_patch") if getattr(args, f)]
    if len(diff_flags) > 1:
        a, b = ("--" + f.replace("_", "-") for f in diff_flags[:2])
        raise UsageError(f"{a} and {b} cannot be combined")
    if args.baseline and args.write_baseline:
        raise UsageError("--baseline and --write-baseline cannot be combined")
    outputs = [_output_spec(spec) for spec in args.output]
    if args.fix and args.diff:
        raise UsageError("--fix and --diff cannot be combined")
    if (args.fix or args.diff) and args.write_baseline:
        raise UsageError(f"--{'fix' if args.fix else 'diff'} and --write-baseline cannot be combined")
    if args.fix and args.paths == [STDIN]:
        raise UsageError("--fix cannot change standard input (--diff shows the fixes)")
    changed = _changed_lines(args) if diff_flags else None
    stdin: dict[str, bytes] | None = None
    if args.paths == [STDIN]:
        name = _relative(args.stdin_filename or STDIN_NAME)
        options.cache_dir = None  # the cache is keyed by files on disk
        stdin = {name: _read_stdin()}
        result = check_paths([name], rules, options, contents=stdin)
    else:
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

    if args.fix or args.diff:
        from linter.fix.apply import WriteError
        from linter.fix.command import run as run_fixes

        try:
            fixing = run_fixes(result, rules, options, write=args.fix, contents=stdin)
        except WriteError as e:
            raise UsageError(f"--fix: {e}; no file was changed") from None
        result.errors = sorted({*result.errors, *fixing.errors})
        if args.diff:
            sys.stdout.write(fixing.diff())
            sys.stdout.flush()
            n, files = len(fixing.fixed), len(fixing.changes)
            print(
                f"goplumber: {n} fix{'es' if n != 1 else ''} in {files} file{'s' if files != 1 else ''} would be applied by --fix;"
                f" {len(result.findings) - n} finding(s) would remain",
                file=sys.stderr,
            )
            return _exit_code(args, result, cfg)
        result.findings = fixing.remaining
        result.fixed = len(fixing.fixed)
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
    sys.stdout.flush()  # before the summary lines on stderr
    if args.baseline:
        entries = "entry" if result.stale_baseline == 1 else "entries"
        stale = result.stale_baseline
        print(f"goplumber: {result.baselined} finding(s) in the baseline, {stale} baseline {entries} no longer occur", file=sys.stderr)
    if args.report_unused_ignores and result.unused_ignores:
        for path, line, text in result.unused_ignores:
            print(f"{display_path(path)}:{line}: unused suppression: {printable(text)}", file=sys.stderr)
    return _exit_code(args, result, cfg)


def _exit_code(args: argparse.Namespace, result: Result, cfg: Config | None) -> int:
    """3 when the analysis is incomplete (whatever was found: a clean-looking result cannot be
    trusted), else 1 for findings at or above --fail-on or reported unused suppressions, else 0.
    Writing a baseline is a set-up step: its findings are recorded, not failed on."""
    incomplete = [e for e in result.errors if e.incomplete]
    if incomplete:
        files = len({e.path for e in incomplete})
        print(
            f"goplumber: analysis incomplete: {files} file{'s' if files != 1 else ''} could not be checked fully "
            f"(unreadable, timed out, internal error or too large; see the notes): exit {EXIT_INCOMPLETE}",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE
    if args.report_unused_ignores and result.unused_ignores:
        return EXIT_FINDINGS
    if args.write_baseline:
        return EXIT_CLEAN
    fail_on = args.fail_on or (cfg.fail_on if cfg else None) or "info"
    threshold = SEVERITIES.index(fail_on)
    failing = [f for f in result.findings if SEVERITIES.index(f.severity) <= threshold]
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
