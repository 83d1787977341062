"""A license's state: its status, encumbrance, and the status codes in national use.

The national e-license system reports a license's status with two-digit codes: 01 valid,
02 detained (temporarily suspended), 03 withdrawn, 04 cancelled, 05 expired or invalid,
06 transferred out, 07 revoked, 99 other. The region's plan also names abolition,
mortgage and pledge; they get codes of their own after the national ones (08, 09, 10),
and the national codes keep their meaning.

A mortgage or pledge does not make a license invalid: it is an *encumbrance* carried
beside the status, and shown in the status code only while the license is otherwise
valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

__all__ = [
    "Encumbrance",
    "HolderKind",
    "License",
    "LicenseStatus",
    "national_status_code",
]


class HolderKind(StrEnum):
    """Whom a license type is issued to."""

    PERSON = "person"
    ORGANISATION = "organisation"


class LicenseStatus(StrEnum):
    """Where a license stands in its lifecycle."""

    VALID = "valid"
    #: Temporarily detained (暂扣); a release makes it valid again.
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    ABOLISHED = "abolished"
    EXPIRED = "expired"
    #: Replaced by a newer version after an extension or a correction.
    SUPERSEDED = "superseded"
    #: Replaced by a license for a new holder after a transfer.
    TRANSFERRED = "transferred"

    @property
    def is_terminal(self) -> bool:
        """No lifecycle event may follow a terminal status."""
        return self not in (LicenseStatus.VALID, LicenseStatus.SUSPENDED)

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH[self]


_LABELS_ZH = {
    LicenseStatus.VALID: "有效",
    LicenseStatus.SUSPENDED: "暂扣",
    LicenseStatus.REVOKED: "吊销",
    LicenseStatus.CANCELLED: "注销",
    LicenseStatus.ABOLISHED: "废止",
    LicenseStatus.EXPIRED: "过期",
    LicenseStatus.SUPERSEDED: "已换发",
    LicenseStatus.TRANSFERRED: "转出",
}


class Encumbrance(StrEnum):
    """A security interest registered against a license (real estate, vehicles)."""

    MORTGAGED = "mortgaged"
    PLEDGED = "pledged"


_NATIONAL_CODES = {
    LicenseStatus.VALID: "01",
    LicenseStatus.SUSPENDED: "02",
    LicenseStatus.CANCELLED: "04",
    LicenseStatus.EXPIRED: "05",
    LicenseStatus.SUPERSEDED: "05",
    LicenseStatus.TRANSFERRED: "06",
    LicenseStatus.REVOKED: "07",
    LicenseStatus.ABOLISHED: "08",
}
_ENCUMBRANCE_CODES = {Encumbrance.MORTGAGED: "09", Encumbrance.PLEDGED: "10"}


def national_status_code(status: LicenseStatus, encumbrance: Encumbrance | None) -> str:
    """The two-digit status code reported to the national system."""
    if status is LicenseStatus.VALID and encumbrance is not None:
        return _ENCUMBRANCE_CODES[encumbrance]
    return _NATIONAL_CODES[status]


@dataclass(frozen=True, kw_only=True)
class License:
    """One license version as the library knows it, without its signed document."""

    #: The GB/T 36904 license identifier (ZZBS).
    identifier: str
    #: The catalog code of its type (ZZLXDM) and the type version it was issued under.
    type_code: str
    type_version: int
    #: Credit code of the issuing department (ZZBFJGDM).
    issuer_code: str
    holder_kind: HolderKind
    #: The issuer's serial inside the identifier, shared by all versions of a license.
    serial: str
    #: 1 for the first issue; each extension, correction or transfer adds one.
    version: int
    #: Number printed on the paper certificate (ZZBH), when there is one.
    paper_number: str | None
    #: First and last day of validity (ZZYXQQSRQ, ZZYXQJZRQ); no last day: permanent.
    valid_from: date
    valid_until: date | None
    status: LicenseStatus
    encumbrance: Encumbrance | None
    #: Position of this license in its issuer's status lists.
    status_index: int
    #: Identifier of the version this one replaced, if any.
    supersedes: str | None
    issued_at: datetime
    updated_at: datetime

    @property
    def status_code(self) -> str:
        return national_status_code(self.status, self.encumbrance)
