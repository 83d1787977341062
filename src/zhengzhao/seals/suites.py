"""The Data Integrity cryptosuites a proof can name, all built on JCS (RFC 8785).

Each suite turns an unsecured document and its proof options into signed bytes the
same way (W3C Data Integrity ECDSA Cryptosuites v1.0 section 3.3, ecdsa-jcs-2019;
Data Integrity EdDSA Cryptosuites v1.0 section 3.3, eddsa-jcs-2022):

1. The proof options are the proof's members without ``proofValue``: ``type``
   (``DataIntegrityProof``), ``cryptosuite``, ``created``, ``verificationMethod``,
   ``proofPurpose``, and ``@context`` set to the document's ``@context`` when the
   document has one.
2. ``canonicalProofConfig = JCS(proofOptions)`` and
   ``canonicalDocument = JCS(document without proof)``, both UTF-8.
3. ``hashData = H(canonicalProofConfig) || H(canonicalDocument)``, proof config first.
4. ``proofBytes = Sign(hashData)``; ``proofValue = "z" + base58btc(proofBytes)``.

========================  =======  =================================================
suite                     H        Sign
========================  =======  =================================================
ecdsa-jcs-2019            SHA-256  ECDSA P-256 over hashData with SHA-256 as its
                                   message digest (FIPS 186-5); r || s, 64 bytes
eddsa-jcs-2022            SHA-256  Pure Ed25519 over hashData (RFC 8032), 64 bytes
sm2-jcs-zhengzhao-2026    SM3      SM2 over hashData as the message M (GB/T
                                   32918.2-2016 section 6.1): e = SM3(Z || M), Z
                                   computed with ID "1234567812345678" (16 bytes,
                                   ENTL 0x0080) and the signer's public key;
                                   r || s, each 32 bytes big-endian
========================  =======  =================================================

NOTE: ``sm2-jcs-zhengzhao-2026`` is this platform's own suite, not a W3C one: the
construction of ecdsa-jcs-2019 with SM3 for H (GB/T 32905-2016) and SM2 for Sign,
so that a department bound to national algorithms can issue Data Integrity proofs.
Verifiers elsewhere will not know it. Its keys are ``sm2-pub`` Multikeys (see
`zhengzhao.seals.multikey`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes

from zhengzhao.errors import InvalidDocument, SignatureInvalid
from zhengzhao.seals import jcs
from zhengzhao.seals.algorithms import Algorithm

__all__ = [
    "ECDSA_JCS_2019",
    "EDDSA_JCS_2022",
    "SM2_JCS_ZHENGZHAO_2026",
    "Cryptosuite",
    "canonicalize",
    "suite_for_algorithm",
    "suite_named",
]


@dataclass(frozen=True, kw_only=True)
class Cryptosuite:
    """A JCS cryptosuite: its name, its key algorithm and its hash."""

    #: The ``cryptosuite`` value of a proof.
    name: str
    #: The only key algorithm the suite signs with.
    algorithm: Algorithm
    #: H in the module docstring.
    hash_algorithm: hashes.HashAlgorithm

    def hash_data(
        self, proof_options: Mapping[str, Any], document: Mapping[str, Any]
    ) -> bytes:
        """``H(JCS(proof_options)) || H(JCS(document))``: what the key signs."""
        return self._digest(canonicalize(proof_options)) + self._digest(
            canonicalize(document)
        )

    def _digest(self, data: bytes) -> bytes:
        digest = hashes.Hash(self.hash_algorithm)
        digest.update(data)
        return digest.finalize()


ECDSA_JCS_2019 = Cryptosuite(
    name="ecdsa-jcs-2019",
    algorithm=Algorithm.ECDSA_P256,
    hash_algorithm=hashes.SHA256(),
)
EDDSA_JCS_2022 = Cryptosuite(
    name="eddsa-jcs-2022",
    algorithm=Algorithm.ED25519,
    hash_algorithm=hashes.SHA256(),
)
SM2_JCS_ZHENGZHAO_2026 = Cryptosuite(
    name="sm2-jcs-zhengzhao-2026",
    algorithm=Algorithm.SM2,
    hash_algorithm=hashes.SM3(),
)

_SUITES = (ECDSA_JCS_2019, EDDSA_JCS_2022, SM2_JCS_ZHENGZHAO_2026)


def suite_for_algorithm(algorithm: Algorithm) -> Cryptosuite:
    """The suite that signs with keys of ``algorithm``."""
    return next(suite for suite in _SUITES if suite.algorithm is algorithm)


def suite_named(name: str) -> Cryptosuite:
    """The suite a proof names; raises `SignatureInvalid` for one we do not know."""
    for suite in _SUITES:
        if suite.name == name:
            return suite
    known = ", ".join(suite.name for suite in _SUITES)
    raise SignatureInvalid(
        f"cryptosuite {name!r} is not supported; this node verifies {known}"
    )


def canonicalize(value: Mapping[str, Any]) -> bytes:
    """The JCS form of a JSON object; raises `InvalidDocument` if it is not JSON.

    JCS refuses what JSON cannot carry exactly: non-string keys, NaN, integers of
    magnitude 2**53 or more, and Python values such as datetimes or bytes.
    """
    try:
        return jcs.canonicalize(value)
    except jcs.CanonicalizationError as exc:
        raise InvalidDocument(f"the document is not canonical JSON: {exc}") from exc
