"""Regions: the GB/T 2260 divisions a node serves, loaded from the shipped code list."""

from __future__ import annotations

from sqlalchemy import Connection

from zhengzhao.model.divisions import current_tree
from zhengzhao.model.parties import Region
from zhengzhao.storage import regions as region_store

__all__ = ["XINJIANG", "load_regions"]

#: 新疆维吾尔自治区, the region the demo and the seed responsibility list serve.
XINJIANG = "650000"


def load_regions(conn: Connection, root_code: str = XINJIANG) -> int:
    """Store ``root_code`` and every current division under it; return how many were
    new. Loading twice changes nothing."""
    tree = current_tree(root_code)
    known = {item.code for item in tree}
    regions = [
        Region(
            code=item.code,
            name=item.name,
            level=item.level.value,
            parent_code=item.parent_code if item.parent_code in known else None,
        )
        for item in tree
    ]
    return region_store.insert_regions(conn, regions)
