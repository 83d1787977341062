"""The one place where errors become HTTP responses: ``{"code", "message"}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from zhengzhao.errors import RateLimited, ZhengzhaoError

__all__ = ["install_error_handlers"]

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "request-too-large",
    415: "unsupported-media-type",
}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ZhengzhaoError, _platform_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _out_of_range)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)


def _platform_error(_request: Request, exc: ZhengzhaoError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers)


def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"] if part != "body")
        problems.append({"path": location, "message": error["msg"]})
    first = problems[0] if problems else {"path": "", "message": "invalid request"}
    message = (
        f"{first['path']}: {first['message']}" if first["path"] else first["message"]
    )
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problems)"
    return JSONResponse(
        {
            "code": "invalid-request",
            "message": message,
            "details": {"errors": problems},
        },
        status_code=422,
    )


def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http-error")
    return JSONResponse(
        {"code": code, "message": str(exc.detail)},
        status_code=exc.status_code,
        headers=exc.headers,
    )


def _out_of_range(request: Request, exc: DataError) -> JSONResponse:
    # Input that passed validation but that the database cannot hold (a number beyond
    # its integer range, say) is the caller's error, and nothing was written.
    logger.warning(
        "value out of range on %s %s: %s", request.method, request.url.path, exc
    )
    return JSONResponse(
        {
            "code": "invalid-request",
            "message": "a value in the request is outside the range the node stores",
        },
        status_code=422,
    )


def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error(
        "unexpected error on %s %s", request.method, request.url.path, exc_info=exc
    )
    return JSONResponse(
        {
            "code": "internal-error",
            "message": "the node failed unexpectedly; nothing was changed. The operator"
            " can find the details in the node's log",
        },
        status_code=500,
    )
