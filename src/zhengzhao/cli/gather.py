"""`zhengzhao gather`: bring a department's file of licenses into the library, and
write the report of a batch's rejected rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from zhengzhao.cli.admin import _operator
from zhengzhao.cli.context import (
    EXIT_INVALID,
    DefaultCommandGroup,
    console,
    errors,
    open_node,
)
from zhengzhao.errors import InvalidRequest, UnreadableFile
from zhengzhao.gathering.batches import ChunkDone
from zhengzhao.gathering.reader import ColumnMapping, SourceFormat
from zhengzhao.gathering.reports import ReportFormat, write_report
from zhengzhao.gathering.service import BatchView, run_submitted, submit_batch
from zhengzhao.model.time import SystemClock

__all__ = ["gather_app"]

gather_app = typer.Typer(
    cls=DefaultCommandGroup,
    no_args_is_help=True,
    help="Gather licenses from a department's file, and report what was rejected.\n\n"
    "zhengzhao gather FILE --type CODE --department CODE gathers FILE (the `file`"
    " command); zhengzhao gather report BATCH --out FILE writes a batch's rejected"
    " rows to an Excel or CSV file.",
)


class _RowsPerSecond(ProgressColumn):
    """Rows gathered per second since the run started."""

    def render(self, task: Task) -> Text:
        rows = task.fields.get("rows", 0)
        elapsed = task.elapsed or 0
        rate = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 and rows else "… rows/s"
        return Text(f"{rows:,} rows  {rate}", style="progress.data.speed")


@gather_app.command("file")
def gather(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV (UTF-8), JSON Lines or Excel (.xlsx) file.")
    ],
    type_code: Annotated[
        str, typer.Option("--type", help="The license type's catalog code.")
    ],
    department: Annotated[
        str, typer.Option(help="The issuing department's credit code.")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(help="JSON or TOML file: file column → field or metadata name."),
    ] = None,
    file_format: Annotated[
        SourceFormat | None,
        typer.Option("--format", help="Default: from the file name's extension."),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(help="The sheet of an Excel workbook; default: the first."),
    ] = None,
    chunk_rows: Annotated[
        int, typer.Option(min=1, help="Rows per transaction.", hidden=True)
    ] = 500,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON.")
    ] = False,
) -> None:
    """Gather the licenses of one type from FILE, in chunks that each commit alone.

    Run the same command again after any interruption: the batch (known by
    department, type and the file's SHA-256) resumes after its last committed
    chunk; a finished batch is only reported. Exit status: 0 every row gathered;
    1 the batch finished but rows were rejected (see the summary, and
    `zhengzhao gather report`); 2 the file or the command is
    unusable (missing file, unknown type, unknown column), nothing gathered.
    """
    if not file.is_file():
        raise UnreadableFile(f"no file {file}")
    node = open_node(ctx)
    principal = _operator()
    submission = submit_batch(
        node,
        principal=principal,
        department_code=department,
        type_code=type_code,
        path=file,
        format=file_format
        or SourceFormat.detect(filename=file.name, content_type=None),
        mapping=ColumnMapping.from_file(mapping) if mapping else None,
        filename=file.name,
        keep_copy=False,
        now=SystemClock().now(),
        sheet=sheet,
    )
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        _RowsPerSecond(),
        TimeRemainingColumn(),
        console=errors,
        disable=as_json or submission.finished,
    ) as bar:
        done = submission.view.record.counts.rows_done
        task = bar.add_task(
            f"batch {submission.view.record.id}",
            total=submission.view.record.size,
            rows=0,
        )

        def advance(chunk: ChunkDone) -> None:
            bar.update(
                task,
                completed=chunk.bytes_read,
                rows=chunk.counts.rows_done - done,
            )

        view = run_submitted(
            node,
            submission=submission,
            principal=principal,
            path=file,
            clock=SystemClock(),
            chunk_rows=chunk_rows,
            on_chunk=advance,
        )
    _summary(view, repeated=submission.finished, as_json=as_json)
    if view.record.counts.rejected:
        raise typer.Exit(EXIT_INVALID)


def _summary(view: BatchView, *, repeated: bool, as_json: bool) -> None:
    batch = view.record
    counts = batch.counts
    if as_json:
        body = {
            "batch": batch.id,
            "department": view.department_code,
            "typeCode": batch.type_code,
            "sha256": batch.content_hash,
            "sheet": batch.sheet or None,
            "state": batch.state,
            "alreadyFinished": repeated,
            "rows": counts.rows_done,
            "accepted": counts.accepted,
            "unchanged": counts.unchanged,
            "updated": counts.updated,
            "rejected": counts.rejected,
        }
        console.print_json(json.dumps(body, ensure_ascii=False))
        return
    if repeated:
        console.print(f"batch {batch.id} of this file had already finished:")
    console.print(
        f"batch {batch.id} {batch.state}: {counts.rows_done} rows,"
        f" [green]{counts.accepted} accepted[/], {counts.unchanged} unchanged,"
        f" {counts.updated} updated,"
        f" [{'red' if counts.rejected else 'green'}]{counts.rejected} rejected[/]"
    )
    if counts.rejected:
        console.print(
            "the rejected rows and their reasons: zhengzhao gather report"
            f" {batch.id} --out rejections.xlsx (or GET /v1/gathering/batches/"
            f"{batch.id}/rejections?format=xlsx)"
        )


@gather_app.command("report")
def report(
    ctx: typer.Context,
    batch: Annotated[int, typer.Argument(min=1, help="The batch's number.")],
    out: Annotated[
        Path, typer.Option(help="The file to write: .xlsx (Excel) or .csv.")
    ],
    report_format: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="Default: from the file name's extension."),
    ] = None,
) -> None:
    """Write the rejected rows of batch BATCH to an Excel or CSV file.

    One line per problem: row number, paper number (ZZBH), field, value (masked
    where classified) and reason; CSV in UTF-8 with the byte-order mark Excel
    needs. The file is written whole or not at all. Exit status: 0 written; 2 no
    such batch, or the file cannot be written.
    """
    chosen = report_format or ReportFormat.of_path(out)
    node = open_node(ctx)
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("wb") as stream:
            written = write_report(
                node,
                principal=_operator(),
                batch_id=batch,
                format=chosen,
                out=stream,
            )
        partial.replace(out)
    except OSError as exc:
        raise InvalidRequest(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    console.print(f"{written} problems of batch {batch} written to {out}")
