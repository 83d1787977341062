"""Documents in and out of a node: verify a license, export licenses, the trust list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from zhengzhao.cli.context import EXIT_INVALID, console, errors, open_node
from zhengzhao.errors import CopyExpired, InvalidRequest, SignatureInvalid
from zhengzhao.issuance.credential import EVENT_TYPE
from zhengzhao.issuance.export import export_licenses
from zhengzhao.model.time import SystemClock
from zhengzhao.sharing.copies import COPY_TYPE, check_copy
from zhengzhao.translog.sequencer import integrate_all
from zhengzhao.verify.events import verify_event
from zhengzhao.verify.sources import (
    FileStatusLists,
    HttpStatusLists,
    fetch_log_proof,
    fetch_trust_list,
    read_json_file,
)
from zhengzhao.verify.trust_list import TrustList
from zhengzhao.verify.verifier import VerificationReport, verify_license

__all__ = ["export", "trust_list", "verify"]


def verify(
    file: Annotated[Path, typer.Argument(help="The license: a credential JSON file.")],
    url: Annotated[
        str | None,
        typer.Option(help="Verify online: fetch trust and status from this node."),
    ] = None,
    trust_list_file: Annotated[
        Path | None,
        typer.Option("--trust-list", help="Verify offline against this trust list."),
    ] = None,
    status_lists: Annotated[
        list[Path] | None,
        typer.Option("--status-list", help="Status list credential file (repeatable)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON.")
    ] = False,
) -> None:
    """Check a license's proof, issuer key, status, validity window and log proof.

    FILE is a credential, or a license as the API answers it or `export` writes it
    ({"document": ..., "log": ...}), whose log proof is then checked too; or an
    annotated copy (加注件) from a share, checked against the node's copy key and its
    expiry; or a signed lifecycle event, checked against the issuer's key. Online
    (--url) the node's trust list, status lists and, when FILE has none, the log
    proof are fetched; offline (--trust-list, --status-list) nothing touches the
    network. Exit status 0 only for
    a valid license; 1 for an invalid one or one whose status could not be checked.
    """
    document = read_json_file(file)
    if isinstance(document, dict) and COPY_TYPE in document.get("type", []):
        _verify_copy(document, url, trust_list_file, as_json=as_json)
        return
    if isinstance(document, dict) and document.get("type") == EVENT_TYPE:
        trust = _trust(url, trust_list_file, what="the event")
        _verify_event(document, trust, as_json=as_json)
        return
    log_proof = None
    if isinstance(document, dict) and isinstance(document.get("document"), dict):
        log_proof = document.get("log")  # the API's and the export's shape
        document = document["document"]
    now = datetime.now(UTC)
    if url is not None:
        if trust_list_file is not None:
            raise InvalidRequest("give either --url or --trust-list, not both")
        with httpx.Client(follow_redirects=False) as client:
            report = verify_license(
                document,
                trust_list=fetch_trust_list(client, url),
                status_lists=HttpStatusLists(client),
                now=now,
                log_proof=log_proof or fetch_log_proof(client, url, document),
            )
    elif trust_list_file is not None:
        report = verify_license(
            document,
            trust_list=TrustList.from_json(read_json_file(trust_list_file)),
            status_lists=FileStatusLists(status_lists) if status_lists else None,
            now=now,
            log_proof=log_proof,
        )
    else:
        raise InvalidRequest(
            "give --url to verify online or --trust-list to verify offline"
        )
    _print_report(report, as_json=as_json)
    if not report.valid:
        raise typer.Exit(EXIT_INVALID)


def _trust(url: str | None, trust_list_file: Path | None, *, what: str) -> TrustList:
    if url is not None and trust_list_file is not None:
        raise InvalidRequest("give either --url or --trust-list, not both")
    if url is not None:
        with httpx.Client(follow_redirects=False) as client:
            return fetch_trust_list(client, url)
    if trust_list_file is not None:
        return TrustList.from_json(read_json_file(trust_list_file))
    raise InvalidRequest(f"give --url or --trust-list to check {what} against")


def _verify_event(document: dict[str, Any], trust: TrustList, *, as_json: bool) -> None:
    try:
        event = verify_event(document, trust_list=trust, now=datetime.now(UTC))
    except SignatureInvalid as exc:
        if as_json:
            console.print_json(json.dumps({"valid": False, "reason": exc.message}))
        else:
            console.print(f"[bold red]invalid event[/]: {exc.message}")
        raise typer.Exit(EXIT_INVALID) from exc
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "valid": True,
                    "license": event.license,
                    "sequence": event.sequence,
                    "kind": event.kind,
                    "occurredAt": event.occurred_at,
                    "issuerCode": event.issuer_code,
                    "issuerName": event.issuer_name,
                },
                ensure_ascii=False,
            )
        )
        return
    console.print(
        f"[bold green]valid event[/] {event.sequence} ({event.kind},"
        f" {event.occurred_at}) of {event.license}, signed by {event.issuer_name}"
    )


def _verify_copy(
    document: dict[str, Any],
    url: str | None,
    trust_list_file: Path | None,
    *,
    as_json: bool,
) -> None:
    trust = _trust(url, trust_list_file, what="the copy")
    try:
        copy = check_copy(document, trust_list=trust, now=datetime.now(UTC))
    except (SignatureInvalid, CopyExpired) as exc:
        if as_json:
            console.print_json(json.dumps({"valid": False, "reason": exc.message}))
        else:
            console.print(f"[bold red]invalid annotated copy[/]: {exc.message}")
        raise typer.Exit(EXIT_INVALID) from exc
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "valid": True,
                    "typeCode": copy.type_code,
                    "usingParty": copy.party_code,
                    "matter": copy.matter_code,
                    "purpose": copy.purpose,
                    "accessRecord": copy.access_record,
                    "expiresAt": copy.expires_at.isoformat(),
                },
                ensure_ascii=False,
            )
        )
        return
    console.print(
        f"[bold green]valid annotated copy[/] of a {copy.type_code} license for"
        f" {copy.party_code}, matter {copy.matter_code} ({copy.purpose}), until"
        f" {copy.expires_at.isoformat()}"
    )


def _print_report(report: VerificationReport, *, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(report.to_json(), ensure_ascii=False))
        return
    colour = {"valid": "green", "invalid": "red"}.get(report.verdict.value, "yellow")
    console.print(f"[bold {colour}]{report.summary}[/]")
    table = Table("check", "outcome", "detail", show_lines=False)
    for name in (
        "format",
        "proof",
        "issuer_key",
        "library",
        "status",
        "validity_window",
        "transparency",
    ):
        check = getattr(report, name)
        table.add_row(name.replace("_", " "), check.outcome.value, check.detail)
    console.print(f"{report.license_name or ''} {report.license_identifier or ''}")
    console.print(table)
    if report.log is not None:
        console.print(
            f"log position: leaf {report.log.index} of a tree of"
            f" {report.log.tree_size}, {len(report.log.inclusion_proof)} proof hashes"
        )


def export(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many licenses to write.")],
    out: Annotated[Path, typer.Option(help="Directory to write into.")],
) -> None:
    """Write licenses with their log proofs (one JSON file each), the trust list and
    their status lists. Pending log entries are integrated first."""
    node = open_node(ctx)
    integrate_all(node, clock=SystemClock())
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
    ) as bar:
        task = bar.add_task("exporting", total=limit)
        summary = export_licenses(
            node,
            limit=limit,
            out=out,
            now=datetime.now(UTC),
            progress=lambda done: bar.update(task, completed=done),
        )
    console.print(
        f"{summary.licenses} licenses, {summary.status_lists} status lists and"
        f" trust-list.json written to {summary.directory}"
    )


def trust_list(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="File to write; default: standard output.")
    ] = None,
) -> None:
    """Write the node's trust list."""
    node = open_node(ctx)
    with node.database.reading() as conn:
        document: dict[str, Any] = node.trust_lists.current(
            conn, now=datetime.now(UTC)
        )[0]
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"{len(document['verificationMethods'])} keys written to {out}")
