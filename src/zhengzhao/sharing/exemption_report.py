"""The exemption report: how much of what matters ask the node supplies, by design
and in practice, against the plan's target.

By design comes from the registered matters and the catalog's published types
(`zhengzhao.sharing.exemptions.by_design`); in practice from the counts each prefill
stored in its access record (`zhengzhao.sharing.exemptions.in_practice`), over a
period of days in China Standard Time, both ends included. Operators and auditors
read it; it names matters and counts, never a holder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import InvalidRequest
from zhengzhao.model.parties import Principal, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.model.time import start_of_day
from zhengzhao.sharing.access import AccessAction
from zhengzhao.sharing.exemptions import (
    PLAN_TARGET,
    WEIGHTING,
    ExemptionReport,
    Supplied,
    by_design,
    in_practice,
)
from zhengzhao.sharing.matters import ServiceMatter
from zhengzhao.sharing.prefills import OUTCOME
from zhengzhao.sharing.scenarios import get_matter, list_matters
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import prefills as prefill_store

__all__ = ["ExemptionStatistics", "exemption_statistics"]


@dataclass(frozen=True, kw_only=True)
class ExemptionStatistics:
    """The report: both bases, for one matter or all, over a period."""

    #: The matter reported on; None: every registered matter.
    matter_code: str | None
    #: First and last day of the prefills counted; None: unbounded.
    since: date | None
    until: date | None
    design: ExemptionReport
    practice: ExemptionReport

    def to_json(self) -> dict[str, Any]:
        return {
            "matter": self.matter_code,
            "period": {
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
            },
            "target": PLAN_TARGET.to_json(),
            "weighting": WEIGHTING,
            "design": _with_target(self.design),
            "practice": _with_target(self.practice),
        }


def exemption_statistics(
    conn: Connection,
    *,
    principal: Principal,
    matter_code: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> ExemptionStatistics:
    """The shares by design and in practice (operators and auditors); in practice
    counts the prefills made from ``since`` to ``until``, both days included.

    Raises `PermissionDenied` for other roles, `NotFound` for an unknown matter and
    `InvalidRequest` for a period that ends before it begins.
    """
    require_role(principal, Role.OPERATOR, Role.AUDITOR)
    if since is not None and until is not None and until < since:
        raise InvalidRequest(
            f"the period ends on {until.isoformat()}, before it begins on"
            f" {since.isoformat()}; give since on or before until"
        )
    matters = _matters(conn, matter_code)
    published = {
        license_type.code
        for license_type in catalog_store.list_types(conn)
        if catalog_store.published_version(conn, license_type.code) is not None
    }
    rows = prefill_store.recorded_details(
        conn,
        action=AccessAction.PREFILL.value,
        outcome=OUTCOME,
        matter_code=matter_code,
        start=start_of_day(since) if since else None,
        end=start_of_day(until + timedelta(days=1)) if until else None,
    )
    practice = in_practice(
        Supplied.from_json(code, details["supplied"]) for code, details in rows
    )
    return ExemptionStatistics(
        matter_code=matter_code,
        since=since,
        until=until,
        design=by_design(matters, published=published),
        practice=practice,
    )


def _matters(conn: Connection, matter_code: str | None) -> list[ServiceMatter]:
    if matter_code is not None:
        return [get_matter(conn, matter_code).matter]
    matters: list[ServiceMatter] = []
    after = 0
    while True:
        page = list_matters(conn, after=after)
        matters += [record.matter for record in page.items]
        if page.next_cursor is None:
            return matters
        after = page.next_cursor


def _with_target(report: ExemptionReport) -> dict[str, Any]:
    body = report.to_json()
    body["overall"]["meetsTarget"] = PLAN_TARGET.met(report.materials)
    return body
