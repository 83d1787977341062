"""Verification on the node itself, against its own keys, live status lists and
library: a license that names one of the node's departments as its issuer is valid
only if the library holds exactly that credential."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import CryptoError, NoActiveKey, NotFound
from zhengzhao.issuance.credential import document_hash
from zhengzhao.node import Node
from zhengzhao.storage import licenses as license_store
from zhengzhao.translog.service import license_inclusion, witness_names
from zhengzhao.verify.publication import status_list_text
from zhengzhao.verify.status_list import LAST_PAGE, StatusPurpose
from zhengzhao.verify.verifier import LibraryEntry, VerificationReport, verify_license

__all__ = ["NodeStatusLists", "verify_on_node"]


class NodeStatusLists:
    """Status lists of this node's issuers, read from its database (no HTTP)."""

    def __init__(self, node: Node, *, now: datetime) -> None:
        self._node = node
        self._now = now
        self._prefix = f"{node.base_url}/v1/departments/"

    def status_list(self, url: str) -> dict[str, Any]:
        if not url.startswith(self._prefix):
            raise NotFound(f"status list {url} is not published by this node")
        parts = url[len(self._prefix) :].split("/")
        if len(parts) != 4 or parts[1] != "status-lists":
            raise NotFound(f"{url} is not a status list address of this node")
        try:
            purpose = StatusPurpose(parts[2])
        except ValueError:
            raise NotFound(f"{url} names no known status purpose") from None
        try:
            text = status_list_text(
                self._node,
                issuer_code=parts[0],
                purpose=purpose,
                page=_page_number(parts[3], url),
                now=self._now,
            )
        except NoActiveKey as exc:
            raise NotFound(
                f"status list {url} cannot be signed now: {exc.message}"
            ) from exc
        value: dict[str, Any] = json.loads(text)
        return value


def _page_number(text: str, url: str) -> int:
    """The page number in a status list address; raises `NotFound` for anything but
    ASCII digits up to `LAST_PAGE` (``²`` passes `str.isdigit`, thirty digits
    overflow the database's integers)."""
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(LAST_PAGE))):
        raise NotFound(f"{url} names no status list page")
    page = int(text)
    if page > LAST_PAGE:
        raise NotFound(f"{url} names a page beyond the last, {LAST_PAGE}")
    return page


def verify_on_node(node: Node, document: Any, *, now: datetime) -> VerificationReport:
    """Verify ``document`` with this node's trust list, current status lists and,
    for a license that names one of this node's departments as issuer, its library
    entry and (once the license is in a checkpoint) its own log proof."""
    with node.database.reading() as conn:
        _document, trust = node.trust_lists.current(conn, now=now)
        log_proof = _own_log_proof(conn, document, witnesses=witness_names(node))
        library = _library_entry(conn, node, document)
    return verify_license(
        document,
        trust_list=trust,
        status_lists=NodeStatusLists(node, now=now),
        now=now,
        log_proof=log_proof,
        library=library,
    )


def _library_entry(conn: Connection, node: Node, document: Any) -> LibraryEntry | None:
    """What the library holds under the license identifier of ``document``, when
    the document names one of this node's departments as its issuer; None for a
    document of another node, or too malformed to name an issuer (the format check
    says why)."""
    try:
        issuer = document["issuer"]
        issuer_url = issuer["id"] if isinstance(issuer, dict) else issuer
        identifier = document["credentialSubject"]["license"]["identifier"]
    except (KeyError, TypeError):
        return None
    if not (
        isinstance(issuer_url, str)
        and isinstance(identifier, str)
        and issuer_url.startswith(f"{node.base_url}/v1/departments/")
    ):
        return None
    stored = license_store.license_by_identifier(conn, identifier)
    if stored is None:
        return LibraryEntry(identifier=identifier, document_hash=None)
    try:
        text = node.vault.open_document(
            stored.document_cipher, license_identifier=identifier
        )
    except CryptoError:
        return LibraryEntry(identifier=identifier, document_hash=None, damaged=True)
    return LibraryEntry(identifier=identifier, document_hash=document_hash(text))


def _own_log_proof(
    conn: Connection, document: Any, *, witnesses: list[str]
) -> dict[str, Any] | None:
    try:
        identifier = document["credentialSubject"]["license"]["identifier"]
        inclusion = license_inclusion(conn, str(identifier), witnesses=witnesses)
    except (KeyError, TypeError, NotFound):
        return None  # not a license of this node: the other checks say why
    return None if inclusion is None else inclusion.to_json()
