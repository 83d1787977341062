"""The FastAPI application of one node."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from zhengzhao import __version__
from zhengzhao.api.body_limit import BodyLimit
from zhengzhao.api.errors import install_error_handlers
from zhengzhao.api.routes import (
    access,
    agents,
    authorizations,
    catalog,
    checks,
    clients,
    departments,
    gathering,
    gathering_records,
    holders,
    licenses,
    log,
    matters,
    parties,
    prefills,
    regions,
    reports,
    shares,
    trust,
    verification,
    volumes,
    witness,
)
from zhengzhao.errors import ConfigurationError
from zhengzhao.gathering.service import resume_open_batches
from zhengzhao.issuance.expiry import ExpiryThread
from zhengzhao.model.time import Clock, SystemClock
from zhengzhao.node import Node
from zhengzhao.translog.cosigning import CosigningThread
from zhengzhao.translog.sequencer import SequencerThread
from zhengzhao.web import pages
from zhengzhao.web import quality as quality_pages

__all__ = ["create_app", "create_witness_app"]

logger = logging.getLogger(__name__)

#: Routes that limit their bodies themselves: a gathering upload may be far larger
#: than any other request (`gathering_upload_bytes`).
_OWN_BODY_LIMITS = (("POST", "/v1/gathering/batches"),)

_DESCRIPTION = """
Zhengzhao (电子证照) is a region's electronic license platform: a catalog of license
types, signed issuance with the whole lifecycle, verification, and trust lists.

Authenticate with an API client's token: `Authorization: Bearer zz_<id>_<secret>`;
holders use the session token a login answers with (`zh_<session>_<secret>`) for the
endpoints under `/v1/me`.
Every error has the shape `{"code": "...", "message": "..."}`. Every create takes an
`Idempotency-Key` header; replaying it returns the first answer.
"""


def create_app(
    node: Node, *, clock: Clock | None = None, background: bool = False
) -> FastAPI:
    """The API and pages of ``node``.

    With ``background``, the app makes the annotated-copy key if there is none and
    resumes the gathering batches left open when it starts, and runs the log
    sequencer (when the settings ask for it) and the expiry sweep (every
    `expiry_interval_hours`, unless 0) while it serves.
    Refuses to start when the node is configured unsafely for its mode.
    """
    node.settings.master_keys  # noqa: B018  # raises now rather than on first request
    node.identity_provider  # noqa: B018  # so does an unsafe identity provider
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sequencer = cosigning = expiry = None
        if background:
            node.copy_keys.ensure(node.database, now=clock.now())
            # Batches this node (or another) stopped serving in the middle of.
            threading.Thread(
                target=resume_open_batches,
                kwargs={"node": node, "clock": clock},
                name="gathering-resume",
                daemon=True,
            ).start()
        if background and node.settings.log_sequencer:
            if node.settings.witnesses:
                cosigning = CosigningThread(node, clock=clock)
                cosigning.start()
            sequencer = SequencerThread(
                node,
                clock=clock,
                on_checkpoint=cosigning.notify if cosigning else lambda _step: None,
            )
            sequencer.start()
        if background and node.settings.expiry_interval_hours > 0:
            expiry = ExpiryThread(
                node, clock=clock, interval=node.settings.expiry_interval_hours * 3600
            )
            expiry.start()
        yield
        if expiry is not None:
            expiry.stop()
        if sequencer is not None:
            sequencer.stop()
        if cosigning is not None:
            cosigning.stop()

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
            {
                "name": "gathering",
                "description": "Licenses from departments' files and systems.",
            },
            {
                "name": "oversight",
                "description": "Expected volumes, completeness, data quality.",
            },
            {"name": "matters", "description": "Service matters: the scenario list."},
            {"name": "parties", "description": "Using parties (用证方)."},
            {
                "name": "holders",
                "description": "A holder's own session, licenses and agents.",
            },
            {
                "name": "authorizations",
                "description": "Holders' consent to using parties.",
            },
            {"name": "shares", "description": "Licenses as annotated copies."},
            {"name": "checks", "description": "Match or no match, nothing else."},
            {"name": "access records", "description": "Every use of a holder's data."},
        ],
    )
    app.state.node = node
    app.state.clock = clock
    app.state.full_tiles = log.FullTiles()
    install_error_handlers(app)
    _limit_bodies(app, node, exempt=_OWN_BODY_LIMITS)
    for module in (
        licenses,
        catalog,
        departments,
        regions,
        clients,
        verification,
        trust,
        log,
        gathering,
        volumes,
        reports,
        matters,
        prefills,
        parties,
        holders,
        agents,
        authorizations,
        shares,
        checks,
        access,
        gathering_records,
    ):
        app.include_router(module.router)
    if node.settings.witness_name:
        app.include_router(witness.router)
    app.include_router(pages.router)
    app.include_router(quality_pages.router)
    logger.info("node %s ready (%s mode)", node.settings.node_name, node.settings.mode)
    return app


def create_witness_app(node: Node, *, clock: Clock | None = None) -> FastAPI:
    """A witness and nothing else: `POST /witness/add-checkpoint` for the logs in the
    node's `witness_logs`. Refuses to start unless `witness_name` is set."""
    node.settings.master_keys  # noqa: B018
    if not node.settings.witness_name:
        raise ConfigurationError(
            "this node is not a witness; set witness_name and witness_logs"
        )
    app = FastAPI(
        title="Zhengzhao witness",
        version=__version__,
        description="A C2SP tlog-witness cosigning the checkpoints of Zhengzhao logs.",
    )
    app.state.node = node
    app.state.clock = clock or SystemClock()
    install_error_handlers(app)
    _limit_bodies(app, node)
    app.include_router(witness.router)
    return app


def _limit_bodies(
    app: FastAPI, node: Node, *, exempt: tuple[tuple[str, str], ...] = ()
) -> None:
    app.add_middleware(
        BodyLimit,
        limit=node.settings.request_body_bytes,
        setting="request_body_bytes",
        exempt=exempt,
    )
