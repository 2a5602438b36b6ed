"""`.goplumber.yaml`: project settings, found by walking up from the checked path to the
repository root (or given with --config). Command-line flags override it.

    rules:
      disable: [subslice-retained]      # or enable: [...] to run only those
    severity:
      unbounded-label: error
    rule-dirs: [tools/goplumber-rules]  # relative to this file
    exclude: ["gen/**", "*_mock.go"]    # globs relative to this file's directory
    go-version: "1.22"
    fail-on: warning
    parameters:                         # per rule, per check: lists extend the rule's, scalars replace
      unclosed-client:
        lifetime:
          resources:
            - {callee: '^kafka\\.NewReader$', release: [Close]}
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Any

from linter.model import SEVERITIES

CONFIG_NAMES = (".goplumber.yaml", ".goplumber.yml")

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "rules": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enable": {"type": "array", "items": {"type": "string"}},
                "disable": {"type": "array", "items": {"type": "string"}},
            },
        },
        "severity": {"type": "object", "additionalProperties": {"enum": list(SEVERITIES)}},
        "rule-dirs": {"type": "array", "items": {"type": "string"}},
        "exclude": {"type": "array", "items": {"type": "string"}},
        "go-version": {"type": ["string", "number"]},
        "fail-on": {"enum": list(SEVERITIES)},
        "hints": {"type": "boolean"},
        "parameters": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {"type": "object"}}},
    },
}


class ConfigError(ValueError):
    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line or 1}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class Config:
    path: str | None = None
    enable: list[str] | None = None
    disable: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    rule_dirs: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    go_version: str | None = None
    fail_on: str | None = None
    hints: bool = False  # info-level hints that are not leaks (timer churn on Go >= 1.23)
    parameters: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    display: str = ""  # the path as errors show it

    @property
    def base(self) -> str:
        return os.path.dirname(os.path.abspath(self.path)) if self.path else os.getcwd()

    def excluded(self, path: str) -> bool:
        if not self.exclude:
            return False
        rel = os.path.relpath(os.path.abspath(path), self.base).replace(os.sep, "/")
        return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(os.path.basename(path), g) for g in self.exclude)


def find_config(start: str) -> str | None:
    """The nearest .goplumber.yaml from `start` upwards, not above the repository root."""
    d = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in CONFIG_NAMES:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return p
        if os.path.exists(os.path.join(d, ".git")):
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def load_config(path: str) -> Config:
    import yaml

    from linter.yamllines import line_for_path, load

    shown = os.path.relpath(path) if os.path.abspath(path).startswith(os.getcwd() + os.sep) else path
    try:
        with open(path, encoding="utf-8") as fh:
            doc = load(fh)
    except OSError as e:
        raise ConfigError(shown, None, f"cannot read config: {e.strerror or e}") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise ConfigError(shown, mark.line + 1 if mark else None, f"YAML syntax error: {e.problem or e}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise ConfigError(shown, None, f"cannot parse config: {e}") from None
    if doc is None:
        doc = {}
    import jsonschema

    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(doc), key=lambda e: len(e.absolute_path))
    if errors:
        err = errors[0]
        where = list(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            if extra:
                line = line_for_path(doc, [*where, extra[0]])
                raise ConfigError(shown, line, f"unknown key {extra[0]!r}" + (f" in {'.'.join(map(str, where))}" if where else ""))
        raise ConfigError(shown, line_for_path(doc, where), f"{'.'.join(map(str, where)) or 'config'}: {err.message}")
    rules = doc.get("rules", {})
    cfg = Config(
        path=path,
        enable=list(rules["enable"]) if "enable" in rules else None,
        disable=list(rules.get("disable", [])),
        severity=dict(doc.get("severity", {})),
        rule_dirs=[os.path.join(os.path.dirname(os.path.abspath(path)), d) for d in doc.get("rule-dirs", [])],
        exclude=list(doc.get("exclude", [])),
        go_version=str(doc["go-version"]) if "go-version" in doc else None,
        fail_on=doc.get("fail-on"),
        hints=bool(doc.get("hints", False)),
        parameters={k: {c: dict(p) for c, p in v.items()} for k, v in doc.get("parameters", {}).items()},
        display=shown,
    )
    if cfg.go_version is not None:
        from linter.goversion import parse_version

        try:
            parse_version(cfg.go_version)
        except ValueError as e:
            raise ConfigError(shown, line_for_path(doc, ["go-version"]), str(e)) from None
    cfg._lines = doc  # type: ignore[attr-defined]  # for later error lines
    return cfg


def line_of(cfg: Config, path: list[Any]) -> int | None:
    from linter.yamllines import line_for_path

    doc = getattr(cfg, "_lines", None)
    return line_for_path(doc, path) if doc is not None else None


def merge_params(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Lists extend, mappings merge, scalars replace."""
    out = dict(base)
    for k, v in extra.items():
        if isinstance(v, list) and isinstance(out.get(k), list):
            out[k] = [*v, *out[k]]  # the user's entries first: they win over generic ones
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_params(out[k], v)
        else:
            out[k] = v
    return out
