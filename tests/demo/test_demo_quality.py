"""The demo library: its departments gather differently, and its quality report for
the demo's month shows it."""

from datetime import UTC, datetime

import pytest

from zhengzhao.config import load_settings
from zhengzhao.demo.gathering import HABITS
from zhengzhao.demo.library import build_demo_library, write_demo_config
from zhengzhao.model.parties import Principal, Role
from zhengzhao.node import Node
from zhengzhao.oversight.months import Month
from zhengzhao.oversight.quality import QualityReport, assess_quality
from zhengzhao.storage.gathering import list_batches

BUILT_AT = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
AUDITOR = Principal(client_id="demo-test", name="auditor", role=Role.AUDITOR)


class _Quiet:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, done: int = 1) -> None:
        pass


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    config = write_demo_config(directory, port=8000)
    with pytest.warns(UserWarning, match="demo master key"):
        node = Node(load_settings(config))
        summary = build_demo_library(
            node,
            directory=directory,
            holders=440,
            seed=2022,
            progress=_Quiet(),
            now=BUILT_AT,
        )
    with node.database.reading() as conn:
        report = assess_quality(
            conn, principal=AUDITOR, month=Month.parse(summary.month), now=BUILT_AT
        )
        batches = list_batches(conn, department_id=None, limit=10_000)
    yield summary, report, batches, directory
    node.close()


def _figures(report: QualityReport, metric: str, figure: str) -> list[float]:
    return [
        float(item.measures[metric].figures[figure])
        for item in report.departments
        if metric in item.measures
    ]


def test_demo_month_is_the_last_whole_month(demo):
    summary, report, _, _ = demo
    assert summary.month == "2026-11" and report.window.complete


def test_demo_departments_gather_through_batches_of_files(demo):
    summary, _, batches, directory = demo
    # A file identical to one sent before finds the same (finished) batch.
    assert summary.files >= len(batches) > 50
    assert sum(1 for _ in (directory / "gathering").rglob("*.jsonl")) == summary.files
    assert sum(batch.counts.rejected for batch in batches) > 0
    assert sum(batch.counts.unchanged for batch in batches) > 0  # repeats, exports


def test_demo_report_spreads_scores(demo):
    scores = [item.score for item in demo[1].departments]
    assert max(scores) == pytest.approx(100) and min(scores) < 60


def test_demo_report_finds_under_gathering(demo):
    rates = _figures(demo[1], "completeness", "rate")
    assert max(rates) == 1 and min(rates) < 0.8
    assert sum(1 for rate in rates if rate < 0.95) >= 5


def test_demo_report_finds_identifier_failures_in_careless_files(demo):
    rates = _figures(demo[1], "identifiers", "rate")
    assert min(rates) == 0 and max(rates) > 0.03
    assert max(_figures(demo[1], "schema", "rate")) > 0.02


def test_demo_report_finds_late_gathering_and_rectification(demo):
    report = demo[1]
    p95 = _figures(report, "gathering_delay", "p95")
    assert min(p95) <= 1 and max(p95) > 365  # on the day, and years of backlog
    fixed = _figures(report, "rectification", "fixed")
    assert sum(fixed) > 0 and min(_figures(report, "rectification", "rate")) < 0.5


def test_demo_habits_differ():
    assert not HABITS[0].files and all(habit.files for habit in HABITS[1:])
    assert HABITS[1].bad_check < HABITS[3].bad_check


def test_demo_files_carry_dated_status_changes(demo):
    _, report, _, directory = demo
    dated = [
        line
        for path in (directory / "gathering").rglob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
        if '"ZZZTBGRQ"' in line
    ]
    assert dated
    # Prompt systems record changes at once; files a lag later.
    on_time = _figures(report, "recording_delay", "on_time")
    assert max(on_time) == 1 and min(on_time) < 0.5
