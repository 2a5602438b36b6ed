"""The built-in fix strategies; importing this package registers them (linter.fix.strategy.register)."""

from __future__ import annotations

from linter.fix.strategies import clone, hoist_timer, release

__all__ = ["clone", "hoist_timer", "release"]
