"""goplumber: a static linter for memory, goroutine and connection leak patterns in Go."""

__version__ = "0.1.0"
