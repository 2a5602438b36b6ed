"""Loading rule files: safe YAML with line numbers, a JSON-schema check of the top level, then
compilation of the rule tree and the checks. Every problem becomes `RuleFileError(path, line,
message)`, which the CLI prints as `path:line: message` and exits 2."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from linter import quickschema
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
        "fix": {"type": "object", "required": ["strategy"], "properties": {"strategy": {"type": "string"}}},
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


MAX_RULE_FILE_BYTES = 4 * 1024 * 1024  # the bundled rule files are under 20 KB
RULE_SUFFIXES = (".yaml", ".yml")


def rule_files(directory: PathLike) -> list[str]:
    d = os.fspath(directory)
    if os.path.isfile(d):
        return [d]
    if not os.path.isdir(d):
        raise RuleFileError(d, None, "not a regular file or directory" if os.path.exists(d) else "rule directory does not exist")
    return sorted(p for p in _walk(d, RULE_SUFFIXES) if os.path.isfile(p))


def _walk(top: str, suffixes: tuple[str, ...]) -> list[str]:
    return [os.path.join(root, f) for root, _, files in os.walk(top) for f in files if f.endswith(suffixes)]


def load_rules(directories: list[PathLike], include_bundled: bool = True) -> list[Rule]:
    """Load every rule file; raise the first RuleFileError (a broken rule set is an error).

    Parsing the YAML costs more than checking one file (what a pre-commit hook does), so the
    parsed documents of a rule set are kept in the user cache as plain JSON, keyed by the bytes
    of every rule file; a run whose rule files did not change validates and compiles those
    documents without reading YAML. The cache holds data only (no pickle: nothing in it can run
    code), and an entry that is unreadable, malformed or does not validate is ignored."""
    dirs: list[PathLike] = [bundled_rules_dir()] if include_bundled else []
    dirs.extend(directories)
    files = [p for d in dirs for p in rule_files(d)]
    contents = [_read_rule_file(p) for p in files]
    key = _ruleset_key(files, contents)
    cached = _read_cached(key, files)
    if cached is not None:
        rules = _build_cached(files, cached)
        if rules is not None:
            return rules
    parsed = [_parse_rule_file(p, text) for p, text in zip(files, contents, strict=True)]
    body = _cache_body(files, parsed)  # before compiling: what is cached is what the YAML says
    rules = _build_all(files, parsed, quick=False)
    if body is not None:
        from linter.cache import write_atomic

        write_atomic(_cache_file(key), body)
    return rules


def _build_cached(files: list[str], cached: list[list[Any]]) -> list[Rule] | None:
    try:
        return _build_all(files, cached, quick=True)
    except Exception:  # noqa: BLE001 - a planted or damaged entry: parse the YAML instead
        return None


def _build_all(files: list[str], parsed: list[list[Any]], quick: bool) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path, docs in zip(files, parsed, strict=True):
        spath = _display_path(path)
        for doc in docs:
            if quick and not quickschema.valid(doc, TOP_SCHEMA):
                raise ValueError("cached rule document does not validate")
            rule = _build_rule(spath, doc)
            line = getattr(doc, "line", 1)
            if rule.id in seen:
                raise RuleFileError(spath, line, f"duplicate rule id {rule.id!r} (first defined in {seen[rule.id]})")
            seen[rule.id] = spath
            rules.append(rule)
    return rules


def _read_rule_file(path: str) -> str:
    from linter.safeio import ReadError, read_bounded

    try:
        data = read_bounded(path, MAX_RULE_FILE_BYTES, "rule file")
    except ReadError as e:
        raise RuleFileError(_display_path(path), None, f"cannot read rule file: {e}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RuleFileError(_display_path(path), data.count(b"\n", 0, e.start) + 1, f"rule file is not UTF-8: {e}") from None


# Bumped when the cached form (yamllines' LineMap/LineList encoding below) changes.
_CACHE_FORMAT = 2
_MAX_CACHE_BYTES = 64 * 1024 * 1024


def _ruleset_key(files: list[str], contents: list[str]) -> str:
    import hashlib

    from linter import __version__

    h = hashlib.sha256(f"{__version__}\0{_CACHE_FORMAT}\0".encode())
    for p, text in zip(files, contents, strict=True):
        h.update(os.path.abspath(p).encode("utf-8", "surrogateescape") + b"\0" + text.encode() + b"\0")
    return h.hexdigest()


def _cache_file(key: str) -> str:
    from linter.cache import default_dir

    return os.path.join(default_dir(), "rules", f"{key}.json")


def _read_cached(key: str, files: list[str]) -> list[list[Any]] | None:
    """The parsed documents of each file, or None (missing, unreadable, wrong shape)."""
    import json

    from linter.safeio import read_bounded

    try:
        doc = json.loads(read_bounded(_cache_file(key), _MAX_CACHE_BYTES, "rule cache", follow_symlinks=False))
        if not isinstance(doc, dict) or doc.get("format") != _CACHE_FORMAT:
            return None
        entries = doc["files"]
        if not isinstance(entries, list) or [e.get("path") for e in entries] != [os.path.abspath(p) for p in files]:
            return None
        out = []
        for e in entries:
            docs = e["docs"]
            if not isinstance(docs, list):
                return None
            out.append([_decode(d) for d in docs])
        return out
    except Exception:  # noqa: BLE001 - anything wrong with a cache entry means parsing the YAML
        return None


def _cache_body(files: list[str], parsed: list[list[Any]]) -> str | None:
    import json

    try:
        body = {
            "format": _CACHE_FORMAT,
            "files": [{"path": os.path.abspath(p), "docs": [_encode(d) for d in docs]} for p, docs in zip(files, parsed, strict=True)],
        }
        return json.dumps(body, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):  # a YAML value JSON cannot hold (a date, bytes): run uncached
        return None


def _encode(obj: Any) -> Any:
    """yamllines' values as JSON: a mapping is {"m": line, "k": keys, "v": values, "n": key
    lines, "r": {index: raw scalar text}}, a list {"l": line, "v": items, "n": item lines};
    scalars stay themselves. Anything else raises TypeError (not cached)."""
    from linter.yamllines import LineList, LineMap

    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, LineMap):
        keys = list(obj)
        for k in keys:
            if not (k is None or isinstance(k, (bool, int, float, str))):
                raise TypeError("mapping key")
        lines, raw = getattr(obj, "lines", {}), getattr(obj, "raw", {})
        return {
            "m": obj.line,
            "k": keys,
            "v": [_encode(obj[k]) for k in keys],
            "n": [lines.get(k, obj.line) for k in keys],
            "r": {str(i): raw[k] for i, k in enumerate(keys) if k in raw},
        }
    if isinstance(obj, LineList):
        lines = getattr(obj, "lines", {})
        return {"l": obj.line, "v": [_encode(v) for v in obj], "n": [lines.get(i, obj.line) for i in range(len(obj))]}
    raise TypeError(f"cannot cache a {type(obj).__name__}")


def _decode(obj: Any) -> Any:
    from linter.yamllines import LineList, LineMap

    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if not isinstance(obj, dict):
        raise ValueError("malformed rule cache")
    if "m" in obj:
        keys, values, lines, raw = obj["k"], obj["v"], obj["n"], obj["r"]
        if not (isinstance(keys, list) and isinstance(values, list) and isinstance(lines, list) and isinstance(raw, dict)):
            raise ValueError("malformed rule cache")
        if not len(keys) == len(values) == len(lines) or not all(isinstance(n, int) for n in lines):
            raise ValueError("malformed rule cache")
        m = LineMap()
        m.line, m.lines, m.raw = int(obj["m"]), {}, {}
        for i, (k, v, n) in enumerate(zip(keys, values, lines, strict=True)):
            if isinstance(k, (dict, list)) or k in m:
                raise ValueError("malformed rule cache")
            m[k] = _decode(v)
            m.lines[k] = n
            if str(i) in raw:
                m.raw[k] = str(raw[str(i)])
        return m
    if "l" in obj:
        values, lines = obj["v"], obj["n"]
        if not (isinstance(values, list) and isinstance(lines, list) and len(values) == len(lines)):
            raise ValueError("malformed rule cache")
        lst = LineList(_decode(v) for v in values)
        lst.line = int(obj["l"])
        lst.lines = {i: int(n) for i, n in enumerate(lines)}
        return lst
    raise ValueError("malformed rule cache")


def load_rule_file(path: PathLike) -> list[tuple[Rule, int]]:
    spath = _display_path(path)
    docs = _parse_rule_file(os.fspath(path), _read_rule_file(os.fspath(path)))
    return [(_build_rule(spath, doc), getattr(doc, "line", 1)) for doc in docs]


def _parse_rule_file(path: str, text: str) -> list[Any]:
    """The YAML documents of a rule file (each a LineMap)."""
    spath = _display_path(path)
    import yaml  # only when a rule file is parsed: a cached rule set never needs it

    from linter.yamllines import load_all

    try:
        docs = [d for d in load_all(text) if d is not None]
    except yaml.MarkedYAMLError as e:
        at_end = "<stream end>" in str(e.problem) or "end of the stream" in str(e.problem)
        mark = (e.context_mark if at_end and e.context_mark else None) or e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        kind = "YAML error" if isinstance(e, yaml.composer.ComposerError) else "YAML syntax error"
        raise RuleFileError(spath, line, f"{kind}: {e.problem or e}") from None
    except yaml.YAMLError as e:
        raise RuleFileError(spath, None, f"YAML error: {e}") from None
    if not docs:
        raise RuleFileError(spath, 1, "rule file is empty")
    if not all(isinstance(d, dict) for d in docs):
        bad = next(d for d in docs if not isinstance(d, dict))
        raise RuleFileError(spath, getattr(bad, "line", 1), "a rule file must hold a mapping (id, message, severity, rule, ...)")
    return docs


def _display_path(path: PathLike) -> str:
    """Relative to the current directory when under it, else as given."""
    ab = os.path.abspath(path)
    cwd = os.getcwd()
    return os.path.relpath(ab, cwd) if ab.startswith(cwd + os.sep) else str(path)


def _build_rule(path: str, doc: Any) -> Rule:
    if not isinstance(doc, dict):
        raise RuleFileError(path, getattr(doc, "line", 1), "a rule file must hold a mapping (id, message, severity, rule, ...)")
    if not quickschema.valid(doc, TOP_SCHEMA):  # jsonschema only to word an error: its import is slow
        _check_schema(path, doc)
    return _compile_doc(path, doc)


def _check_schema(path: str, doc: Any) -> None:
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


def _compile_doc(path: str, doc: Any) -> Rule:
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
    fix = _compile_fix(path, doc, checks) if "fix" in doc else None
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
        fix=fix,
        go_version=go,
        metadata={k: doc[k] for k in ("note", "metadata", "prefilter", "prefilter-regex", "paths") if k in doc},
        check_params={k: (v if v is not None else {}) for k, v in doc.get("check", {}).items()},
        bound=bound,
        utils=utils,
    )


def _compile_fix(path: str, doc: Any, checks: list[Any]) -> Any:
    """The rule's `fix:` section: a registered strategy, its parameters validated against the
    strategy's schema, and the facts it needs recorded by one of the rule's checks."""
    from linter.fix import STRATEGIES, FixConfigError

    section = doc["fix"]
    name = section["strategy"]
    cls = STRATEGIES.get(name)
    if cls is None:
        raise RuleFileError(
            path, line_for_path(doc, ["fix", "strategy"]), f"fix: unknown strategy {name!r} (known: {', '.join(sorted(STRATEGIES))})"
        )
    params = {k: v for k, v in section.items() if k != "strategy"}
    try:
        strategy = cls.configure(params)
    except FixConfigError as e:
        sub = e.key_path or []
        raise RuleFileError(path, line_for_path(doc, ["fix", *sub]) or line_for_path(doc, ["fix"]), f"fix {name}: {e.message}") from None
    recorded = {fact for c in checks for fact in getattr(c, "records", ())}
    missing = [fact for fact in cls.facts if fact not in recorded]
    if missing:
        which = [c for c, s in sorted(_RECORDED_BY.items()) if missing[0] in s]
        raise RuleFileError(
            path,
            line_for_path(doc, ["fix", "strategy"]),
            f"fix {name}: needs the {missing[0]!r} facts, which none of the rule's checks records"
            + (f" (the {', '.join(which)} check does)" if which else ""),
        )
    return strategy


def _recorded_by() -> dict[str, set[str]]:
    from linter.checks import CHECKS

    return {name: set(cls.records) for name, cls in CHECKS.items()}


_RECORDED_BY = _recorded_by()


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
