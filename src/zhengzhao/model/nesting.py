"""How deeply a JSON value nests, measured without recursion.

Free JSON from outside (a license's surface fields, a type's schema, a pasted
document) is refused beyond a fixed depth. The platform's own documents nest about a
dozen levels; Python's recursive tools give out far beyond that but at different
depths (pydantic's serializer at 255 levels, the standard library's encoder at the
interpreter's recursion limit of about 1000), and each failure would surface as a
server error instead of an answer about the input.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_DEPTH", "MAX_DOCUMENT_DEPTH", "nesting_depth", "too_deep"]

#: Levels of objects and arrays allowed in free JSON a caller sends: surface fields
#: of a license, a type's JSON Schema and validity rule.
MAX_DEPTH = 32

#: Levels allowed in a whole document that carries such JSON a few levels down (a
#: credential's fields sit three levels deep).
MAX_DOCUMENT_DEPTH = MAX_DEPTH + 16


def nesting_depth(value: Any, *, limit: int) -> int:
    """Levels of objects and arrays in ``value`` (0 for a scalar), counted no
    further than ``limit + 1``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def too_deep(value: Any, *, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` levels of objects and arrays."""
    return nesting_depth(value, limit=limit) > limit
