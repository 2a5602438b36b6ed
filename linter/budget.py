"""Analysis budgets, measured in CPU time of the thread doing the work.

`--timeout-per-file SECONDS` gives every file a `Budget` of that many CPU seconds, and every
package a budget of its own for the package-level work (call graph, package declarations,
cross-file taint), shared by its files: SECONDS times the package's file count. CPU time of the
analysing thread (`time.thread_time()`) is what is counted, so neither machine load, nor other
processes (`--jobs`), nor other threads change the verdict: the same file gets the same answer
whatever the run around it.

Work runs inside `running(budget)`; a budget that is spent raises `BudgetExceeded` inside the
work:

- on the main thread, from a SIGPROF handler (a CPU-time interval timer, ITIMER_PROF, ticking
  every `TICK` CPU seconds of the process while a budget runs); Python's `re` checks for signals,
  so even one catastrophic regular-expression search is interrupted;
- on any other thread (a Dask worker's, say), from a watchdog thread that reads the analysing
  thread's own CPU clock and raises the exception in it (`PyThreadState_SetAsyncExc`). Python
  code is interrupted at its next bytecode. A single C call that holds the interpreter lock (a
  `re` search, a tree-sitter parse or query) cannot be interrupted from another thread: it runs
  to its end, and the budget is then found spent when it returns, so the work is still reported
  as over budget, only later. A hostile rule's catastrophic regex therefore needs the main
  thread (`check`, `audit` with worker processes) to be cut short.

Whichever way it stops, the block also checks its budget when it ends: work whose budget ran
out is reported as such even when nothing could interrupt it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

TICK = 0.01  # CPU seconds between two looks at the running budget (main thread)
REPEAT = 0.25  # CPU seconds after which an interruption that was swallowed is raised again


class BudgetExceeded(BaseException):  # noqa: N818 - like KeyboardInterrupt: no `except Exception` may swallow it
    """Raised inside work whose budget is spent. A BaseException, so that no `except Exception`
    of a check or a library swallows it; `Budget.exhausted` says which budget it was."""


@dataclass(eq=False)
class Budget:
    """`limit` CPU seconds (0: unlimited) for one file or one package. A negative limit is not
    known yet: `size()` gives it when the budget first runs."""

    limit: float
    label: str = ""
    size: Callable[[], float] | None = field(default=None, repr=False)
    spent: float = 0.0
    exhausted: bool = False
    _raised_at: float = field(default=-1.0, repr=False)

    def over(self, extra: float = 0.0) -> bool:
        return self.limit > 0 and self.spent + extra >= self.limit


class _ThreadState:
    """Which budget a thread is charging now, and since when (its thread_time())."""

    def __init__(self, ident: int) -> None:
        self.ident = ident
        self.current: tuple[Budget, float] | None = None  # replaced whole, never mutated: read atomically
        self.depth = 0
        self.scope: Scope | None = None
        self.clock: int | None = None


@dataclass
class Scope:
    """The budgets of the file being checked: its own, and its package's (see `package_work`).
    `lost` names the package-level analysis that was running when the package budget ran out."""

    file: Budget
    package: Budget | None = None
    lost: str = ""


_local = threading.local()


def _state() -> _ThreadState:
    ts: _ThreadState | None = getattr(_local, "state", None)
    if ts is None:
        ts = _local.state = _ThreadState(threading.get_ident())
    return ts


def _uses_signals() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _switch(ts: _ThreadState, new: Budget | None) -> None:
    """Charge the CPU time since the last switch to the running budget, then run `new`."""
    now = time.thread_time()
    cur = ts.current
    ts.current = None  # an interrupter leaves a thread alone while it switches
    if cur is not None:
        cur[0].spent += now - cur[1]
    ts.current = (new, now) if new is not None else None


@contextlib.contextmanager
def running(budget: Budget | None) -> Iterator[None]:
    """Charge the block's CPU time to `budget` (the budget running before is paused meanwhile;
    None: to no budget). Raises BudgetExceeded inside the block when the budget runs out, and
    when the block ends with the budget spent; at once when it was spent before."""
    if budget is not None and budget.exhausted:
        raise BudgetExceeded
    ts = _state()
    previous = ts.current[0] if ts.current is not None else None
    depth = ts.depth
    failed = True
    try:
        ts.depth = depth + 1
        if depth == 0:
            _start_interrupter(ts)
        _switch(ts, budget)
        yield
        failed = False
    finally:
        # The interruption may land anywhere, also in here: every step can be redone.
        while True:
            try:
                cur = ts.current
                if cur is None or cur[0] is not previous:
                    _switch(ts, previous)
                ts.depth = depth
                if depth == 0:
                    _stop_interrupter(ts)
                break
            except BudgetExceeded:
                failed = True
        if budget is not None and budget.over():
            budget.exhausted = True
    if not failed and budget is not None and budget.exhausted:
        raise BudgetExceeded


def uncharged() -> contextlib.AbstractContextManager[None]:
    """Work charged to no budget: one-time set-up that whichever file comes first would otherwise
    pay for (compiling a rule's regex on first use), so that a file's verdict does not depend on
    which files a process checked before it."""
    if _state().current is None:
        return contextlib.nullcontext()
    return running(None)


def spent(budget: Budget) -> float:
    """CPU seconds charged to `budget` so far, the running interval included."""
    cur = _state().current
    if cur is not None and cur[0] is budget:
        return budget.spent + time.thread_time() - cur[1]
    return budget.spent


def check() -> None:
    """A checkpoint: raise BudgetExceeded if the running budget is spent (for loops that run
    long inside C calls, where nothing else would look)."""
    cur = _state().current
    if cur is not None and cur[0].over(time.thread_time() - cur[1]):
        cur[0].exhausted = True
        raise BudgetExceeded


# -- the file being checked, and its package's budget --------------------------------------------


@contextlib.contextmanager
def file_scope(scope: Scope) -> Iterator[Scope]:
    """While checking one file: `package_work` charges its package's budget."""
    ts = _state()
    outer = ts.scope
    ts.scope = scope
    try:
        yield scope
    finally:
        ts.scope = outer


def current_scope() -> Scope | None:
    return _state().scope


@contextlib.contextmanager
def package_work(what: str) -> Iterator[None]:
    """Package-level work, shared by every file of the package: charged to the package's budget,
    not to the file that happened to ask first. `what` names it in the report when the package
    budget runs out. Nested package work, or work outside any file's check, just runs."""
    ts = _state()
    scope = ts.scope
    pkg = scope.package if scope is not None else None
    if pkg is None or (ts.current is not None and ts.current[0] is pkg):
        yield
        return
    if pkg.limit < 0:
        pkg.limit = pkg.size() if pkg.size is not None else 0.0
    try:
        with running(pkg):
            yield
    except BudgetExceeded:
        if pkg.exhausted and scope is not None and not scope.lost:
            scope.lost = what
        raise


# -- interrupting the work ---------------------------------------------------------------------------


def _judge(ts: _ThreadState, now: float) -> bool:
    """Should the thread be interrupted now? Marks the running budget exhausted when it is."""
    cur = ts.current
    if cur is None:
        return False
    b, since = cur
    used = b.spent + now - since
    if not b.over(now - since):
        return False
    b.exhausted = True
    if b._raised_at >= 0 and used < b._raised_at + REPEAT:
        return False  # raised already: the work is unwinding
    b._raised_at = used
    return True


_MAIN: _ThreadState | None = None
_PREVIOUS_HANDLER: object = None


def _on_tick(signum: int, frame: object) -> None:
    ts = _MAIN
    if ts is not None and _judge(ts, time.thread_time()):
        raise BudgetExceeded


def _start_interrupter(ts: _ThreadState) -> None:
    global _MAIN, _PREVIOUS_HANDLER
    if _uses_signals():
        _MAIN = ts
        previous = signal.signal(signal.SIGPROF, _on_tick)
        if previous is not _on_tick:
            _PREVIOUS_HANDLER = previous
        signal.setitimer(signal.ITIMER_PROF, TICK, TICK)
    else:
        _WATCHDOG.watch(ts)


def _stop_interrupter(ts: _ThreadState) -> None:
    if ts is _MAIN and _uses_signals():
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        # The handler stays installed when the previous one was the default (which would end
        # the process if a last tick were still on its way); it does nothing while idle.
        if _PREVIOUS_HANDLER not in (None, signal.SIG_DFL):
            signal.signal(signal.SIGPROF, _PREVIOUS_HANDLER)  # type: ignore[arg-type]
    else:
        _WATCHDOG.unwatch(ts)


class _Watchdog:
    """One daemon thread that watches the CPU clocks of the threads running a budget off the
    main thread, and raises BudgetExceeded in a thread whose budget is spent."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.watched: dict[int, _ThreadState] = {}
        self.thread: threading.Thread | None = None

    def watch(self, ts: _ThreadState) -> None:
        if ts.clock is None and hasattr(time, "pthread_getcpuclockid"):
            try:
                ts.clock = time.pthread_getcpuclockid(ts.ident)
            except OSError:
                ts.clock = None
        if ts.clock is None or _raise_in is None:
            return  # no way to read or interrupt it: only the checks when a block ends
        with self.cond:
            self.watched[ts.ident] = ts
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="goplumber-budget", daemon=True)
                self.thread.start()
            self.cond.notify()

    def unwatch(self, ts: _ThreadState) -> None:
        with self.cond:
            if self.watched.pop(ts.ident, None) is not None and _raise_in is not None:
                _raise_in(ts.ident, None)  # an interruption not yet delivered is dropped

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.watched:
                    self.cond.wait()
                wait = 1.0
                for ts in list(self.watched.values()):
                    cur = ts.current
                    if cur is None or ts.clock is None:
                        wait = min(wait, TICK)
                        continue
                    now = time.clock_gettime(ts.clock)
                    if _judge(ts, now) and _raise_in is not None:
                        _raise_in(ts.ident, BudgetExceeded)
                    b, since = cur
                    # A thread's CPU clock runs no faster than the wall clock: sleeping for
                    # what is left of its budget cannot miss the moment it runs out.
                    left = b.limit - (b.spent + now - since) if b.limit > 0 else 1.0
                    wait = min(wait, max(left, TICK))
                self.cond.wait(wait)


def _async_raiser() -> Callable[[int, type[BaseException] | None], None] | None:
    """PyThreadState_SetAsyncExc: raise an exception in another thread at its next bytecode
    (NULL instead of an exception withdraws one not yet raised)."""
    try:
        import ctypes

        api = ctypes.pythonapi
        setexc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(("PyThreadState_SetAsyncExc", api))
        clear = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(("PyThreadState_SetAsyncExc", api))
    except (ImportError, AttributeError, OSError):
        return None

    def raise_in(ident: int, exc: type[BaseException] | None) -> None:
        if exc is None:
            clear(ident, None)
        else:
            setexc(ident, exc)

    return raise_in


_raise_in = _async_raiser()
_WATCHDOG = _Watchdog()


def _after_fork() -> None:
    global _WATCHDOG, _MAIN
    _WATCHDOG = _Watchdog()  # the parent's watchdog thread does not exist in the child
    _MAIN = None
    _local.__dict__.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
