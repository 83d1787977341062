"""The benchmarks still run: each script at a tiny size, as a real subprocess.

The figures themselves are not checked (tests never assert wall-clock times); what is
checked is that every benchmark reaches its end and prints its ratios, so that an API
change cannot leave `bench/` broken until someone next measures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import POSTGRES_URL

BENCH = Path(__file__).resolve().parents[2] / "bench"

#: Each benchmark with arguments that make it finish in seconds.
SMALL_RUNS = {
    "gathering.py": ["--rows", "300", "--chunk", "100"],
    "issuance.py": ["--count", "20", "--batch", "10"],
    "sharing.py": [
        "--requests",
        "20",
        "--concurrency",
        "2",
        "--parties",
        "2",
        "--holders",
        "4",
    ],
    "translog.py": ["--count", "600", "--proofs", "5"],
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(SMALL_RUNS))
def test_benchmark_runs_to_its_ratios(script: str) -> None:
    if POSTGRES_URL:
        # Without --database-url a benchmark makes its own SQLite file, so the
        # PostgreSQL pass of the suite would only repeat the SQLite pass.
        pytest.skip("the benchmarks ran in the SQLite pass")
    args = [sys.executable, str(BENCH / script), *SMALL_RUNS[script]]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert " x " in done.stdout, done.stdout


def test_every_benchmark_has_a_small_run() -> None:
    assert sorted(p.name for p in BENCH.glob("*.py")) == sorted(SMALL_RUNS)
