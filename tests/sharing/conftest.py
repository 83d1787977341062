"""The sharing tests' node lets holders log in through the development provider."""

from __future__ import annotations

import pytest

from conftest import random_master_key
from support.world import World, build_world
from zhengzhao.config import Settings
from zhengzhao.node import Node
from zhengzhao.sharing.identity import UnsafeIdentityProviderWarning


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        mode="development",
        database_url=database_url,
        master_key=random_master_key(),  # type: ignore[arg-type]
        base_url="https://zz.test",
        node_name="zz.test",
        identity_provider="unsafe-development",
    )


@pytest.fixture
def world(node: Node, clock) -> World:
    with pytest.warns(UnsafeIdentityProviderWarning, match="UNSAFE development"):
        return build_world(node, clock)
