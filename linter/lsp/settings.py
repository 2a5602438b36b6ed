"""The server's settings: the client's `initializationOptions` (or the `goplumber` section of
`workspace/didChangeConfiguration`), the same choices as `goplumber check`'s flags. Whatever a
client sends, a bad value is reported and the default kept; nothing here raises.

    {
      "select": ["unclosed-client"], "ignore": [],   # rule ids (lists or comma-separated)
      "rules": ["tools/rules"],                     # extra rule directories or files
      "builtinRules": true,
      "config": "path/to/.goplumber.yaml",           # instead of the nearest one
      "noConfig": false,
      "goVersion": "1.22",
      "hints": false,
      "timeoutPerFile": 10,                          # CPU seconds, 0: no limit
      "debounceMs": 0,                               # wait for a pause in typing before checking
      "workspaceScan": true,                         # check every file of the workspace at start
      "cache": true, "cacheDir": null                # result cache for the workspace scan
    }

Keys are accepted in camelCase or snake_case/kebab-case (`timeout_per_file`, `timeout-per-file`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from linter.goversion import GoVersion, parse_version


@dataclass(frozen=True)
class Settings:
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    rule_dirs: tuple[str, ...] = ()
    builtin_rules: bool = True
    config: str | None = None
    no_config: bool = False
    go_version: GoVersion | None = None
    hints: bool = False
    timeout_per_file: float = 10.0
    debounce_ms: float = 0.0
    workspace_scan: bool = True
    cache: bool = True
    cache_dir: str | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)  # what was wrong with the options given


def _key(name: str) -> str:
    out = []
    for c in name:
        if c.isupper():
            out.append("_" + c.lower())
        else:
            out.append("_" if c == "-" else c)
    return "".join(out)


def _ids(value: Any) -> frozenset[str] | None:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        return None
    return frozenset(x.strip() for v in value if isinstance(v, str) for x in v.split(",") if x.strip())


def _paths(value: Any, base: str | None) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(os.path.join(base, v) if base and not os.path.isabs(v) else v for v in value)


def parse_settings(options: Any, base: str | None = None, start: Settings | None = None) -> Settings:
    """Settings from a client's options (a mapping; anything else means the defaults). Relative
    paths are taken from `base` (the workspace root)."""
    s = start or Settings()
    if not isinstance(options, dict):
        return s
    if isinstance(options.get("goplumber"), dict):  # {"goplumber": {...}}, as settings sections come
        options = options["goplumber"]
    problems: list[str] = []
    changes: dict[str, Any] = {}
    for raw, value in options.items():
        key = _key(str(raw))
        if key in ("select", "ignore"):
            ids = _ids(value)
            if ids is None and not (key == "select" and value is None):
                problems.append(f"{raw}: expected a list of rule ids")
                continue
            changes[key] = ids if key == "select" else ids or frozenset()
        elif key in ("rules", "rule_dirs"):
            paths = _paths(value, base)
            if paths is None:
                problems.append(f"{raw}: expected a list of paths")
                continue
            changes["rule_dirs"] = paths
        elif key == "config":
            if value is not None and not isinstance(value, str):
                problems.append(f"{raw}: expected a path")
                continue
            changes["config"] = os.path.join(base, value) if value and base and not os.path.isabs(value) else value
        elif key in ("builtin_rules", "no_config", "hints", "workspace_scan", "cache"):
            if not isinstance(value, bool):
                problems.append(f"{raw}: expected true or false")
                continue
            changes[key] = value
        elif key == "no_builtin_rules":
            if not isinstance(value, bool):
                problems.append(f"{raw}: expected true or false")
                continue
            changes["builtin_rules"] = not value
        elif key == "go_version":
            if value is None:
                changes[key] = None
                continue
            try:
                changes[key] = parse_version(str(value))
            except ValueError as e:
                problems.append(f"{raw}: {e}")
        elif key in ("timeout_per_file", "debounce_ms"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                problems.append(f"{raw}: expected a number >= 0")
                continue
            changes[key] = float(value)
        elif key == "cache_dir":
            if value is not None and not isinstance(value, str):
                problems.append(f"{raw}: expected a path")
                continue
            changes[key] = value
        else:
            problems.append(f"unknown option {raw!r}")
    return replace(s, **changes, problems=tuple(problems))
