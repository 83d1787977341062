"""The witness key of a node that also witnesses other logs, wrapped at rest."""

from __future__ import annotations

from datetime import datetime

from zhengzhao.errors import ConfigurationError
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.seals.wrapping import unwrap_private_key, wrap_private_key
from zhengzhao.storage import log as log_store
from zhengzhao.translog.note import CosignatureSigner, NoteVerifier
from zhengzhao.translog.witness import Witness, WitnessedLog

__all__ = ["WITNESS_KEY", "node_witness"]

#: `node_keys.purpose` of the witness key.
WITNESS_KEY = "witness"


def node_witness(node: Node, *, now: datetime) -> Witness:
    """The witness this node runs, creating its key on first use.

    Raises `ConfigurationError` when the node is not configured as a witness.
    """
    name = node.settings.witness_name
    if not name:
        raise ConfigurationError(
            "this node is not a witness; set witness_name and witness_logs"
        )
    label = f"node:{WITNESS_KEY}"
    kek = node.settings.master_keys.key_encryption
    with node.database.transaction() as conn:
        stored = log_store.node_key(conn, WITNESS_KEY)
        if stored is None:
            # Of two first requests, the second waits for the first's key and
            # stores none of its own.
            key = SigningKey.generate(Algorithm.ED25519)
            log_store.insert_node_key_if_absent(
                conn,
                log_store.StoredNodeKey(
                    purpose=WITNESS_KEY,
                    name=name,
                    algorithm=Algorithm.ED25519.value,
                    public_key=key.public_key().public_bytes(),
                    wrapped_private_key=wrap_private_key(
                        kek=kek, key_id=label, private_key=key
                    ),
                ),
                now=now,
            )
            stored = log_store.node_key(conn, WITNESS_KEY)
            assert stored is not None
        key = unwrap_private_key(
            kek=kek,
            key_id=label,
            algorithm=Algorithm(stored.algorithm),
            blob=stored.wrapped_private_key,
        )
        name = stored.name
    logs = {
        item.origin: WitnessedLog(
            origin=item.origin, verifiers=(NoteVerifier.from_vkey(item.vkey),)
        )
        for item in node.settings.witness_logs
    }
    return Witness(
        database=node.database, signer=CosignatureSigner(name, key), logs=logs
    )
