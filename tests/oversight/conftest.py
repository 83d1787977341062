"""The assessed month's history starts in October, before the test clock's day: the
departments' first keys sign from the start of the year."""

from datetime import UTC, datetime

import pytest

from support.world import World, build_world
from zhengzhao.node import Node

#: When the departments' first keys start signing.
KEYS_FROM = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def world(node: Node, clock) -> World:
    return build_world(node, clock, keys_from=KEYS_FROM)
