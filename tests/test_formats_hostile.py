"""Hostile file names and source text in every `check` output format (reliability audit 1.21,
1.23, 1.24, 5.5): a name that is not valid UTF-8, newlines and carriage returns that would forge
finding lines, terminal escapes, control characters, a right-to-left override, markup, and a Go
string literal holding control characters that a message quotes. Every format must stay valid
(strict UTF-8, well-formed XML, schema-valid SARIF, one text line per finding, one workflow
command per line) with the default stdout and with a strict UTF-8 one, and show each name in
the one escaped display form."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
# shared/ sits beside the checkout (CI) or beside the worktrees' parent (a helper's worktree)
SARIF_SCHEMA = next(
    (p for p in (d / "shared" / "schemas" / "sarif-schema-2.1.0.json" for d in (ROOT.parent, ROOT.parent.parent)) if p.is_file()),
    ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json",
)

LEAK = b'package p\n\nimport "time"\n\nfunc f(in chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(time.Second):\n\t\t}\n\t}\n}\n'
# a message that quotes code: repeated-watch prints the call, string literal included
WATCH = (
    b'package p\n\nimport (\n\t"context"\n\t"time"\n)\n\ntype client interface{ Watch(ctx context.Context, key string) <-chan int }\n\n'
    b"func reload(ctx context.Context, cli client) {\n\tch := cli.Watch(ctx, \"/c\x01\x02\x1b[31m=cmd|' /C calc'!A0\")\n\tgo func() {\n\t\tfor range ch {\n\t\t}\n\t}()\n}\n\n"
    b"func loop(ctx context.Context, cli client) {\n\tt := time.NewTicker(time.Minute)\n\tfor range t.C {\n\t\treload(ctx, cli)\n\t}\n}\n"
)

# raw name (bytes) -> the display form every format shows
NAMES = {
    b"bad\xff.go": "bad\\xff.go",
    b"x.go\nFORGED.go:1:1: error: forged finding [unclosed-client]\nz.go": "x.go\\nFORGED.go:1:1: error: forged finding [unclosed-client]\\nz.go",
    b"cr.go\rFORGED.go:2:2: error: forged [unclosed-client]\r.go": "cr.go\\rFORGED.go:2:2: error: forged [unclosed-client]\\r.go",
    b"esc\x1b]0;pwned\x07\x1b[2J.go": "esc\\x1b]0;pwned\\x07\\x1b[2J.go",
    b"ctl\x01.go": "ctl\\x01.go",
    b"del\x7f\xc2\x85.go": "del\\x7f\\u0085.go",  # DEL and the C1 control NEL
    "rtl\u202egpj.go".encode(): "rtl\\u202egpj.go",
    "ls\u2028FORGED.go:4:4: error: forged [unclosed-client].go".encode(): "ls\\u2028FORGED.go:4:4: error: forged [unclosed-client].go",
    b'bin"><img src=x onerror=alert(7)>.go': 'bin"><img src=x onerror=alert(7)>.go',
    b"a`b<i>i<&>.go": "a`b<i>i<&>.go",
    "\u00e9t\u00e9 \u65e5\u672c.go".encode(): "\u00e9t\u00e9 \u65e5\u672c.go",
}
# section 5's names that hold a '/': a directory and a file
NESTED = {
    (b"<script>alert(8)<", b"script>.go"): "<script>alert(8)</script>.go",
    (b"a`b<i>i<", b"i>`.go"): "a`b<i>i</i>`.go",
}
# a message quoting markup from Go source (unbounded-label prints the label value)
LABEL = (
    b'package p\n\nimport (\n\t"net/http"\n\n\t"github.com/prometheus/client_golang/prometheus"\n)\n\n'
    b'var hits = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hits"}, []string{"path"})\n\n'
    b'func h(w http.ResponseWriter, r *http.Request) {\n\thits.WithLabelValues("</td></tr><script>alert(4)</script>\x1b[2J" + r.URL.Path).Inc()\n}\n'
)
# only a note (a binary file): the note line must not forge anything either
NOTES = {
    b"note\xfe\nFORGED.go:3:3: error: forged [unclosed-client].go": "note\\xfe\\nFORGED.go:3:3: error: forged [unclosed-client].go",
}
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
FORMATS = ["text", "json", "sarif", "github", "junit", "checkstyle", "code-climate"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    src = os.path.join(os.fsencode(d), b"src")
    os.mkdir(src)
    for name in NAMES:
        with open(os.path.join(src, name), "wb") as fh:
            fh.write(LEAK)
    for name in NOTES:
        with open(os.path.join(src, name), "wb") as fh:
            fh.write(b"\0")
    with open(os.path.join(src, b"watch.go"), "wb") as fh:
        fh.write(WATCH)
    for (directory, name), _ in NESTED.items():
        os.mkdir(os.path.join(src, directory))
        with open(os.path.join(src, directory, name), "wb") as fh:
            fh.write(LEAK)
    with open(os.path.join(src, b"label.go"), "wb") as fh:
        fh.write(LABEL)
    return d


def run(cwd: Path, *args: str, strict: bool = False) -> tuple[int, bytes, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "1"}
    env.pop("PYTHONIOENCODING", None)
    if strict:  # what Python does on an en_US.UTF-8 machine
        env["PYTHONIOENCODING"] = "utf-8"
    p = subprocess.run([sys.executable, "-m", "linter", *args], cwd=cwd, env=env, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def outputs(hostile: Path) -> dict[tuple[str, bool], tuple[int, str]]:
    got = {}
    for fmt in FORMATS:
        for strict in (False, True):
            code, out, err = run(hostile, "check", "--no-cache", "--format", fmt, "src", strict=strict)
            assert "Traceback" not in err, err
            assert code in (1, 3), (fmt, strict, code, err)  # findings (3: incomplete, once that exists)
            got[fmt, strict] = (code, out.decode("utf-8"))  # strict UTF-8, no lone surrogates
    return got


SHOWN = [*NAMES.values(), *NESTED.values()]
EXTRA = 2  # watch.go: 1 finding (the watch; its ticker drives a loop nothing leaves, so it is in use), label.go: 1


def expected_paths() -> set[str]:
    return {f"src/{shown}" for shown in SHOWN} | {"src/watch.go", "src/label.go"}


@pytest.mark.parametrize("strict", [False, True], ids=["default-stdout", "strict-stdout"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_clean_utf8_without_control_characters(outputs, fmt: str, strict: bool) -> None:
    _, out = outputs[fmt, strict]
    bad = UNSAFE.findall(out)
    assert not bad, (fmt, bad[:5])
    for shown in SHOWN:
        if fmt not in ("sarif",):  # SARIF percent-encodes URIs, checked below
            needle = json.dumps(shown)[1:-1] if fmt in ("json", "code-climate") else shown
            if fmt in ("junit", "checkstyle"):
                needle = needle.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            if fmt == "github":
                needle = needle.replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
            assert needle in out, (fmt, shown)


def test_text_has_one_line_per_finding(outputs) -> None:
    findings = json.loads(outputs["json", False][1])["findings"]
    assert text_lines_are_lines(outputs["text", False][1])
    for strict in (False, True):
        text = outputs["text", strict][1]
        line = re.compile(r"^src/.+:\d+:\d+: (error|warning|info): .* \[[a-z-]+\]$")
        assert sum(bool(line.match(x)) for x in text.splitlines()) == len(findings) == len(SHOWN) + EXTRA
        assert not any(x.startswith("FORGED") for x in text.splitlines())
        notes = [x for x in text.splitlines() if ": note: " in x]
        assert notes == [f"src/{shown}: note: skipped: binary file (contains NUL bytes)" for shown in NOTES.values()]


def text_lines_are_lines(text: str) -> bool:
    """No character that some reader takes for a line break (U+0085, U+2028, form feed...)."""
    return text.splitlines() == text.split("\n")[:-1]


def test_json_paths_are_the_display_form(outputs) -> None:
    doc = json.loads(outputs["json", True][1])
    assert {f["path"] for f in doc["findings"]} == expected_paths()
    assert [e["path"] for e in doc["errors"]] == [f"src/{shown}" for shown in NOTES.values()]
    watch = next(f for f in doc["findings"] if f["path"] == "src/watch.go")
    assert "\\x1b[31m" in watch["message"] and "\x1b" not in watch["message"]
    label = next(f for f in doc["findings"] if f["path"] == "src/label.go")
    assert "<script>alert(4)</script>\\x1b[2J" in label["message"]
    json.dumps(doc).encode("utf-8")  # re-encodes as strict UTF-8


def test_sarif_is_schema_valid_with_percent_encoded_raw_bytes(outputs) -> None:
    doc = json.loads(outputs["sarif", True][1])
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert "src/bad%FF.go" in uris
    assert "src/x.go%0AFORGED.go%3A1%3A1%3A%20error%3A%20forged%20finding%20%5Bunclosed-client%5D%0Az.go" in uris
    assert "src/%C3%A9t%C3%A9%20%E6%97%A5%E6%9C%AC.go" in uris
    assert "src/%3Cscript%3Ealert%288%29%3C/script%3E.go" in uris
    assert len(uris) == len(SHOWN) + 2


def test_xml_formats_are_well_formed(outputs) -> None:
    for strict in (False, True):
        junit = ET.fromstring(outputs["junit", strict][1].encode())
        names = {c.get("file") for c in junit.iter("testcase") if c.find("failure") is not None}
        assert names == expected_paths()
        checkstyle = ET.fromstring(outputs["checkstyle", strict][1].encode())
        assert {f.get("name") for f in checkstyle.iter("file")} >= expected_paths()


def test_github_one_workflow_command_per_line(outputs) -> None:
    for strict in (False, True):
        lines = outputs["github", strict][1].splitlines()
        assert lines and all(x.startswith(("::error ", "::warning ", "::notice ")) for x in lines)
        errors = [f for f in json.loads(outputs["json", False][1])["findings"] if f["severity"] == "error"]
        assert len([x for x in lines if x.startswith("::error ")]) == len(errors) == len(SHOWN) + 1


def test_code_climate_paths(outputs) -> None:
    issues = json.loads(outputs["code-climate", True][1])
    assert {i["location"]["path"] for i in issues if i["check_name"] not in ("analysis-incomplete", "file-note")} == expected_paths()


def test_fingerprints_come_from_the_raw_bytes(hostile: Path, tmp_path: Path) -> None:
    """Two names that differ only in an undecodable byte, and a name spelling the display form
    with a real backslash, get three different fingerprints."""
    src = os.path.join(os.fsencode(tmp_path), b"src")
    os.mkdir(src)
    for name in (b"bad\xff.go", b"bad\xfe.go", b"bad\\xff.go"):
        with open(os.path.join(src, name), "wb") as fh:
            fh.write(LEAK)
    code, out, err = run(tmp_path, "check", "--no-cache", "--format", "json", "src", strict=True)
    assert code == 1, err
    found = json.loads(out)["findings"]
    assert len(found) == 3 and len({f["fingerprint"] for f in found}) == 3
    # a valid UTF-8 path keeps the fingerprint it had (the same bytes are hashed)
    import hashlib

    from linter.engine import assign_fingerprints
    from linter.model import Finding

    f = Finding("src/a.go", 1, 1, 1, 2, "r", "error", "m", snippet="x := 1")

    legacy = hashlib.sha256("\0".join(("r", "src/a.go", "x:=1", "0")).encode()).hexdigest()[:32]
    assert assign_fingerprints([f])[0].fingerprint == legacy
