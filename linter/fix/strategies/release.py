"""`release`: insert `defer X.<release>()` for a resource nothing releases (unclosed-client).

The line goes right after the error check that follows the acquisition (`if err != nil { ... }`,
whose body must always leave: the value is only valid past it), or right after the acquisition
when it has no error result, at the acquisition's indentation. X is the receiving variable and
<release> the resource's release method from the lifetime check's `resources` list.

No fix (the finding is reported without one) when a defer would be wrong or is not enough: the
value escapes on some path (a stored or returned handle, a package variable) from a function
other than `main` (whose defers run when the program ends, when nothing can use it any more), it is released
already but an early exit skips that (a defer would release it twice), it is returned on success
(the caller owns it), it is made in a loop (a defer runs only when the function returns), the
result is not kept in a variable, the error result is not checked right after the call, or the
release method needs an argument the call does not give.
"""

from __future__ import annotations

from linter.fix.facts import ACQUISITION, NEVER_RELEASED, Acquisition
from linter.fix.model import Fix
from linter.fix.strategy import FixContext, Strategy, register

_STRINGS = {"type": "array", "items": {"type": "string", "pattern": r"^[A-Za-z_]\w*$"}}


@register
class ReleaseStrategy(Strategy):
    name = "release"
    doc = "insert `defer X.Close()` (the resource's release method) after the acquisition's error check"
    facts = (ACQUISITION,)
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            # release methods to use, in this order, when the resource has several (default: the
            # order of its `release` list)
            "prefer": _STRINGS,
            # release methods that take the acquisition's context argument: `defer c.Disconnect(ctx)`
            "context-methods": _STRINGS,
        },
    }

    def propose(self, ctx: FixContext) -> Fix | None:
        a = ctx.facts.get(ACQUISITION)
        if not isinstance(a, Acquisition) or a.variant != NEVER_RELEASED or a.in_loop:
            return None
        if a.escapes and not a.ends_process:
            return None  # a handle of it (or the value itself) outlives the function; main's outlive nothing
        if not a.value or a.value == "_" or a.statement is None or not a.release:
            return None
        method = self._method(a.release)
        args = ""
        if method in self.params.get("context-methods", ["Disconnect", "Shutdown"]):
            if a.context_arg is None or a.context_arg.type != "identifier":
                return None  # `Disconnect(context.Background())` is a decision for a human
            args = ctx.file.text(a.context_arg)
        if a.error_var not in (None, "_"):
            if a.error_check is None or not a.error_check_exits:
                return None  # the value may be nil where the defer would run
            anchor, where = a.error_check, "after the error check"
        else:
            anchor, where = a.statement, "after the call"
        indent = ctx.indentation_of(a.statement)
        if indent is None:
            return None
        code = f"defer {a.value}.{method}({args})"
        return self.fix(f"insert `{code}` {where}", ctx.insert_line_after(anchor, indent, code))

    def _method(self, release: tuple[str, ...]) -> str:
        for m in self.params.get("prefer", []):
            if m in release:
                return m  # type: ignore[no-any-return]
        return release[0]
