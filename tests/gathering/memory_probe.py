"""Gather a file in a process of its own, and print its peak resident memory as the
batch passes checkpoints: run by `test_gather_memory` as

    python memory_probe.py CONFIG FILE TYPE DEPARTMENT CHECKPOINT …

It prints one JSON object: rows done → peak RSS in KiB, and the batch's counts.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from zhengzhao.config import load_settings
from zhengzhao.gathering.batches import ChunkDone
from zhengzhao.gathering.reader import SourceFormat
from zhengzhao.gathering.service import run_submitted, submit_batch
from zhengzhao.model.parties import Principal, Role
from zhengzhao.model.time import SystemClock
from zhengzhao.node import Node


def main(config: str, file: str, type_code: str, department: str, *marks: str) -> None:
    node = Node(load_settings(Path(config)))
    principal = Principal(client_id="memory-probe", name="probe", role=Role.OPERATOR)
    path = Path(file)
    clock = SystemClock()
    submission = submit_batch(
        node,
        principal=principal,
        department_code=department,
        type_code=type_code,
        path=path,
        format=SourceFormat.CSV,
        mapping=None,
        filename=path.name,
        keep_copy=False,
        now=clock.now(),
    )
    checkpoints = sorted(int(mark) for mark in marks)
    peaks: dict[int, int] = {}
    current: dict[int, int] = {}

    def advance(done: ChunkDone) -> None:
        while checkpoints and done.counts.rows_done >= checkpoints[0]:
            # ru_maxrss is in KiB on Linux.
            peaks[checkpoints[0]] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            current[checkpoints.pop(0)] = _resident_kib()

    view = run_submitted(
        node,
        submission=submission,
        principal=principal,
        path=path,
        clock=clock,
        on_chunk=advance,
    )
    counts = view.record.counts
    node.close()
    print(  # noqa: T201  # the test reads it
        json.dumps(
            {
                "peaks": peaks,
                "current": current,
                "accepted": counts.accepted,
                "rejected": counts.rejected,
            }
        )
    )


def _resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


if __name__ == "__main__":
    main(*sys.argv[1:])
