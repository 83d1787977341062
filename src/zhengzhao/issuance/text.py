"""Printable text only: no control characters in what a license states.

A holder's name and a license's text fields are printed on the license and shown by
verifiers; a control character in them (a NUL, a newline, a C1 code, or the line and
paragraph separators U+2028 and U+2029 that end a line in JavaScript) shows as
nothing or breaks the line, and lets two licenses that read alike differ. They are
refused with `ControlCharacter`, naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from zhengzhao.errors import ControlCharacter

__all__ = ["refuse_control_characters", "refuse_control_characters_in"]

#: Unicode's control characters (general category Cc: C0, DEL and C1) and the line
#: and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def refuse_control_characters(field: str, text: str) -> None:
    """Raise `ControlCharacter` when ``text``, the value of ``field``, holds one."""
    found = _CONTROL.search(text)
    if found is None:
        return
    raise ControlCharacter(
        f"{field} holds the control character U+{ord(found.group()):04X} at"
        f" position {found.start() + 1}; names and text fields hold printable text"
        " only: remove it and send the license again",
        details={"field": field},
    )


def refuse_control_characters_in(field: str, value: Any) -> None:
    """`refuse_control_characters` for every string in ``value`` (JSON data at
    ``field``), object keys included, naming the first offending one by its path
    (``fields.owners[0].name``)."""
    if isinstance(value, str):
        refuse_control_characters(field, value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{field}.{key}"
            refuse_control_characters(path, str(key))
            refuse_control_characters_in(path, item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_control_characters_in(f"{field}[{index}]", item)
