"""The rule tree: ast-grep's vocabulary (`pattern`, `kind`, `regex`, `inside`, `has`, `not`,
`all`, `any`, `matches`, `constraints`) compiled into matcher objects.

Every key present in a rule node must hold. Metavariables bound by one part (a `pattern`) are
visible to the others, so `has: {pattern: "defer $C.Close()"}` means the same `$C`. A relation's
`stopBy` is `neighbor` (default for `inside`: direct parent; for `has`: direct children), `end`,
`function` (do not cross a function boundary) or a rule (stop at, and include, the first node
that matches it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tree_sitter

from linter.lazyregex import LazyRegex
from linter.parsing import FUNCTION_KINDS, captures, query
from linter.patterns import UNWRAP, AnchorKey, CandidateIndex, Env, Pattern, PatternError, bound_nodes

Node = tree_sitter.Node

# what makes a regex's hit depend on where the searched text starts or ends (`^`/`$` outside a
# character class, `\A`, `\Z`, `\b`, `\B`, a negative lookbehind)
_ANCHORED = re.compile(r"[\^$]|\\[AZbB]|\(\?<!")
_CLASSES = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]")


def _position_free(pattern: str) -> bool:
    """Does a hit of `pattern` in a node's text stay a hit in any text containing it?"""
    keep = ("\\A", "\\Z", "\\b", "\\B")
    bare = _CLASSES.sub(lambda m: m.group() if m.group() in keep else "x", pattern)  # escapes, classes
    return _ANCHORED.search(bare) is None


RULE_KEYS = {"pattern", "kind", "regex", "type", "inside", "has", "not", "all", "any", "matches", "constraints"}


class RuleCompileError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _line(obj: Any, key: Any = None) -> int | None:
    lines = getattr(obj, "lines", None)
    if key is not None and lines and key in lines:
        return int(lines[key])
    return getattr(obj, "line", None)


@dataclass
class Relation:
    rule: RuleNode
    stop_by: str | RuleNode = "neighbor"


@dataclass
class RuleNode:
    pattern: Pattern | None = None
    kind: str | None = None
    regex: LazyRegex[str] | None = None
    type_regex: LazyRegex[str] | None = None
    inside: Relation | None = None
    has: Relation | None = None
    negated: RuleNode | None = None
    all_of: list[RuleNode] = field(default_factory=list)
    any_of: list[RuleNode] = field(default_factory=list)
    matches: str | None = None
    constraints: dict[str, RuleNode] = field(default_factory=dict)
    utils: dict[str, RuleNode] = field(default_factory=dict)  # shared by the whole rule file
    _kinds: Any = field(default=None, repr=False, compare=False)  # root_kinds(), once: True = any kind

    # -- what the engine needs -------------------------------------------------------------
    def candidates(self, root: Node, index: CandidateIndex | None = None) -> Iterator[Node]:
        """Nodes worth trying: from the pattern's anchor, the kind, or the first positive branch."""
        if self.pattern is not None:
            yield from self.pattern.candidates(root, index)
        elif self.kind is not None:
            if index is not None and (self.kind, None) in index.keys:
                yield from index.nodes((self.kind, None), root)
            else:
                yield from captures(query(f"({self.kind}) @n"), root).get("n", [])
        elif self.any_of:
            seen: set[int] = set()
            for r in self.any_of:
                for n in r.candidates(root, index):
                    if n.id not in seen:
                        seen.add(n.id)
                        yield n
        elif self.all_of:
            for r in self.all_of:
                if r.can_enumerate():
                    yield from r.candidates(root, index)
                    return
        elif self.matches is not None:
            yield from self.utils[self.matches].candidates(root, index)

    def anchor_keys(self) -> set[AnchorKey]:
        """What `candidates` asks the file for (mirrors it), for the combined per-file query."""
        if self.pattern is not None:
            return {self.pattern.anchor_key}
        if self.kind is not None:
            return {(self.kind, None)}
        if self.any_of:
            return set().union(*(r.anchor_keys() for r in self.any_of))
        if self.all_of:
            for r in self.all_of:
                if r.can_enumerate():
                    return r.anchor_keys()
        if self.matches is not None and self.utils.get(self.matches) is not None:
            return self.utils[self.matches].anchor_keys()
        return set()

    def candidate_kinds(self) -> frozenset[str] | None:
        """The node kinds `candidates` yields (mirrors it); None when it cannot enumerate."""
        if self.pattern is not None:
            return frozenset({self.pattern.root.kind})
        if self.kind is not None:
            return frozenset({self.kind})
        if self.any_of:
            kinds = [r.candidate_kinds() for r in self.any_of]
            return None if any(k is None for k in kinds) else frozenset().union(*kinds)  # type: ignore[arg-type]
        for r in self.all_of:
            if r.can_enumerate():
                return r.candidate_kinds()
        if self.matches is not None and self.utils.get(self.matches) is not None:
            return self.utils[self.matches].candidate_kinds()
        return None

    def declaration_hooks(self) -> list[tuple[str, Any]] | None:
        """Alternatives, one of which the text of a declaration holding a match must show:
        ("words", names) all as whole words, or ("regex", bytes pattern). None: no constraint."""
        if self.pattern is not None:
            lits = self.pattern.literals
            if lits:
                return [("words", tuple(sorted(t.encode() for t in lits)))]
            hook = self.pattern.text_hook()
            return [("regex", hook)] if hook is not None else None
        if self.regex is not None and _position_free(self.regex.pattern):
            # the node's text is part of its declaration's: an unanchored regex found in one is
            # found in the other
            return [("regex", self.regex.pattern.encode())]
        if self.any_of:
            out: list[tuple[str, Any]] = []
            for r in self.any_of:
                h = r.declaration_hooks()
                if h is None:
                    return None
                out.extend(h)
            return out
        for r in self.all_of:
            h = r.declaration_hooks()
            if h is not None:
                return h
        if self.matches is not None and self.matches in self.utils:
            return self.utils[self.matches].declaration_hooks()
        return None

    def looks_outside(self) -> bool:
        """Does matching ever look at ancestors (`inside`)? A rule that does not only needs the
        candidate's own subtree, so it can run on a tree of some declarations only."""
        if self.inside is not None:
            return True
        subs = [*self.all_of, *self.any_of, *self.constraints.values()]
        if self.has is not None:
            subs.append(self.has.rule)
            if isinstance(self.has.stop_by, RuleNode):
                subs.append(self.has.stop_by)
        if self.negated is not None:
            subs.append(self.negated)
        if self.matches is not None and self.matches in self.utils:
            subs.append(self.utils[self.matches])
        return any(r.looks_outside() for r in subs)

    def admits(self, node_type: str) -> bool:
        """Can this rule match a node of this kind at all (root_kinds, computed once)?"""
        k = self._kinds
        if k is None:
            got = self.root_kinds()
            k = self._kinds = True if got is None else got
        return k is True or node_type in k

    def root_kinds(self) -> frozenset[str] | None:
        """Node kinds this rule can match at all (None: any), so a caller can skip the rest."""
        kinds: frozenset[str] | None = None
        if self.kind is not None:
            kinds = frozenset({self.kind})
        if self.pattern is not None:
            own = frozenset({self.pattern.root.kind}) | UNWRAP
            kinds = own if kinds is None else kinds & own
        for r in self.all_of:
            k = r.root_kinds()
            if k is not None:
                kinds = k if kinds is None else kinds & k
        if self.any_of:
            branches = [r.root_kinds() for r in self.any_of]
            if all(b is not None for b in branches):
                union = frozenset().union(*branches)  # type: ignore[arg-type]
                kinds = union if kinds is None else kinds & union
        if self.matches is not None and self.matches in self.utils:
            k = self.utils[self.matches].root_kinds()
            if k is not None:
                kinds = k if kinds is None else kinds & k
        return kinds

    def can_enumerate(self) -> bool:
        if self.pattern is not None or self.kind is not None:
            return True
        if self.any_of:
            return all(r.can_enumerate() for r in self.any_of)
        if self.all_of:
            return any(r.can_enumerate() for r in self.all_of)
        if self.matches is not None and self.matches in self.utils:
            return self.utils[self.matches].can_enumerate()
        return False

    def metavars(self) -> set[str]:
        out: set[str] = set()
        if self.pattern is not None:
            out |= self.pattern.metavars
        for r in (*self.all_of, *self.any_of):
            out |= r.metavars()
        for rel in (self.inside, self.has):
            if rel is not None:
                out |= rel.rule.metavars()
        return out

    def literals(self) -> list[set[str]]:
        """Alternative sets of identifiers; a file can match only if it contains one whole set."""
        if self.pattern is not None:
            return [self.pattern.literals]
        if self.any_of:
            out: list[set[str]] = []
            for r in self.any_of:
                lits = r.literals()
                if not lits:
                    return []
                out.extend(lits)
            return out
        if self.all_of:
            for r in self.all_of:
                lits = r.literals()
                if lits:
                    return lits
        return []

    # -- matching ----------------------------------------------------------------------------
    def match(self, node: Node, env: Env, ctx: Any) -> Env | None:
        if self.kind is not None and node.type != self.kind:
            return None
        if self.pattern is not None and node.type != self.pattern.root.kind and node.type not in UNWRAP:
            return None  # cheap exit before any copying
        if self.pattern is not None:
            e = self.pattern.match(node, env)
            if e is None:
                return None
            env = e
        if self.regex is not None and not self.regex.search(ctx.file.text(node)):
            return None
        if self.type_regex is not None:
            from linter.analysis.functions import declared_type

            t = declared_type(ctx, node) if node.type == "identifier" else None
            if t is None or not self.type_regex.search(t):
                return None
        for r in self.all_of:
            e = r.match(node, env, ctx)
            if e is None:
                return None
            env = e
        if self.any_of:
            t = node.type
            for r in self.any_of:
                if not r.admits(t):
                    continue  # a branch that cannot match this kind of node: not even called
                e = r.match(node, env, ctx)
                if e is not None:
                    env = e
                    break
            else:
                return None
        if self.matches is not None:
            e = self.utils[self.matches].match(node, env, ctx)
            if e is None:
                return None
            env = e
        if self.inside is not None:
            e = self._relate(self.inside, _ancestors(node, self.inside, env, ctx), env, ctx)
            if e is None:
                return None
            env = e
        if self.has is not None:
            e = self._relate(self.has, _descendants(node, self.has, env, ctx), env, ctx)
            if e is None:
                return None
            env = e
        for name, c in self.constraints.items():
            nodes = bound_nodes(env, name)
            if not nodes:
                continue  # unbound in this branch, or `$$$X` bound to nothing: nothing to constrain
            for n in nodes:
                e = c.match(n, env, ctx)
                if e is None:
                    return None
        if self.negated is not None and self.negated.match(node, env, ctx) is not None:
            return None
        return env

    def _relate(self, rel: Relation, nodes: Iterator[Node], env: Env, ctx: Any) -> Env | None:
        for n in nodes:
            e = rel.rule.match(n, env, ctx)
            if e is not None:
                return e
        return None


def _stops(n: Node, rel: Relation, env: Env, ctx: Any) -> bool:
    if rel.stop_by == "function":
        return n.type in FUNCTION_KINDS
    if isinstance(rel.stop_by, RuleNode):
        return rel.stop_by.match(n, env, ctx) is not None
    return False


def _ancestors(node: Node, rel: Relation, env: Env, ctx: Any) -> Iterator[Node]:
    f = getattr(ctx, "file", None)
    up = f.parent if f is not None else (lambda n: n.parent)  # (f.parent: Node.parent costs the node's depth)
    n = up(node)
    while n is not None:
        yield n
        if rel.stop_by == "neighbor" or _stops(n, rel, env, ctx):
            return
        n = up(n)


def _descendants(node: Node, rel: Relation, env: Env, ctx: Any) -> Iterator[Node]:
    if rel.stop_by == "neighbor":
        yield from node.named_children
        return
    stack = list(reversed(node.named_children))
    while stack:
        n = stack.pop()
        yield n
        if _stops(n, rel, env, ctx):
            continue
        stack.extend(reversed(n.named_children))


# -- compiling ---------------------------------------------------------------------------------


def compile_rule(obj: Any, utils: dict[str, RuleNode], where: Any = None) -> RuleNode:
    if not isinstance(obj, dict):
        raise RuleCompileError(_line(where) or _line(obj), "a rule must be a mapping")
    if not obj:
        raise RuleCompileError(_line(obj), "a rule needs at least one key")
    node = RuleNode(utils=utils)
    for key, value in obj.items():
        line = _line(obj, key)
        if key not in RULE_KEYS:
            raise RuleCompileError(line, f"unknown rule key {key!r} (expected one of {', '.join(sorted(RULE_KEYS))})")
        if key == "pattern":
            if not isinstance(value, str):
                raise RuleCompileError(line, "`pattern` must be a string of Go code")
            try:
                node.pattern = Pattern.compile(value)
            except PatternError as e:
                raise RuleCompileError(line, str(e)) from None
        elif key == "kind":
            if not isinstance(value, str) or not _known_kind(value):
                raise RuleCompileError(line, f"unknown node kind {value!r} for tree-sitter-go")
            node.kind = value
        elif key in ("regex", "type"):
            if not isinstance(value, str):
                raise RuleCompileError(line, f"`{key}` must be a string")
            try:
                compiled = LazyRegex(value)
            except re.error as e:
                raise RuleCompileError(line, f"invalid regex {value!r}: {e}") from None
            if key == "regex":
                node.regex = compiled
            else:
                node.type_regex = compiled
        elif key in ("inside", "has"):
            rel = _compile_relation(value, utils, obj, key)
            setattr(node, key, rel)
        elif key == "not":
            node.negated = compile_rule(value, utils, obj)
        elif key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise RuleCompileError(line, f"`{key}` must be a non-empty list of rules")
            subs = [compile_rule(v, utils, value) for v in value]
            if key == "all":
                node.all_of = subs
            else:
                node.any_of = subs
        elif key == "matches":
            if not isinstance(value, str):
                raise RuleCompileError(line, "`matches` must name a rule under `utils`")
            if value not in utils:
                raise RuleCompileError(line, f"`matches: {value}` names no rule under `utils`")
            node.matches = value
        elif key == "constraints":
            node.constraints = compile_constraints(value, utils, obj, key)
    return node


def compile_constraints(value: Any, utils: dict[str, RuleNode], parent: Any, key: str) -> dict[str, RuleNode]:
    if not isinstance(value, dict):
        raise RuleCompileError(_line(parent, key), "`constraints` must map metavariable names to rules")
    out = {}
    for name, sub in value.items():
        if not isinstance(name, str) or not re.fullmatch(r"\$?[A-Z_][A-Z0-9_]*", name):
            raise RuleCompileError(_line(value, name), f"constraint key {name!r} is not a metavariable name")
        out[name.lstrip("$")] = compile_rule(sub, utils, value)
    return out


def _compile_relation(value: Any, utils: dict[str, RuleNode], parent: Any, key: str) -> Relation:
    if not isinstance(value, dict):
        raise RuleCompileError(_line(parent, key), f"`{key}` must be a rule")
    body = {k: v for k, v in value.items() if k != "stopBy"}
    if hasattr(value, "lines"):
        body = type(value)(body)
        body.lines = value.lines  # type: ignore[attr-defined]
        body.line = value.line  # type: ignore[attr-defined]
    rule = compile_rule(body, utils, value)
    stop = value.get("stopBy", "neighbor")
    if isinstance(stop, str):
        if stop not in ("neighbor", "end", "function"):
            raise RuleCompileError(_line(value, "stopBy"), f"`stopBy` must be neighbor, end, function or a rule, not {stop!r}")
        return Relation(rule, stop)
    return Relation(rule, compile_rule(stop, utils, value))


def _known_kind(kind: str) -> bool:
    from linter.parsing import LANGUAGE

    try:
        return LANGUAGE.id_for_node_kind(kind, True) is not None
    except Exception:  # noqa: BLE001 - older bindings raise on unknown kinds
        return False


def root_kinds(rules: list[RuleNode]) -> frozenset[str] | None:
    """The kinds any of `rules` can match (None: any kind)."""
    out: set[str] = set()
    for r in rules:
        k = r.root_kinds()
        if k is None:
            return None
        out |= k
    return frozenset(out)
