"""`goplumber lsp`: findings in the editor, over the Language Server Protocol (stdio).

Diagnostics on open, change and save (rule id as `code`, the rule's severity, the exact range
in the client's position encoding), the `--fix` edit and a `//goplumber:ignore` comment as
quick fixes, `goplumber explain` as the hover, `.goplumber.yaml` and initialization options
for settings, a workspace scan with progress. `serve` is the entry point `goplumber lsp`
calls; linter.lsp.server has the protocol, linter.lsp.checker the checks behind it.
"""

from __future__ import annotations

from typing import Any


def serve(log_file: str | None = None, verbose: bool = False, stdin: Any = None, stdout: Any = None) -> int:
    """Serve one client over stdin/stdout until it exits; the process's exit code."""
    from linter.lsp.server import serve as run

    return run(log_file=log_file, verbose=verbose, stdin=stdin, stdout=stdout)


__all__ = ["serve"]
