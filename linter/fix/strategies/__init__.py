"""The built-in fix strategies; importing this package registers them (linter.fix.strategy.register)."""

from __future__ import annotations

from linter.fix.strategies import hoist_timer, release

__all__ = ["hoist_timer", "release"]
