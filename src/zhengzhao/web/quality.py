"""The quality report as a page, and the sign-in that guards it.

The report names departments and their defects, so the page, like its API twin
`GET /v1/reports/quality`, is for operators and auditors only. A browser cannot send a
bearer token by itself: the visitor signs in with an API client's token, which is
kept in an HTTP-only, same-site cookie for this node; scripts may send the usual
``Authorization: Bearer`` header instead. Both are checked by the same
`authenticate` and `assess_quality` as the API.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhengzhao.api.deps import CurrentNode, Now
from zhengzhao.directory.clients import authenticate
from zhengzhao.errors import (
    AuthenticationRequired,
    InputError,
    NotFound,
    PermissionDenied,
)
from zhengzhao.model.parties import Principal
from zhengzhao.model.time import local_date
from zhengzhao.node import Node
from zhengzhao.oversight.charts import report_charts
from zhengzhao.oversight.months import Month
from zhengzhao.oversight.quality import QualityReport, assess_quality
from zhengzhao.web.pages import templates

__all__ = ["SESSION_COOKIE", "render_report_file", "router"]

router = APIRouter(include_in_schema=False)

#: The cookie that carries a signed-in visitor's token.
SESSION_COOKIE = "zz_session"
#: How long a sign-in lasts, in seconds: a working day.
SESSION_SECONDS = 8 * 3600


def _format(value: Any, unit: str) -> str:
    """A figure as the report prints it: shares as percentages, others to one
    decimal place, counts whole, and a dash for a figure that does not exist."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "%":
        return f"{100 * value:.1f} %"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


templates.env.filters["fmt"] = _format


def render_report_file(report: QualityReport) -> str:
    """The report as one self-contained HTML document, charts embedded."""
    return templates.get_template("quality_file.html").render(
        report=report, charts=report_charts(report)
    )


@router.get("/reports/quality", response_class=HTMLResponse)
def quality_page(
    request: Request,
    node: CurrentNode,
    now: Now,
    month: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """This month's report (or ``month``'s), for a signed-in operator or auditor."""
    wanted = month or str(Month.of(local_date(now)).previous())
    next_url = f"/reports/quality?month={wanted}"
    try:
        principal = _visitor(request, node)
        if principal is None:
            return _notice(
                request,
                heading="Sign in to read the quality report · 登录后查看",
                message="The report names departments and their defects: operators"
                " and auditors only.",
                status=401,
                sign_in=True,
                next_url=next_url,
            )
        with node.database.reading() as conn:
            report = assess_quality(
                conn, principal=principal, month=Month.parse(wanted), now=now
            )
    except AuthenticationRequired as exc:
        return _notice(
            request,
            heading="Sign in again · 重新登录",
            message=exc.message,
            status=401,
            sign_in=True,
            next_url=next_url,
            failed=True,
        )
    except (PermissionDenied, InputError, NotFound) as exc:
        return _notice(
            request,
            heading="No quality report · 无法显示",
            message=exc.message,
            status=exc.http_status,
            failed=True,
        )
    return templates.TemplateResponse(
        request,
        "quality.html",
        {"report": report, "charts": report_charts(report), "node": node.settings},
    )


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    node: CurrentNode,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=200)] = "/reports/quality",
) -> Response:
    """Check an API client's token and keep it in the session cookie."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    try:
        _check(node, token.strip())
    except AuthenticationRequired as exc:
        return _notice(
            request,
            heading="Sign in · 登录",
            message=exc.message,
            status=401,
            sign_in=True,
            next_url=target,
            failed=True,
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token.strip(),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=node.base_url.startswith("https://"),
    )
    return response


@router.post("/sign-out")
def sign_out() -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _visitor(request: Request, node: Node) -> Principal | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    token = credentials.strip() if scheme.lower() == "bearer" else ""
    token = token or request.cookies.get(SESSION_COOKIE, "")
    return _check(node, token) if token else None


def _check(node: Node, token: str) -> Principal:
    with node.database.reading() as conn:
        return authenticate(
            conn, token, development=node.settings.mode == "development"
        )


def _notice(
    request: Request,
    *,
    heading: str,
    message: str,
    status: int,
    sign_in: bool = False,
    next_url: str = "/reports/quality",
    failed: bool = False,
) -> Response:
    return templates.TemplateResponse(
        request,
        "notice.html",
        {
            "heading": heading,
            "message": message,
            "sign_in": sign_in,
            "next": next_url,
            "failed": failed,
        },
        status_code=status,
    )
