"""The report's files: HTML with formulas and embedded charts, CSV and JSON agreeing,
the API endpoint and the page with their refusals, and `zhengzhao report quality`."""

import base64
import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oversight.support import ASSESSED_AT, MONTH, TIANSHAN_SCORE, build_month
from support.cli import invoke, write_config
from support.world import OPERATOR
from zhengzhao.errors import InvalidRequest
from zhengzhao.oversight.export import csv_text, write_report_files
from zhengzhao.oversight.metrics import METRICS
from zhengzhao.oversight.months import Month
from zhengzhao.oversight.quality import SCORE_FORMULA, assess_quality
from zhengzhao.web.quality import SESSION_COOKIE, render_report_file

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def month(world, clock, tmp_path):
    build_month(world, clock, tmp_path / "files")
    return world


@pytest.fixture
def files(month, tmp_path):
    with month.node.database.reading() as conn:
        report = assess_quality(
            conn, principal=OPERATOR, month=Month.parse(MONTH), now=ASSESSED_AT
        )
    paths = write_report_files(
        report, tmp_path / "out", html=render_report_file(report)
    )
    return {path.suffix + ":" + path.name.split("-")[0]: path for path in paths}


def _images(html: str) -> list[bytes]:
    marker = 'src="data:image/png;base64,'
    images = []
    for piece in html.split(marker)[1:]:
        images.append(base64.b64decode(piece.split('"', 1)[0]))
    return images


def test_report_html_writes_every_formula_and_embeds_charts(files):
    html = files[".html:quality"].read_text(encoding="utf-8")
    assert SCORE_FORMULA in html.replace("&#39;", "'")
    for metric in METRICS:
        assert metric.formula.replace("'", "&#39;") in html
    images = _images(html)
    assert len(images) == 4 and all(image.startswith(PNG) for image in images)
    assert "乌鲁木齐市公安局天山区分局" in html
    assert "http" not in html.split("<main>")[1].split("</main>")[0].replace(
        "https://zz.test", ""
    )


def test_report_csv_and_json_agree(files):
    document = json.loads(files[".json:quality"].read_text(encoding="utf-8"))
    text = files[".csv:departments"].read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["department"] for row in rows] == [
        item["department"] for item in document["departments"]
    ]
    for row, item in zip(rows, document["departments"], strict=True):
        assert float(row["score"]) == item["score"]
        for metric in document["metrics"]:
            measure = item["metrics"].get(metric["key"])
            cell = row[f"{metric['key']}.score"]
            assert (cell == "") == (measure is None)
            for figure in metric["figures"]:
                cell = row[f"{metric['key']}.{figure['key']}"]
                if measure is not None:
                    value = measure["figures"][figure["key"]]
                    assert (cell == "") if value is None else float(cell) == value
    tianshan = document["departments"][0]
    assert tianshan["name"] == "乌鲁木齐市公安局天山区分局"
    assert tianshan["score"] == pytest.approx(TIANSHAN_SCORE)
    lines = list(
        csv.DictReader(
            io.StringIO(files[".csv:completeness"].read_text(encoding="utf-8-sig"))
        )
    )
    assert [(line["gathered"], line["expected"], line["status"]) for line in lines] == [
        (
            str(item["gathered"]),
            "" if item["expected"] is None else str(item["expected"]),
            item["status"],
        )
        for item in document["completeness"]
    ]
    assert {item["status"] for item in document["completeness"]} == {
        "declared",
        "undeclared",
    }


def test_report_csv_writes_formula_like_names_as_text():
    table = (
        ["name", "region", "score"],
        [['=HYPERLINK("http://x","y")', "@SUM(A1)", -0.5], ["局", None, 1]],
    )
    lines = list(csv.reader(io.StringIO(csv_text(table).lstrip("\ufeff"))))
    assert lines[1:] == [
        ['\'=HYPERLINK("http://x","y")', "'@SUM(A1)", "-0.5"],
        ["局", "", "1"],
    ]


def test_quality_endpoint_answers_operators_and_auditors(month):
    for who in ("operator", "auditor"):
        response = month.http.get(
            f"/v1/reports/quality?month={MONTH}", headers=month.headers(who)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["month"] == MONTH and body["complete"] is True
        assert [item["rank"] for item in body["departments"]] == [1, 2, 3, 4, 5]
        assert body["metrics"][0]["formula"].startswith("rate = Σ_T min(gathered_T")


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("psb_tianshan", 403, "permission-denied"),
        ("verifier", 403, "permission-denied"),
        (None, 401, "authentication-required"),
    ],
)
def test_quality_endpoint_refuses_others(month, who, status, code):
    headers = month.headers(who) if who else {}
    response = month.http.get(f"/v1/reports/quality?month={MONTH}", headers=headers)
    assert response.status_code == status
    assert response.json()["code"] == code


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("month=2026-13", 422, "write it as YYYY-MM"),
        ("month=2026-09", 404, "nothing to assess in 2026-09"),
        ("month=2027-02", 422, "has not begun"),
        ("", 422, "month"),
    ],
)
def test_quality_endpoint_explains_bad_months(month, query, status, words):
    response = month.http.get(
        f"/v1/reports/quality?{query}", headers=month.headers("auditor")
    )
    assert response.status_code == status
    assert words in response.json()["message"]


def test_quality_page_asks_visitors_to_sign_in(month):
    page = month.http.get(f"/reports/quality?month={MONTH}")
    assert page.status_code == 401
    assert 'name="token"' in page.text
    assert "乌鲁木齐市公安局天山区分局" not in page.text


def test_quality_page_after_sign_in_shows_report(month):
    # The node's base URL is https, so its session cookie travels over https only.
    browser = TestClient(month.http.app, base_url="https://testserver")
    signed = browser.post(
        "/sign-in",
        data={
            "token": month.tokens["auditor"],
            "next": f"/reports/quality?month={MONTH}",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == f"/reports/quality?month={MONTH}"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    page = browser.get(f"/reports/quality?month={MONTH}")
    assert page.status_code == 200
    assert "乌鲁木齐市公安局天山区分局" in page.text
    assert len(_images(page.text)) == 4
    out = browser.post("/sign-out", follow_redirects=False)
    assert out.status_code == 303 and 'zz_session=""' in out.headers["set-cookie"]
    browser.cookies.clear()
    assert browser.get(f"/reports/quality?month={MONTH}").status_code == 401


def test_quality_page_refuses_a_department(month):
    month.http.cookies.set(SESSION_COOKIE, month.tokens["psb_tianshan"])
    page = month.http.get(f"/reports/quality?month={MONTH}")
    assert page.status_code == 403
    assert "this needs the operator or auditor role" in page.text
    assert "天山区分局" not in page.text.split("</header>")[1]


def test_quality_page_with_bearer_header_and_bad_month(month):
    page = month.http.get(
        "/reports/quality?month=2026-1x", headers=month.headers("operator")
    )
    assert page.status_code == 422
    assert "write it as YYYY-MM" in page.text


def test_sign_in_with_an_unknown_token_is_refused(month):
    page = month.http.post(
        "/sign-in", data={"token": "zz_nobody_secret"}, follow_redirects=False
    )
    assert page.status_code == 401
    assert "set-cookie" not in page.headers


def test_sign_in_never_redirects_off_the_node(month):
    signed = month.http.post(
        "/sign-in",
        data={"token": month.tokens["auditor"], "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/"


@pytest.fixture
def config(month, settings, tmp_path):
    return str(write_config(tmp_path / "node.toml", settings))


def test_report_quality_cli_writes_the_files(config, tmp_path):
    out = tmp_path / "report"
    result = invoke(
        "--config", config, "report", "quality", "--month", MONTH, "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == [
        f"completeness-{MONTH}.csv",
        f"departments-{MONTH}.csv",
        f"quality-{MONTH}.html",
        f"quality-{MONTH}.json",
    ]
    assert "5 departments ranked" in result.output


@pytest.mark.parametrize(
    ("month_text", "words"),
    [("2026-13", "write it as YYYY-MM"), ("2026-09", "nothing to assess in 2026-09")],
)
def test_report_quality_cli_errors_exit_two_and_write_nothing(
    config, tmp_path, month_text, words
):
    out = tmp_path / "report"
    result = invoke(
        "--config",
        config,
        "report",
        "quality",
        "--month",
        month_text,
        "--out",
        str(out),
    )
    assert result.exit_code == 2
    assert words in result.output
    assert not out.exists()


def test_report_files_are_written_whole_or_not_at_all(month, tmp_path, monkeypatch):
    with month.node.database.reading() as conn:
        report = assess_quality(
            conn, principal=OPERATOR, month=Month.parse(MONTH), now=ASSESSED_AT
        )
    out = tmp_path / "out"
    first = write_report_files(report, out, html="<p>first run</p>")
    before = {path.name: path.read_bytes() for path in first}
    write_text = Path.write_text

    def failing(path, text, *args, **kwargs):
        if path.name.startswith(".completeness-"):
            raise OSError(28, "No space left on device")
        return write_text(path, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(InvalidRequest) as refused:
        write_report_files(report, out, html="<p>second run</p>")
    assert refused.value.message == (
        f"cannot write the report into {out}: No space left on device"
    )
    # The first run's files stand as they were, and no partial file is left.
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
