"""Loading rule files: safe YAML with line numbers, a JSON-schema check of the top level, then
compilation of the rule tree and the checks. Every problem becomes `RuleFileError(path, line,
message)`, which the CLI prints as `path:line: message` and exits 2."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from linter.checks import CHECKS, CheckConfigError
from linter.goversion import VersionCondition
from linter.model import SEVERITIES, Rule
from linter.ruletree import RuleCompileError, compile_constraints, compile_rule
from linter.yamllines import line_for_path

MESSAGE_VAR = re.compile(r"\$([A-Z_][A-Z0-9_]*)")

TOP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "message", "severity", "rule"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
        "message": {"type": "string", "minLength": 1},
        "severity": {"enum": list(SEVERITIES)},
        "description": {"type": "string"},
        "note": {"type": "string"},
        "rule": {"type": "object"},
        "constraints": {"type": "object"},
        "utils": {"type": "object"},
        "check": {"type": "object"},
        "go-version": {
            "type": "object",
            "additionalProperties": False,
            "required": ["applies"],
            "properties": {
                "applies": {"type": "string"},
                "otherwise": {"enum": ["ignore", "info"]},
                "otherwise-message": {"type": "string"},
                "hint": {"type": "string"},
            },
        },
        "prefilter": {"type": "array", "items": {"type": "string"}},
        "prefilter-regex": {"type": "string"},
        "paths": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "include": {"type": "array", "items": {"type": "string"}},
                "exclude": {"type": "array", "items": {"type": "string"}},
            },
        },
        "metadata": {"type": "object"},
    },
}


@dataclass
class RuleFileError(Exception):
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.message}"


# Plain os paths, not pathlib: importing pathlib is a noticeable share of one-file latency.
PathLike = str | os.PathLike[str]
_PACKAGE = os.path.dirname(os.path.realpath(__file__))


def bundled_rules_dir() -> str:
    """The rules shipped in the wheel (`linter/rules`), or `rules/` in a source checkout."""
    packaged = os.path.join(_PACKAGE, "rules")
    return packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(_PACKAGE), "rules")


def rule_files(directory: PathLike) -> list[str]:
    d = os.fspath(directory)
    if os.path.isfile(d):
        return [d]
    if not os.path.isdir(d):
        raise RuleFileError(d, None, "rule directory does not exist")
    return sorted(p for p in _walk(d, (".yaml", ".yml")) if os.path.isfile(p))


def _walk(top: str, suffixes: tuple[str, ...]) -> list[str]:
    return [os.path.join(root, f) for root, _, files in os.walk(top) for f in files if f.endswith(suffixes)]


def load_rules(directories: list[PathLike], include_bundled: bool = True) -> list[Rule]:
    """Load every rule file; raise the first RuleFileError (a broken rule set is an error).

    A rule set that compiled before is read back from the user cache (keyed by the bytes of
    every rule file and goplumber's version): YAML, schema validation and pattern compilation
    cost more than checking one file, which is what a pre-commit hook does."""
    dirs: list[PathLike] = [bundled_rules_dir()] if include_bundled else []
    dirs.extend(directories)
    files = [p for d in dirs for p in rule_files(d)]
    key = _ruleset_key(files)
    cached = _read_cached(key) if key else None
    if cached is not None:
        return cached
    rules = _compile_files(files)
    if key:
        _write_cached(key, rules)
    return rules


def _ruleset_key(files: list[str]) -> str | None:
    import hashlib

    from linter import __version__

    h = hashlib.sha256(__version__.encode())
    # the compiled objects are goplumber's own classes: any change to its code invalidates them
    for src in sorted(_walk(_PACKAGE, (".py",))):
        try:
            st = os.stat(src)
        except OSError:
            return None
        h.update(f"{os.path.relpath(src, _PACKAGE)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for p in files:
        try:
            with open(p, "rb") as fh:
                h.update(os.path.abspath(p).encode() + b"\0" + fh.read() + b"\0")
        except OSError:
            return None
    return h.hexdigest()


def _cache_file(key: str) -> str:
    from linter.cache import default_dir

    return os.path.join(default_dir(), "rules", f"{key}.pickle")


def _read_cached(key: str) -> list[Rule] | None:
    import pickle

    try:
        with open(_cache_file(key), "rb") as fh:
            rules = pickle.load(fh)  # noqa: S301 - our own cache, in the user's own directory
    except Exception:  # noqa: BLE001 - a missing or stale cache just means compiling again
        return None
    return rules if isinstance(rules, list) and all(isinstance(r, Rule) for r in rules) else None


def _write_cached(key: str, rules: list[Rule]) -> None:
    import pickle
    import tempfile

    target = _cache_file(key)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(rules, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except Exception:  # noqa: BLE001 - read-only home, unpicklable user rule: run uncached
        return


def _compile_files(files: list[str]) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        for rule, line in load_rule_file(path):
            if rule.id in seen:
                raise RuleFileError(_display_path(path), line, f"duplicate rule id {rule.id!r} (first defined in {seen[rule.id]})")
            seen[rule.id] = _display_path(path)
            rules.append(rule)
    return rules


def load_rule_file(path: PathLike) -> list[tuple[Rule, int]]:
    spath = _display_path(path)
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8")
    except UnicodeDecodeError as e:
        raise RuleFileError(spath, None, f"rule file is not UTF-8: {e}") from None
    except OSError as e:
        raise RuleFileError(spath, None, f"cannot read rule file: {e.strerror or e}") from None
    import yaml  # only when a rule file is compiled: a cached rule set never needs it

    from linter.yamllines import load_all

    try:
        docs = [d for d in load_all(text) if d is not None]
    except yaml.MarkedYAMLError as e:
        at_end = "<stream end>" in str(e.problem) or "end of the stream" in str(e.problem)
        mark = (e.context_mark if at_end and e.context_mark else None) or e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise RuleFileError(spath, line, f"YAML syntax error: {e.problem or e}") from None
    except yaml.YAMLError as e:
        raise RuleFileError(spath, None, f"YAML error: {e}") from None
    if not docs:
        raise RuleFileError(spath, 1, "rule file is empty")
    if not all(isinstance(d, dict) for d in docs):
        bad = next(d for d in docs if not isinstance(d, dict))
        raise RuleFileError(spath, getattr(bad, "line", 1), "a rule file must hold a mapping (id, message, severity, rule, ...)")
    return [(_build_rule(spath, doc), getattr(doc, "line", 1)) for doc in docs]


def _display_path(path: PathLike) -> str:
    """Relative to the current directory when under it, else as given."""
    ab = os.path.abspath(path)
    cwd = os.getcwd()
    return os.path.relpath(ab, cwd) if ab.startswith(cwd + os.sep) else str(path)


def _build_rule(path: str, doc: Any) -> Rule:
    if not isinstance(doc, dict):
        raise RuleFileError(path, getattr(doc, "line", 1), "a rule file must hold a mapping (id, message, severity, rule, ...)")
    import jsonschema  # imported on first compile only: a cached rule set never needs it

    validator = jsonschema.Draft7Validator(TOP_SCHEMA)
    errors = sorted(validator.iter_errors(doc), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        err = errors[0]
        path_list = list(err.absolute_path)
        if err.validator == "additionalProperties":
            extra = sorted(set(doc if not path_list else err.instance) - set(err.schema.get("properties", {})))
            key = extra[0] if extra else None
            where = doc
            for k in path_list:
                where = where[k]
            line = getattr(where, "lines", {}).get(key, line_for_path(doc, path_list))
            raise RuleFileError(path, line, f"unknown key {key!r}" + (f" in {'.'.join(map(str, path_list))}" if path_list else ""))
        field = ".".join(map(str, path_list)) or "rule file"
        raise RuleFileError(path, line_for_path(doc, path_list), f"{field}: {err.message}")
    rule_id = doc["id"]
    try:
        utils: dict[str, Any] = {}
        raw_utils = doc.get("utils", {})
        for name in raw_utils:
            utils[name] = None  # declared, so `matches` can refer to it
        _compile_utils(raw_utils, utils)
        matcher = compile_rule(doc["rule"], utils, doc)  # type: ignore[arg-type]
        if "constraints" in doc:
            matcher.constraints.update(compile_constraints(doc["constraints"], utils, doc, "constraints"))  # type: ignore[arg-type]
    except RuleCompileError as e:
        raise RuleFileError(path, e.line, e.message) from None
    if not matcher.can_enumerate():
        raise RuleFileError(
            path,
            line_for_path(doc, ["rule"]),
            "the rule needs a `pattern` or `kind` (directly, or in every `any` branch) to find candidates",
        )
    bound = matcher.metavars()
    for name in matcher.constraints:
        if name not in bound:
            raise RuleFileError(
                path,
                line_for_path(doc, ["constraints", name]) or line_for_path(doc, ["constraints"]),
                f"constraint on ${name}, which no pattern of the rule binds",
            )
    checks = []
    provided: set[str] = set()
    for name, params in doc.get("check", {}).items():
        cls = CHECKS.get(name)
        line = line_for_path(doc, ["check", name])
        if cls is None:
            raise RuleFileError(path, line, f"unknown check {name!r} (known: {', '.join(sorted(CHECKS))})")
        try:
            check = cls.configure(params if params is not None else {}, bound, utils)
        except CheckConfigError as e:
            sub = e.key_path or []
            raise RuleFileError(path, line_for_path(doc, ["check", name, *sub]) or line, f"check {name}: {e.message}") from None
        except RuleCompileError as e:
            raise RuleFileError(path, e.line or line, f"check {name}: {e.message}") from None
        checks.append(check)
        provided |= set(check.provides)
    if "prefilter-regex" in doc:
        try:
            re.compile(doc["prefilter-regex"].encode())
        except re.error as e:
            raise RuleFileError(path, line_for_path(doc, ["prefilter-regex"]), f"invalid regex: {e}") from None
    go = None
    if "go-version" in doc:
        try:
            go = VersionCondition.parse(doc["go-version"])
        except ValueError as e:
            raise RuleFileError(path, line_for_path(doc, ["go-version", "applies"]), str(e)) from None
    message = doc["message"]
    otherwise = doc.get("go-version", {}).get("otherwise-message", "")
    hint = doc.get("go-version", {}).get("hint", "")
    for m in [*MESSAGE_VAR.finditer(message), *MESSAGE_VAR.finditer(otherwise), *MESSAGE_VAR.finditer(hint)]:
        if m.group(1) not in bound and m.group(1) not in provided and m.group(1) != "MATCH":
            raise RuleFileError(
                path,
                line_for_path(doc, ["message"]),
                f"message uses ${m.group(1)}, which neither the rule's patterns nor its checks define",
            )
    return Rule(
        id=rule_id,
        message=message,
        severity=doc["severity"],
        description=doc.get("description", "").strip(),
        source=path,
        matcher=matcher,
        checks=checks,
        go_version=go,
        metadata={k: doc[k] for k in ("note", "metadata", "prefilter", "prefilter-regex", "paths") if k in doc},
        check_params={k: (v if v is not None else {}) for k, v in doc.get("check", {}).items()},
        bound=bound,
        utils=utils,
    )


def _compile_utils(raw: Any, utils: dict[str, Any]) -> None:
    """Compile `utils` in dependency order; a cycle of `matches` is an error."""
    state: dict[str, str] = {}

    def visit(name: str, stack: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            cycle = " -> ".join([*stack[stack.index(name) :], name])
            raise RuleCompileError(line_for_path(raw, [name]), f"cyclic `matches` between utils: {cycle}")
        state[name] = "active"
        for dep in _matches_in(raw[name]):
            if dep in raw:
                visit(dep, [*stack, name])
        utils[name] = compile_rule(raw[name], utils, raw)
        state[name] = "done"

    for name in raw:
        visit(name, [])


def _matches_in(obj: Any) -> list[str]:
    out: list[str] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "matches" and isinstance(v, str):
                out.append(v)
            else:
                out.extend(_matches_in(v))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(_matches_in(v))
    return out
