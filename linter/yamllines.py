"""YAML with line numbers: a SafeLoader (no object construction) whose mappings and lists
remember the 1-based line of themselves and of each key or item, so rule and config errors can
point at what the user wrote. Duplicate keys are errors, not silently merged.

The loader is bounded: nesting deeper than MAX_DEPTH and documents whose aliases expand to more
than MAX_NODES nodes ("billion laughs": a few lines that mean gigabytes once something walks
them) are YAML errors at the line where the limit was crossed, raised while composing, before
anything is built. An alias inside the node it names (a recursive structure) is refused too."""

from __future__ import annotations

import functools
from typing import Any

MAX_DEPTH = 64  # rule trees nest about 10 deep
MAX_NODES = 500_000  # per document, aliases counted at their expanded size; rules hold < 1,000


class LineMap(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each key, and the source text
    of each plain scalar value (`go-version: 1.30` is the number 1.3 but the text "1.30")."""

    line: int = 1
    lines: dict[Any, int]
    raw: dict[Any, str]


class LineList(list):  # type: ignore[type-arg]
    line: int = 1
    lines: dict[int, int]


@functools.cache
def _loader() -> Any:
    """The loader class, built on first use: importing this module must not import yaml (a
    run whose rules come from the compiled cache never reads YAML)."""
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader (no object construction) that records 1-based line numbers and bounds
        nesting depth and expanded size while composing."""

        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self._depth = 0
            self._expanded = 0  # nodes of the current document, aliases at their full size
            self._sizes: dict[int, int] = {}  # id(node) -> its expanded size, once composed

        def compose_document(self) -> Any:
            self._expanded, self._sizes = 0, {}
            try:
                return super().compose_document()
            finally:
                self._sizes = {}

        def compose_node(self, parent: Any, index: Any) -> Any:
            event: Any = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                target = self.anchors.get(event.anchor)
                if target is not None:
                    size = self._sizes.get(id(target))
                    if size is None:
                        raise yaml.composer.ComposerError(
                            None,
                            None,
                            f"alias *{event.anchor} refers to a node that contains it",
                            event.start_mark,  # type: ignore[arg-type]
                        )
                    self._count(size, event.start_mark)
                return super().compose_node(parent, index)
            if self._depth >= MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
            self._depth += 1
            before = self._expanded
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            self._count(1, event.start_mark)
            self._sizes[id(node)] = self._expanded - before
            return node

        def _count(self, n: int, mark: Any) -> None:
            self._expanded += n
            if self._expanded > MAX_NODES:
                raise yaml.composer.ComposerError(
                    None, None, f"document too large: more than {MAX_NODES} nodes once aliases are expanded", mark
                )

    def construct_map(loader: Loader, node: yaml.MappingNode) -> LineMap:
        m = LineMap()
        m.line = node.start_mark.line + 1
        m.lines = {}
        m.raw = {}
        for knode, vnode in node.value:
            key = loader.construct_object(knode, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(None, None, "mapping keys must be scalars", knode.start_mark)
            if key in m:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", knode.start_mark)
            m[key] = loader.construct_object(vnode, deep=True)
            m.lines[key] = knode.start_mark.line + 1
            if isinstance(vnode, yaml.ScalarNode) and vnode.style is None:
                m.raw[key] = vnode.value
        return m

    def construct_seq(loader: Loader, node: yaml.SequenceNode) -> LineList:
        lst = LineList(loader.construct_object(v, deep=True) for v in node.value)
        lst.line = node.start_mark.line + 1
        lst.lines = {i: v.start_mark.line + 1 for i, v in enumerate(node.value)}
        return lst

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_map)  # type: ignore[arg-type]
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_seq)  # type: ignore[arg-type]
    return Loader


def load(stream: Any) -> Any:
    import yaml

    return yaml.load(stream, Loader=_loader())  # noqa: S506 - a SafeLoader subclass


def load_all(text: str) -> list[Any]:
    import yaml

    return list(yaml.load_all(text, Loader=_loader()))  # noqa: S506 - a SafeLoader subclass


def line_for_path(doc: Any, path: list[Any]) -> int | None:
    """The line of the key (or list item) at `path`, so errors point at what the user wrote."""
    obj, line = doc, getattr(doc, "line", None)
    for key in path:
        lines = getattr(obj, "lines", None)
        if lines is not None and key in lines:
            line = lines[key]
        try:
            obj = obj[key]
        except (KeyError, IndexError, TypeError):
            break
    return line
