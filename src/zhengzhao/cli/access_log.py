"""The web server's access log, without query strings.

A query string can carry personal data (an old client asking
``GET /v1/licenses?holder=<ID number>``, a search a proxy rewrote), and an access log
is kept, copied and read far more widely than the database. The node's server logs
each request's method, path and status, never what follows the ``?``.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG

__all__ = ["WithoutQueryString", "log_config"]

#: uvicorn's access line: client, method, path with query, HTTP version, status.
_ACCESS_ARGS = 5
_PATH = 2


class WithoutQueryString(logging.Filter):
    """Cuts the query string off the path of uvicorn's access log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == _ACCESS_ARGS:
            path = str(args[_PATH]).split("?", 1)[0]
            record.args = (*args[:_PATH], path, *args[_PATH + 1 :])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with `WithoutQueryString` on its access log."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"without_query": {"()": WithoutQueryString}}
    config["handlers"]["access"]["filters"] = ["without_query"]
    return config
