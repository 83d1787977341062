"""The FastAPI application of one node."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from zhengzhao import __version__
from zhengzhao.api.errors import install_error_handlers
from zhengzhao.api.routes import (
    catalog,
    clients,
    departments,
    licenses,
    log,
    regions,
    trust,
    verification,
    witness,
)
from zhengzhao.model.time import Clock, SystemClock
from zhengzhao.node import Node
from zhengzhao.translog.cosigning import Cosigner
from zhengzhao.translog.sequencer import SequencerThread
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


def create_app(
    node: Node, *, clock: Clock | None = None, background: bool = False
) -> FastAPI:
    """The API and pages of ``node``.

    With ``background``, the app runs the log sequencer (when the settings ask for it)
    while it serves. Refuses to start when the node is configured unsafely for its
    mode.
    """
    node.settings.master_keys  # noqa: B018  # raises now rather than on first request
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sequencer = None
        if background and node.settings.log_sequencer:
            sequencer = SequencerThread(
                node, clock=clock, on_checkpoint=Cosigner(node, clock=clock).request
            )
            sequencer.start()
        yield
        if sequencer is not None:
            sequencer.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Zhengzhao",
        version=__version__,
        description=_DESCRIPTION,
        openapi_tags=[
            {"name": "licenses", "description": "Issue, read and change licenses."},
            {"name": "catalog", "description": "License types and responsibilities."},
            {"name": "departments", "description": "Issuers, keys, status lists."},
            {"name": "verification", "description": "Check a license."},
            {"name": "trust", "description": "Trust list and health."},
            {"name": "log", "description": "The transparency log (C2SP tlog-tiles)."},
        ],
    )
    app.state.node = node
    app.state.clock = clock
    install_error_handlers(app)
    for module in (
        licenses,
        catalog,
        departments,
        regions,
        clients,
        verification,
        trust,
        log,
    ):
        app.include_router(module.router)
    if node.settings.witness_name:
        app.include_router(witness.router)
    app.include_router(pages.router)
    logger.info("node %s ready (%s mode)", node.settings.node_name, node.settings.mode)
    return app
