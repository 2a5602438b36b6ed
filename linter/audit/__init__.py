"""Auditing many repositories: the runner, its SQLite store, and the reports."""
