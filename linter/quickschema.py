"""A conservative JSON-schema check for the few keywords goplumber's own schemas use, so a run
whose rules come from the cache validates them without importing jsonschema (its import alone
costs more than checking one file). It answers True only when the document certainly
validates; on False (invalid, or a keyword it does not know) the caller runs jsonschema, which
decides and words the error."""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}
_KNOWN = {
    "type",
    "enum",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "minItems",
    "minimum",
    "maximum",
    "minLength",
    "pattern",
}


def valid(obj: Any, schema: Any) -> bool:
    if not isinstance(schema, dict) or not _KNOWN.issuperset(schema):
        return False
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not all(k in _TYPES for k in kinds) or not any(_TYPES[k](obj) for k in kinds):
            return False
    if "enum" in schema and not any(obj == e and type(obj) is type(e) for e in schema["enum"]):
        return False
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj) or any(k not in obj for k in schema.get("required", ())):
            return False
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for k, v in obj.items():
            if k in props:
                if not valid(v, props[k]):
                    return False
            elif extra is False or (isinstance(extra, dict) and not valid(v, extra)):
                return False
    elif isinstance(obj, list):
        if len(obj) < schema.get("minItems", 0):
            return False
        if "items" in schema and not all(valid(v, schema["items"]) for v in obj):
            return False
    elif isinstance(obj, str):
        if len(obj) < schema.get("minLength", 0):
            return False
        if "pattern" in schema and not re.search(schema["pattern"], obj):
            return False
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        if ("minimum" in schema and obj < schema["minimum"]) or ("maximum" in schema and obj > schema["maximum"]):
            return False
    return True
