"""Versioned AES-256-GCM for secrets at rest (NIST SP 800-38D).

A sealed blob is ``version (1 byte) || nonce (12 bytes) || ciphertext || tag (16
bytes)``. The version byte is authenticated along with the caller's associated data,
so a blob cannot be read under another version's rules, and data sealed for one row
or purpose cannot be opened for another.

Nonces are 96 random bits. NOTE: SP 800-38D section 8.3 allows at most 2**32 random
nonces under one key; a node that seals more than that under one key must rotate it.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from zhengzhao.errors import ConfigurationError, CryptoError

__all__ = ["FORMAT_VERSION", "open_bytes", "seal_bytes"]

#: The layout described in the module docstring.
FORMAT_VERSION = 1

#: AES-256 key bytes.
_KEY_SIZE = 32
#: 96-bit nonce, the size GCM is defined for without hashing (SP 800-38D 8.2).
_NONCE_SIZE = 12
#: Full 128-bit tag (SP 800-38D 5.2.1.2).
_TAG_SIZE = 16
_HEADER = bytes([FORMAT_VERSION])


def seal_bytes(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt ``plaintext`` under ``key``, bound to the associated data ``aad``."""
    nonce = os.urandom(_NONCE_SIZE)
    ciphertext = _cipher(key).encrypt(nonce, plaintext, _HEADER + aad)
    return _HEADER + nonce + ciphertext


def open_bytes(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt a `seal_bytes` blob that was sealed with the same ``aad``.

    Raises `CryptoError` (code ``decryption-failed``) if the key is not the one the
    blob was sealed with, the blob was altered, or ``aad`` differs; raises
    `ConfigurationError` if ``key`` is not 32 bytes.
    """
    if len(blob) < 1 + _NONCE_SIZE + _TAG_SIZE or blob[0] != FORMAT_VERSION:
        raise CryptoError(
            f"not a sealed blob of format version {FORMAT_VERSION}: it is"
            f" {len(blob)} bytes and starts with {blob[:1].hex() or 'nothing'}",
            code="decryption-failed",
        )
    nonce, ciphertext = blob[1 : 1 + _NONCE_SIZE], blob[1 + _NONCE_SIZE :]
    try:
        return _cipher(key).decrypt(nonce, ciphertext, _HEADER + aad)
    except InvalidTag as exc:
        raise CryptoError(
            "cannot decrypt the sealed data: the key is not the one it was sealed"
            " with (has the master key changed?), or the data was altered or belongs"
            " to another record",
            code="decryption-failed",
        ) from exc


def _cipher(key: bytes) -> AESGCM:
    if len(key) != _KEY_SIZE:
        raise ConfigurationError(
            f"an AES-256-GCM key is {_KEY_SIZE} bytes; got {len(key)} bytes"
        )
    return AESGCM(key)
