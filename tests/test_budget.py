"""The analysis budget (`--timeout-per-file`): CPU time of the analysing thread, for each file and,
separately, for each package's package-level work; it works in any thread, covers the prefilter,
and a file or package whose budget runs out is reported, never silently dropped.

Reproductions from the reliability audit (../shared/reports/reliability-audit.md), scaled down.
Every assertion is on the result; the slow inputs are sized so that they overrun the budget many
times over, whatever the machine."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from linter import budget
from linter.engine import Options, Result, check_paths, prepare_rules

RULES = prepare_rules(Options())

LEAK = 'package p\n\nimport "time"\n\nfunc f(in chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(time.Second):\n\t\t}\n\t}\n}\n'
LEAKY_FUNC = "func f%d(in chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(time.Second):\n\t\t}\n\t}\n}\n"

# 2.2: reload() starts a watch and is called from a ticker loop (a repeated-watch finding found
# through the package's call graph) and from a great many other functions of the package.
WATCHER = """package p

import (
\t"context"
\t"time"

\tclientv3 "go.etcd.io/etcd/client/v3"
)

var cli *clientv3.Client

func reload() {
\tch := cli.Watch(context.Background(), "/c")
\t_ = ch
}

func main() {
\tfor range time.Tick(time.Minute) {
\t\treload()
\t}
}

func g(in chan int) {
\tfor {
\t\tselect {
\t\tcase <-in:
\t\tcase <-time.After(time.Second):
\t\t}
\t}
}
"""


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def check(paths: list[Path], timeout: float, jobs: int = 1, rules=None) -> Result:
    return check_paths([str(p) for p in paths], RULES if rules is None else rules, Options(jobs=jobs, timeout_per_file=timeout))


def notes(res: Result) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in res.errors:
        out.setdefault(Path(e.path).name, []).append(e.message)
    return out


def many_leaks(n: int) -> str:
    """One file with n leaky functions: linear work, about 0.15 ms of CPU per function."""
    return 'package p\n\nimport "time"\n\n' + "".join(LEAKY_FUNC % i for i in range(n))


# -- 2.2: package-level work has a budget of its own -------------------------------------------------


def watcher_package(tmp_path: Path, callers: int) -> Path:
    """The 2.2 package, with `callers` call sites of reload() in b.go (50 per function)."""
    pkg = tmp_path / "cg"
    write(pkg, "a.go", WATCHER)
    body = "".join(f"func d{i}() {{ {'reload(); ' * min(50, callers - 50 * i)}}}\n" for i in range((callers + 49) // 50))
    write(pkg, "b.go", "package p\n\n" + body)
    return pkg


BIG = 180_000  # call sites in 1.7 MB: seconds of CPU to resolve, against 2 x 0.1 s


def test_package_work_over_its_budget_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    small = watcher_package(tmp_path / "small", 10)
    res = check([small], timeout=10)
    assert sorted(f.rule_id for f in res.findings) == ["repeated-watch", "time-after-in-loop"]  # what the rules find
    # 180,000 call sites of reload(): resolving its callers takes seconds of CPU, against a
    # package budget of 2 files x 0.1 s. The budget used to be paused for package work.
    big = watcher_package(tmp_path / "big", BIG)
    other = write(tmp_path, "other/ok.go", LEAK)
    res = check([big, other.parent], timeout=0.1)
    assert notes(res) == {
        "a.go": [
            "rule repeated-watch: skipped for this file: call graph (the callers of reload) of package p in "
            f"{big}/ took more than 0.2s of CPU time (--timeout-per-file, per file of the package)"
        ]
    }
    found = sorted((Path(f.path).name, f.rule_id) for f in res.findings)
    assert found == [("a.go", "time-after-in-loop"), ("ok.go", "time-after-in-loop")]  # the file's other rule, the other package


def test_package_budget_spent_stays_spent_for_the_package(tmp_path: Path) -> None:
    """Every file that needs the exhausted package's analysis says it lost it (deterministic:
    the package budget is shared in path order, the same whatever --jobs)."""
    big = watcher_package(tmp_path, BIG)
    write(
        big,
        "c.go",
        WATCHER.replace("func reload()", "func reload2()").replace("func main()", "func main2()").replace("func g(", "func g2("),
    )
    res = check([big], timeout=0.1)
    lost = {name: msgs for name, msgs in notes(res).items()}
    assert set(lost) == {"a.go", "c.go"}
    assert all(len(m) == 1 and m[0].startswith("rule repeated-watch: skipped for this file: ") for m in lost.values())
    assert sorted((Path(f.path).name, f.rule_id) for f in res.findings) == [("a.go", "time-after-in-loop"), ("c.go", "time-after-in-loop")]


# -- 2.3: the budget works in any thread (audit --scheduler runs checks in Dask worker threads) -------


def run_in_thread(fn):
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            box["error"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join(timeout=300)
    assert not t.is_alive()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]


def test_file_budget_in_a_thread(tmp_path: Path) -> None:
    slow = write(tmp_path, "src/many.go", many_leaks(2000))  # about 0.3 s of CPU, budget 0.03 s
    ok = write(tmp_path, "src2/ok.go", LEAK)
    res = run_in_thread(lambda: check([slow.parent, ok.parent], timeout=0.03))
    assert notes(res) == {"many.go": ["skipped: checking took more than 0.03s of CPU time (--timeout-per-file)"]}
    assert [Path(f.path).name for f in res.findings] == ["ok.go"]


def test_package_budget_in_a_thread(tmp_path: Path) -> None:
    big = watcher_package(tmp_path, BIG)
    res = run_in_thread(lambda: check([big], timeout=0.1))
    assert list(notes(res)) == ["a.go"]
    assert notes(res)["a.go"][0].startswith("rule repeated-watch: skipped for this file: call graph (the callers of reload)")


def test_interrupted_thread_leaves_no_budget_behind(tmp_path: Path) -> None:
    """After an interrupted check, the thread runs on normally: nothing is raised later."""
    slow = write(tmp_path, "src/many.go", many_leaks(2000))

    def twice() -> tuple[Result, float]:
        first = check([slow.parent], timeout=0.03)
        t = time.thread_time()
        while time.thread_time() - t < 0.3:  # would be interrupted if a budget were still armed
            pass
        return first, time.thread_time() - t

    first, spun = run_in_thread(twice)
    assert list(notes(first)) == ["many.go"]
    assert spun >= 0.3


def test_audit_with_a_dask_scheduler_keeps_the_budget(tmp_path: Path) -> None:
    """2.3 itself: `audit --scheduler` (Dask runs the check in a worker thread)."""
    distributed = pytest.importorskip("dask.distributed")
    from linter.audit import runner

    write(tmp_path, "repos/slow/a.go", many_leaks(2000))
    write(tmp_path, "repos/ok/a.go", LEAK)
    outcomes = {}

    def report(progress, outcome) -> None:
        if outcome is not None:
            outcomes[Path(outcome.path).name] = outcome

    repos = runner.repositories([], None, str(tmp_path / "repos"))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        runner.run(
            repos, Options(timeout_per_file=0.03), str(tmp_path / "a.sqlite"), jobs=1, scheduler=cluster.scheduler_address, report=report
        )
    assert "a.go: skipped: checking took more than 0.03s of CPU time (--timeout-per-file)" in (outcomes["slow"].error or "")
    assert outcomes["slow"].findings == []
    assert [f.rule_id for f in outcomes["ok"].findings] == ["time-after-in-loop"]


# -- 2.6: the verdict does not depend on --jobs or on machine load ------------------------------------


def jobs_tree(root: Path, packages: int, leaks: int) -> Path:
    """The 2.6 shape: packages each with one slow file (`leaks` leaky functions) and 5 small ones."""
    for i in range(packages):
        write(root, f"t/p{i}/slow.go", many_leaks(leaks))
        for k in range(5):
            write(root, f"t/p{i}/t{k}.go", f"package p\n\nfunc g{k}() {{}}\n")
    return root / "t"


def check_under_load(tree: Path, timeout: float, jobs_list: tuple[int, ...], burners: int = 4) -> dict[int, Result]:
    """Check `tree` at each --jobs while `burners` processes spin (4: both cores busy, twice over)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(burners)]
    try:
        return {jobs: check([tree], timeout=timeout, jobs=jobs) for jobs in jobs_list}
    finally:
        for b in procs:
            b.kill()
            b.wait()


def test_findings_do_not_depend_on_jobs_or_load(tmp_path: Path) -> None:
    """4 packages, each with one file needing about 0.1 s of CPU (all rules; 300 leaks), budget
    0.3 s, while four other processes keep both cores busy: a wall-clock budget timed them out
    with --jobs 4 (eight processes on two cores, about 4x the CPU time in wall time); the CPU
    time of the analysing thread does not see the load. (The file is sized to leave the budget
    a 3x margin as rules are added: CPU time itself inflates somewhat on a loaded machine.)"""
    results = check_under_load(jobs_tree(tmp_path, 4, 300), 0.3, (1, 4))
    for jobs, res in results.items():
        assert res.errors == [], (jobs, res.errors[:3])
        assert len(res.findings) == 4 * 300, jobs
    assert results[1].findings == results[4].findings


@pytest.mark.slow
def test_findings_do_not_depend_on_jobs_full_reproduction(tmp_path: Path) -> None:
    """2.6 at the audit's size: 8 packages, files needing about 1.2 s, --timeout-per-file 1.5,
    --jobs 1/2/4 (it gave 16 / 4 / 0 findings)."""
    results = check_under_load(jobs_tree(tmp_path, 8, 7000), 1.5, (1, 2, 4), burners=0)
    for jobs, res in results.items():
        assert res.errors == [], (jobs, res.errors[:3])
        assert len(res.findings) == 8 * 7000, jobs
    assert results[1].findings == results[2].findings == results[4].findings


# -- 3.5: the prefilter runs inside the budget ------------------------------------------------------


REDOS_RULE = "id: redos\nseverity: info\nmessage: m\nprefilter-regex: '(a|aa)+$'\nrule:\n  kind: interpreted_string_literal\n"


def test_catastrophic_prefilter_regex_is_interrupted(tmp_path: Path) -> None:
    """(a|aa)+$ on 5,000 a's never ends; the budget used to start after the prefilter."""
    write(tmp_path, "rules/r.yaml", REDOS_RULE)
    write(tmp_path, "src/a.go", 'package p\n\nvar x = "' + "a" * 5000 + 'b"\n')
    write(tmp_path, "src2/ok.go", LEAK)
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "linter",
            "check",
            "--no-cache",
            "--format",
            "json",
            "--timeout-per-file",
            "0.5",
            "--rules",
            str(tmp_path / "rules"),
        ]
        + [str(tmp_path / "src"), str(tmp_path / "src2")],
        capture_output=True,
        text=True,
        timeout=120,  # a safety net only: without the fix this never ends
    )
    doc = json.loads(p.stdout)
    assert [(Path(e["path"]).name, e["message"]) for e in doc["errors"]] == [
        ("a.go", "skipped: checking took more than 0.5s of CPU time (--timeout-per-file)")
    ]
    assert [(Path(f["path"]).name, f["rule_id"]) for f in doc["findings"]] == [("ok.go", "time-after-in-loop")]


def test_long_regex_in_a_thread_is_reported_when_it_returns(tmp_path: Path) -> None:
    """Off the main thread nothing can interrupt one C-level regex search (documented), but a
    file whose budget it used up is still reported once the search returns."""
    from linter.loader import load_rules

    write(tmp_path, "rules/r.yaml", REDOS_RULE)
    write(tmp_path, "src/a.go", 'package p\n\nvar x = "' + "a" * 30 + 'b"\n')  # about 10^6.3 steps
    rules = [*RULES, *load_rules([str(tmp_path / "rules")], include_bundled=False)]
    started = time.thread_time()
    assert re.search("(a|aa)+$", "a" * 30 + "b") is None
    limit = (time.thread_time() - started) / 10  # the search alone needs 10 times the budget
    res = run_in_thread(lambda: check([tmp_path / "src"], timeout=limit, rules=rules))
    assert [e.message.split(" of CPU")[0] for e in res.errors] == [f"skipped: checking took more than {limit:g}s"]


# -- the mechanism itself ----------------------------------------------------------------------------


def spin(seconds: float) -> None:
    t = time.thread_time()
    while time.thread_time() - t < seconds:
        pass


@pytest.mark.parametrize("in_thread", [False, True])
def test_budget_interrupts_python_code(in_thread: bool) -> None:
    def run() -> tuple[bool, budget.Budget]:
        b = budget.Budget(0.05)
        try:
            with budget.running(b):
                spin(5)
        except budget.BudgetExceeded:
            return True, b
        return False, b

    interrupted, b = run_in_thread(run) if in_thread else run()
    assert interrupted and b.exhausted


def test_paused_budget_is_not_charged() -> None:
    file_b, pkg_b = budget.Budget(0.2), budget.Budget(10)
    with budget.file_scope(budget.Scope(file_b, pkg_b)), budget.running(file_b):
        with budget.package_work("test"):
            spin(0.3)  # charged to the package, not to the file
    assert not file_b.exhausted and file_b.spent < 0.2 <= pkg_b.spent


def test_unlimited_budget_never_interrupts() -> None:
    b = budget.Budget(0)
    with budget.running(b):
        spin(0.05)
    assert not b.exhausted


def test_default_budget_leaves_the_examples_alone() -> None:
    root = Path(__file__).resolve().parent.parent
    res = check([root / "examples" / "leaky"], timeout=10)
    unbounded = check([root / "examples" / "leaky"], timeout=0)
    assert res.findings == unbounded.findings and res.errors == unbounded.errors == []
