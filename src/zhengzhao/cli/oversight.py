"""`zhengzhao volumes` and `zhengzhao report`: the responsibility list's expected
volumes, completeness, the monthly quality report, and the exemption measure."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zhengzhao.cli.admin import _operator
from zhengzhao.cli.context import GuardedGroup, console, open_node
from zhengzhao.errors import InvalidRequest
from zhengzhao.model.time import local_date
from zhengzhao.oversight.export import write_report_files
from zhengzhao.oversight.months import Month
from zhengzhao.oversight.quality import assess_quality
from zhengzhao.oversight.volumes import (
    VolumeDeclaration,
    completeness,
    declare_volume,
    import_volumes,
    list_volumes,
)
from zhengzhao.sharing.exemption_report import (
    ExemptionStatistics,
    exemption_statistics,
)
from zhengzhao.sharing.exemptions import (
    FORMULAS,
    PLAN_TARGET,
    WEIGHTING,
    Basis,
    ExemptionReport,
    Share,
)
from zhengzhao.web.quality import render_report_file

__all__ = ["report_app", "volumes_app"]

volumes_app = typer.Typer(
    cls=GuardedGroup,
    help="Expected volumes of the responsibility list: how many licenses of a type"
    " each department's own system holds.",
    no_args_is_help=True,
)
report_app = typer.Typer(
    cls=GuardedGroup,
    help="Completeness, data-quality and exemption reports.",
    no_args_is_help=True,
)

MonthOption = Annotated[
    str, typer.Option(help="The month, as YYYY-MM (China Standard Time).")
]


def _now() -> datetime:
    return datetime.now(UTC)


@volumes_app.command("set")
def volumes_set(
    ctx: typer.Context,
    department: Annotated[str, typer.Option(help="The department's credit code.")],
    type_code: Annotated[str, typer.Option("--type", help="The license type's code.")],
    expected: Annotated[int, typer.Option(help="Licenses its own system holds.")],
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="The day the figure stands at."),
    ] = None,
) -> None:
    """Record a department's expected volume of one license type."""
    node = open_node(ctx)
    with node.database.transaction() as conn:
        record = declare_volume(
            conn,
            principal=_operator(),
            declaration=VolumeDeclaration(
                department_code=department,
                type_code=type_code,
                expected=expected,
                as_of=as_of.date() if as_of else None,
            ),
            now=_now(),
        )
    console.print(
        f"{record.department_name} ({record.department_code}) holds"
        f" {record.expected:,} licenses of {record.type_name} ({record.type_code})"
        f" as of {record.as_of.isoformat()}"
    )


@volumes_app.command("import")
def volumes_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV, UTF-8: department,type,expected,as_of.")
    ],
) -> None:
    """Record the declarations of a CSV file: all of them, or none if a row is bad."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InvalidRequest(f"no file {file}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidRequest(f"{file} is not UTF-8 text; save it as CSV UTF-8") from exc
    node = open_node(ctx)
    with node.database.transaction() as conn:
        count = import_volumes(conn, principal=_operator(), text=text, now=_now())
    console.print(f"recorded {count} expected volumes from {file}")


@volumes_app.command("list")
def volumes_list(
    ctx: typer.Context,
    department: Annotated[str | None, typer.Option(help="Only this one.")] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Standing on this day; default today."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The expected volumes standing on a day."""
    node = open_node(ctx)
    day: date = as_of.date() if as_of else local_date(_now())
    with node.database.reading() as conn:
        records = list_volumes(
            conn, principal=_operator(), department_code=department, on=day
        )
    if as_json:
        body = [
            {
                "department": r.department_code,
                "type": r.type_code,
                "expected": r.expected,
                "asOf": r.as_of.isoformat(),
            }
            for r in records
        ]
        console.print_json(json.dumps(body, ensure_ascii=False))
        return
    table = Table("department", "name", "type", "expected", "as of")
    for r in records:
        table.add_row(
            r.department_code,
            r.department_name,
            f"{r.type_code} {r.type_name}",
            f"{r.expected:,}",
            r.as_of.isoformat(),
        )
    console.print(table)


@report_app.command("completeness")
def report_completeness(
    ctx: typer.Context,
    month: MonthOption,
    department: Annotated[str | None, typer.Option(help="Only this one.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Completeness per department and type: gathered ÷ expected at the month's end."""
    window = Month.parse(month).window(_now())
    node = open_node(ctx)
    with node.database.reading() as conn:
        lines = completeness(
            conn, principal=_operator(), window=window, department_code=department
        )
    if as_json:
        body = [
            {
                "department": line.department_code,
                "type": line.type_code,
                "expected": line.expected,
                "gathered": line.gathered,
                "ratio": line.ratio,
                "status": line.status.value,
            }
            for line in lines
        ]
        console.print_json(json.dumps(body, ensure_ascii=False))
        return
    table = Table("department", "type", "expected", "gathered", "completeness")
    for line in lines:
        table.add_row(
            line.department_name,
            line.type_name,
            f"{line.expected:,}" if line.expected is not None else line.status.value,
            f"{line.gathered:,}",
            f"{100 * line.ratio:.1f} %" if line.ratio is not None else "—",
        )
    console.print(table)


@report_app.command("quality")
def report_quality(
    ctx: typer.Context,
    month: MonthOption,
    out: Annotated[Path, typer.Option(help="Directory to write the report into.")],
) -> None:
    """Write the month's data-quality report: HTML with charts, JSON and CSV.

    Exit status: 0 written; 2 a bad month, a month not begun, or nothing to assess
    in it (nothing is written then).
    """
    parsed = Month.parse(month)
    node = open_node(ctx)
    with node.database.reading() as conn:
        report = assess_quality(conn, principal=_operator(), month=parsed, now=_now())
    paths = write_report_files(report, out, html=render_report_file(report))
    status = "" if report.window.complete else " (provisional: the month goes on)"
    console.print(
        f"quality report for {report.month}{status}: {len(report.departments)}"
        " departments ranked"
    )
    for path in paths:
        console.print(f"  {path}")


@report_app.command("exemptions")
def report_exemptions(
    ctx: typer.Context,
    matter: Annotated[str | None, typer.Option(help="Only this matter.")] = None,
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day of prefills counted."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Last day of prefills counted."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The share of required materials and of form fields the node supplies, per
    matter and overall, by design and in practice, against the plan's target.

    Exit status: 0 reported; 2 an unknown matter or a period ending before it
    begins.
    """
    node = open_node(ctx)
    with node.database.reading() as conn:
        report = exemption_statistics(
            conn,
            principal=_operator(),
            matter_code=matter,
            since=since.date() if since else None,
            until=until.date() if until else None,
        )
    if as_json:
        console.print_json(json.dumps(report.to_json(), ensure_ascii=False))
        return
    _print_exemptions(report)


def _print_exemptions(report: ExemptionStatistics) -> None:
    console.print(_basis_table(report.design, title="by design"))
    console.print(_basis_table(report.practice, title="in practice"))
    _print_target(report.design.materials, "by design")
    _print_target(report.practice.materials, "in practice")
    console.print("formulas:")
    for basis, words in ((Basis.DESIGN, "by design"), (Basis.PRACTICE, "in practice")):
        for part, formula in FORMULAS[basis].items():
            console.print(f"  {words}, {part}: {formula}")
    console.print(f"weighting: {WEIGHTING}")


def _basis_table(report: ExemptionReport, *, title: str) -> Table:
    practice = report.basis is Basis.PRACTICE
    table = Table(title=title)
    table.add_column("matter", no_wrap=True)
    if practice:
        table.add_column("prefills", justify="right")
    table.add_column("required materials", justify="right", no_wrap=True)
    table.add_column("form fields", justify="right", no_wrap=True)
    rows = [(row.matter_code, row) for row in report.matters]
    for code, row in rows:
        counted = [str(row.prefills)] if practice else []
        table.add_row(code, *counted, _share(row.materials), _share(row.fields))
    total = [str(sum(row.prefills for row in report.matters))] if practice else []
    table.add_row(
        "overall",
        *total,
        _share(report.materials),
        _share(report.fields),
        style="bold",
    )
    return table


def _share(share: Share) -> str:
    ratio = share.ratio
    shown = "—" if ratio is None else f"{100 * ratio:.1f} %"
    return f"{share.supplied}/{share.asked} {shown}"


def _print_target(share: Share, basis: str) -> None:
    met = PLAN_TARGET.met(share)
    verdict = {True: "meets", False: "falls short of", None: "cannot be held to"}[met]
    console.print(
        f"materials {basis}: {_share(share)}, which {verdict} the plan's target of"
        f" {100 * PLAN_TARGET.materials:.0f} % by {PLAN_TARGET.by.isoformat()}"
        f" ({PLAN_TARGET.source}: {PLAN_TARGET.statement})"
    )
