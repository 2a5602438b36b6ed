"""Asking a rule's strategy for the fix of one finding (called by the engine as it reports it)."""

from __future__ import annotations

import os
from typing import Any

from linter.fix.model import Fix
from linter.fix.strategy import FixContext
from linter.model import FileError


def propose(
    rule: Any, pass_: Any, f: Any, node: Any, match: Any, env: Any, facts: dict[str, Any], errors: list[FileError] | None
) -> Fix | None:
    """The fix `rule.fix` offers for a finding at `node`, or None. A strategy that fails is a bug
    of goplumber: the finding is still reported (without a fix) and the error is listed."""
    ctx = FixContext(file=f, pass_=pass_, node=node, match=match, env=env, facts=facts, rule_id=rule.id)
    try:
        fix = rule.fix.propose(ctx)
    except Exception as e:  # noqa: BLE001 - a strategy's bug must not lose the finding
        if os.environ.get("GOPLUMBER_DEBUG"):
            raise
        if errors is not None:
            errors.append(FileError(f.path, f"internal error in the fix strategy of rule {rule.id}: {type(e).__name__}: {e}", "internal"))
        return None
    if fix is None or not fix.edits:
        return None
    return fix if isinstance(fix, Fix) else None
