"""Exporting signed licenses with everything needed to verify them offline."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from zhengzhao.node import Node
from zhengzhao.storage import licenses as license_store
from zhengzhao.translog.service import license_inclusion, witness_names
from zhengzhao.verify.publication import status_list_text
from zhengzhao.verify.status_list import StatusPurpose, page_of

__all__ = ["ExportSummary", "export_licenses"]

#: Licenses read from the database per query.
_BATCH = 500


@dataclass(frozen=True)
class ExportSummary:
    """How many files an export wrote, and where."""

    licenses: int
    status_lists: int
    directory: Path


def export_licenses(
    node: Node,
    *,
    limit: int,
    out: Path,
    now: datetime,
    progress: Callable[[int], None] = lambda _done: None,
) -> ExportSummary:
    """Write up to ``limit`` licenses to ``out/licenses/``, the trust list to
    ``out/trust-list.json`` and the status lists they refer to under ``out/status/``.

    Each license file has the shape of the API's license answer, reduced to what a
    verifier needs: ``{"document": <credential>, "log": <log proof or null>}``. Run
    the log's sequencer first (`translog.sequencer.integrate_all`) for every proof
    to be there.
    """
    (out / "licenses").mkdir(parents=True, exist_ok=True)
    (out / "status").mkdir(exist_ok=True)
    pages: set[tuple[str, int]] = set()
    witnesses = witness_names(node)
    written = 0
    after = 0
    while written < limit:
        with node.database.reading() as conn:
            batch = license_store.licenses_in_order(
                conn, after_row_id=after, limit=min(_BATCH, limit - written)
            )
        if not batch:
            break
        with node.database.reading() as conn:
            proofs = [
                license_inclusion(conn, s.license.identifier, witnesses=witnesses)
                for s in batch
            ]
        for stored, proof in zip(batch, proofs, strict=True):
            identifier = stored.license.identifier
            text = node.vault.open_document(
                stored.document_cipher, license_identifier=identifier
            )
            exported = {
                "document": json.loads(text),
                "log": None if proof is None else proof.to_json(),
            }
            (out / "licenses" / f"{identifier}.json").write_text(
                json.dumps(exported, ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
            pages.add(
                (stored.license.issuer_code, page_of(stored.license.status_index)[0])
            )
        written += len(batch)
        after = batch[-1].row_id
        progress(written)
    for issuer_code, page in sorted(pages):
        for purpose in StatusPurpose:
            text = status_list_text(
                node, issuer_code=issuer_code, purpose=purpose, page=page, now=now
            )
            name = f"{issuer_code}-{purpose.value}-{page}.json"
            (out / "status" / name).write_text(text + "\n", encoding="utf-8")
    with node.database.reading() as conn:
        trust = node.trust_lists.current(conn, now=now)[0]
    (out / "trust-list.json").write_text(
        json.dumps(trust, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return ExportSummary(written, len(pages) * len(StatusPurpose), out)
