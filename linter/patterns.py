"""Go code patterns with metavariables, compiled once and matched structurally.

A pattern such as `$CLIENT, $ERR := $CTOR($$$ARGS)` is parsed by tree-sitter-go itself (the
metavariables are first rewritten into placeholder identifiers), so the pattern language is Go.
Matching compares named children and their field names, plus operator tokens; `$X` binds one
node, `$$$X` zero or more siblings, `$_` anything without binding, and a name used twice must
bind the same code (compared with whitespace removed).

Candidates come from a tree-sitter query run on the C side: the rarest literal identifier of the
pattern (e.g. `WithLabelValues`), whose ancestor at the pattern's depth is the candidate root.
Only those few nodes are compared in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter

from linter.parsing import LANGUAGE, Ancestry, captures, parser, query

Env = dict[str, object]  # name -> Node | tuple[Node, ...]

METAVAR = re.compile(r"\$\$\$([A-Z_][A-Z0-9_]*)?|\$([A-Z_][A-Z0-9_]*)")
_MV_PREFIX = "__gpmv_"
_MULTI_PREFIX = "__gpmulti_"
_LEAF_NAME_KINDS = {"identifier", "field_identifier", "type_identifier", "package_identifier"}
_IGNORED = {"comment"}
# Wrapper-only nodes that a pattern written as a bare expression should look through.
UNWRAP = {"expression_statement", "literal_element", "expression_list"}


class PatternError(ValueError):
    pass


@dataclass
class PNode:
    kind: str
    text: str = ""  # for leaves: whitespace-free text
    children: list[tuple[str | None, PNode]] = field(default_factory=list)
    op: str | None = None  # operator token, where the node has one
    mv: str | None = None  # metavariable name ("_" for the wildcard)
    multi: bool = False

    def literal_leaves(self, depth: int = 0) -> Iterator[tuple[PNode, int]]:
        if self.mv is not None:
            return
        if not self.children and self.kind in _LEAF_NAME_KINDS:
            yield self, depth
        for _, c in self.children:
            yield from c.literal_leaves(depth + 1)

    def metavars(self) -> Iterator[str]:
        if self.mv is not None and self.mv != "_":
            yield self.mv
        for _, c in self.children:
            yield from c.metavars()


def _placeholder(m: re.Match[str]) -> str:
    if m.group(0).startswith("$$$"):
        return _MULTI_PREFIX + (m.group(1) or "_")
    return _MV_PREFIX + m.group(2)


def _squash(b: bytes) -> str:
    return b"".join(b.split()).decode("utf-8", "replace")


def node_key(node: tree_sitter.Node) -> str:
    """Whitespace-insensitive text of a node, used to compare repeated metavariables."""
    return _squash(node.text or b"")


def _build(node: tree_sitter.Node) -> PNode:
    text = (node.text or b"").decode()
    if node.type in _LEAF_NAME_KINDS and node.named_child_count == 0:
        if text.startswith(_MV_PREFIX):
            return PNode(kind=node.type, mv=text[len(_MV_PREFIX) :])
        if text.startswith(_MULTI_PREFIX):
            name = text[len(_MULTI_PREFIX) :]
            return PNode(kind=node.type, mv=name, multi=True)
    if node.type in ("expression_statement", "literal_element") and node.named_child_count == 1:
        return _build(node.named_children[0])
    pn = PNode(kind=node.type)
    opnode = node.child_by_field_name("operator")
    if opnode is not None:
        pn.op = opnode.type
    named = [(node.field_name_for_named_child(i), c) for i, c in enumerate(node.named_children) if c.type not in _IGNORED]
    if not named:
        pn.text = _squash(node.text or b"")
    else:
        pn.children = [(f, _build(c)) for f, c in named]
    return pn


def _parse_snippet(code: str) -> tree_sitter.Node | None:
    """Parse `code` as one statement/expression inside a function, else as a declaration."""
    for prefix, suffix in (("package p\nfunc _() {\n", "\n}\n"), ("package p\n", "\n")):
        src = (prefix + code + suffix).encode()
        tree = parser().parse(src)
        root = tree.root_node
        if root.has_error:
            continue
        if prefix.endswith("{\n"):
            body = root.named_children[-1].child_by_field_name("body")
            if body is None:
                continue
            stmts = [c for c in body.named_children if c.type == "statement_list"]
            items = [c for c in stmts[0].named_children if c.type not in _IGNORED] if stmts else []
        else:
            items = [c for c in root.named_children if c.type not in ("package_clause", "comment")]
        if len(items) == 1:
            return items[0]
    return None


@dataclass
class Pattern:
    """A compiled pattern: its tree, the metavariables it binds, and how to find candidates."""

    source: str
    root: PNode
    anchor_text: str | None
    anchor_kind: str | None
    anchor_depth: int
    skeleton: str | None = None  # for patterns without a literal name: their shape as a query

    @classmethod
    def compile(cls, code: str) -> Pattern:
        if not code.strip():
            raise PatternError("empty pattern")
        rewritten = METAVAR.sub(_placeholder, code)
        node = _parse_snippet(rewritten)
        if node is None:
            raise PatternError(f"cannot parse pattern as Go: {code!r}")
        root = _build(node)
        if root.mv is not None:
            raise PatternError(f"pattern {code!r} is a bare metavariable; add `kind` or more code")
        leaves = list(root.literal_leaves())
        anchor_text, anchor_kind, depth = None, None, 0
        if leaves:
            # The longest literal name is usually the rarest one (WithLabelValues vs prometheus).
            leaf, depth = max(leaves, key=lambda ld: (len(ld[0].text), -ld[1]))
            anchor_text, anchor_kind = leaf.text, leaf.kind
            return cls(code, root, anchor_text, anchor_kind, depth)
        skel: str | None = skeleton_query(root)
        try:
            query(f"{skel} @n")
        except (tree_sitter.QueryError, ValueError, SyntaxError):  # a shape the query language can't say
            skel = None
        return cls(code, root, None, None, 0, skel if skel != f"({root.kind})" else None)

    @property
    def metavars(self) -> set[str]:
        return set(self.root.metavars())

    def text_hook(self) -> bytes | None:
        """For a pattern with no literal name whose root has an operator and one left operand
        that ends in a bracket (`$M[$K] = $V`): a regex every match's text matches (`]` then
        the operator), so a declaration without it can be left unparsed."""
        return _text_hook(self.root) if self.anchor_text is None else None

    @property
    def literals(self) -> set[str]:
        """What a file must contain for this pattern to match (for prefiltering): its literal
        names; each `pkg.Name` selector of two literal names as one dotted token, which
        prefilters read as "pkg, a dot and Name, spaces allowed" (`time.After`, not just any
        file with the words `time` and `After`); and each called name with its call shape:
        `.With(` for a method (`$V.With($L)`: not the word "With" in a comment), `append(`
        for a function (how they are looked for: `prefilter._call_at`)."""
        out = {leaf.text for leaf, _ in self.root.literal_leaves()}
        stack = [self.root]
        while stack:
            p = stack.pop()
            stack.extend(c for _, c in p.children)
            if p.kind == "selector_expression" and len(p.children) == 2:
                (_, a), (_, b) = p.children
                if a.mv is None and b.mv is None and not a.children and not b.children and a.text and b.text:
                    if a.kind in _LEAF_NAME_KINDS and b.kind in _LEAF_NAME_KINDS:
                        out.add(f"{a.text}.{b.text}")
            if p.kind == "call_expression":
                fn = next((c for f, c in p.children if f == "function"), None)
                if fn is not None and fn.mv is None and fn.kind == "identifier" and not fn.children and fn.text:
                    out.add(f"{fn.text}(")
                elif fn is not None and fn.kind == "selector_expression":
                    name = next((c for f, c in fn.children if f == "field"), None)
                    if name is not None and name.mv is None and not name.children and name.text:
                        out.add(f".{name.text}(")
        return out

    @property
    def anchor_key(self) -> AnchorKey:
        if self.skeleton is not None:
            # The root's operator token (`=` in `$M[$K] = $V`) lets the index find candidates
            # from the bytes instead of walking the tree; the shape is kept to filter them.
            kind = SKELETON + (self.root.op or "")
            _SHAPES.setdefault((kind, self.skeleton), self.root)
            return (kind, self.skeleton)
        if self.anchor_text is None or self.anchor_kind is None:
            return (self.root.kind, None)
        return (self.anchor_kind, self.anchor_text)

    def candidates(self, root: tree_sitter.Node, index: CandidateIndex | None = None) -> Iterator[tree_sitter.Node]:
        if index is not None and self.anchor_key in index.keys:
            nodes = index.nodes(self.anchor_key, root)
        elif self.skeleton is not None:
            nodes = captures(query(f"{self.skeleton} @n"), root).get("n", [])
        elif self.anchor_text is None:
            nodes = captures(query(f"({self.root.kind}) @n"), root).get("n", [])
        else:
            q = query(f'(({self.anchor_kind}) @a (#eq? @a "{self.anchor_text}"))')
            nodes = captures(q, root).get("a", [])
        if self.anchor_text is None:
            yield from nodes
            return
        for node in nodes:
            cand: tree_sitter.Node | None = node
            for _ in range(self.anchor_depth):
                cand = cand.parent if cand is not None else None
                # Look through wrappers the pattern dropped (literal_element around a value).
                while cand is not None and cand.type in ("literal_element",) and self.root.kind != cand.type:
                    cand = cand.parent
            if cand is not None and cand.type == self.root.kind:
                yield cand

    def match(self, node: tree_sitter.Node, env: Env | None = None) -> Env | None:
        return match_node(self.root, node, env if env else {})  # bindings copy on write


def _text_hook(r: PNode) -> bytes | None:
    """See Pattern.text_hook. The match's last byte is the end of the operator token."""
    if r.op is None:
        return None
    left = next((c for f, c in r.children if f == "left"), None)
    if left is not None and left.kind == "expression_list":
        left = left.children[0][1] if len(left.children) == 1 else None
    closer = _CLOSERS.get(left.kind) if left is not None and left.mv is None else None
    if closer is None:
        return None
    tail = rb"(?!=)" if r.op == "=" else b""  # `] =` but not `] ==`
    return closer + rb"[ \t]*" + re.escape(r.op.encode()) + tail


def is_plain_name(token: str | bytes) -> bool:
    """A literal token that is just a name (`After`), not a chain (`time.After`) or a call
    shape (`.After(`): only a plain name can be looked for as a plain substring."""
    t = token.encode() if isinstance(token, str) else token
    return b"." not in t and b"(" not in t


# The last token of an operand of these kinds (for Pattern.text_hook).
_CLOSERS = {"index_expression": rb"\]", "slice_expression": rb"\]", "call_expression": rb"\)", "composite_literal": rb"\}"}

AnchorKey = tuple[str, "str | None"]  # (node kind, literal text or None for "any node of this kind")
SKELETON = "#skeleton"  # AnchorKey kind whose text is a query: (SKELETON, "(assignment_statement ...)")
# A skeleton key's kind may carry the root's operator token: ("#skeleton=", "(assignment_statement ...)")
_SHAPES: dict[AnchorKey, PNode] = {}  # skeleton key -> the pattern tree it came from

# Parents whose children the matcher may see through a wrapper the pattern dropped
# (`literal_element` in composite literals, `expression_statement` in blocks): their children
# are left out of a skeleton, so it never rejects what the matcher would accept.
_WRAPPING_PARENTS = {"literal_value", "block", "statement_list", "source_file"}


def skeleton_query(root: PNode) -> str:
    """The pattern's shape as a tree-sitter query: node kinds, field names and literal names,
    with metavariables left open. Every node the pattern matches satisfies it (the converse is
    checked in Python), so the C side can drop most candidates of a pattern with no literal
    name, such as `$M[$K] = $V` (only assignments to an index expression)."""
    counter = [0]

    def build(p: PNode) -> str:
        parts: list[str] = []
        if not p.children and p.kind in _LEAF_NAME_KINDS and p.text:
            counter[0] += 1
            cap = f"@_s{counter[0]}"
            quoted = p.text.replace("\\", "\\\\").replace('"', '\\"')
            return f'(({p.kind}) {cap} (#eq? {cap} "{quoted}"))'
        if p.kind not in _WRAPPING_PARENTS:
            for fld, c in p.children:
                if c.mv is not None:
                    continue
                sub = build(c)
                parts.append(f"{fld}: {sub}" if fld else sub)
        inner = " ".join(parts)
        return f"({p.kind} {inner})" if inner else f"({p.kind})"

    return build(root)


class CandidateIndex:
    """Every candidate node a rule set can start from, found with ONE query per file.

    Walking the tree is what a query costs, so all anchors (`WithLabelValues`, `After`, ...) and
    anchor kinds (`assignment_statement`) of all rules share a single walk."""

    def __init__(
        self,
        root: tree_sitter.Node,
        keys: frozenset[AnchorKey],
        data: bytes | None = None,
        ranges: list[tuple[int, int]] | None = None,
    ) -> None:
        self.keys = keys
        self._by_key: dict[AnchorKey, list[tree_sitter.Node]] = {}
        if data is not None and all(_from_bytes(k) for k in keys):
            self._find_literals(root, data, ranges or [(0, len(data))])
            return
        q, names = _combined_query(keys)
        caps = captures(q, root) if names else {}
        for cap, nodes in caps.items():
            kind, literal = names.get(cap, ("", None))
            if not kind:
                continue  # a capture inside a skeleton (its literal-name predicates)
            if literal == "":
                for n in nodes:
                    text = (n.text or b"").decode("utf-8", "replace")
                    self._by_key.setdefault((kind, text), []).append(n)
            else:
                self._by_key[(kind, literal)] = list(nodes)

    def _find_literals(self, root: tree_sitter.Node, data: bytes, ranges: list[tuple[int, int]]) -> None:
        """Only literal names wanted: find them in the bytes (of the parsed `ranges`) and look
        each hit up in the tree (a descent, not a walk). A hit inside a longer name, a comment
        or a string is not a node of exactly that range and kind, so it drops out."""
        for kind, text in sorted(self.keys, key=lambda k: (k[0], k[1] or "")):
            shape = _SHAPES.get((kind, text)) if kind.startswith(SKELETON) else None
            token = kind[len(SKELETON) :] if shape is not None else kind
            needle = (token if shape is not None else text or "").encode()
            found: list[tree_sitter.Node] = []
            hook = _hook_regex((kind, text)) if shape is not None else None
            if hook is not None:  # `] =`, not every `=` of the file: the operator ends the hit
                for lo, hi in ranges:
                    for m in hook.finditer(data, lo, hi):
                        self._operator_at(root, m.end() - len(needle), needle, token, shape, found)  # type: ignore[arg-type]
            else:
                plain_assign = needle == b"="
                for lo, hi in ranges:
                    self._scan(root, data, lo, hi, needle, token, shape, plain_assign, found)
            if found:
                self._by_key[(kind, text)] = found

    @staticmethod
    def _scan(
        root: tree_sitter.Node,
        data: bytes,
        lo: int,
        hi: int,
        needle: bytes,
        token: str,
        shape: PNode | None,
        plain_assign: bool,
        found: list[tree_sitter.Node],
    ) -> None:
        i = data.find(needle, lo, hi)
        while i != -1:
            if plain_assign and (data[i - 1 : i] in _MERGES_WITH_EQ or data[i + 1 : i + 2] == b"="):
                i = data.find(needle, i + 1, hi)  # part of ==, !=, <=, :=, += ...: not an `=` token
                continue
            if shape is None:
                n = root.descendant_for_byte_range(i, i + len(needle))
                if n is not None and n.type == token and n.start_byte == i and n.end_byte == i + len(needle):
                    found.append(n)
            else:
                CandidateIndex._operator_at(root, i, needle, token, shape, found)
            i = data.find(needle, i + 1, hi)

    @staticmethod
    def _operator_at(root: tree_sitter.Node, i: int, needle: bytes, token: str, shape: PNode, found: list[tree_sitter.Node]) -> None:
        """Is the token at `i` the operator of a node of the pattern's shape? Then that node is one."""
        n = root.descendant_for_byte_range(i, i + len(needle))
        if n is not None and n.type == token and n.start_byte == i and n.end_byte == i + len(needle):
            p = n.parent
            op = p.child_by_field_name("operator") if p is not None else None
            if p is not None and op is not None and op.start_byte == i and _fits(shape, p):
                found.append(p)

    def nodes(self, key: AnchorKey, within: tree_sitter.Node | None = None) -> list[tree_sitter.Node]:
        found = self._by_key.get(key, [])
        if within is None or within.parent is None:
            return found
        lo, hi = within.start_byte, within.end_byte
        return [n for n in found if lo <= n.start_byte and n.end_byte <= hi]


def candidates_around(
    root: tree_sitter.Node, data: bytes, ranges: list[tuple[int, int]], needles: list[bytes], kinds: frozenset[str]
) -> Iterator[tree_sitter.Node]:
    """The nodes of `kinds` that contain one of `needles` within `ranges`: for each place a
    needle occurs, the node there and its ancestors of those kinds (each once, inner first).
    For rules whose check promises such text (Check.candidate_text) instead of every node of
    the pattern's kind."""
    walked: set[int] = set()
    up = Ancestry(root).parent  # (Node.parent costs the node's depth: see Ancestry)
    for lo, hi in ranges:
        for needle in needles:
            i = data.find(needle, lo, hi)
            while i != -1:
                n = root.descendant_for_byte_range(i, i + len(needle))
                while n is not None and n.id not in walked:  # a walked node's ancestors were too
                    walked.add(n.id)
                    if n.type in kinds:
                        yield n
                    n = up(n)
                i = data.find(needle, i + 1, hi)


# Go's scanner makes one token of any of these followed by `=` (==, !=, <=, >=, :=, +=, ...).
_MERGES_WITH_EQ = frozenset(bytes([c]) for c in b"=!<>:+-*/%&|^")


_HOOKS: dict[AnchorKey, re.Pattern[bytes] | None] = {}


def _hook_regex(key: AnchorKey) -> re.Pattern[bytes] | None:
    """The compiled text hook of a skeleton key's shape (see Pattern.text_hook), once per key."""
    if key not in _HOOKS:
        hook = _text_hook(_SHAPES[key])
        _HOOKS[key] = re.compile(hook) if hook is not None else None
    return _HOOKS[key]


def _from_bytes(key: AnchorKey) -> bool:
    """Can the index find this key's nodes from the file's bytes (no tree walk)?"""
    kind, text = key
    if text is None:
        return False
    if kind.startswith(SKELETON):
        return kind != SKELETON and key in _SHAPES
    return True


def _fits(p: PNode, node: tree_sitter.Node) -> bool:
    """`skeleton_query(p)` evaluated in Python on one node: kinds, fields and child order,
    metavariables open (literal names are left to the full match)."""
    if node.type != p.kind:
        return False
    if p.kind in _WRAPPING_PARENTS or not p.children:
        return True
    named = [(node.field_name_for_named_child(i), c) for i, c in enumerate(node.named_children)]
    j = 0
    for fld, c in p.children:
        if c.mv is not None:
            continue
        while j < len(named) and not ((fld is None or named[j][0] == fld) and _fits(c, named[j][1])):
            j += 1
        if j == len(named):
            return False
        j += 1
    return True


_COMBINED: dict[frozenset[AnchorKey], tuple[tree_sitter.Query, dict[str, tuple[str, str | None]]]] = {}


def _combined_query(keys: frozenset[AnchorKey]) -> tuple[tree_sitter.Query, dict[str, tuple[str, str | None]]]:
    """One query for all keys. Captures map back to the key they serve; a capture of literal
    names (`t*`) is split by text afterwards."""
    got = _COMBINED.get(keys)
    if got is not None:
        return got
    texts: dict[str, set[str]] = {}
    kinds: set[str] = set()
    skeletons: set[tuple[str, str]] = set()
    for kind, text in keys:
        if kind.startswith(SKELETON) and text is not None:
            skeletons.add((kind, text))
        elif text is None:
            kinds.add(kind)
        else:
            texts.setdefault(kind, set()).add(text)
    parts: list[str] = []
    names: dict[str, tuple[str, str | None]] = {}
    for i, (kind, words) in enumerate(sorted(texts.items())):
        cap = f"t{i}"
        quoted = " ".join('"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"' for w in sorted(words))
        parts.append(f"(({kind}) @{cap} (#any-of? @{cap} {quoted}))")
        names[cap] = (kind, "")
    for i, kind in enumerate(sorted(kinds)):
        cap = f"k{i}"
        parts.append(f"({kind}) @{cap}")
        names[cap] = (kind, None)
    for i, (kind, skel) in enumerate(sorted(skeletons)):
        cap = f"s{i}"
        parts.append(f"{skel} @{cap}")
        names[cap] = (kind, skel)
    q = tree_sitter.Query(LANGUAGE, "\n".join(parts)) if parts else tree_sitter.Query(LANGUAGE, "(ERROR) @none")
    _COMBINED[keys] = (q, names)
    return q, names


def _named(node: tree_sitter.Node) -> list[tuple[str | None, tree_sitter.Node]]:
    out = []
    for i, c in enumerate(node.named_children):
        if c.type in _IGNORED:
            continue
        f = node.field_name_for_named_child(i)
        if c.type == "literal_element" and c.named_child_count == 1:
            c = c.named_children[0]
        out.append((f, c))
    return out


def _bind(p: PNode, value: object, env: Env) -> Env | None:
    assert p.mv is not None
    if p.mv == "_":
        return env
    seen = env.get(p.mv)
    if seen is not None:
        # a repeated metavariable: the same code both times (keys only computed here, rarely)
        return env if _value_key(seen) == _value_key(value) else None
    env = dict(env)
    env[p.mv] = value
    return env


def _value_key(value: object) -> str:
    if isinstance(value, tuple):
        return "\x1f".join(node_key(n) for n in value)
    return node_key(value)  # type: ignore[arg-type]


def match_node(p: PNode, node: tree_sitter.Node, env: Env) -> Env | None:
    if p.mv is not None:
        return _bind(p, node, env)
    if node.type != p.kind:
        if node.type in UNWRAP and node.named_child_count == 1:
            return match_node(p, node.named_children[0], env)
        return None
    if p.op is not None:
        opnode = node.child_by_field_name("operator")
        if opnode is None or opnode.type != p.op:
            return None
    if not p.children:
        return env if node_key(node) == p.text else None
    return _match_seq(p.children, _named(node), 0, 0, env)


def _match_seq(
    pcs: list[tuple[str | None, PNode]],
    ncs: list[tuple[str | None, tree_sitter.Node]],
    i: int,
    j: int,
    env: Env,
) -> Env | None:
    if i == len(pcs):
        return env if j == len(ncs) else None
    pf, pc = pcs[i]
    if pc.multi:
        for k in range(j, len(ncs) + 1):
            nodes = tuple(n for _, n in ncs[j:k])
            e = _bind(pc, nodes, env)
            if e is not None:
                r = _match_seq(pcs, ncs, i + 1, k, e)
                if r is not None:
                    return r
        return None
    if j >= len(ncs):
        return None
    nf, nc = ncs[j]
    if pf != nf:
        return None
    e = match_node(pc, nc, env)
    if e is None:
        return None
    return _match_seq(pcs, ncs, i + 1, j + 1, e)


def bound_nodes(env: Env, name: str) -> tuple[tree_sitter.Node, ...]:
    """The nodes bound to `name` (one for `$X`, any number for `$$$X`)."""
    v = env.get(name)
    if v is None:
        return ()
    if isinstance(v, tuple):
        return v
    return (v,)  # type: ignore[return-value]
