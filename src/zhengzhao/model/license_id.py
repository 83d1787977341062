"""License identifiers (电子证照标识) of GB/T 36904.

``1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check>``:

- the root ``1.2.156.3005.2``, fixed by the standard;
- the type code, 21 characters: the unified social credit code of the authority
  that defines the license type and a three-digit number;
- the issuer code: the issuing department's unified social credit code;
- the serial: the issuer's own number for the license, upper-case letters and
  digits; it is often the number printed on the paper licence;
- the version: three digits, ``001`` first, one more for each re-issue;
- the check character: ISO/IEC 7064 MOD 37,36 over type code, issuer code, serial
  and version written together without dots.

The credit codes inside are read leniently (see `zhengzhao.model.credit_code`):
departments registered in the pilots keep their codes, and a license they issue
must still have an identifier. The identifier's own check character, which this
platform or a conforming one computed, is always checked.

NOTE: GB/T 36904 sets no length for the serial; this module allows 1 to 40
characters, a bound of our choosing. It holds a credit code used as a serial (18
characters) or a long printed number with room to spare, and keeps a whole
identifier within 102 characters, short enough for a database key and a QR code.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass

from zhengzhao.errors import InvalidIdentifier
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.iso7064 import ALPHANUMERIC, mod_37_36

__all__ = ["LICENSE_ID_ROOT", "LicenseIdentifier"]

LICENSE_ID_ROOT = "1.2.156.3005.2"

_PARTS = ("type code", "issuer code", "serial", "version", "check character")
_CREDIT_CODE_LENGTH = 18
_TYPE_CODE_LENGTH = _CREDIT_CODE_LENGTH + 3  # the credit code and a three-digit number
_THREE_DIGITS = re.compile(r"[0-9]{3}")  # the type number and the version
_SERIAL_LIMIT = 40  # our bound, see the module's note
_SERIAL = re.compile(rf"[0-9A-Z]{{1,{_SERIAL_LIMIT}}}")
_LAST_VERSION = 999  # three digits


@dataclass(frozen=True, kw_only=True)
class LicenseIdentifier:
    """A license identifier whose parts all conform; built only with valid parts.

    ``type_code``: the defining authority's credit code and a three-digit number.
    ``issuer_code``: the issuing department's credit code. ``serial``: the
    issuer's number for the license. ``version``: 1 for the first issue, one more
    for each re-issue. The check character is derived, see `check`.
    """

    type_code: str
    issuer_code: str
    serial: str
    version: int

    def __post_init__(self) -> None:
        _check_type_code(self.type_code)
        _check_credit_code("issuer code", self.issuer_code)
        if not _SERIAL.fullmatch(self.serial):
            raise _invalid(
                f"serial must be 1 to {_SERIAL_LIMIT} upper-case letters and digits, "
                f"got {self.serial!r}"
            )
        if not 1 <= self.version <= _LAST_VERSION:
            raise _invalid(f"version must be 001 to 999, got {self.version:03d}")

    @classmethod
    def parse(cls, text: str) -> LicenseIdentifier:
        """Check ``text`` and return its parts; raises `InvalidIdentifier`.

        Surrounding whitespace is ignored and letters read as upper-case.
        """
        value = text.strip().upper()
        if not value.startswith(LICENSE_ID_ROOT + "."):
            raise _invalid(f"must start with {LICENSE_ID_ROOT}.")
        parts = value.removeprefix(LICENSE_ID_ROOT + ".").split(".")
        if len(parts) != len(_PARTS):
            raise _invalid(
                f"must have {len(_PARTS)} parts after the root ({', '.join(_PARTS)}), "
                f"got {len(parts)}"
            )
        type_code, issuer_code, serial, version, check = parts
        if not _THREE_DIGITS.fullmatch(version):
            raise _invalid(f"version must be three digits, got {version!r}")
        identifier = cls(
            type_code=type_code,
            issuer_code=issuer_code,
            serial=serial,
            version=int(version),
        )
        if check != identifier.check:
            raise _invalid(f"check character is {check}, expected {identifier.check}")
        return identifier

    @classmethod
    def build(
        cls, *, type_code: str, issuer_code: str, serial: str, version: int = 1
    ) -> LicenseIdentifier:
        """The identifier for these parts; letters are read as upper-case."""
        return cls(
            type_code=type_code.strip().upper(),
            issuer_code=issuer_code.strip().upper(),
            serial=serial.strip().upper(),
            version=version,
        )

    @functools.cached_property
    def check(self) -> str:
        """The MOD 37,36 check character over the parts without dots."""
        return mod_37_36(
            f"{self.type_code}{self.issuer_code}{self.serial}{self.version:03d}"
        )

    @property
    def warnings(self) -> tuple[str, ...]:
        """What lenient reading forgave in the credit codes inside; usually empty."""
        codes = (
            ("type code", self.type_code[:_CREDIT_CODE_LENGTH]),
            ("issuer code", self.issuer_code),
        )
        return tuple(
            f"{label}: {warning}"
            for label, code in codes
            for warning in CreditCode.parse(code, lenient=True).warnings
        )

    def next_version(self) -> LicenseIdentifier:
        """The identifier of the next re-issue: same parts, version one higher."""
        if self.version == _LAST_VERSION:
            raise _invalid(
                f"version {_LAST_VERSION} is the last; re-issue under a new serial"
            )
        return dataclasses.replace(self, version=self.version + 1)

    def __str__(self) -> str:
        return (
            f"{LICENSE_ID_ROOT}.{self.type_code}.{self.issuer_code}.{self.serial}"
            f".{self.version:03d}.{self.check}"
        )


def _check_type_code(type_code: str) -> None:
    if len(type_code) != _TYPE_CODE_LENGTH:
        raise _invalid(
            f"type code must be {_TYPE_CODE_LENGTH} characters (a credit code and "
            f"three digits), got {len(type_code)}"
        )
    _check_credit_code("type code", type_code[:_CREDIT_CODE_LENGTH])
    if not _THREE_DIGITS.fullmatch(type_code[_CREDIT_CODE_LENGTH:]):
        raise _invalid(
            f"type code must end in three digits, got {type_code[_CREDIT_CODE_LENGTH:]}"
        )


@functools.lru_cache(maxsize=1024)
def _check_credit_code(label: str, code: str) -> None:
    # Cached: a batch builds thousands of identifiers with the same issuer and type
    # codes. A failed check raises and is not cached.
    if any(char not in ALPHANUMERIC for char in code):
        raise _invalid(f"{label} must be upper-case letters and digits, got {code!r}")
    try:
        CreditCode.parse(code, lenient=True)
    except InvalidIdentifier as exc:
        raise _invalid(f"{label} {code}: {exc.message}") from exc


def _invalid(message: str) -> InvalidIdentifier:
    return InvalidIdentifier(message, details={"kind": "license-id"})
