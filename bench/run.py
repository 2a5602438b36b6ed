#!/usr/bin/env python3
"""goplumber benchmark on real Go code, with its floor and its peers measured in the same run.

    python bench/run.py                       # stdlib corpus, 3 runs each, peers included
    python bench/run.py --corpus eco --runs 5 --skip-semgrep

Measures (median wall, CPU and peak RSS over --runs):
  floor      bare read + tree-sitter parse of every .go file, 1 and 2 processes
  goplumber  `goplumber check` cold (no cache) at 1 and 2 jobs, warm (cache hit), one file
  ast-grep   the same five patterns (bench/peers/ast-grep.yml), 2 threads
  semgrep    the same five patterns (bench/peers/semgrep.yml), 2 jobs
  scaling    goplumber cold, 2 jobs, on 25/50/100% of the corpus's packages
and writes bench/results.md. The corpora come from ../shared/corpus/make-corpus.sh (needs root
for apt-get the first time); peers are pip-installed into bench/.peers (a venv) on first use.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "corpus" / "make-corpus.sh"
CORPUS_HOME = HERE / ".corpus"
PEERS = HERE / ".peers"
TRIAGE_SECTION = "<!-- bench/triage.py: begin -->"

# A wrapper that runs a command and reports its wall time, CPU and the peak RSS of the whole
# process tree (RUSAGE_CHILDREN folds in grandchildren once they are waited for).
MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": r.ru_utime + r.ru_stime, "rss_mb": r.ru_maxrss / 1024, "rc": p.returncode,
                  "err": p.stderr.decode(errors="replace")[-500:]}))
"""

FLOOR = r"""
import os, sys
from concurrent.futures import ProcessPoolExecutor
import tree_sitter, tree_sitter_go
LANG = tree_sitter.Language(tree_sitter_go.language())
def parse(paths):
    p = tree_sitter.Parser(LANG)
    n = 0
    for f in paths:
        with open(f, "rb") as fh:
            n += p.parse(fh.read()).root_node.child_count
    return n
files = [l for l in open(sys.argv[1]).read().split("\n") if l]
procs = int(sys.argv[2])
if procs == 1:
    parse(files)
else:
    chunks = [files[i::procs * 8] for i in range(procs * 8)]
    with ProcessPoolExecutor(procs) as ex:
        list(ex.map(parse, chunks))
"""


def measure(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, env=env, check=True).stdout
        s = json.loads(out)
        if s["rc"] not in (0, 1):
            raise SystemExit(f"benchmark command failed ({s['rc']}): {' '.join(cmd)}\n{s['err']}")
        samples.append(s)
    return {
        "wall": statistics.median(s["wall"] for s in samples),
        "cpu": statistics.median(s["cpu"] for s in samples),
        "rss_mb": max(s["rss_mb"] for s in samples),
        "runs": runs,
    }


def corpus_dir(name: str, given: str | None) -> Path:
    if given:
        return Path(given)
    target = CORPUS_HOME / name
    if not target.is_dir():
        if not SHARED.is_file():
            raise SystemExit(f"no corpus: {SHARED} not found; pass --corpus-dir")
        subprocess.run(["sh", str(SHARED), str(CORPUS_HOME)], check=True)
    return target


def go_files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*.go") if p.is_file())


def ensure_peer(package: str, binary: str) -> str | None:
    found = PEERS / "bin" / binary
    if found.exists():
        return str(found)
    if not (PEERS / "bin" / "pip").exists():  # missing or broken: (re)create it
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEERS)], check=True)
    p = subprocess.run([str(PEERS / "bin" / "pip"), "install", "--quiet", package], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"  (could not install {package}: {p.stderr.strip()[-300:]})")
        return None
    return str(found) if found.exists() else None


def packages_fraction(root: Path, fraction: float) -> list[str]:
    dirs = sorted({str(Path(f).parent) for f in go_files(root)})
    keep = max(1, round(len(dirs) * fraction))
    return dirs[:keep]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=["std", "eco"], default="std")
    ap.add_argument("--corpus-dir", help="use this directory instead of building the corpus")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-semgrep", action="store_true")
    ap.add_argument("--skip-ast-grep", action="store_true")
    ap.add_argument("--output", default=str(HERE / "results.md"))
    args = ap.parse_args()

    root = corpus_dir(args.corpus, args.corpus_dir)
    files = go_files(root)
    lines = sum(Path(f).read_bytes().count(b"\n") for f in files)
    listing = Path(tempfile.mkstemp(suffix=".txt")[1])
    listing.write_text("\n".join(files))
    goplumber = [sys.executable, "-m", "linter"]
    # Measure goplumber as installed (pip compiles bytecode at install time), from this source
    # tree: bytecode goes to a private prefix, so the tree stays clean and nothing is stale.
    pycache = Path(tempfile.mkdtemp(prefix="goplumber-bench-pyc-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(pycache))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "linter")], env=env, check=True)
    cache = Path(tempfile.mkdtemp(prefix="goplumber-bench-cache-"))
    rows: dict[str, dict[str, float]] = {}

    def row(name: str, cmd: list[str], runs: int = args.runs) -> None:
        print(f"  {name} ...", flush=True)
        rows[name] = measure(cmd, runs, env)
        print(f"    {rows[name]['wall']:.2f}s wall, {rows[name]['cpu']:.2f}s cpu, {rows[name]['rss_mb']:.0f} MB")

    print(f"corpus {root}: {len(files)} files, {lines} lines")
    row("floor, 1 process", [sys.executable, "-c", FLOOR, str(listing), "1"])
    row("floor, 2 processes", [sys.executable, "-c", FLOOR, str(listing), "2"])
    row("goplumber cold, 1 job", [*goplumber, "check", "--no-cache", "--jobs", "1", str(root)])
    row("goplumber cold, 2 jobs", [*goplumber, "check", "--no-cache", "--jobs", "2", str(root)])
    subprocess.run([*goplumber, "check", "--cache-dir", str(cache), "--jobs", "2", str(root)], env=env, capture_output=True)
    row("goplumber warm (cache hit), 2 jobs", [*goplumber, "check", "--cache-dir", str(cache), "--jobs", "2", str(root)])
    one = ROOT / "examples" / "leaky" / "main.go"
    row("goplumber one file (interpreter start included)", [*goplumber, "check", "--no-cache", str(one)], runs=max(args.runs, 10))
    for frac in (0.25, 0.5):
        row(
            f"goplumber cold, 2 jobs, {int(frac * 100)}% of packages",
            [*goplumber, "check", "--no-cache", "--jobs", "2", *packages_fraction(root, frac)],
        )
    rows["goplumber cold, 2 jobs, 100% of packages"] = rows["goplumber cold, 2 jobs"]
    if not args.skip_ast_grep:
        sg = ensure_peer("ast-grep-cli", "ast-grep")
        if sg:
            row("ast-grep, 2 threads", [sg, "scan", "--threads", "2", "--rule", str(HERE / "peers" / "ast-grep.yml"), str(root)])
    if not args.skip_semgrep:
        sem = ensure_peer("semgrep", "semgrep")
        if sem:
            row(
                "semgrep, 2 jobs",
                [
                    sem,
                    "--config",
                    str(HERE / "peers" / "semgrep.yml"),
                    "--jobs",
                    "2",
                    "--metrics",
                    "off",
                    "--disable-version-check",
                    "--quiet",
                    str(root),
                ],
            )
    # What goplumber did with the corpus (not timed): how many files it considered and parsed.
    p = subprocess.run([*goplumber, "check", "--no-cache", "--format", "json", str(root)], env=env, capture_output=True, text=True)
    stats = json.loads(p.stdout).get("stats", {}) if p.stdout.strip() else {}
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(pycache, ignore_errors=True)
    listing.unlink()
    write_results(Path(args.output), root, files, lines, rows, args.runs, stats)
    return 0


def write_results(
    path: Path, root: Path, files: list[str], lines: int, rows: dict[str, dict[str, float]], runs: int, stats: dict[str, int] | None = None
) -> None:
    cold2 = rows["goplumber cold, 2 jobs"]["wall"]
    out = [
        "# goplumber benchmark",
        "",
        f"Corpus `{root.name}` ({root}): {len(files)} files, {lines:,} lines. Machine: {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}. Median of {runs} runs (one file: of 10 or more); "
        f"peak RSS is the largest process-tree peak. Written by `python bench/run.py` on {time.strftime('%Y-%m-%d')}.",
        "",
        "| measurement | wall s | CPU s | peak MB | files/s | lines/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        fps = len(files) / r["wall"] if "one file" not in name and "%" not in name else float("nan")
        lps = lines / r["wall"] if "one file" not in name and "%" not in name else float("nan")
        out.append(f"| {name} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss_mb']:.0f} | {fps:,.0f} | {lps:,.0f} |".replace("nan", "–"))
    out += ["", "| ratio | value | target |", "|---|---:|---:|"]

    def ratio(label: str, other: str, target: str) -> None:
        if other in rows:
            out.append(f"| {label} | {cold2 / rows[other]['wall']:.3f}x | {target} |")  # 3 decimals: 0.032 is not 0.03

    ratio("goplumber cold 2 jobs / floor 2 processes", "floor, 2 processes", "<= 0.6x")
    ratio("goplumber cold 2 jobs / ast-grep 2 threads", "ast-grep, 2 threads", "<= 0.5x")
    ratio("goplumber cold 2 jobs / semgrep 2 jobs", "semgrep, 2 jobs", "<= 0.03x")
    out.append(f"| warm, nothing changed | {rows['goplumber warm (cache hit), 2 jobs']['wall']:.2f}s | <= 1.0s |")
    one_ms = rows["goplumber one file (interpreter start included)"]["wall"] * 1000
    out.append(f"| one file, interpreter start included | {one_ms:.0f} ms | <= 120 ms |")
    peak = max(r["rss_mb"] for n, r in rows.items() if n.startswith("goplumber"))
    out.append(f"| goplumber peak memory | {peak:.0f} MB | <= 300 MB |")
    scale = [
        rows[k]["wall"]
        for k in (
            "goplumber cold, 2 jobs, 25% of packages",
            "goplumber cold, 2 jobs, 50% of packages",
            "goplumber cold, 2 jobs, 100% of packages",
        )
    ]
    out += ["", f"Scaling (cold, 2 jobs) at 25/50/100% of the packages: {scale[0]:.2f}s / {scale[1]:.2f}s / {scale[2]:.2f}s."]
    if stats:
        out += [
            "",
            f"The floor, ast-grep and semgrep read all {len(files)} `.go` files. goplumber considers "
            f"{stats.get('files', 0)} (like the go tool it skips `testdata/`, `vendor/` and hidden directories), "
            f"skips {stats.get('skipped_generated', 0)} generated or never-built ones, and parses {stats.get('parsed', 0)}: the others cannot "
            "match any rule (prefilter), and a file whose rules only look inside one declaration is parsed declaration by "
            "declaration. goplumber runs as installed, from bytecode.",
        ]
    kept = ""  # bench/triage.py's and bench/lsp.py's sections, measured separately
    old = path.read_text() if path.exists() else ""
    begin, end = "<!-- lsp-bench -->", "<!-- /lsp-bench -->"
    lsp = old[old.index(begin) : old.index(end) + len(end)] if begin in old and end in old else ""
    rest = old.replace(lsp, "") if lsp else old
    if TRIAGE_SECTION in rest:
        kept = "\n" + rest[rest.index(TRIAGE_SECTION) :].rstrip("\n") + "\n"
    if lsp:
        kept += "\n" + lsp + "\n"
    path.write_text("\n".join(out) + "\n" + kept)
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
