"""Facts a check records for the fix strategies, one class per kind of finding.

A check puts them in its verdict (`Verdict(facts={ACQUISITION: Acquisition(...)})`) while it
still has everything at hand; a strategy reads them from `FixContext.facts` and never has to
redo the check's data flow. A check class lists the fact names it records in `records`, so the
loader can reject a rule whose strategy needs a fact no check of the rule records.

This module holds data only: importing it costs nothing (checks import it on every run).
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter

Node = tree_sitter.Node

ACQUISITION = "acquisition"

# Acquisition.variant
NEVER_RELEASED = "never-released"  # nothing releases the value on any path
ERROR_PATH = "error-path"  # released, but an early exit skips the release: a defer would release it twice
BEFORE_RETURN = "before-return"  # returned on success (the caller owns it), leaked on an earlier return
UNRELEASABLE = "unreleasable"  # nothing can release it (time.Tick)


@dataclass(frozen=True, eq=False)
class Acquisition:
    """A resource acquired by a call (recorded by the `lifetime` check)."""

    call: Node  # the acquiring call
    statement: Node | None  # the statement holding the call, a direct child of a block (None: not one of its own)
    value: str | None  # the variable receiving the value (None: the result is not assigned to a local variable)
    error_var: str | None  # the variable receiving the error result ("_": discarded; None: no second result)
    error_check: Node | None  # the `if err != nil { ... }` right after the statement, None when there is none
    error_check_exits: bool  # that check's body always leaves (return, panic, log.Fatal, os.Exit, ...)
    release: tuple[str, ...]  # the resource's release methods, preferred first
    context_arg: Node | None  # the call's context argument (for a release that takes one: Disconnect(ctx))
    escapes: bool  # kept beyond the function on some path (a stored or returned handle, a package variable)
    in_loop: bool  # between the call and its function there is a loop: a defer would run only when the function returns
    ends_process: bool  # made directly in `func main()` of package main: its defers run when the program ends
    variant: str  # NEVER_RELEASED, ERROR_PATH, BEFORE_RETURN or UNRELEASABLE


TIMER_LOOP = "timer-loop"


@dataclass(frozen=True, eq=False)
class TimerLoop:
    """The loop in the same function that runs a match once per iteration (recorded by the
    `loop-context` check when the repetition is lexical, not through callers or a scheduler)."""

    loop: Node  # the for_statement


RETAINED = "retained"

# Retained.kind
STRING = "string"
BYTES = "[]byte"


@dataclass(frozen=True, eq=False)
class Retained:
    """A retaining piece stored in a long-lived container (recorded by the `retention` check)."""

    stored: Node  # the expression of the store that carries the piece (what a copy wraps)
    piece: Node  # the slice expression or call that shares the backing array
    kind: str | None  # STRING or BYTES: the stored expression's type as far as the package's source says; None: unknown
