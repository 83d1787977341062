"""The node's trust list and health: public endpoints."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from zhengzhao.api.deps import CurrentNode, Now
from zhengzhao.storage.migrate import current_revision

router = APIRouter(tags=["trust"])


@router.get("/v1/trust-list", summary="The trust list (public)")
def trust_list(node: CurrentNode, now: Now) -> JSONResponse:
    """Every department key this node vouches for, with its window and state.

    Public by design: it holds public keys only, and verifiers need it offline.
    """
    with node.database.reading() as conn:
        document, _parsed = node.trust_lists.current(conn, now=now)
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=60"})


@router.get("/v1/health", summary="Liveness and schema version (public)")
def health(node: CurrentNode) -> dict[str, str | None]:
    """Whether the node answers and its database is reachable, for load balancers."""
    return {"status": "ok", "schema": current_revision(node.database)}
