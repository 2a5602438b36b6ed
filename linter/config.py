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

from linter import roots
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
        return self.exclusion(path) is not None

    def exclusion(self, path: str) -> str | None:
        """The `exclude` glob that matches `path`, if any."""
        if not self.exclude:
            return None
        rel = os.path.relpath(os.path.abspath(path), self.base).replace(os.sep, "/")
        return next((g for g in self.exclude if fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(os.path.basename(path), g)), None)


def find_config(start: str) -> str | None:
    """The nearest .goplumber.yaml from `start` upwards, not above the repository root. It
    comes with the checked code, so a symbolic link to a file outside the repository is an
    error, not followed (a YAML error would quote the file it points at)."""
    d = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in CONFIG_NAMES:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                if os.path.islink(p):
                    root = repository_root(p)
                    if not _within(os.path.realpath(p), root):
                        shown = os.path.relpath(p) if p.startswith(os.getcwd() + os.sep) else p
                        raise ConfigError(shown, None, f"is a symbolic link to a file outside the repository ({root}); not read")
                return p
        if os.path.exists(os.path.join(d, ".git")):
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


MAX_CONFIG_BYTES = 1024 * 1024


def load_config(path: str) -> Config:
    import yaml

    from linter.safeio import ReadError, read_bounded
    from linter.yamllines import line_for_path, load

    shown = os.path.relpath(path) if os.path.abspath(path).startswith(os.getcwd() + os.sep) else path
    try:
        data = read_bounded(path, MAX_CONFIG_BYTES, "config")
    except ReadError as e:
        raise ConfigError(shown, None, f"cannot read config: {e}") from None
    try:
        doc = load(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ConfigError(shown, data.count(b"\n", 0, e.start) + 1, "config is not UTF-8") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        kind = "YAML error" if isinstance(e, yaml.composer.ComposerError) else "YAML syntax error"
        raise ConfigError(shown, mark.line + 1 if mark else None, f"{kind}: {e.problem or e}") from None
    except yaml.YAMLError as e:
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
        rule_dirs=[
            f for i, d in enumerate(doc.get("rule-dirs", [])) for f in _rule_files(path, shown, d, line_for_path(doc, ["rule-dirs", i]))
        ],
        exclude=list(doc.get("exclude", [])),
        go_version=_go_version_text(doc),
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


def _go_version_text(doc: Any) -> str | None:
    """`go-version: 1.30` unquoted is the YAML number 1.3: take the text as written."""
    if "go-version" not in doc:
        return None
    value = doc["go-version"]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(getattr(doc, "raw", {}).get("go-version", value))
    return str(value)


def repository_root(config_path: str) -> str:
    """The repository holding a config file (where it is, not where a link to it points): the
    nearest directory upwards with a `.git`, else the config's own directory (resolved)."""
    start = os.path.realpath(os.path.dirname(os.path.abspath(config_path)))
    return roots.repository_root(start) or start


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _rule_files(config_path: str, shown: str, entry: str, line: int | None) -> list[str]:
    """The rule files of one `rule-dirs` entry. The config comes with the repository being
    checked, so the entry must stay inside that repository: resolved (symbolic links included)
    it, and every rule file it holds, is under the repository root; only regular `.yaml`/`.yml`
    files are read (rule directories given with --rules are the user's own and not confined)."""
    from linter.loader import RULE_SUFFIXES

    root = repository_root(config_path)
    target = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(config_path)), entry))

    def fail(what: str) -> ConfigError:
        return ConfigError(shown, line, f"rule-dirs: {entry!r} {what}")

    if not _within(target, root):
        raise fail(f"is outside the repository ({root}); a config's rule directories must be inside it")
    if not os.path.exists(target):
        raise fail("does not exist")
    if not os.path.isdir(target):
        if not os.path.isfile(target) or not target.endswith(RULE_SUFFIXES):
            raise fail("is not a directory or a .yaml/.yml file")
        return [target]
    out = []
    for here, dirs, files in os.walk(target):  # directory links are not followed
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(RULE_SUFFIXES):
                continue
            full = os.path.join(here, name)
            real = os.path.realpath(full)
            if not _within(real, root):
                raise fail(f"holds {os.path.relpath(full, target)!r}, a link to outside the repository")
            if not os.path.isfile(real):
                raise fail(f"holds {os.path.relpath(full, target)!r}, which is not a regular file")
            out.append(full)
    return sorted(out)


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
