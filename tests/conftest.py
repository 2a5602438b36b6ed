from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Runs under test never touch the user's cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def run_cli():
    """Run goplumber as a user would (a fresh interpreter), returning (exit code, stdout, stderr)."""

    def run(*args: str, cwd: str | os.PathLike[str] | None = None) -> tuple[int, str, str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the source tree, not a stale install
        p = subprocess.run(
            [sys.executable, "-m", "linter", *args],
            cwd=cwd or ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return p.returncode, p.stdout, p.stderr

    return run
