"""Ctrl-C with worker processes: the parent alone handles SIGINT.

A terminal's Ctrl-C sends SIGINT to the whole process group, workers included; each worker
would die with its own KeyboardInterrupt traceback. So workers ignore SIGINT (they are started
with it blocked, so none arrives before they ignore it), and the parent, on KeyboardInterrupt,
cancels what has not started and terminates its workers instead of waiting for them. The
command line then prints one line and exits 130.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import Any

_MASKABLE = hasattr(signal, "pthread_sigmask")


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """Block SIGINT while worker processes are forked: they inherit the mask, so a Ctrl-C in
    that moment waits in the parent (delivered when the block ends) instead of hitting a worker
    that has not yet set up to ignore it."""
    if not _MASKABLE:
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def worker_initializer(init: Callable[..., Any] | None, *args: Any) -> None:
    """A pool's initializer: ignore SIGINT, then run `init(*args)`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _MASKABLE:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if init is not None:
        init(*args)


def stop_pool(executor: Executor) -> None:
    """Cancel what has not started and end the workers now (they ignore SIGINT)."""
    executor.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.terminate()
    for child in multiprocessing.active_children():
        child.join(timeout=5)
