"""The FastAPI application of one node."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from zhengzhao import __version__
from zhengzhao.api.errors import install_error_handlers
from zhengzhao.api.routes import (
    catalog,
    clients,
    departments,
    licenses,
    regions,
    trust,
    verification,
)
from zhengzhao.model.time import Clock, SystemClock
from zhengzhao.node import Node
from zhengzhao.web import pages

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

_DESCRIPTION = """
Zhengzhao (电子证照) is a region's electronic license platform: a catalog of license
types, signed issuance with the whole lifecycle, verification, and trust lists.

Authenticate with an API client's token: `Authorization: Bearer zz_<id>_<secret>`.
Every error has the shape `{"code": "...", "message": "..."}`. Every create takes an
`Idempotency-Key` header; replaying it returns the first answer.
"""


def create_app(node: Node, *, clock: Clock | None = None) -> FastAPI:
    """The API (and, when ``web`` is installed, the pages) of ``node``.

    Refuses to start when the node is configured unsafely for its mode.
    """
    node.settings.master_keys  # noqa: B018  # raises now rather than on first request
    app = FastAPI(
        title="Zhengzhao",
        version=__version__,
        description=_DESCRIPTION,
        openapi_tags=[
            {"name": "licenses", "description": "Issue, read and change licenses."},
            {"name": "catalog", "description": "License types and responsibilities."},
            {"name": "departments", "description": "Issuers, keys, status lists."},
            {"name": "verification", "description": "Check a license."},
            {"name": "trust", "description": "Trust list and health."},
        ],
    )
    app.state.node = node
    app.state.clock = clock or SystemClock()
    install_error_handlers(app)
    for module in (
        licenses,
        catalog,
        departments,
        regions,
        clients,
        verification,
        trust,
    ):
        app.include_router(module.router)
    app.include_router(pages.router)
    logger.info("node %s ready (%s mode)", node.settings.node_name, node.settings.mode)
    return app
