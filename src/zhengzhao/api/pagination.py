"""Opaque cursors for paginated listings."""

from __future__ import annotations

import base64

from zhengzhao.errors import InvalidRequest

__all__ = ["decode_cursor", "encode_cursor"]

_PREFIX = "c1:"


def encode_cursor(position: int | None) -> str | None:
    if position is None:
        return None
    return (
        base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode().rstrip("=")
    )


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor stands for; 0 (the start) for no cursor."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        return int(text[len(_PREFIX) :])
    except ValueError as exc:
        raise InvalidRequest("the cursor is not one this API returned") from exc
