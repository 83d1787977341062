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
    │   ├── InvalidDocument             a signed document cannot be read
    │   ├── IdempotencyKeyReused        the same key came with a different request
    │   ├── UnreadableFile              a gathering file cannot be read as its format
    │   ├── RecordRejected              a pushed license record fails its checks
    │   ├── NoteInvalid                 a signed note or checkpoint is malformed or
    │   │                               carries no valid signature of a known key
    │   └── LogProofInvalid             a Merkle inclusion or consistency proof fails
    ├── AuthenticationRequired          401: no or unknown credentials
    ├── PermissionDenied                403: the caller may not do this
    │   └── NotResponsible              the department is not on the responsibility list
    ├── NotFound                        404: no such license, type, department, key ...
    ├── Conflict                        409: the request clashes with stored state
    │   ├── TransitionRefused           the lifecycle state machine forbids the event
    │   ├── CatalogStateError           a type version is not in the state required
    │   ├── BatchInProgress             another process is gathering the same batch
    │   ├── SplitView                   a log showed two views that cannot both hold
    │   └── WitnessSizeMismatch         a witness last cosigned another tree size
    ├── CryptoError                     a key or signature operation failed
    │   ├── SignatureInvalid            a proof does not verify
    │   └── KeyDecryptionFailed         a stored private key cannot be decrypted
    ├── LogStoreDamaged                 the log's stored hashes are missing or short
    └── ConfigurationError              the node is configured unsafely or wrongly
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AuthenticationRequired",
    "BatchInProgress",
    "CatalogStateError",
    "ConfigurationError",
    "Conflict",
    "CryptoError",
    "IdempotencyKeyReused",
    "InputError",
    "InvalidDocument",
    "InvalidIdentifier",
    "InvalidRequest",
    "KeyDecryptionFailed",
    "LogProofInvalid",
    "LogStoreDamaged",
    "NotFound",
    "NotResponsible",
    "NoteInvalid",
    "PermissionDenied",
    "RecordRejected",
    "SchemaViolation",
    "SignatureInvalid",
    "SplitView",
    "TransitionRefused",
    "UnreadableFile",
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


class RecordRejected(InputError):
    """A license record pushed by a departmental system fails the checks of a
    gathered row; ``details`` carries the push's number and every problem."""

    code = "record-rejected"


class AuthenticationRequired(ZhengzhaoError):
    """No credentials, or credentials the node does not know."""

    code = "authentication-required"
    http_status = 401


class PermissionDenied(ZhengzhaoError):
    """The caller is known but may not perform this action."""

    code = "permission-denied"
    http_status = 403


class NotResponsible(PermissionDenied):
    """The department is not responsible for issuing this license type here."""

    code = "not-responsible"


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


class LogStoreDamaged(ZhengzhaoError):
    """The transparency log's tables lack hashes they must hold: run `zhengzhao log
    audit` to see what was changed."""

    code = "log-store-damaged"
    http_status = 500


class ConfigurationError(ZhengzhaoError):
    """The node is configured wrongly or unsafely for its mode."""

    code = "configuration-error"
