"""Named semantic checks, by the name a rule's `check:` section uses."""

from __future__ import annotations

from linter.checks.base import Check, CheckConfigError, Verdict
from linter.checks.blocked import BlockedSendCheck
from linter.checks.endless import EndlessCheck
from linter.checks.lifetime import LifetimeCheck
from linter.checks.loopctx import LoopContextCheck
from linter.checks.retention import RetentionCheck
from linter.checks.taint import TaintCheck

CHECKS: dict[str, type[Check]] = {
    c.name: c for c in (LifetimeCheck, LoopContextCheck, TaintCheck, RetentionCheck, EndlessCheck, BlockedSendCheck)
}

__all__ = ["CHECKS", "Check", "CheckConfigError", "Verdict"]
