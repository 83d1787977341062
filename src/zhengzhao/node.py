"""One running node: its settings, database, keys and vault, built once per process.

The API, the web pages and the CLI each build a `Node` and hand it to the services;
nothing else holds process-wide state.
"""

from __future__ import annotations

from functools import cached_property

from zhengzhao.config import Settings
from zhengzhao.issuance.vault import HolderVault
from zhengzhao.seals.keyring import KeyRing
from zhengzhao.sharing.copy_key import CopyKeys
from zhengzhao.sharing.identity import IdentityProvider, load_identity_provider
from zhengzhao.storage.engine import Database
from zhengzhao.translog.keys import LogKeys
from zhengzhao.verify.trust_list import TrustListCache

__all__ = ["Node"]


class Node:
    """What a request or command needs, sharing one database and one key cache."""

    def __init__(self, settings: Settings, *, database: Database | None = None) -> None:
        self.settings = settings
        self.database = database or Database(settings.database_url)

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    @cached_property
    def keyring(self) -> KeyRing:
        return KeyRing(kek=self.settings.master_keys.key_encryption)

    @cached_property
    def vault(self) -> HolderVault:
        return HolderVault(self.settings.master_keys)

    @cached_property
    def log_keys(self) -> LogKeys:
        return LogKeys(
            kek=self.settings.master_keys.key_encryption, origin=self.settings.origin
        )

    @cached_property
    def copy_keys(self) -> CopyKeys:
        """The key that signs annotated copies."""
        return CopyKeys(
            kek=self.settings.master_keys.key_encryption, base_url=self.base_url
        )

    @cached_property
    def identity_provider(self) -> IdentityProvider | None:
        """How holders log in; None when they cannot (see `load_identity_provider`)."""
        return load_identity_provider(self.settings)

    @cached_property
    def trust_lists(self) -> TrustListCache:
        return TrustListCache(
            node_name=self.settings.node_name,
            base_url=self.base_url,
            log_origin=self.settings.origin,
            witness_keys=[witness.vkey for witness in self.settings.witnesses],
        )

    def close(self) -> None:
        """Close the database connections; the node is not used afterwards."""
        self.database.dispose()

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
