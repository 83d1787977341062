"""Verification of a license credential by the node."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.schemas import ErrorBody
from zhengzhao.verify.service import verify_on_node

router = APIRouter(tags=["verification"])


@router.post(
    "/v1/verify",
    responses={401: {"model": ErrorBody}, 422: {"model": ErrorBody}},
    summary="Verify a license",
)
def verify(
    principal: Caller,
    node: CurrentNode,
    now: Now,
    document: Annotated[
        dict[str, Any], Body(description="The license credential to check.")
    ],
) -> dict[str, Any]:
    """Check a license's proof, issuer key, status and validity window.

    Any API client may ask. The report has one field per check and a verdict:
    `valid`, `invalid` or `indeterminate`.
    """
    return verify_on_node(node, document, now=now).to_json()
