"""Adding a standard-library import where gofmt and goimports put it, for fix strategies.

`ensure_import(data, path)` answers the name to call the package by and the edits (byte ranges
of `data`, replacement text) that make the file import it:

- already imported: its name (an alias if it has one), no edit; imported as `_` or `.`: None
  (the strategy offers no fix rather than guess);
- a parenthesized import declaration: a new line in its standard-library group (specs without
  a dot in their first path element), at its sorted place, as gofmt sorts a group; no such group:
  a new group first, as goimports makes it;
- only single-line imports (`import "fmt"`): the first becomes a block with both specs, sorted
  (a third-party one in a group of its own); `import "C"` is never touched (cgo needs it alone):
  a new declaration goes after the last import;
- no import at all: `import "bytes"` after the package clause.

Inserted lines use the file's line ending. The name must also be free in the file: `name_free`
says whether an identifier of that name occurs (a local `bytes := len(b)`, a parameter
`strings []string`) other than as the package qualifier of a selector, and whether another file
of the package declares it at top level (an import of that name would clash there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import tree_sitter

from linter.parsing import parser

Node = tree_sitter.Node
RawEdit = tuple[int, int, str]


def full_tree(data: bytes, root: Node, partial: bool) -> Node:
    """The root of a whole-file parse: a file parsed declaration by declaration (see
    `SourceFile.parse` with ranges) may not hold its imports."""
    return parser().parse(data).root_node if partial else root


def _spec_path(data: bytes, spec: Node) -> str | None:
    p = spec.child_by_field_name("path")
    if p is None:
        return None
    raw = data[p.start_byte : p.end_byte].decode("utf-8", "replace")
    return raw[1:-1] if len(raw) >= 2 else None


def _spec_name(data: bytes, spec: Node) -> str | None:
    n = spec.child_by_field_name("name")
    return data[n.start_byte : n.end_byte].decode("utf-8", "replace") if n is not None else None


def is_std(path: str) -> bool:
    """goimports' test: the standard library's paths have no dot in their first element."""
    return "." not in path.split("/", 1)[0]


def _line_start(data: bytes, offset: int) -> int:
    return data.rfind(b"\n", 0, offset) + 1


def _line_end(data: bytes, offset: int) -> int:
    """The offset just past the newline ending the line holding `offset` (len(data) at the end)."""
    i = data.find(b"\n", offset)
    return len(data) if i == -1 else i + 1


def _newline(data: bytes) -> str:
    i = data.find(b"\n")
    return "\r\n" if i > 0 and data[i - 1 : i] == b"\r" else "\n"


def _comment_start(data: bytes, node: Node) -> int:
    """The start of `node`'s line, or of the `//` comment lines right above it (they belong to it)."""
    start = _line_start(data, node.start_byte)
    while start > 0:
        prev = _line_start(data, start - 1)
        if not data[prev:start].strip().startswith(b"//"):
            break
        start = prev
    return start


def _specs(decl: Node) -> list[Node]:
    specs = [c for c in decl.named_children if c.type == "import_spec"]
    for c in decl.named_children:
        if c.type == "import_spec_list":
            specs.extend(s for s in c.named_children if s.type == "import_spec")
    return specs


def _groups(data: bytes, specs: list[Node]) -> list[list[Node]]:
    """Specs of one block split where a blank line separates them (gofmt sorts each group)."""
    groups: list[list[Node]] = []
    for s in specs:
        if groups:
            lines = data[groups[-1][-1].end_byte : _comment_start(data, s)].split(b"\n")[1:-1]
            if any(not line.strip() for line in lines):
                groups.append([s])
                continue
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def ensure_import(data: bytes, root: Node, path: str) -> tuple[str, list[RawEdit]] | None:
    """(the name to use, edits adding the import if it is missing), or None (imported as `_`/`.`)."""
    default = path.rsplit("/", 1)[-1]
    decls = [c for c in root.named_children if c.type == "import_declaration"]
    for d in decls:
        for s in _specs(d):
            if _spec_path(data, s) == path:
                name = _spec_name(data, s)
                if name in ("_", "."):
                    return None
                return (name or default), []
    nl = _newline(data)
    quoted = f'"{path}"'
    blocks = [d for d in decls if any(c.type == "import_spec_list" for c in d.named_children)]
    if blocks:
        block = blocks[0]
        specs = _specs(block)
        if not specs:  # `import ()`
            lst = next(c for c in block.named_children if c.type == "import_spec_list")
            return default, [(lst.start_byte, lst.end_byte, f"({nl}\t{quoted}{nl})")]
        groups = _groups(data, specs)
        std = next((g for g in groups if all(is_std(_spec_path(data, s) or "") for s in g)), None)
        if std is None:
            first = groups[0][0]
            at = _comment_start(data, first)
            indent = _indent(data, first)
            return default, [(at, at, f"{indent}{quoted}{nl}{nl}")]
        before = [s for s in std if (_spec_path(data, s) or "") < path]
        indent = _indent(data, std[0])
        if before:
            at = _line_end(data, before[-1].end_byte)
            return default, [(at, at, f"{indent}{quoted}{nl}")]
        at = _comment_start(data, std[0])
        return default, [(at, at, f"{indent}{quoted}{nl}")]
    singles = [d for d in decls if _specs(d) and _spec_path(data, _specs(d)[0]) != "C"]
    if singles:
        d = singles[0]
        spec = _specs(d)[0]
        other = data[spec.start_byte : spec.end_byte].decode("utf-8", "replace")
        other_path = _spec_path(data, spec) or ""
        if is_std(other_path):
            lines = sorted([(path, quoted), (other_path, other)])
            body = nl.join(f"\t{text}" for _, text in lines)
        else:
            body = f"\t{quoted}{nl}{nl}\t{other}"
        return default, [(d.start_byte, d.end_byte, f"import ({nl}{body}{nl})")]
    if decls:  # only `import "C"`: a declaration of its own after the last import
        last = decls[-1]
        at = _line_end(data, last.end_byte)
        return default, [(at, at, f"{nl}import {quoted}{nl}")]
    pkg = next((c for c in root.named_children if c.type == "package_clause"), None)
    if pkg is None:
        return None
    at = _line_end(data, pkg.end_byte)
    if at == len(data) and not data.endswith(b"\n"):
        return default, [(at, at, f"{nl}{nl}import {quoted}{nl}")]
    return default, [(at, at, f"{nl}import {quoted}{nl}")]


def _indent(data: bytes, node: Node) -> str:
    start = _line_start(data, node.start_byte)
    lead = data[start : node.start_byte]
    return lead.decode("ascii", "replace") if not lead.strip(b" \t") else "\t"


_TOP_LEVEL = re.compile(rb"(?m)^(?:func|var|const|type)\s+(\w+)\b")
_BLOCK_ITEM = re.compile(rb"(?m)^\t(\w+)\b")


def name_free(root: Node, name: str, imported: bool, scope: Node, package_sources: Iterable[bytes]) -> bool:
    """Can `name` be the package's name at an edit inside `scope` (the top-level function
    holding it)? No identifier there is spelled `name` other than as the package qualifier of a
    selector (a local `bytes := len(b)` or a parameter `strings []string` shadows the package;
    when it is not imported, even a qualifier means something else of that name); and when the
    import is new, no file of the package declares `name` at top level (it would clash)."""
    want = name.encode()
    for node in _identifier_nodes_in(root, scope, want):
        if node.type in ("field_identifier", "label_name", "interpreted_string_literal_content"):
            continue
        if imported and (node.type == "package_identifier" or (node.type == "identifier" and _qualifier(node))):
            continue  # `bytes.Clone(...)`, `bytes.Buffer`: the package itself
        if node.type in ("identifier", "package_identifier", "type_identifier"):
            return False
    if imported:
        return True
    for data in package_sources:
        if want not in data:
            continue
        if any(m.group(1) == want for m in _TOP_LEVEL.finditer(data)):
            return False
        for m in _BLOCK_ITEM.finditer(data):
            if m.group(1) == want and _in_paren_block(data, m.start()):
                return False
    return True


def _identifier_nodes_in(root: Node, scope: Node, name: bytes) -> Iterable[Node]:
    data = root.text or b""
    for m in re.finditer(rb"(?<![\w.])" + re.escape(name) + rb"\b", data[scope.start_byte : scope.end_byte]):
        a, b = scope.start_byte + m.start(), scope.start_byte + m.end()
        node = root.descendant_for_byte_range(a, b)
        if node is not None and node.start_byte == a and node.end_byte == b:
            yield node


def _qualifier(node: Node) -> bool:
    """Is this identifier the operand of a selector (`bytes.Clone`)?"""
    p = node.parent
    if p is None or p.type != "selector_expression":
        return False
    operand = p.child_by_field_name("operand")
    return operand is not None and operand.id == node.id


def _in_paren_block(data: bytes, pos: int) -> bool:
    """Is the line at `pos` inside a top-level `var (`, `const (` or `type (` block?"""
    opener = max(data.rfind(b"\nvar (", 0, pos), data.rfind(b"\nconst (", 0, pos), data.rfind(b"\ntype (", 0, pos))
    if opener == -1:
        return False
    return data.find(b"\n)", opener + 1, pos) == -1
