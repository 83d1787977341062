"""Department signing keys as the node records them, and their validity windows.

A department has one active key at a time. Rotation retires the active key (it stays
valid for verifying what it signed, inside its window) and starts a new one. A key
marked compromised stops being trusted for anything signed after the moment of
compromise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "KeyRecord",
    "KeyState",
    "department_url",
    "trusted_at",
    "verification_method_id",
]


class KeyState(StrEnum):
    #: Signs new documents.
    ACTIVE = "active"
    #: Replaced by a newer key; still verifies what it signed inside its window.
    RETIRED = "retired"
    #: Known to be exposed; nothing it signed after `compromised_at` is trusted.
    COMPROMISED = "compromised"


@dataclass(frozen=True, kw_only=True)
class KeyRecord:
    """One signing key of a department."""

    id: int
    department_id: int
    #: Credit code of the department that controls the key.
    department_code: str
    #: 1 for the department's first key, then one more per rotation.
    sequence: int
    #: One of `zhengzhao.seals.algorithms.Algorithm`'s values.
    algorithm: str
    #: Public key bytes in the algorithm's compact form.
    public_key: bytes
    #: AES-GCM-wrapped private key; None when the key lives in an HSM.
    wrapped_private_key: bytes | None
    #: The window in which the key may sign: from, and until (None: still open).
    valid_from: datetime
    valid_until: datetime | None
    state: KeyState
    compromised_at: datetime | None = None

    def trusted_at(self, moment: datetime) -> bool:
        """Whether a signature made at ``moment`` by this key is to be trusted."""
        return trusted_at(
            moment,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            compromised_at=self.compromised_at,
        )


def trusted_at(
    moment: datetime,
    *,
    valid_from: datetime,
    valid_until: datetime | None,
    compromised_at: datetime | None,
) -> bool:
    """Whether a key with this window trusts a signature made at ``moment``."""
    if moment < valid_from:
        return False
    if valid_until is not None and moment >= valid_until:
        return False
    return not (compromised_at is not None and moment >= compromised_at)


def department_url(base_url: str, credit_code: str) -> str:
    """The URL that identifies a department as an issuer and a key controller."""
    return f"{base_url}/v1/departments/{credit_code}"


def verification_method_id(base_url: str, credit_code: str, sequence: int) -> str:
    """The verification method id of a department's key number ``sequence``."""
    return f"{department_url(base_url, credit_code)}#key-{sequence}"
