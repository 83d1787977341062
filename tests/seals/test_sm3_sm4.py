"""SM3 and SM4 in pyca/cryptography against the standards' own examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

VECTORS = json.loads((Path(__file__).parent / "vectors" / "sm3_sm4.json").read_text())
SM3 = VECTORS["sm3"]["examples"]
SM4 = VECTORS["sm4"]


@pytest.mark.parametrize("example", SM3, ids=["abc", "abcd-times-16"])
def test_sm3_digest_matches_gbt_32905_annex_a(example: dict[str, str]) -> None:
    digest = hashes.Hash(hashes.SM3())
    digest.update(bytes.fromhex(example["message_hex"]))

    assert digest.finalize().hex() == example["digest"]


def test_sm4_encrypt_once_matches_gbt_32907_annex_a() -> None:
    encryptor = Cipher(
        algorithms.SM4(bytes.fromhex(SM4["key"])), modes.ECB()
    ).encryptor()

    assert encryptor.update(bytes.fromhex(SM4["plaintext"])).hex() == SM4["once"]


def test_sm4_encrypt_a_million_times_matches_gbt_32907_annex_a() -> None:
    # About 0.3 s here: each block is encrypted again with the same key.
    encryptor = Cipher(
        algorithms.SM4(bytes.fromhex(SM4["key"])), modes.ECB()
    ).encryptor()
    block = bytes.fromhex(SM4["plaintext"])
    for _ in range(1_000_000):
        block = encryptor.update(block)

    assert block.hex() == SM4["million_times"]
