"""A plain JSON-RPC client for `goplumber lsp` over stdio (tests and bench/lsp.py): no LSP
library, so what is tested is exactly what goes over the pipe. Every message both ways is kept
in `log` with its time (`time.perf_counter()`), for latency figures and transcripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def uri(path: str | os.PathLike[str]) -> str:
    return Path(path).resolve().as_uri()


class LspClient:
    def __init__(
        self,
        cwd: str | os.PathLike[str],
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        python: list[str] | None = None,
    ) -> None:
        """`python`: the interpreter and its options (default: this one), e.g. to profile it."""
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.proc = subprocess.Popen(
            [*(python or [sys.executable]), "-m", "linter", "lsp", *(args or [])],
            cwd=cwd,
            env=full_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.log: list[tuple[float, str, dict[str, Any]]] = []  # (time, "->" sent / "<-" received, message)
        self.notifications: list[tuple[float, dict[str, Any]]] = []  # received, not yet waited for
        self.responses: dict[int, tuple[float, dict[str, Any]]] = {}
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        self._next_id = 0
        self.server_requests: list[dict[str, Any]] = []
        self.stderr = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._err = threading.Thread(target=self._read_err, daemon=True)
        self._err.start()

    # -- the wire -----------------------------------------------------------------------------

    def _send(self, msg: dict[str, Any]) -> None:
        body = json.dumps(msg).encode()
        with self._send_lock:
            self.log.append((time.perf_counter(), "->", msg))
            assert self.proc.stdin is not None
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            if length is None:
                continue
            msg = json.loads(out.read(length))
            now = time.perf_counter()
            self.log.append((now, "<-", msg))
            if "method" in msg and "id" in msg:  # a request from the server: say yes
                self.server_requests.append(msg)
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif "method" in msg:
                with self._cond:
                    self.notifications.append((now, msg))
                    self._cond.notify_all()
            else:
                with self._cond:
                    self.responses[msg["id"]] = (now, msg)
                    self._cond.notify_all()

    # -- calls ----------------------------------------------------------------------------------

    def notify(self, method: str, params: Any) -> float:
        t = time.perf_counter()
        self._send({"jsonrpc": "2.0", "method": method, "params": params})
        return t

    def request(self, method: str, params: Any, timeout: float = 20.0) -> Any:
        self._next_id += 1
        rid = self._next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self._cond:
            while rid not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no answer to {method} in {timeout}s; stderr: {self.stderr[-2000:]!r}")
                self._cond.wait(left)
            _, msg = self.responses.pop(rid)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg.get("result")

    def wait_for(self, method: str, match: Any = None, timeout: float = 20.0) -> tuple[float, dict[str, Any]]:
        """The first notification `method` not waited for yet whose params satisfy
        `match(params)` (the time it arrived, its params); the others are kept for later."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i, (t, msg) in enumerate(self.notifications):
                    if msg["method"] == method and (match is None or match(msg["params"])):
                        del self.notifications[i]
                        return t, msg["params"]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {method} in {timeout}s; stderr: {self.stderr[-2000:]!r}")
                self._cond.wait(left)

    def diagnostics(self, path: str | os.PathLike[str], version: int | None = None, timeout: float = 20.0) -> tuple[float, list[Any]]:
        """The next diagnostics published for `path` (at `version`, when given)."""
        u = uri(path)
        t, params = self.wait_for(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == u and (version is None or p.get("version") == version),
            timeout,
        )
        return t, params["diagnostics"]

    # -- the session ----------------------------------------------------------------------------

    def initialize(self, root: str | os.PathLike[str], options: dict[str, Any] | None = None, encodings: list[str] | None = None) -> Any:
        caps: dict[str, Any] = {
            "textDocument": {
                "publishDiagnostics": {"versionSupport": True},
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "synchronization": {"didSave": True},
            },
            "workspace": {"workspaceEdit": {"documentChanges": True}, "didChangeWatchedFiles": {"dynamicRegistration": True}},
            "window": {"workDoneProgress": True},
        }
        if encodings:
            caps["general"] = {"positionEncodings": encodings}
        result = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": Path(root).name}],
                "capabilities": caps,
                "initializationOptions": options or {},
            },
        )
        self.notify("initialized", {})
        return result

    def open(self, path: str | os.PathLike[str], text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri(path), "languageId": "go", "version": version, "text": text}})

    def change(self, path: str | os.PathLike[str], version: int, text: str) -> float:
        """Replace the whole text (a full change); the time it was sent."""
        return self.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}
        )

    def edit(self, path: str | os.PathLike[str], version: int, edits: list[dict[str, Any]]) -> float:
        """Incremental changes: [{"range": ..., "text": ...}] applied in order."""
        return self.notify("textDocument/didChange", {"textDocument": {"uri": uri(path), "version": version}, "contentChanges": edits})

    def close(self, timeout: float = 10.0) -> int:
        """shutdown, exit; the server's exit code."""
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            return self.proc.wait(timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
