"""`clone`: store a copy of the piece instead of a view of the whole buffer (subslice-retained).

    cache.Store(req.ID, req.Msg[:16])   ==>   cache.Store(req.ID, bytes.Clone(req.Msg[:16]))
    byPrefix[line[:8]] = "seen"         ==>   byPrefix[strings.Clone(line[:8])] = "seen"

The expression wrapped is the one of the store that carries the piece (the `retention` check's
`Retained.stored`): the value or key itself, the variable holding the piece, or the field of a
composite literal (`entry{data: bytes.Clone(buf[:n])}`), the element of an `append`. Its type
decides between `bytes.Clone` and `strings.Clone`, as far as the package's source says (a
parameter, a struct field, a local made by `make([]byte, n)`, `io.ReadAll` or a `strings.Split`
element); unknown, a named type (`type Blob []byte`: Clone would return a plain `[]byte`) or a
list of pieces (a whole `strings.Split` result, which a copy of the list would not free): no fix.

Go versions (the module's `go` directive or `--go-version`): `bytes.Clone` needs Go 1.20 and
`strings.Clone` Go 1.18; below, or when the version is unknown, the copies are written out:
`append([]byte(nil), x...)` and `string([]byte(x))`, which need no import.

The package is imported where gofmt and goimports put it when missing (`linter.fix.imports`),
and no fix is offered when its name means something else where the edit goes (a local
`bytes := len(b)`, a parameter `strings []string`, a top-level `bytes` of the package) or it is
imported as `_` or `.`.
"""

from __future__ import annotations

from typing import Any

import tree_sitter

from linter.fix.facts import BYTES, RETAINED, STRING, Retained
from linter.fix.imports import ensure_import, full_tree, name_free
from linter.fix.model import Fix
from linter.fix.strategy import FixContext, Strategy, register

Node = tree_sitter.Node

_CLONE_SINCE = {BYTES: (1, 20), STRING: (1, 18)}
_PACKAGE = {BYTES: "bytes", STRING: "strings"}
_FUNCTIONS = ("function_declaration", "method_declaration")


@register
class CloneStrategy(Strategy):
    name = "clone"
    doc = "store a copy (bytes.Clone / strings.Clone, or append/string conversions before Go 1.20/1.18) instead of the sub-slice"
    facts = (RETAINED,)

    def propose(self, ctx: FixContext) -> Fix | None:
        r = ctx.facts.get(RETAINED)
        if not isinstance(r, Retained) or r.kind not in (BYTES, STRING):
            return None
        try:
            text = ctx.data[r.stored.start_byte : r.stored.end_byte].decode("utf-8")
        except UnicodeDecodeError:
            return None  # (a copy of the text would not be byte-exact)
        if "\n" in text:
            return None
        version = getattr(ctx.pass_, "go_version", None)
        if version is None or version < _CLONE_SINCE[r.kind]:
            if r.kind == BYTES:
                copy = f"append([]byte(nil), {text}...)"
            else:
                copy = f"string([]byte({text}))"
            why = "before Go 1.20" if r.kind == BYTES else "before Go 1.18"
            if version is None:
                why = "the module's Go version is unknown"
            return self.fix(f"store a copy: {_short(copy)} ({why})", ctx.edit(r.stored.start_byte, r.stored.end_byte, copy))
        root = _whole_tree(ctx)
        scope = _top_level_function(root, r.stored)
        if scope is None:
            return None
        got = ensure_import(ctx.data, root, _PACKAGE[r.kind])
        if got is None:
            return None
        name, import_edits = got
        sources = ctx.pass_.package.sources() if getattr(ctx.pass_, "package", None) is not None else [ctx.data]
        if not name_free(root, name, not import_edits, scope, sources):
            return None
        copy = f"{name}.Clone({text})"
        edits = [ctx.edit(a, b, t) for a, b, t in import_edits]
        added = f" (and import {_PACKAGE[r.kind]!r})" if import_edits else ""
        return self.fix(
            f"store a copy: {_short(copy)}{added}",
            ctx.edit(r.stored.start_byte, r.stored.end_byte, copy),
            *edits,
        )


def _whole_tree(ctx: FixContext) -> Node:
    """The whole file's tree (a declaration-scoped check may have parsed only some declarations),
    parsed once per file and package pass."""
    f = ctx.file
    if not getattr(f, "partial", False):
        return f.root  # type: ignore[no-any-return]
    memo: dict[Any, Any] = ctx.pass_.package.memo if getattr(ctx.pass_, "package", None) is not None else {}
    key = ("fix.whole-tree", f.path, len(f.data))
    got = memo.get(key)
    if got is None or got[0] is not f.data:
        got = (f.data, full_tree(f.data, f.root, True))
        memo[key] = got
    return got[1]  # type: ignore[no-any-return]


def _top_level_function(root: Node, node: Node) -> Node | None:
    """The top-level function or method declaration around `node`'s byte range in `root`."""
    for d in root.named_children:
        if d.type in _FUNCTIONS and d.start_byte <= node.start_byte and node.end_byte <= d.end_byte:
            return d
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
