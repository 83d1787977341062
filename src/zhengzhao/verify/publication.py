"""Publishing an issuer's status lists: signed on demand, cached until a status changes.

A status list credential is regenerated when a status on its page changed since it was
made, when it is older than `REFRESH_AFTER` (so that its ``validUntil`` stays ahead
of verifiers' clocks), or when the issuer's keys changed since (a rotation or a
compromise marks every cached page of the issuer stale, so that no list signed by a
key that is no longer trusted is served); otherwise the cached, signed text is served
as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from zhengzhao.errors import NotFound
from zhengzhao.issuance.credential import canonical_json
from zhengzhao.model.license import LicenseStatus
from zhengzhao.model.time import to_rfc3339
from zhengzhao.node import Node
from zhengzhao.seals.keys import department_url, verification_method_id
from zhengzhao.seals.proofs import add_proof
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import licenses as license_store
from zhengzhao.storage import status_lists as status_list_store
from zhengzhao.storage.counters import peek
from zhengzhao.verify.status_list import (
    LAST_PAGE,
    PAGE_SIZE,
    StatusPurpose,
    status_list_credential,
)

__all__ = ["FLAGGED", "REFRESH_AFTER", "VALID_FOR", "status_list_text"]

#: Which statuses set a license's bit in each list.
FLAGGED = {
    StatusPurpose.REVOCATION: tuple(s for s in LicenseStatus if s.is_terminal),
    StatusPurpose.SUSPENSION: (LicenseStatus.SUSPENDED,),
}
#: A list is re-signed at least this often, and is declared valid for `VALID_FOR`.
REFRESH_AFTER = timedelta(hours=12)
VALID_FOR = timedelta(days=1)


def status_list_text(
    node: Node, *, issuer_code: str, purpose: StatusPurpose, page: int, now: datetime
) -> str:
    """The signed status list credential of one page, as canonical JSON text.

    The common case, a current cached page, costs one query. Raises `NotFound`
    for a page the issuer has not reached, or beyond `LAST_PAGE`.
    """
    if not 0 <= page <= LAST_PAGE:
        raise NotFound(f"{issuer_code} has no {purpose} list page {page}")
    with node.database.reading() as conn:
        cached = status_list_store.cached_by_issuer_code(
            conn, issuer_code, purpose, page
        )
    if cached is not None and _servable(cached, now):
        assert cached.document is not None
        return cached.document
    with node.database.reading() as conn:
        issuer = department_store.department_by_code(conn, issuer_code)
        if issuer is None:
            raise NotFound(f"no department {issuer_code}")
        allocated = peek(conn, f"status-index:{issuer.id}")
        if page < 0 or page * PAGE_SIZE >= max(allocated, 1):
            raise NotFound(f"{issuer_code} has no {purpose} list page {page}")
    return _regenerate(
        node, issuer_code=issuer_code, purpose=purpose, page=page, now=now
    )


def _servable(cached: status_list_store.CachedStatusList, now: datetime) -> bool:
    fresh = (
        cached.generated_at is not None and now - cached.generated_at < REFRESH_AFTER
    )
    return cached.current and fresh


def _regenerate(
    node: Node, *, issuer_code: str, purpose: StatusPurpose, page: int, now: datetime
) -> str:
    with node.database.transaction() as conn:
        issuer = department_store.department_by_code(conn, issuer_code)
        assert issuer is not None
        changes = status_list_store.cached_status_list(
            conn, issuer.id, purpose, page
        ).changes
        first = page * PAGE_SIZE
        positions = [
            index - first
            for index in license_store.indexes_with_status(
                conn,
                issuer.id,
                FLAGGED[purpose],
                first=first,
                last=first + PAGE_SIZE - 1,
            )
        ]
        key, signing_key = node.keyring.signer_at(conn, issuer, at=now)
        credential = status_list_credential(
            issuer_url=department_url(node.base_url, issuer.credit_code),
            purpose=purpose,
            page=page,
            set_positions=positions,
            valid_from=to_rfc3339(now),
            valid_until=to_rfc3339(now + VALID_FOR),
        )
        signed = add_proof(
            credential,
            signing_key=signing_key,
            verification_method=verification_method_id(
                node.base_url, key.department_code, key.sequence
            ),
            created=now,
        )
        text = canonical_json(signed)
        status_list_store.store_status_list(
            conn,
            issuer.id,
            purpose,
            page,
            document=text,
            generated_from=changes,
            now=now,
        )
    return text
