"""Idempotent creates: the same `Idempotency-Key` and request give the same answer.

The stored answer is written in the same transaction as the change it reports, so
either both exist or neither does. A replay returns the stored answer with the
header ``Idempotent-Replayed: true``; the same key with a different request is
refused.

Answers carry personal data (a signed license names its holder, a share returns
annotated copies), so every stored answer is sealed under the holder-encryption key,
bound to its client and key, and the request's fingerprint is stored as an HMAC under
the node's secret: a copy of the idempotency table reveals neither the answers nor,
by guessing, the requests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from zhengzhao.errors import Conflict, IdempotencyKeyReused, InvalidRequest
from zhengzhao.model.nesting import MAX_DEPTH
from zhengzhao.node import Node
from zhengzhao.storage.idempotency import find_response, store_response

__all__ = [
    "MAX_KEY_LENGTH",
    "KeyOwner",
    "fingerprint",
    "idempotent_create",
    "run_idempotent",
]

MAX_KEY_LENGTH = 200

#: Marks a stored answer that is sealed (see `HolderVault.seal_text`).
_SEALED = "sealed:v1:"


class KeyOwner(Protocol):
    """Whose keys these are: an API client (`Principal`) or a holder's session."""

    @property
    def client_id(self) -> str: ...


def fingerprint(method: str, path: str, body: Any) -> str:
    """What makes two requests "the same": method, path and the canonical body."""
    digest = hashlib.sha256()
    digest.update(f"{method} {path}\n".encode())
    digest.update(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def run_idempotent(
    node: Node,
    *,
    principal: KeyOwner,
    key: str | None,
    request_fingerprint: str,
    action: Callable[[Connection], tuple[int, dict[str, Any]]],
    now: Any,
) -> JSONResponse:
    """Run ``action`` once per key; ``action`` returns the status code and body."""
    if key is None or not key.strip():
        raise InvalidRequest(
            "this create needs an Idempotency-Key header (any unique string, such as a"
            " UUID) so that a retried request does not create twice"
        )
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidRequest(
            f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters"
        )
    for attempt in range(2):
        try:
            return _run_once(node, principal, key, request_fingerprint, action, now)
        except IntegrityError as exc:
            # A concurrent request with the same key committed first: the second
            # attempt finds and returns its answer. A conflict that persists is real.
            if attempt:
                raise Conflict(
                    "the request conflicts with data stored meanwhile, for example a"
                    " serial number already in use"
                ) from exc
    raise AssertionError("unreachable")


def idempotent_create(
    node: Node,
    *,
    principal: KeyOwner,
    key: str | None,
    request: Request,
    body: BaseModel,
    action: Callable[[Connection], tuple[int, dict[str, Any]]],
    now: Any,
) -> JSONResponse:
    """`run_idempotent` for a JSON create request with its parsed ``body``.

    Raises `InvalidRequest` for a body too deeply nested to serialise.
    """
    try:
        dumped = body.model_dump(mode="json", by_alias=True)
    except ValueError as exc:
        # Pydantic's serializer stops at 255 levels; free JSON typed `JsonObject` is
        # refused far earlier, this catches any other field that takes free JSON.
        raise InvalidRequest(
            f"the request nests JSON too deeply to be read ({exc}); keep objects and"
            f" arrays within {MAX_DEPTH} levels"
        ) from exc
    return run_idempotent(
        node,
        principal=principal,
        key=key,
        request_fingerprint=fingerprint(request.method, request.url.path, dumped),
        action=action,
        now=now,
    )


def _run_once(
    node: Node,
    principal: KeyOwner,
    key: str,
    request_fingerprint: str,
    action: Callable[[Connection], tuple[int, dict[str, Any]]],
    now: Any,
) -> JSONResponse:
    context = f"idempotency:{principal.client_id}:{key}"
    keyed = hmac.new(
        node.settings.master_keys.node_secret,
        request_fingerprint.encode(),
        hashlib.sha256,
    ).hexdigest()
    with node.database.transaction() as conn:
        stored = find_response(conn, principal.client_id, key)
        if stored is not None:
            if not hmac.compare_digest(stored.fingerprint, keyed):
                raise IdempotencyKeyReused(
                    f"Idempotency-Key {key!r} was used for a different request;"
                    " use a new key for a new request"
                )
            sealed = base64.b64decode(stored.body.removeprefix(_SEALED))
            return JSONResponse(
                json.loads(node.vault.open_text(sealed, context=context)),
                status_code=stored.status_code,
                headers={"Idempotent-Replayed": "true"},
            )
        status_code, body = action(conn)
        sealed = node.vault.seal_text(
            json.dumps(body, ensure_ascii=False), context=context
        )
        store_response(
            conn,
            client_id=principal.client_id,
            key=key,
            fingerprint=keyed,
            status_code=status_code,
            body=_SEALED + base64.b64encode(sealed).decode(),
            now=now,
        )
    return JSONResponse(body, status_code=status_code)
