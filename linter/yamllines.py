"""YAML with line numbers: a SafeLoader (no object construction) whose mappings and lists
remember the 1-based line of themselves and of each key or item, so rule and config errors can
point at what the user wrote. Duplicate keys are errors, not silently merged."""

from __future__ import annotations

import functools
from typing import Any


class LineMap(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 1
    lines: dict[Any, int]


class LineList(list):  # type: ignore[type-arg]
    line: int = 1
    lines: dict[int, int]


@functools.cache
def _loader() -> Any:
    """The loader class, built on first use: importing this module must not import yaml (a
    run whose rules come from the compiled cache never reads YAML)."""
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader (no object construction) that records 1-based line numbers."""

    def construct_map(loader: Loader, node: yaml.MappingNode) -> LineMap:
        m = LineMap()
        m.line = node.start_mark.line + 1
        m.lines = {}
        for knode, vnode in node.value:
            key = loader.construct_object(knode, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(None, None, "mapping keys must be scalars", knode.start_mark)
            if key in m:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", knode.start_mark)
            m[key] = loader.construct_object(vnode, deep=True)
            m.lines[key] = knode.start_mark.line + 1
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
