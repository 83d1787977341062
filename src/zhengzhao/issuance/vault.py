"""Personal data at rest: encrypted holder identifiers, documents, and a blind index.

A copy of the database alone reveals no ID numbers: identifiers and the signed documents
that carry them are AES-256-GCM ciphertext bound to their license (the license
identifier is the associated data, so a ciphertext cannot be moved to another row), and
a holder's licenses are found through an HMAC-SHA256 of the identifier under a key that
never leaves the node's configuration.

A license's ciphertext that does not open (changed, or moved from another row) raises
`StoredRecordDamaged`, which the API answers with 503 `stored-record-damaged`.
"""

from __future__ import annotations

import hashlib
import hmac
import zlib

from zhengzhao.config import MasterKeys
from zhengzhao.errors import CryptoError, StoredRecordDamaged
from zhengzhao.model.license import HolderKind
from zhengzhao.seals.aead import open_bytes, seal_bytes

__all__ = ["HolderVault"]


class HolderVault:
    """Encrypts and indexes what identifies a holder."""

    def __init__(self, keys: MasterKeys) -> None:
        self._encryption_key = keys.holder_encryption
        self._index_key = keys.blind_index

    def index(self, kind: HolderKind, identifier: str) -> str:
        """The blind index of a holder: the same holder always gets the same value."""
        message = f"{kind.value}:{identifier}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    def seal_identifier(self, identifier: str, *, license_identifier: str) -> bytes:
        return seal_bytes(
            self._encryption_key,
            identifier.encode(),
            aad=f"holder:{license_identifier}".encode(),
        )

    def open_identifier(self, blob: bytes, *, license_identifier: str) -> str:
        """Raises `StoredRecordDamaged` when ``blob`` is not this license's."""
        try:
            return open_bytes(
                self._encryption_key, blob, aad=f"holder:{license_identifier}".encode()
            ).decode()
        except (CryptoError, UnicodeDecodeError) as exc:
            raise _damaged("holder identifier", license_identifier) from exc

    def seal_text(self, text: str, *, context: str) -> bytes:
        """``text`` (a holder's identifier and name, say) sealed to one row:
        ``context`` names the row (``authorization:au_...``) and is authenticated."""
        return seal_bytes(
            self._encryption_key, text.encode(), aad=f"text:{context}".encode()
        )

    def open_text(self, blob: bytes, *, context: str) -> str:
        return open_bytes(
            self._encryption_key, blob, aad=f"text:{context}".encode()
        ).decode()

    def seal_document(self, document: str, *, license_identifier: str) -> bytes:
        return seal_bytes(
            self._encryption_key,
            zlib.compress(document.encode()),
            aad=f"document:{license_identifier}".encode(),
        )

    def open_document(self, blob: bytes, *, license_identifier: str) -> str:
        """Raises `StoredRecordDamaged` when ``blob`` is not this license's."""
        try:
            plain = open_bytes(
                self._encryption_key,
                blob,
                aad=f"document:{license_identifier}".encode(),
            )
            return zlib.decompress(plain).decode()
        except (CryptoError, zlib.error, UnicodeDecodeError) as exc:
            raise _damaged("credential", license_identifier) from exc


def _damaged(what: str, license_identifier: str) -> StoredRecordDamaged:
    return StoredRecordDamaged(
        f"the stored {what} of license {license_identifier} does not open with the"
        " node's master key: it was changed, or moved from another license, in the"
        " database (or the node runs with another master key). The node cannot serve"
        " it; the operator should run `zhengzhao log audit`, which names every such"
        " license, and restore the rows from a backup",
        details={"license": license_identifier},
    )
