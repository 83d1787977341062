"""Data classification levels of license fields, and masking of what may not be seen.

Every surface field of a license type carries one of four ordered levels. They follow
GB/T 43697-2024 (数据安全技术 数据分类分级规则): license data is general data (一般数据)
in the standard's sense, never core or important data on its own, and the standard's
informative Annex H grades general data further by the harm that a leak does to a
person or an organisation, as provincial public-data grading practice does with four
levels. The mapping chosen here:

- ``public`` (公开), general-data level 1: published by law anyway, such as a business
  licence's legal representative or a school's name.
- ``internal`` (内部), level 2: for government use, shared on request, such as dates,
  sex and vehicle data.
- ``sensitive`` (敏感), level 3: personal information whose leak harms the person, such
  as identity numbers, addresses and ethnicity.
- ``secret`` (高度敏感), level 4: sensitive personal information in the sense of the
  Personal Information Protection Law, art. 28, such as health, religious belief and
  financial accounts.

NOTE: the fourth level is labelled 高度敏感, not 秘密. In Chinese usage 秘密 is the
lowest grade of a state secret under the Law on Guarding State Secrets (绝密, 机密,
秘密); license data holds no state secrets, and a platform that did would have to be a
classified system. The machine value stays ``secret`` in the code and the schemas.

`mask` hides a value from a reader whose clearance is below the field's level; its
rules are described on the function.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable

__all__ = [
    "ClassificationLevel",
    "Masking",
    "Scalar",
    "disclose",
    "is_visible",
    "mask",
    "most_restrictive",
]

Scalar = str | int | float | bool | None
"""A surface value that `mask` and `disclose` accept."""


@functools.total_ordering
class ClassificationLevel(enum.Enum):
    """An ordered classification level: ``PUBLIC < INTERNAL < SENSITIVE < SECRET``."""

    PUBLIC = "public"
    INTERNAL = "internal"
    SENSITIVE = "sensitive"
    SECRET = "secret"

    @classmethod
    def parse(cls, text: str) -> ClassificationLevel:
        """The level named ``text``; raises `ValueError` for an unknown name."""
        try:
            return cls(text)
        except ValueError:
            known = ", ".join(level.value for level in cls)
            raise ValueError(
                f"unknown classification {text!r}; expected {known}"
            ) from None

    @property
    def rank(self) -> int:
        """Position in the order, 1 for ``public`` up to 4 for ``secret``."""
        return _RANKS[self]

    @property
    def label_zh(self) -> str:
        """The Chinese label shown to people."""
        return _LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        """The English label shown to people."""
        return _LABELS_EN[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, ClassificationLevel):
            return NotImplemented
        return self.rank < other.rank


_RANKS = {level: rank for rank, level in enumerate(ClassificationLevel, start=1)}
_LABELS_ZH = {
    ClassificationLevel.PUBLIC: "公开",
    ClassificationLevel.INTERNAL: "内部",
    ClassificationLevel.SENSITIVE: "敏感",
    ClassificationLevel.SECRET: "高度敏感",
}
_LABELS_EN = {
    ClassificationLevel.PUBLIC: "Public",
    ClassificationLevel.INTERNAL: "Internal",
    ClassificationLevel.SENSITIVE: "Sensitive",
    ClassificationLevel.SECRET: "Highly sensitive",
}


def is_visible(level: ClassificationLevel, *, clearance: ClassificationLevel) -> bool:
    """Whether a reader cleared up to ``clearance`` may see a field at ``level``."""
    return level <= clearance


def most_restrictive(levels: Iterable[ClassificationLevel]) -> ClassificationLevel:
    """The highest of ``levels``; ``public`` when there are none."""
    return max(levels, default=ClassificationLevel.PUBLIC)


def disclose(
    value: Scalar, *, level: ClassificationLevel, clearance: ClassificationLevel
) -> Scalar:
    """``value`` itself when the reader may see ``level``, else ``mask(value)``."""
    if is_visible(level, clearance=clearance):
        return value
    return mask(value)


class Masking(enum.Enum):
    """How `mask` hides a value: what, if anything, of it may stay readable."""

    #: By the value's shape: long identifiers keep their ends, long text its start.
    SHAPE = "shape"
    #: A person's or organisation's name: only its first character stays.
    NAME = "name"
    #: Nothing stays: an enumerated value, a date, anything whose every part tells.
    WHOLE = "whole"


# A value hidden whole shows as a fixed mark, which tells neither its characters nor
# its length: the length alone tells 汉 from 维吾尔, or a year from a full date.
_WHOLE_MASK = "***"
# An identifier keeps at most four characters at each end, and never more than a
# quarter of its length at either end, so that at least half of it stays hidden:
# 650102199001011234 -> 6501**********1234, a mobile number 13812345678 -> 13*******78.
_IDENTIFIER_KEEP_MAX = 4
_IDENTIFIER_KEEP_SHARE = 4
# Codes shorter than a mobile number are hidden whole: keeping a quarter at each end
# of them would leave fewer than seven characters hidden, few enough to try them all.
_IDENTIFIER_KEEP_FROM = 11
# Other text (addresses, free text) keeps the first third, at most six characters:
# enough to show the region of an address (新疆乌鲁木齐...), not the street or number.
# Text shorter than nine characters is hidden whole: a third of it is a word, and a
# short word (an ethnicity, an occupation, a relation) is usually the whole value.
_TEXT_KEEP_MAX = 6
_TEXT_KEEP_SHARE = 3
_TEXT_KEEP_FROM = 9
# Transliterated names are joined by a middle dot (买买提·艾力), as usual in Xinjiang;
# a masked name keeps its dots.
_NAME_SEPARATORS = frozenset("·•・")
_STAR = "*"


def mask(value: Scalar, *, masking: Masking = Masking.SHAPE) -> str:
    """``value`` with the part a reader without clearance may not see hidden.

    The rules, first match wins:

    - ``None`` and the empty string give ``""``: there is nothing to hide.
    - Numbers and booleans give ``***``: any part of them tells too much.
    - `Masking.WHOLE` gives ``***``, whatever the value.
    - `Masking.NAME` keeps the first character, the surname of a Chinese name
      (``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``: compound surnames lose their
      second character), and the dots of a transliterated name
      (``买买提·艾力`` → ``买**·**``); a name of one character gives ``***``. Only
      a name is masked so: the callers say which values are names (a holder's
      name, a field its schema marks as one).
    - An identifier (letters, digits and ``-`` only) of eleven characters or more
      keeps up to four characters at each end and always hides at least half
      (``650102199001011234`` → ``6501**********1234``); a shorter one gives
      ``***``.
    - Other text of nine characters or more keeps its first third, at most six
      characters (``新疆乌鲁木齐市天山区`` → ``新疆乌*******``); shorter text gives
      ``***``.

    A kept part is followed by one ``*`` per hidden character.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return _WHOLE_MASK
    if not value:
        return ""
    if masking is Masking.WHOLE:
        return _WHOLE_MASK
    if masking is Masking.NAME:
        return _mask_name(value)
    if _looks_like_identifier(value):
        return _mask_identifier(value)
    return _mask_text(value)


def _mask_name(value: str) -> str:
    if len(value) - sum(char in _NAME_SEPARATORS for char in value) < 2:
        return _WHOLE_MASK
    hidden = (char if char in _NAME_SEPARATORS else _STAR for char in value[1:])
    return value[0] + "".join(hidden)


def _looks_like_identifier(value: str) -> bool:
    return all(char.isascii() and (char.isalnum() or char == "-") for char in value)


def _mask_identifier(value: str) -> str:
    if len(value) < _IDENTIFIER_KEEP_FROM:
        return _WHOLE_MASK
    keep = min(_IDENTIFIER_KEEP_MAX, len(value) // _IDENTIFIER_KEEP_SHARE)
    hidden = len(value) - 2 * keep
    return value[:keep] + _STAR * hidden + value[-keep:]


def _mask_text(value: str) -> str:
    if len(value) < _TEXT_KEEP_FROM:
        return _WHOLE_MASK
    keep = min(_TEXT_KEEP_MAX, len(value) // _TEXT_KEEP_SHARE)
    return value[:keep] + _STAR * (len(value) - keep)
