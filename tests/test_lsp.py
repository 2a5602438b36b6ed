"""`goplumber lsp` driven as an editor drives it: a real server process over stdio, plain
JSON-RPC (tests/lspclient.py). Open a leaky file, get its diagnostic on the right range, ask for
the quick fixes, apply one, see the diagnostic clear; non-ASCII positions in UTF-16 and UTF-8;
a package-level finding that follows an unsaved edit of another file; config reloads, the
workspace scan's progress, hover, bad options; shutdown and exit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lspclient import LspClient, uri
from samples import LEAKY, WATCH_IN_HELPER, write

WATCH = WATCH_IN_HELPER

LOOP = """package svc

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func Run(cli *clientv3.Client) {
	for range time.Tick(time.Minute) {
		reload(context.Background(), cli)
	}
}
"""
ONCE = LOOP.replace(
    "\tfor range time.Tick(time.Minute) {\n\t\treload(context.Background(), cli)\n\t}\n", "\treload(context.Background(), cli)\n"
)

# a time-after-in-loop finding behind non-ASCII text on its own line
UNICODE = """package a

import "time"

func f(in chan int) {
	for {
		select {
		case <-in:
		case /* héllo 😀 */ <-time.After(time.Minute):
		}
	}
}
"""


def module(tmp: Path) -> Path:
    write(tmp, "go.mod", "module example.com/m\n\ngo 1.21\n")
    (tmp / ".git").mkdir()  # the repository root: the config lookup stops here
    return tmp


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply LSP TextEdits (UTF-16 positions) to `text`, last first, as a client does."""
    lines = text.split("\n")

    def offset(pos: dict[str, int]) -> int:
        before = sum(len(line) + 1 for line in lines[: pos["line"]])
        line = lines[pos["line"]] if pos["line"] < len(lines) else ""
        units, i = 0, 0
        while i < len(line) and units < pos["character"]:
            units += 2 if ord(line[i]) > 0xFFFF else 1
            i += 1
        return before + i

    for e in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]), reverse=True):
        a, b = offset(e["range"]["start"]), offset(e["range"]["end"])
        text = text[:a] + e["newText"] + text[b:]
    return text


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@pytest.fixture
def server(tmp_path: Path):
    started: list[LspClient] = []

    def start(root: Path, options: dict[str, Any] | None = None, encodings: list[str] | None = None) -> tuple[LspClient, Any]:
        client = LspClient(root)
        started.append(client)
        return client, client.initialize(root, {"workspaceScan": False, **(options or {})}, encodings)

    yield start
    for c in started:
        c.kill()


def test_open_quick_fix_clears_and_exits_clean(tmp_path: Path, server) -> None:
    root = module(tmp_path)
    path = write(root, "svc/handler.go", LEAKY)
    client, init = server(root)
    caps = init["capabilities"]
    assert caps["positionEncoding"] == "utf-16" and caps["codeActionProvider"] and caps["hoverProvider"]

    client.open(path, LEAKY)
    _, diags = client.diagnostics(path, 1)
    assert len(diags) == 1
    d = diags[0]
    line = LEAKY.split("\n").index("\tclient, err := secretmanager.NewClient(r.Context())")
    start = LEAKY.split("\n")[line].index("secretmanager.NewClient")
    assert d["range"] == {
        "start": {"line": line, "character": start},
        "end": {"line": line, "character": start + len("secretmanager.NewClient(r.Context())")},
    }
    assert (d["code"], d["severity"], d["source"]) == ("unclosed-client", 1, "goplumber")
    assert d["codeDescription"]["href"].startswith("file://") and d["codeDescription"]["href"].endswith("unclosed-client.yaml")
    assert "never released (Close)" in d["message"]

    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri(path)}, "position": d["range"]["start"]})
    assert hover["contents"]["kind"] == "markdown"
    assert "A client or connection created and never closed." in hover["contents"]["value"]
    off = client.request("textDocument/hover", {"textDocument": {"uri": uri(path)}, "position": {"line": 0, "character": 0}})
    assert off is None

    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri(path)}, "range": d["range"], "context": {"diagnostics": diags, "only": ["quickfix"]}},
    )
    refactors = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri(path)}, "range": d["range"], "context": {"diagnostics": diags, "only": ["refactor"]}},
    )
    assert refactors is None
    by_title = {a["title"]: a for a in actions}
    fix = next(a for a in actions if a.get("isPreferred"))
    assert fix["kind"] == "quickfix" and fix["diagnostics"][0]["code"] == "unclosed-client"
    edits = fix["edit"]["documentChanges"][0]["edits"]
    assert [e["newText"].strip() for e in edits] == ["defer client.Close()"]
    assert edits[0]["range"]["start"]["line"] == LEAKY.split("\n").index("\t_, _ = client.AccessSecretVersion(r.Context(), nil)")
    fixed_by_server = apply_edits(LEAKY, edits)
    suppress = next(a for t, a in by_title.items() if t.startswith("Suppress unclosed-client"))
    assert suppress["kind"] == "quickfix" and suppress["diagnostics"][0]["code"] == "unclosed-client"
    change = suppress["edit"]["documentChanges"][0]
    assert change["textDocument"] == {"uri": uri(path), "version": 1}
    assert change["edits"] == [
        {
            "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "newText": "\t//goplumber:ignore unclosed-client\n",
        }
    ]
    suppressed = apply_edits(LEAKY, change["edits"])
    client.change(path, 2, suppressed)
    _, diags = client.diagnostics(path, 2)
    assert diags == []

    # back to the leak, then the quick fix applied (an incremental change, as a client sends it)
    client.change(path, 3, LEAKY)
    assert len(client.diagnostics(path, 3)[1]) == 1
    client.edit(path, 4, [{"range": e["range"], "text": e["newText"]} for e in edits])
    assert client.diagnostics(path, 4)[1] == []
    assert "defer client.Close()" in fixed_by_server

    assert client.close() == 0
    assert b"Traceback" not in client.stderr
    received = [m for _, d, m in client.log if d == "<-"]  # stdout carried JSON-RPC and nothing else
    assert received and all(m.get("jsonrpc") == "2.0" for m in received)


def test_positions_utf16_and_utf8(tmp_path: Path, server) -> None:
    root = module(tmp_path)
    path = write(root, "a/a.go", UNICODE)
    line_no = next(i for i, t in enumerate(UNICODE.split("\n")) if "time.After" in t)
    line = UNICODE.split("\n")[line_no]
    prefix = line[: line.index("time.After")]
    end_prefix = line[: line.index("time.After") + len("time.After(time.Minute)")]
    for encodings, want, length in ((None, "utf-16", utf16_len), (["utf-8", "utf-16"], "utf-8", lambda s: len(s.encode()))):
        client, init = server(root, {"goVersion": "1.21"}, encodings)
        assert init["capabilities"]["positionEncoding"] == want
        client.open(path, UNICODE)
        _, diags = client.diagnostics(path, 1)
        assert [d["code"] for d in diags] == ["time-after-in-loop"]
        assert diags[0]["range"]["start"] == {"line": line_no, "character": length(prefix)}
        assert diags[0]["range"]["end"] == {"line": line_no, "character": length(end_prefix)}
        assert client.close() == 0
    assert utf16_len(prefix) != len(prefix.encode())  # the two encodings did differ here


def test_package_level_finding_follows_an_unsaved_edit(tmp_path: Path, server) -> None:
    """repeated-watch in watch.go depends on the ticker loop in loop.go: an unsaved edit of
    loop.go re-checks watch.go and publishes again for it."""
    root = module(tmp_path)
    watch = write(root, "svc/watch.go", WATCH)
    loop = write(root, "svc/loop.go", LOOP)
    client, _ = server(root)
    client.open(watch, WATCH)
    _, diags = client.diagnostics(watch, 1)
    assert [d["code"] for d in diags] == ["repeated-watch"]
    client.open(loop, LOOP)
    assert client.diagnostics(loop, 1)[1] == []
    client.change(loop, 2, ONCE)  # reload now runs once: the watch is not repeated
    assert client.diagnostics(loop, 2)[1] == []
    _, diags = client.diagnostics(watch, 1)
    assert diags == []
    client.change(loop, 3, LOOP)
    assert client.diagnostics(watch, 1)[1][0]["code"] == "repeated-watch"
    assert client.close() == 0


def test_config_reload_options_and_broken_config(tmp_path: Path, server) -> None:
    root = module(tmp_path)
    path = write(root, "svc/handler.go", LEAKY)
    client, _ = server(root)
    client.open(path, LEAKY)
    assert client.diagnostics(path, 1)[1][0]["severity"] == 1
    config = write(root, ".goplumber.yaml", "severity:\n  unclosed-client: warning\n")
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri(config), "type": 1}]})
    assert client.diagnostics(path, 1)[1][0]["severity"] == 2

    config.write_text("rules:\n  disable: [no-such-rule]\n")
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri(config), "type": 2}]})
    _, errors = client.diagnostics(config)
    assert errors[0]["code"] == "config-error" and "no-such-rule" in errors[0]["message"]
    assert errors[0]["range"]["start"]["line"] == 1
    assert client.diagnostics(path, 1)[1] == []  # not checked while the config is broken

    config.write_text("rules:\n  disable: [unclosed-client]\n")  # no watcher event: seen by its mtime
    client.change(path, 2, LEAKY + "\n")
    assert client.diagnostics(path, 2)[1] == []
    assert client.diagnostics(config)[1] == []  # the error is withdrawn
    assert client.close() == 0

    # initialization options: ignore wins over the rules, a bad option is reported, not fatal
    config.unlink()
    client, _ = server(root, {"ignore": ["unclosed-client"], "debounceMs": "soon"})
    _, shown = client.wait_for("window/showMessage")
    assert "debounceMs" in shown["message"]
    client.open(path, LEAKY)
    assert client.diagnostics(path, 1)[1] == []
    assert client.close() == 0


def test_workspace_scan_reports_progress_and_closed_files(tmp_path: Path, server) -> None:
    root = module(tmp_path)
    leaky = write(root, "svc/handler.go", LEAKY)
    write(root, "svc/vendor/x/x.go", LEAKY)  # skipped, as `goplumber check` skips it
    write(root, "clean/ok.go", "package clean\n\nfunc F() {}\n")
    client, _ = server(root, {"workspaceScan": True})
    _, diags = client.diagnostics(leaky)
    assert [d["code"] for d in diags] == ["unclosed-client"]
    _, end = client.wait_for("$/progress", lambda p: p["value"]["kind"] == "end")
    assert "1 findings" in end["value"]["message"]
    kinds = [m["params"]["value"]["kind"] for _, d, m in client.log if d == "<-" and m.get("method") == "$/progress"]
    assert kinds[0] == "begin" and kinds[-1] == "end"
    assert any(m.get("method") == "window/workDoneProgress/create" for m in client.server_requests)
    assert any(m.get("method") == "client/registerCapability" for m in client.server_requests)
    published = {m["params"]["uri"] for _, d, m in client.log if d == "<-" and m.get("method") == "textDocument/publishDiagnostics"}
    assert uri(root / "svc/vendor/x/x.go") not in published

    # a folder added to the workspace is scanned (its file appeared after the first scan)
    later = write(root, "other/svc/late.go", LEAKY)
    folder = {"uri": uri(root / "other"), "name": "other"}
    client.notify("workspace/didChangeWorkspaceFolders", {"event": {"added": [folder], "removed": []}})
    assert [d["code"] for d in client.diagnostics(later)[1]] == ["unclosed-client"]
    client.notify("workspace/didChangeWorkspaceFolders", {"event": {"added": [], "removed": [folder]}})
    assert client.diagnostics(later)[1] == []  # its diagnostics go with it

    # an unsaved fix, then closing the file without saving: back to what is on disk
    client.open(leaky, LEAKY)
    client.change(leaky, 2, LEAKY.replace("\t_, _ = client.Access", "\tdefer client.Close()\n\t_, _ = client.Access"))
    assert client.diagnostics(leaky, 2)[1] == []
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri(leaky)}})
    _, diags = client.diagnostics(leaky)
    assert [d["code"] for d in diags] == ["unclosed-client"]
    assert client.close() == 0


def test_exit_without_shutdown_is_exit_code_1(tmp_path: Path, server) -> None:
    client, _ = server(module(tmp_path))
    client.notify("exit", None)
    assert client.proc.wait(10) == 1


# -- the pieces, without a server ---------------------------------------------------------------


def test_positions_round_trip_odd_text() -> None:
    from linter.lsp.positions import UTF8, UTF16, UTF32, Text, encode

    line = "a😀é\ud800b"  # astral, two-byte, a lone surrogate a client may send
    data = encode("\ufeff" + line + "\r\nx\n")
    text = Text(data)
    col = len(encode(line[:4]))  # byte column (1-based, BOM not counted) of "b"
    assert text.position(1, col + 1, UTF16) == (0, 1 + 1 + 2 + 1 + 1)  # BOM, a, 😀 (2), é, surrogate
    assert text.position(1, col + 1, UTF32) == (0, 5)
    assert text.position(1, col + 1, UTF8) == (0, 3 + col)
    for enc in (UTF8, UTF16, UTF32):
        _, ch = text.position(1, col + 1, enc)
        assert text.offset(0, ch, enc) == 3 + col
    assert text.line(0).endswith(b"b") and text.line(1) == b"x"
    bad = Text(b"\xff\xfeab")  # invalid UTF-8 on disk: one character per bad byte
    assert bad.position(1, 3, UTF16) == (0, 2) and bad.offset(0, 2, UTF16) == 2


def test_suppress_edit_extends_an_ignore_above() -> None:
    from linter.lsp.actions import suppress_change
    from linter.lsp.positions import Text
    from linter.model import Finding

    src = b"package a\n\nfunc f() {\n\t//goplumber:ignore unstopped-ticker flaky\n\tt := time.NewTicker(1)\n}\n"
    f = Finding("a.go", 5, 7, 5, 25, "unclosed-client", "error", "m")
    change = suppress_change(Text(src), f)
    assert change is not None
    fixed = src[: change.start] + change.text.encode() + src[change.end :]
    assert b"//goplumber:ignore unstopped-ticker,unclosed-client flaky\n" in fixed
    from linter.suppress import is_suppressed, suppressions

    assert is_suppressed(suppressions(fixed), "unclosed-client", 5)
    crlf = b"package a\r\n\r\nfunc f() {\r\n\tc := x()\r\n}\r\n"
    change = suppress_change(Text(crlf), Finding("a.go", 4, 7, 4, 10, "unclosed-client", "error", "m"))
    assert change is not None and change.text == "\t//goplumber:ignore unclosed-client\r\n"


def test_settings_accept_spellings_and_report_bad_values() -> None:
    from linter.lsp.settings import parse_settings

    s = parse_settings({"goplumber": {"select": "a,b", "timeout-per-file": 3, "go_version": "1.22", "noBuiltinRules": True}}, "/w")
    assert s.select == {"a", "b"} and s.timeout_per_file == 3.0 and s.go_version == (1, 22) and not s.builtin_rules
    s = parse_settings({"rules": ["r"], "hints": "yes", "what": 1}, "/w")
    assert s.rule_dirs == ("/w/r",) and not s.hints
    assert len(s.problems) == 2 and any("what" in p for p in s.problems)
    assert parse_settings(None) == parse_settings({})
