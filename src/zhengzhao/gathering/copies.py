"""The copy of an uploaded file that a node keeps until its batch finishes.

An upload through the API is stored in the database in pieces before the answer, so
that any process can resume its batch. The file holds holder identifiers, and a copy
of the database alone must reveal none: each piece is sealed with AES-256-GCM
(`zhengzhao.seals.aead`) under the master key's upload subkey
(`MasterKeys.upload_encryption`), bound to its batch and its place in the file, so
that a piece moved to another batch or place fails to open. The pieces are deleted
in the transaction that marks their batch finished (`storage.gathering.advance_batch`).
"""

from __future__ import annotations

import io
from pathlib import Path

from zhengzhao.errors import CryptoError, NotFound
from zhengzhao.node import Node
from zhengzhao.seals.aead import open_bytes, seal_bytes
from zhengzhao.storage import gathering as store

__all__ = ["PIECE_BYTES", "StoredFile", "store_copy"]

#: Size of the pieces an uploaded file is stored in: a few per database page read.
PIECE_BYTES = 1 << 20
#: Domain separation: these blobs hold pieces of uploaded files and nothing else.
_PURPOSE = b"zhengzhao/v1/gathering-upload"


def store_copy(node: Node, batch_id: int, path: Path) -> None:
    """Store the file at ``path``, sealed, as batch ``batch_id``'s copy, unless one
    is stored already. Two submissions of one batch at once store one copy: the
    second waits for the first's lock on the batch, then finds its pieces."""
    key = node.settings.master_keys.upload_encryption
    with node.database.transaction() as conn:
        store.batch_by_id(conn, batch_id, for_update=True)
        if store.content_pieces(conn, batch_id):
            return
        with path.open("rb") as stream:
            seq = 0
            while piece := stream.read(PIECE_BYTES):
                sealed = seal_bytes(key, piece, _associated_data(batch_id, seq))
                store.store_content_piece(conn, batch_id, seq, sealed)
                seq += 1


class StoredFile(io.RawIOBase):
    """An uploaded file read back from the database one stored piece at a time.

    Every piece but the last is as long as the first, so that a seek finds its piece
    without reading those before it.
    """

    def __init__(self, node: Node, batch_id: int, *, size: int) -> None:
        self._node = node
        self._batch_id = batch_id
        self._size = size
        self._position = 0
        self._piece_bytes = 0
        self._seq = -1
        self._piece = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        start = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}
        position = start[whence] + offset
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._position = position
        return position

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._position >= self._size:
            return 0
        if not self._piece_bytes:
            self._piece_bytes = len(self._load(0))
        seq, start = divmod(self._position, self._piece_bytes)
        data = self._load(seq)[start : start + len(buffer)]
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def _load(self, seq: int) -> bytes:
        """Piece ``seq``, opened; raises `NotFound` for a missing one and
        `CryptoError` for one that does not open."""
        if seq != self._seq:
            with self._node.database.reading() as conn:
                sealed = store.content_piece(conn, self._batch_id, seq)
            if not sealed:
                raise NotFound(
                    f"the stored copy of batch {self._batch_id}'s file ends before"
                    f" byte {self._position} of {self._size}; submit the file again"
                )
            self._seq, self._piece = seq, self._open(seq, sealed)
        return self._piece

    def _open(self, seq: int, sealed: bytes) -> bytes:
        key = self._node.settings.master_keys.upload_encryption
        try:
            return open_bytes(key, sealed, _associated_data(self._batch_id, seq))
        except CryptoError as exc:
            raise CryptoError(
                f"piece {seq} of the stored copy of batch {self._batch_id}'s file"
                " cannot be decrypted: the master key changed since it was stored"
                " (restore the old ZHENGZHAO_MASTER_KEY), or the piece was altered"
                " or copied from another batch",
                code="decryption-failed",
            ) from exc


def _associated_data(batch_id: int, seq: int) -> bytes:
    # Each field after a 4-byte big-endian length, so no two field lists collide.
    fields = (_PURPOSE, str(batch_id).encode(), str(seq).encode())
    return b"".join(len(field).to_bytes(4, "big") + field for field in fields)
