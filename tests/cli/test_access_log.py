"""The server's access log never prints a query string."""

import logging
import logging.config

from zhengzhao.cli.access_log import WithoutQueryString, log_config


def access_record(path):
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 400),
        None,
    )


def test_access_log_drops_the_query_string():
    record = access_record("/v1/licenses?holder=650102199001011239")
    assert WithoutQueryString().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /v1/licenses HTTP/1.1" 400'


def test_access_log_keeps_a_path_without_query():
    record = access_record("/v1/trust-list")
    WithoutQueryString().filter(record)
    assert "/v1/trust-list" in record.getMessage()


def test_served_access_log_prints_no_query_string(capsys):
    logging.config.dictConfig(log_config())
    try:
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/v1/licenses?holder=650102199001011239",
            "1.1",
            400,
        )
        printed = capsys.readouterr().out
    finally:
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.propagate = True
            logger.setLevel(logging.NOTSET)
    assert '"GET /v1/licenses HTTP/1.1" 400' in printed
    assert "650102199001011239" not in printed
