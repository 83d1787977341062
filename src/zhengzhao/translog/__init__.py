"""The transparency log: an append-only Merkle tree of every license event."""
