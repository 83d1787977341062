"""Verifying a license credential, with a report a person can read.

`verify_license` runs seven checks and returns a `VerificationReport` with one field
per check and a bottom line:

- ``format``: the document is a Zhengzhao license credential with a well-formed
  GB/T 36904 identifier;
- ``proof``: its Data Integrity proof verifies;
- ``issuer_key``: the signing key is on the trust list, belongs to the issuer the
  credential names three times over (``issuer.id``, ``issuer.creditCode`` and the
  issuer code inside the license identifier), and was valid (and not compromised)
  when the proof was made;
- ``library``: the issuing node's library holds exactly this credential, by its
  canonical hash (see `LibraryEntry`); only the issuing node can tell, so it checks
  this for its own licenses and every other verifier leaves it not checked;
- ``status``: neither the issuer's revocation list nor its suspension list flags it,
  and each list is in force: a list past its ``validUntil`` (with `CLOCK_SKEW` of
  grace) says nothing about the status now;
- ``validity_window``: the time of checking lies between ``validFrom`` and
  ``validUntil``;
- ``transparency``: the license's log proof (see `zhengzhao.translog.proofs`) shows
  that the issuing node's log holds the issuance of exactly this credential, under a
  checkpoint signed by the log key on the trust list.

A report whose transparency check passed also carries the license's ``log``
position: the issued leaf's index, the tree size, the signed checkpoint and the
leaf's inclusion proof.

The verdict is ``valid`` when every check passed, ``invalid`` when any failed, and
``indeterminate`` when none failed but one could not be made (no status list at hand,
say, or only an expired one). The transparency check counts only when a log proof
is given: a license checked within the log's merge delay, or handed over without its
proof, has none, and is judged on the others; the library check counts only when the
issuing node makes it. Where the status lists come from is the caller's choice:
files, the issuing node over HTTP, or the node's own database.

The issuer name a report shows is the trust list's name for the key's department,
never the name the document claims. The trust list does not say which license types
a department may issue: a department's genuine key signing a type it is not
responsible for passes here, and the report names that department as the issuer.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from zhengzhao.errors import (
    InvalidDocument,
    InvalidIdentifier,
    NotFound,
    SignatureInvalid,
    ZhengzhaoError,
)
from zhengzhao.issuance.credential import (
    CREDENTIAL_TYPE,
    canonical_json,
    document_hash,
)
from zhengzhao.model.license_id import LicenseIdentifier
from zhengzhao.model.nesting import MAX_DOCUMENT_DEPTH, too_deep
from zhengzhao.model.time import to_rfc3339
from zhengzhao.seals.algorithms import VerifyingKey
from zhengzhao.seals.proofs import VerifiedProof, verify_proof
from zhengzhao.translog.proofs import check_license_proof
from zhengzhao.verify.status_list import (
    StatusListEntry,
    StatusPurpose,
    bit_is_set,
    decode_bitstring,
)
from zhengzhao.verify.trust_list import TrustedKey, TrustList

__all__ = [
    "Check",
    "LibraryEntry",
    "LogPosition",
    "Outcome",
    "StatusListSource",
    "Verdict",
    "VerificationReport",
    "verify_license",
]

#: How far the verifier's clock may differ from the signer's: a proof's `created`
#: may lie this far ahead of it, and a status list is taken this long after its
#: ``validUntil``.
CLOCK_SKEW = timedelta(minutes=5)


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not-checked"


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    INDETERMINATE = "indeterminate"


@dataclass(frozen=True)
class Check:
    """The result of one check and a sentence saying why."""

    outcome: Outcome
    detail: str


@dataclass(frozen=True, kw_only=True)
class LogPosition:
    """Where a verified log proof puts the license's issuance in the node's log."""

    #: Leaf index of the license's `issued` event.
    index: int
    #: Size of the tree the proof leads to, which the checkpoint signs.
    tree_size: int
    #: The signed checkpoint note (C2SP tlog-checkpoint), as the proof carried it.
    checkpoint: str
    #: The `issued` leaf's inclusion proof: base64 hashes, leaf to root.
    inclusion_proof: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "treeSize": self.tree_size,
            "checkpoint": self.checkpoint,
            "inclusionProof": list(self.inclusion_proof),
        }


@dataclass(frozen=True, kw_only=True)
class LibraryEntry:
    """What the issuing node's own library holds under a license identifier."""

    #: The license identifier looked up.
    identifier: str
    #: SHA-256 (hex) of the stored credential's canonical JSON (RFC 8785), the hash
    #: its `issued` event and log leaf commit to; None when the library holds no
    #: license under the identifier (or only a damaged one).
    document_hash: str | None
    #: The library holds a record under the identifier that does not open with the
    #: node's master key: it was changed in the database.
    damaged: bool = False


class StatusListSource(Protocol):
    """Where status list credentials come from."""

    def status_list(self, url: str) -> dict[str, Any]:
        """The status list credential published at ``url``; raises `NotFound`."""
        ...


@dataclass(frozen=True, kw_only=True)
class VerificationReport:
    """Everything a verification found, with one bottom line."""

    verdict: Verdict
    #: One sentence for a person: the verdict and the main reason.
    summary: str
    checked_at: datetime
    #: What the credential claims to be, for display; None where unreadable.
    license_identifier: str | None
    license_name: str | None
    #: The issuer's name as the trust list knows it; None unless the signing key
    #: was found to be the issuer's own.
    issuer_name: str | None
    holder_name: str | None
    format: Check
    proof: Check
    issuer_key: Check
    library: Check
    status: Check
    validity_window: Check
    transparency: Check
    #: The license's position in the node's log, when a log proof was given and
    #: passed the transparency check; None otherwise.
    log: LogPosition | None = None

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["checked_at"] = to_rfc3339(self.checked_at)
        for name in _CHECKS:
            data[name] = {
                "outcome": data[name]["outcome"].value,
                "detail": data[name]["detail"],
            }
        data["log"] = None if self.log is None else self.log.to_json()
        return {_camel(key): value for key, value in data.items()}


_CHECKS = (
    "format",
    "proof",
    "issuer_key",
    "library",
    "status",
    "validity_window",
    "transparency",
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def verify_license(
    document: Any,
    *,
    trust_list: TrustList,
    status_lists: StatusListSource | None,
    now: datetime,
    log_proof: Any = None,
    library: LibraryEntry | None = None,
) -> VerificationReport:
    """Check ``document`` against ``trust_list`` and the status lists at ``now``,
    its inclusion in the issuer's log when ``log_proof`` is given, and that it is
    the credential the issuing node stores when that node gives its ``library``
    entry for the license."""
    skipped = Check(Outcome.NOT_CHECKED, "not checked: an earlier check failed")
    facts = _facts(document)
    checks: dict[str, Check] = dict.fromkeys(_CHECKS, skipped)

    checks["format"] = _check_format(document)
    if checks["format"].outcome is Outcome.PASSED:
        checks["proof"], proof = _check_proof(document, trust_list)
        if proof is not None:
            key = trust_list.key(proof.verification_method)
            checks["issuer_key"] = _check_issuer_key(document, key, proof, now)
            if _issuer_mismatch(document, key) is None:
                facts["issuer_name"] = key.controller_name or key.controller_code
        checks["library"] = _check_library(document, library)
        checks["status"] = _check_status(document, trust_list, status_lists, now)
        checks["validity_window"] = _check_window(document, now)
        checks["transparency"], position = _check_transparency(
            document, trust_list, log_proof
        )
        return _report(checks, facts, now, position)
    return _report(checks, facts, now, None)


def _facts(document: Any) -> dict[str, str | None]:
    def dig(*path: str) -> str | None:
        value = document
        for part in path:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value if isinstance(value, str) else None

    return {
        "license_identifier": dig("credentialSubject", "license", "identifier"),
        "license_name": dig("name"),
        "issuer_name": None,  # from the trust list, once the key is the issuer's
        "holder_name": dig("credentialSubject", "holder", "name"),
    }


def _check_format(document: Any) -> Check:
    if not isinstance(document, dict):
        return Check(Outcome.FAILED, "the document is not a JSON object")
    if too_deep(document, limit=MAX_DOCUMENT_DEPTH):
        return Check(
            Outcome.FAILED,
            f"the document nests more than {MAX_DOCUMENT_DEPTH} levels of objects and"
            " arrays, which no license does",
        )
    types = document.get("type")
    if not isinstance(types, list) or CREDENTIAL_TYPE not in types:
        return Check(
            Outcome.FAILED, f"the document is not an {CREDENTIAL_TYPE} credential"
        )
    for field in ("issuer", "validFrom", "credentialSubject", "proof"):
        if field not in document:
            return Check(Outcome.FAILED, f"the credential has no `{field}`")
    identifier = _facts(document)["license_identifier"]
    if identifier is None:
        return Check(Outcome.FAILED, "the credential names no license identifier")
    try:
        LicenseIdentifier.parse(identifier)
    except InvalidIdentifier as exc:
        return Check(Outcome.FAILED, f"license identifier {identifier}: {exc.message}")
    return Check(Outcome.PASSED, "a license credential with a well-formed identifier")


def _public_key(trust_list: TrustList) -> Callable[[str], VerifyingKey]:
    return lambda method_id: trust_list.key(method_id).public_key


def _check_proof(
    document: dict[str, Any], trust_list: TrustList
) -> tuple[Check, VerifiedProof | None]:
    try:
        proof = verify_proof(document, resolve_key=_public_key(trust_list))
    except NotFound as exc:
        return Check(Outcome.FAILED, f"{exc.message}: the signer is not trusted"), None
    except (SignatureInvalid, InvalidDocument) as exc:
        return Check(Outcome.FAILED, exc.message), None
    return Check(
        Outcome.PASSED, f"signature by {proof.verification_method} verifies"
    ), proof


def _issuer_mismatch(document: dict[str, Any], key: TrustedKey) -> str | None:
    """Why ``key`` may not sign for the issuer ``document`` names; None if it may.

    The key's department must be the issuer by URL (``issuer.id``), by credit code
    (``issuer.creditCode``) and by the issuer code inside the license identifier:
    a department's key re-signing another department's license fails here even
    though its signature verifies.
    """
    issuer = document.get("issuer")
    url = issuer.get("id") if isinstance(issuer, dict) else issuer
    code = issuer.get("creditCode") if isinstance(issuer, dict) else None
    owner = f"{key.controller_name or key.controller_code} ({key.controller_code})"
    if key.controller != url:
        return f"key {key.id} belongs to {owner}, not to the issuer {url}"
    if key.controller_code != code:
        return (
            f"key {key.id} belongs to {owner}, but the credential names issuer"
            f" credit code {code}"
        )
    in_identifier = _license_issuer_code(document)
    if key.controller_code != in_identifier:
        return (
            f"key {key.id} belongs to {owner}, but the license identifier names"
            f" issuer {in_identifier}"
        )
    return None


def _license_issuer_code(document: dict[str, Any]) -> str:
    """The issuer code inside the identifier of a document that passed `format`."""
    identifier = _facts(document)["license_identifier"]
    assert identifier is not None
    return LicenseIdentifier.parse(identifier).issuer_code


def _check_issuer_key(
    document: dict[str, Any], key: TrustedKey, proof: VerifiedProof, now: datetime
) -> Check:
    mismatch = _issuer_mismatch(document, key)
    if mismatch is not None:
        return Check(Outcome.FAILED, mismatch)
    if proof.created is None:
        return Check(Outcome.FAILED, "the proof does not say when it was made")
    if proof.created > now + CLOCK_SKEW:
        return Check(
            Outcome.FAILED,
            f"the proof claims a future time {to_rfc3339(proof.created)}",
        )
    if not key.trusted_at(proof.created):
        return Check(
            Outcome.FAILED,
            f"key {key.id} was not valid at {to_rfc3339(proof.created)} when it signed"
            f" (window from {to_rfc3339(key.valid_from)}"
            + (f" until {to_rfc3339(key.valid_until)}" if key.valid_until else "")
            + (
                f"; compromised {to_rfc3339(key.compromised_at)}"
                if key.compromised_at
                else ""
            )
            + ")",
        )
    return Check(
        Outcome.PASSED,
        f"key of {key.controller_name or key.controller_code}, valid when it signed on"
        f" {to_rfc3339(proof.created)}",
    )


def _check_library(document: dict[str, Any], library: LibraryEntry | None) -> Check:
    if library is None:
        return Check(
            Outcome.NOT_CHECKED,
            "only the issuing node can tell whether its library holds this license",
        )
    if library.damaged:
        return Check(
            Outcome.FAILED,
            f"not-in-library: the issuing node's record of license"
            f" {library.identifier} does not open (it was changed in the database),"
            " so the node cannot confirm the license; its operator must restore it",
        )
    if library.document_hash is None:
        return Check(
            Outcome.FAILED,
            f"not-in-library: the issuing node's library holds no license"
            f" {library.identifier}; the node never issued it",
        )
    try:
        presented = document_hash(canonical_json(document))
    except (TypeError, ValueError):
        presented = None
    if presented != library.document_hash:
        return Check(
            Outcome.FAILED,
            f"not-in-library: the issuing node issued license {library.identifier}"
            " as another credential; this one was changed or made elsewhere",
        )
    return Check(
        Outcome.PASSED, "exactly the credential the issuing node's library holds"
    )


def _check_status(
    document: dict[str, Any],
    trust_list: TrustList,
    source: StatusListSource | None,
    now: datetime,
) -> Check:
    raw = document.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw] if raw else []
    if not entries:
        return Check(Outcome.FAILED, "the credential has no credentialStatus")
    if source is None:
        return Check(
            Outcome.NOT_CHECKED, "no status list was given, so the status is unknown"
        )
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    issuer_code = _license_issuer_code(document)
    as_of = []
    for raw_entry in entries:
        try:
            entry = StatusListEntry.from_json(raw_entry)
            flagged, valid_from = _read_status(
                entry, (issuer_id, issuer_code), trust_list, source, now
            )
        except NotFound as exc:
            return Check(Outcome.NOT_CHECKED, f"status unknown: {exc.message}")
        except ZhengzhaoError as exc:
            return Check(Outcome.FAILED, f"status list unusable: {exc.message}")
        if flagged:
            what = (
                "revoked or ended"
                if entry.purpose is StatusPurpose.REVOCATION
                else "suspended"
            )
            return Check(
                Outcome.FAILED, f"the issuer's {entry.purpose} list marks it {what}"
            )
        as_of.append(valid_from)
    return Check(
        Outcome.PASSED, f"neither revoked nor suspended (lists as of {min(as_of)})"
    )


def _read_status(
    entry: StatusListEntry,
    issuer: tuple[Any, str],
    trust_list: TrustList,
    source: StatusListSource,
    now: datetime,
) -> tuple[bool, str]:
    """Whether the list at ``entry`` flags the license, and the list's date.

    ``issuer`` is the license's issuer: its URL and the issuer code inside its
    identifier; the list must be that department's, signed with its key, and in
    force at ``now``. Raises `NotFound` for a list past its ``validUntil``: it
    cannot confirm the status now.
    """
    credential = source.status_list(entry.list_url)
    if credential.get("id") != entry.list_url:
        raise InvalidDocument(f"the list at {entry.list_url} names itself otherwise")
    if credential.get("issuer") != issuer[0]:
        raise InvalidDocument("the status list was not issued by the license's issuer")
    bits, valid_from, valid_until = _VERIFIED_LISTS.get(
        credential, entry, issuer[1], trust_list
    )
    if valid_until is not None and now > valid_until + CLOCK_SKEW:
        raise NotFound(
            f"the {entry.purpose} list at {entry.list_url} was valid until"
            f" {to_rfc3339(valid_until)}, before {to_rfc3339(now)}; fetch the"
            " issuer's current list"
        )
    return bit_is_set(bits, entry.index), valid_from


#: A verified list's bitstring, its ``validFrom`` as written, and its ``validUntil``.
_ListContent = tuple[bytes, str, datetime | None]


def _verify_status_list(
    credential: dict[str, Any],
    entry: StatusListEntry,
    issuer_code: str,
    trust_list: TrustList,
) -> _ListContent:
    """The bitstring of a status list credential whose proof and signer check out
    (a key of the department with credit code ``issuer_code``), its ``validFrom``
    and its ``validUntil``."""
    try:
        proof = verify_proof(credential, resolve_key=_public_key(trust_list))
    except NotFound as exc:
        raise SignatureInvalid(
            f"status list signed by an unknown key: {exc.message}"
        ) from exc
    key = trust_list.key(proof.verification_method)
    if key.controller != credential.get("issuer") or key.controller_code != issuer_code:
        raise SignatureInvalid("the status list is signed by another department's key")
    if proof.created is None or not key.trusted_at(proof.created):
        raise SignatureInvalid(
            f"the status list was signed by key {key.id} outside its valid window"
        )
    subject = credential.get("credentialSubject", {})
    if subject.get("statusPurpose") != entry.purpose.value:
        raise InvalidDocument(
            f"the list at {entry.list_url} is not a {entry.purpose} list"
        )
    bits = decode_bitstring(str(subject.get("encodedList", "")))
    try:
        valid_until = (
            _parse_time(credential["validUntil"])
            if "validUntil" in credential
            else None
        )
    except (TypeError, ValueError) as exc:
        raise InvalidDocument(
            f"the list at {entry.list_url} has a validUntil that is no timestamp"
        ) from exc
    return bits, str(credential.get("validFrom")), valid_until


class _VerifiedStatusLists:
    """Status lists whose proofs verified, remembered by their exact content.

    Thousands of licenses share one list; verifying its proof once per content (and
    per trusted key) instead of once per license keeps verification close to the cost
    of the license's own signature. A list whose content changes is a new entry.
    """

    #: Distinct list contents kept; a node with a few hundred issuers fits.
    SIZE = 1024

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, ...], _ListContent] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        credential: dict[str, Any],
        entry: StatusListEntry,
        issuer_code: str,
        trust_list: TrustList,
    ) -> _ListContent:
        proof = credential.get("proof")
        method = proof.get("verificationMethod") if isinstance(proof, dict) else None
        try:
            key = trust_list.key(str(method))
        except NotFound:
            return _verify_status_list(credential, entry, issuer_code, trust_list)
        cache_key = (
            json.dumps(credential, sort_keys=True),
            entry.purpose.value,
            issuer_code,
            key.id,
            key.controller,
            key.controller_code,
            key.public_key.public_bytes().hex(),
            key.state.value,
            str(key.valid_until),
            str(key.compromised_at),
        )
        with self._lock:
            found = self._entries.get(cache_key)
            if found is not None:
                self._entries.move_to_end(cache_key)
                return found
        verified = _verify_status_list(credential, entry, issuer_code, trust_list)
        with self._lock:
            self._entries[cache_key] = verified
            if len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)
        return verified


_VERIFIED_LISTS = _VerifiedStatusLists()


def _check_window(document: dict[str, Any], now: datetime) -> Check:
    try:
        valid_from = _parse_time(document["validFrom"])
        valid_until = (
            _parse_time(document["validUntil"]) if "validUntil" in document else None
        )
    except (TypeError, ValueError):
        return Check(Outcome.FAILED, "validFrom or validUntil is not a timestamp")
    if now < valid_from:
        return Check(Outcome.FAILED, f"not valid before {document['validFrom']}")
    if valid_until is not None and now > valid_until:
        return Check(Outcome.FAILED, f"expired at {document['validUntil']}")
    if valid_until is None:
        return Check(Outcome.PASSED, f"valid from {document['validFrom']}, with no end")
    return Check(
        Outcome.PASSED,
        f"valid from {document['validFrom']} until {document['validUntil']}",
    )


def _check_transparency(
    document: dict[str, Any], trust_list: TrustList, log_proof: Any
) -> tuple[Check, LogPosition | None]:
    if log_proof is None:
        return Check(Outcome.NOT_CHECKED, "no log proof was given"), None
    if trust_list.log is None:
        return Check(
            Outcome.NOT_CHECKED, "the trust list names no log key to check the proof"
        ), None
    try:
        logged = check_license_proof(
            log_proof,
            document=document,
            origin=trust_list.log.origin,
            verifier=trust_list.log.verifier,
        )
    except ZhengzhaoError as exc:
        return Check(Outcome.FAILED, f"log proof: {exc.message}"), None
    later = len(logged.events) - 1
    return Check(
        Outcome.PASSED,
        f"issuance logged at index {logged.issued_index} of {logged.origin}"
        + (f" with {later} later event(s)" if later else "")
        + f", proved against its signed checkpoint of size {logged.size}",
    ), _position(log_proof, logged.issued_index, logged.size)


def _position(log_proof: dict[str, Any], index: int, size: int) -> LogPosition:
    """The issued leaf's place, from a log proof that `check_license_proof` passed."""
    issued = next(entry for entry in log_proof["events"] if entry["index"] == index)
    return LogPosition(
        index=index,
        tree_size=size,
        checkpoint=str(log_proof["checkpoint"]),
        inclusion_proof=tuple(str(item) for item in issued["inclusionProof"]),
    )


def _parse_time(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment


#: Checks that only some verifiers can make: left not checked, they do not make
#: the verdict indeterminate.
_OPTIONAL = ("library", "transparency")


def _report(
    checks: dict[str, Check],
    facts: dict[str, str | None],
    now: datetime,
    log: LogPosition | None,
) -> VerificationReport:
    failed = [name for name in _CHECKS if checks[name].outcome is Outcome.FAILED]
    unknown = [
        name
        for name in _CHECKS
        if checks[name].outcome is Outcome.NOT_CHECKED and name not in _OPTIONAL
    ]
    if failed:
        verdict = Verdict.INVALID
        summary = f"Invalid: {checks[failed[0]].detail}."
    elif unknown:
        verdict = Verdict.INDETERMINATE
        summary = f"Cannot confirm: {checks[unknown[0]].detail}."
    else:
        verdict = Verdict.VALID
        summary = "Valid: authentic, issued by a trusted key, in force and not revoked"
        if checks["transparency"].outcome is Outcome.PASSED:
            summary += ", and its issuance is in the node's log"
        summary += "."
    return VerificationReport(
        verdict=verdict,
        summary=summary,
        checked_at=now,
        license_identifier=facts["license_identifier"],
        license_name=facts["license_name"],
        issuer_name=facts["issuer_name"],
        holder_name=facts["holder_name"],
        format=checks["format"],
        proof=checks["proof"],
        issuer_key=checks["issuer_key"],
        library=checks["library"],
        status=checks["status"],
        validity_window=checks["validity_window"],
        transparency=checks["transparency"],
        log=log,
    )
