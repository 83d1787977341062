"""The one family of errors that Zhengzhao raises.

Every error carries a stable machine-readable ``code``, the HTTP status the API answers
with, and a sentence a person understands. The API turns any of them into
``{"code": ..., "message": ...}``; the CLI prints the same message and exits non-zero.
Services raise them; only the edges (``api``, ``web``, ``cli``) translate them.

The tree::

    ZhengzhaoError
    ├── InputError                      400-class: the caller sent something wrong
    │   ├── InvalidIdentifier           an ID number, credit code, division code or
    │   │                               license identifier fails its standard
    │   ├── SchemaViolation             surface data does not match the type's schema
    │   ├── InvalidRequest              a request is malformed or inconsistent
    │   │   ├── IssueDateInFuture       a date of issue after the day of issuing
    │   │   └── ControlCharacter        a name or text field holds a control character
    │   ├── InvalidDocument             a signed document cannot be read
    │   ├── IdempotencyKeyReused        the same key came with a different request
    │   ├── UnreadableFile              a gathering file cannot be read as its format
    │   ├── RecordRejected              a pushed license record fails its checks
    │   ├── UploadTooLarge              413: an upload larger than the node takes
    │   ├── RequestTooLarge             413: a request body larger than the node takes
    │   ├── NoteInvalid                 a signed note or checkpoint is malformed or
    │   │                               carries no valid signature of a known key
    │   ├── LogProofInvalid             a Merkle inclusion or consistency proof fails
    │   ├── ReasonRequired              a use on a legal basis states no reason
    │   ├── CopyExpired                 an annotated copy is past its expiry
    │   ├── HolderInUrl                 400: a holder's identifier sent in a URL
    │   └── DuplicateClaim              400: a check claims one field twice
    ├── AuthenticationRequired          401: no or unknown credentials, or a holder
    │   │                               session that ended
    │   └── ClientDisabled              the API client was disabled by an operator
    ├── PermissionDenied                403: the caller may not do this
    │   ├── NotResponsible              the department is not on the responsibility list
    │   ├── HolderLoginUnavailable      the node has no identity provider for holders
    │   ├── AgentNotAppointed           the holder appointed no such agent
    │   └── SharingRefused              a share or check that neither consent nor law
    │       │                           covers (each subclass names why)
    │       ├── NotAUsingParty          the caller is registered as no using party
    │       ├── MatterNotAllowed        the party may not serve this matter
    │       ├── AuthorizationMissing    no authorization of this holder for this party
    │       ├── AuthorizationExpired    the authorization's expiry has passed
    │       ├── AuthorizationWithdrawn  the holder (or an agent) withdrew it
    │       ├── AuthorizationUsedUp     every use it allowed has been made
    │       ├── HolderMismatch          another holder granted the authorization
    │       ├── MatterMismatch          the authorization is for another matter
    │       ├── TypeNotGranted          a license type the grant does not cover
    │       ├── FieldNotGranted         a field the grant does not cover
    │       ├── FieldAboveClearance     a field classified above the party's clearance
    │       └── NoLegalBasis            the matter allows no use without consent
    ├── NotFound                        404: no such license, type, department, key ...
    ├── Conflict                        409: the request clashes with stored state
    │   ├── TransitionRefused           the lifecycle state machine forbids the event
    │   │   └── TermEnded               the license is past its last valid day
    │   ├── CatalogStateError           a type version is not in the state required
    │   ├── BatchInProgress             another process is gathering the same batch
    │   ├── SplitView                   a log showed two views that cannot both hold
    │   ├── WitnessSizeMismatch         a witness last cosigned another tree size
    │   ├── DepartmentDeactivated       the department was deactivated: it issues
    │   │                               and records nothing more
    │   ├── NoActiveKey                 the department has no key to sign with
    │   │   └── SigningKeyChanged       the key of the request's time was retired
    │   │                               while it waited: send it again
    │   ├── BatchNotStored              a batch to resume whose file the node lacks
    │   └── PaperNumberInUse            a license of the type, issuer and paper
    │                                   number is in the library already
    ├── CryptoError                     a key or signature operation failed
    │   ├── SignatureInvalid            a proof does not verify
    │   ├── KeyDecryptionFailed         a stored private key cannot be decrypted
    │   ├── StoredRecordDamaged         503: a license's stored record does not open
    │   └── LogKeyMismatch              the stored log public key is not the public
    │                                   half of the node's own wrapped log key
    ├── RateLimited                     429: too many checks; retry after a while
    ├── LogStoreDamaged                 the log's stored hashes are missing or short
    └── ConfigurationError              the node is configured unsafely or wrongly
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AgentNotAppointed",
    "AuthenticationRequired",
    "AuthorizationExpired",
    "AuthorizationMissing",
    "AuthorizationUsedUp",
    "AuthorizationWithdrawn",
    "BatchInProgress",
    "BatchNotStored",
    "CatalogStateError",
    "ClientDisabled",
    "ConfigurationError",
    "Conflict",
    "ControlCharacter",
    "CopyExpired",
    "CryptoError",
    "DepartmentDeactivated",
    "DuplicateClaim",
    "FieldAboveClearance",
    "FieldNotGranted",
    "HolderInUrl",
    "HolderLoginUnavailable",
    "HolderMismatch",
    "IdempotencyKeyReused",
    "InputError",
    "InvalidDocument",
    "InvalidIdentifier",
    "InvalidRequest",
    "IssueDateInFuture",
    "KeyDecryptionFailed",
    "LogKeyMismatch",
    "LogProofInvalid",
    "LogStoreDamaged",
    "MatterMismatch",
    "MatterNotAllowed",
    "NoActiveKey",
    "NoLegalBasis",
    "NotAUsingParty",
    "NotFound",
    "NotResponsible",
    "NoteInvalid",
    "PaperNumberInUse",
    "PermissionDenied",
    "RateLimited",
    "ReasonRequired",
    "RecordRejected",
    "RequestTooLarge",
    "SchemaViolation",
    "SharingRefused",
    "SignatureInvalid",
    "SigningKeyChanged",
    "SplitView",
    "StoredRecordDamaged",
    "TermEnded",
    "TransitionRefused",
    "TypeNotGranted",
    "UnreadableFile",
    "UploadTooLarge",
    "WitnessSizeMismatch",
    "ZhengzhaoError",
]


class ZhengzhaoError(Exception):
    """Root of every error the platform raises on purpose.

    ``code`` is stable and machine-readable; ``message`` says what was expected, what
    was found and, where it helps, what to do; ``details`` carries structured data for
    machines (a field path, an expected value).
    """

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]  # an instance may narrow the class code
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        """The error as the API sends it."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class InputError(ZhengzhaoError):
    """The caller sent something that cannot be accepted as it is."""

    code = "invalid-input"
    http_status = 422


class InvalidIdentifier(InputError):
    """An identifier fails its standard; ``message`` names the rule that failed."""

    code = "invalid-identifier"


class SchemaViolation(InputError):
    """Surface data does not conform to the license type's JSON Schema."""

    code = "schema-violation"


class InvalidRequest(InputError):
    """A request is malformed or internally inconsistent."""

    code = "invalid-request"


class IssueDateInFuture(InvalidRequest):
    """A license states a date of issue (ZZBFRQ) after the day it is issued on, in
    China Standard Time: a license is issued on its date of issue or later."""

    code = "issue-date-in-future"


class ControlCharacter(InvalidRequest):
    """A holder's name or a text field holds a control character (C0, C1, or the
    line and paragraph separators U+2028 and U+2029), which no printed license
    shows; ``details`` names the field."""

    code = "control-character"


class InvalidDocument(InputError):
    """A document given for verification or import cannot be read as one."""

    code = "invalid-document"


class IdempotencyKeyReused(InputError):
    """An ``Idempotency-Key`` was used before for a different request."""

    code = "idempotency-key-reused"


class NoteInvalid(InputError):
    """A signed note (C2SP signed-note), checkpoint or cosignature is refused."""

    code = "note-invalid"


class LogProofInvalid(InputError):
    """A transparency-log inclusion or consistency proof does not verify."""

    code = "log-proof-invalid"


class UnreadableFile(InputError):
    """A gathering file is not what it claims to be: not UTF-8, not CSV or JSON
    Lines, or with columns that are neither metadata names nor the type's fields."""

    code = "unreadable-file"


class ReasonRequired(InputError):
    """A use on a matter's legal basis came without the reason the law requires."""

    code = "reason-required"


class CopyExpired(InputError):
    """An annotated copy was checked after the expiry stamped on it."""

    code = "copy-expired"


class HolderInUrl(InputError):
    """A holder's identifier came in a URL's query string, where access logs, proxies
    and browser histories keep it; the message names the endpoint that takes it in
    the request body."""

    code = "holder-in-url"
    http_status = 400


class DuplicateClaim(InputError):
    """A check claims the same field (or holding the same type) twice: each claim
    would be one more guess at one value, so a check claims each field once."""

    code = "duplicate-claim"
    http_status = 400


class RecordRejected(InputError):
    """A license record pushed by a departmental system fails the checks of a
    gathered row; ``details`` carries the push's number and every problem."""

    code = "record-rejected"


class UploadTooLarge(InputError):
    """An uploaded file is larger than the node's setting allows."""

    code = "upload-too-large"
    http_status = 413


class RequestTooLarge(InputError):
    """A request body is larger than the node takes (its setting
    `request_body_bytes`, or an endpoint's own limit); refused before it is read."""

    code = "request-too-large"
    http_status = 413


class AuthenticationRequired(ZhengzhaoError):
    """No credentials, or credentials the node does not know."""

    code = "authentication-required"
    http_status = 401


class ClientDisabled(AuthenticationRequired):
    """The API client's token is genuine, but an operator disabled the client."""

    code = "client-disabled"


class PermissionDenied(ZhengzhaoError):
    """The caller is known but may not perform this action."""

    code = "permission-denied"
    http_status = 403


class NotResponsible(PermissionDenied):
    """The department is not responsible for issuing this license type here."""

    code = "not-responsible"


class HolderLoginUnavailable(PermissionDenied):
    """Holders cannot log in: the node is configured with no identity provider."""

    code = "holder-login-unavailable"


class AgentNotAppointed(PermissionDenied):
    """The logged-in person is not an agent of the holder named (or no longer)."""

    code = "agent-not-appointed"


class SharingRefused(PermissionDenied):
    """A share or check of a holder's data that neither the holder's authorization
    nor a legal basis covers. Each subclass names one reason; every message says
    what the using party can do about it."""

    code = "sharing-refused"


class NotAUsingParty(SharingRefused):
    """The calling client acts for no registered using party."""

    code = "not-a-using-party"


class MatterNotAllowed(SharingRefused):
    """The using party is not registered to serve this service matter."""

    code = "matter-not-allowed"


class AuthorizationMissing(SharingRefused):
    """No authorization was named, or none with that id was granted to this party."""

    code = "no-authorization"


class AuthorizationExpired(SharingRefused):
    """The authorization's expiry has passed."""

    code = "authorization-expired"


class AuthorizationWithdrawn(SharingRefused):
    """The holder, or an agent in the holder's name, withdrew the authorization."""

    code = "authorization-withdrawn"


class AuthorizationUsedUp(SharingRefused):
    """Every use the authorization allowed has been made."""

    code = "authorization-used-up"


class HolderMismatch(SharingRefused):
    """The authorization was granted by a holder other than the one named."""

    code = "holder-mismatch"


class MatterMismatch(SharingRefused):
    """The authorization was granted for another service matter."""

    code = "matter-mismatch"


class TypeNotGranted(SharingRefused):
    """A license type asked for is not covered by the grant (or the matter)."""

    code = "type-not-granted"


class FieldNotGranted(SharingRefused):
    """A field asked for, or checked, is not covered by the grant."""

    code = "field-not-granted"


class FieldAboveClearance(SharingRefused):
    """A field is classified above the highest level the party may receive."""

    code = "field-above-clearance"


class NoLegalBasis(SharingRefused):
    """A use without consent was asked for a matter that has no legal basis."""

    code = "no-legal-basis"


class NotFound(ZhengzhaoError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    code = "not-found"
    http_status = 404


class Conflict(ZhengzhaoError):
    """The request is valid on its own but clashes with what is stored."""

    code = "conflict"
    http_status = 409


class TransitionRefused(Conflict):
    """The lifecycle state machine does not allow this event in the current state."""

    code = "transition-refused"


class TermEnded(TransitionRefused):
    """The event happened after the license's last valid day: past it, only an
    extension, the expiry, a cancellation or a revocation can be recorded."""

    code = "license-term-ended"


class CatalogStateError(Conflict):
    """A license type version is not in the state the operation needs."""

    code = "catalog-state"


class BatchInProgress(Conflict):
    """Another process committed rows of the same gathering batch meanwhile; its run
    carries on, and this one stopped without writing anything."""

    code = "batch-in-progress"


class SplitView(Conflict):
    """Two checkpoints of one log that cannot both be true: evidence of a fork.

    ``details`` carries the evidence: both checkpoints and the failed proof.
    """

    code = "split-view"


class WitnessSizeMismatch(Conflict):
    """A checkpoint was offered to a witness from another old size than it holds.

    ``size`` is the size of the latest checkpoint the witness cosigned for the log.
    """

    code = "witness-size-mismatch"

    def __init__(self, message: str, *, size: int) -> None:
        super().__init__(message, details={"size": size})
        self.size = size


class DepartmentDeactivated(Conflict):
    """The department was deactivated by an operator: it issues no license and
    records no event any more; what it signed keeps verifying."""

    code = "department-deactivated"


class NoActiveKey(Conflict):
    """The department has no active signing key (its last one was compromised):
    an operator or the department starts the next one."""

    code = "no-active-key"


class SigningKeyChanged(NoActiveKey):
    """The department's key whose window holds the request's time was retired by a
    rotation that committed while the request waited, so it signs nothing more;
    the same request sent again is signed with the current key."""

    code = "signing-key-changed"


class BatchNotStored(Conflict):
    """A gathering batch cannot resume through the API: the command line gathered
    it from a file on the node's machine, and the database keeps no copy."""

    code = "batch-not-stored"


class PaperNumberInUse(Conflict):
    """A license of the same type and issuer with the same paper number (ZZBH) is
    in the library already: a second one would be a duplicate. ``details`` names
    the existing license."""

    code = "paper-number-in-use"


class CryptoError(ZhengzhaoError):
    """A key or signature operation failed."""

    code = "crypto-error"
    http_status = 500


class SignatureInvalid(CryptoError):
    """A proof or signature does not verify."""

    code = "signature-invalid"
    http_status = 422


class KeyDecryptionFailed(CryptoError):
    """A stored private key cannot be decrypted with the configured master key."""

    code = "key-decryption-failed"


class StoredRecordDamaged(CryptoError):
    """A license's stored credential or holder identifier does not open with the
    node's master key: the row was changed, or moved from another license, in the
    database. The node cannot serve it until the operator restores it;
    `zhengzhao log audit` names every such license."""

    code = "stored-record-damaged"
    http_status = 503


class LogKeyMismatch(CryptoError):
    """The log's stored public key is not the one its wrapped private key makes:
    someone with database access swapped it. Checkpoints must not be trusted (or
    signed) with it until the key is restored from a backup."""

    code = "log-key-mismatch"


class RateLimited(ZhengzhaoError):
    """Too many requests of one kind in a window; ``retry_after`` is how many
    seconds until the next one is accepted (the API sends it as `Retry-After`)."""

    code = "rate-limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retryAfter": retry_after})
        self.retry_after = retry_after


class LogStoreDamaged(ZhengzhaoError):
    """The transparency log's tables lack hashes they must hold: run `zhengzhao log
    audit` to see what was changed."""

    code = "log-store-damaged"
    http_status = 500


class ConfigurationError(ZhengzhaoError):
    """The node is configured wrongly or unsafely for its mode."""

    code = "configuration-error"
