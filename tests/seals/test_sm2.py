"""SM2 against the standards' examples, and against snowland-smx (pysmx).

GB/T 32918.2 annex A signs on a test curve that tongsuopy cannot load, so a small
affine-arithmetic reference below checks that example; it is slow, not constant
time, and for these tests only. tongsuopy is then held to the recommended-curve
example and cross-checked with pysmx both ways.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from pysmx.SM2 import Sign as smx_sign
from pysmx.SM2 import Verify as smx_verify
from tongsuopy.crypto import serialization
from tongsuopy.crypto.asymciphers import ec

from zhengzhao.errors import SignatureInvalid
from zhengzhao.seals import sm2
from zhengzhao.seals.algorithms import Algorithm, SigningKey, VerifyingKey

VECTORS = json.loads((Path(__file__).parent / "vectors" / "sm2.json").read_text())
TEST_CURVE = VECTORS["test_curve"]
RECOMMENDED = VECTORS["recommended_curve"]


# --- test-only reference arithmetic (GB/T 32918.1-2016 section 3.2.3) ----------


@dataclass(frozen=True)
class Curve:
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @classmethod
    def from_hex(cls, values: dict[str, str]) -> Curve:
        return cls(**{name: int(value, 16) for name, value in values.items()})

    def add(
        self, first: tuple[int, int] | None, second: tuple[int, int] | None
    ) -> tuple[int, int] | None:
        """Affine point addition; None is the point at infinity."""
        if first is None:
            return second
        if second is None:
            return first
        (x1, y1), (x2, y2) = first, second
        if x1 == x2 and (y1 + y2) % self.p == 0:
            return None
        if first == second:
            slope = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, self.p)
        else:
            slope = (y2 - y1) * pow(x2 - x1, -1, self.p)
        x3 = (slope * slope - x1 - x2) % self.p
        return x3, (slope * (x1 - x3) - y1) % self.p

    def multiply(self, k: int, point: tuple[int, int]) -> tuple[int, int] | None:
        result: tuple[int, int] | None = None
        addend: tuple[int, int] | None = point
        while k:
            if k & 1:
                result = self.add(result, addend)
            addend = self.add(addend, addend)
            k >>= 1
        return result

    @property
    def generator(self) -> tuple[int, int]:
        return self.gx, self.gy


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def z_value(curve: Curve, identifier: bytes, public: tuple[int, int]) -> bytes:
    """GB/T 32918.2-2016 section 5.5."""
    fields = (curve.a, curve.b, curve.gx, curve.gy, *public)
    entl = (8 * len(identifier)).to_bytes(2, "big")
    return sm3(entl + identifier + b"".join(f.to_bytes(32, "big") for f in fields))


def reference_sign(curve: Curve, d: int, k: int, e: int) -> tuple[int, int]:
    """GB/T 32918.2-2016 section 6.1, steps A4 to A6, with a given k."""
    point = curve.multiply(k, curve.generator)
    assert point is not None
    r = (e + point[0]) % curve.n
    s = pow(1 + d, -1, curve.n) * (k - r * d) % curve.n
    return r, s


def reference_verify(
    curve: Curve, public: tuple[int, int], e: int, r: int, s: int
) -> bool:
    """GB/T 32918.2-2016 section 7.1, steps B1 and B2 and B5 to B7."""
    if not (0 < r < curve.n and 0 < s < curve.n):
        return False
    t = (r + s) % curve.n
    if t == 0:
        return False
    point = curve.add(curve.multiply(s, curve.generator), curve.multiply(t, public))
    return point is not None and (e + point[0]) % curve.n == r


def vector_values(vector: dict[str, Any]) -> tuple[Curve, int, tuple[int, int], int]:
    curve = Curve.from_hex(vector["curve"])
    public = (int(vector["x"], 16), int(vector["y"], 16))
    return curve, int(vector["d"], 16), public, int(vector["k"], 16)


def digest_e(curve: Curve, vector: dict[str, Any], public: tuple[int, int]) -> int:
    z = z_value(curve, vector["id"].encode(), public)
    return int.from_bytes(sm3(z + vector["message"].encode()), "big")


# --- the standards' examples ---------------------------------------------------


def test_reference_annex_a_public_key_z_and_digest_match_the_standard() -> None:
    curve, d, public, _ = vector_values(TEST_CURVE)

    assert curve.multiply(d, curve.generator) == public
    z = z_value(curve, TEST_CURVE["id"].encode(), public)
    assert z.hex().upper() == TEST_CURVE["z"]
    assert digest_e(curve, TEST_CURVE, public) == int(TEST_CURVE["e"], 16)


@pytest.mark.parametrize(
    "vector", [TEST_CURVE, RECOMMENDED], ids=["test", "recommended"]
)
def test_reference_sign_with_published_k_reproduces_r_and_s(
    vector: dict[str, Any],
) -> None:
    curve, d, public, k = vector_values(vector)

    r, s = reference_sign(curve, d, k, digest_e(curve, vector, public))

    assert (r, s) == (int(vector["r"], 16), int(vector["s"], 16))
    assert reference_verify(curve, public, digest_e(curve, vector, public), r, s)


def test_reference_verify_rejects_annex_a_signature_with_s_changed() -> None:
    curve, _, public, _ = vector_values(TEST_CURVE)
    e = digest_e(curve, TEST_CURVE, public)

    assert not reference_verify(
        curve, public, e, int(TEST_CURVE["r"], 16), int(TEST_CURVE["s"], 16) + 1
    )


def recommended_signing_key() -> SigningKey:
    key = ec.derive_private_key(int(RECOMMENDED["d"], 16), ec.SM2())
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SigningKey.from_private_bytes(Algorithm.SM2, der)


def test_tongsuopy_recommended_key_derives_the_published_public_key() -> None:
    point = recommended_signing_key().public_key().public_bytes(compressed=False)

    assert point.hex().upper() == "04" + RECOMMENDED["x"] + RECOMMENDED["y"]


def test_tongsuopy_verify_accepts_the_recommended_curve_example() -> None:
    # The example signs with the default identifier, the one tongsuopy always uses.
    key = recommended_signing_key().public_key()
    signature = bytes.fromhex(RECOMMENDED["r"] + RECOMMENDED["s"])

    key.verify(signature, RECOMMENDED["message"].encode())


def test_tongsuopy_verify_rejects_the_example_for_another_message() -> None:
    key = recommended_signing_key().public_key()
    signature = bytes.fromhex(RECOMMENDED["r"] + RECOMMENDED["s"])

    with pytest.raises(SignatureInvalid, match="does not match"):
        key.verify(signature, b"message digesT")


def test_pysmx_sign_with_published_k_reproduces_the_recommended_example() -> None:
    signature = smx_sign(
        RECOMMENDED["message"].encode(),
        RECOMMENDED["d"],
        RECOMMENDED["k"],
        64,
        uid=RECOMMENDED["id"],
    )

    assert signature.hex().upper() == RECOMMENDED["r"] + RECOMMENDED["s"]


# --- cross-checks with snowland-smx on fresh keys ------------------------------


def public_xy(key: VerifyingKey) -> bytes:
    return key.public_bytes(compressed=False)[1:]


@pytest.mark.parametrize("message", [b"", b"abc", bytes(range(256)) * 5])
def test_sm2_signature_verifies_with_pysmx_and_default_id(message: bytes) -> None:
    key = SigningKey.generate(Algorithm.SM2)

    signature = key.sign(message)

    assert smx_verify(
        signature,
        message,
        public_xy(key.public_key()),
        64,
        uid=sm2.DEFAULT_DISTINGUISHING_ID,
    )


def test_sm2_signature_does_not_verify_with_pysmx_under_another_id() -> None:
    # Shows the identifier enters through Z: the same signature fails for another ID
    # and for a bare SM3(M) digest without Z.
    key = SigningKey.generate(Algorithm.SM2)
    signature = key.sign(b"abc")
    xy = public_xy(key.public_key())

    assert not smx_verify(signature, b"abc", xy, 64, uid=b"ALICE123@YAHOO.COM")
    assert not smx_verify(signature, sm3(b"abc").hex(), xy, 64, Hexstr=1)


@pytest.mark.parametrize("message", [b"", b"abc", bytes(range(256)) * 5])
def test_pysmx_signature_verifies_with_tongsuopy(message: bytes) -> None:
    key = SigningKey.generate(Algorithm.SM2)
    d = recommended_scalar(key)
    nonce = f"{secrets.randbelow(sm2.CURVE_ORDER - 1) + 1:064x}"

    signature = smx_sign(message, d, nonce, 64, uid=sm2.DEFAULT_DISTINGUISHING_ID)

    key.public_key().verify(signature, message)


def recommended_scalar(key: SigningKey) -> str:
    loaded = serialization.load_der_private_key(key.private_bytes(), None)
    return f"{loaded.private_numbers().private_value:064x}"


# --- malformed input ------------------------------------------------------------


@pytest.mark.parametrize(
    ("r", "s"),
    [
        (0, 1),
        (1, 0),
        (sm2.CURVE_ORDER, 1),
        (1, sm2.CURVE_ORDER),
        (2**256 - 1, 2**256 - 1),
    ],
    ids=["r-zero", "s-zero", "r-is-n", "s-is-n", "all-ones"],
)
def test_sm2_verify_out_of_range_r_or_s_raises_signature_invalid(
    r: int, s: int
) -> None:
    key = SigningKey.generate(Algorithm.SM2).public_key()

    with pytest.raises(SignatureInvalid, match="out of range"):
        key.verify(r.to_bytes(32, "big") + s.to_bytes(32, "big"), b"abc")
