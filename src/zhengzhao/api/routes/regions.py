"""Regions the node serves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from zhengzhao.api.deps import Caller, CurrentNode
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.storage import regions as region_store

router = APIRouter(prefix="/v1/regions", tags=["regions"])

_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody}}


class RegionOut(ApiModel):
    code: str
    name: str
    level: str
    parent_code: str | None


@router.get("", response_model=list[RegionOut], responses=_ERRORS)
def list_regions(
    principal: Caller, node: CurrentNode, parent: str | None = None
) -> list[RegionOut]:
    """The node's regions, or the regions directly under ``parent``."""
    with node.database.reading() as conn:
        found = region_store.list_regions(conn, parent_code=parent)
    return [
        RegionOut(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code)
        for r in found
    ]
