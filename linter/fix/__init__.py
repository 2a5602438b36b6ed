"""Fixes: the edits that make a finding go away, and `check --fix` / `--diff`.

- `linter.fix.model`: `Edit(start_byte, end_byte, text)` with 1-based line/column ranges, and
  `Fix(description, edits)`; a finding carries one in `Finding.fix` when its rule has a `fix:`
  strategy that can fix it.
- `linter.fix.strategy`: the strategy base class, `register`, `STRATEGIES`, `FixContext`.
- `linter.fix.facts`: what checks record for strategies (`Verdict(facts=...)`).
- `linter.fix.apply`: applying fixes to bytes with every safety check (`apply_fixes`), and to
  files (`write_files`: atomic, all or nothing).
- `linter.fix.command`: the CLI's entry point (`run`), used by `goplumber check --fix/--diff`.

Importing this package is cheap (checks import the facts on every run) and registers the
built-in strategies (`linter.fix.strategies`: each module there registers its own).
"""

from __future__ import annotations

from linter.fix import strategies as _strategies  # noqa: F401 - registers the built-in strategies
from linter.fix.model import Edit, Fix
from linter.fix.strategy import STRATEGIES, FixConfigError, FixContext, Strategy, register

__all__ = ["STRATEGIES", "Edit", "Fix", "FixConfigError", "FixContext", "Strategy", "register"]
