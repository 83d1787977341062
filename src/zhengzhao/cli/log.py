"""`zhengzhao log` and `zhengzhao witness`: run, audit and watch transparency logs."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import httpx
import typer
import uvicorn
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from zhengzhao.api.app import create_witness_app
from zhengzhao.cli.context import EXIT_INVALID, console, errors, open_node
from zhengzhao.errors import InvalidRequest, SplitView, ZhengzhaoError
from zhengzhao.model.time import SystemClock
from zhengzhao.storage import log as log_store
from zhengzhao.translog.audit import audit
from zhengzhao.translog.cosigning import CosigningThread
from zhengzhao.translog.monitor import first_view, follow, load_view, save_view
from zhengzhao.translog.sequencer import BATCH, SequencerThread, integrate_all
from zhengzhao.translog.witness_keys import node_witness
from zhengzhao.verify.sources import fetch_trust_list

__all__ = ["log_app", "witness_app"]

log_app = typer.Typer(
    help="The node's transparency log: its key, sequencer, audit, and monitoring of"
    " other logs.",
    no_args_is_help=True,
)
witness_app = typer.Typer(
    help="Witness other logs' checkpoints (C2SP tlog-witness).", no_args_is_help=True
)


@log_app.command("vkey")
def vkey(ctx: typer.Context) -> None:
    """Print the log's verifier key (C2SP `name+hash+base64`), creating the key on
    first use."""
    node = open_node(ctx)
    with node.database.transaction() as conn:
        node.log_keys.signer(conn, now=datetime.now(UTC))
        key = node.log_keys.verifier_key(conn)
    typer.echo(key)


@log_app.command("sequence")
def sequence(
    ctx: typer.Context,
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="Integrate everything pending, then exit (default: run on)."
        ),
    ] = False,
    batch: Annotated[
        int, typer.Option(min=1, help="Leaves per integration (one transaction).")
    ] = BATCH,
) -> None:
    """Integrate pending leaves and sign checkpoints, as the server does.

    Use it when the server runs with `log_sequencer = false`, or to catch up offline.
    Running on, it integrates every half merge delay and asks the configured
    witnesses to cosign each checkpoint, until interrupted.
    """
    node = open_node(ctx)
    clock = SystemClock()
    if once:
        with node.database.reading() as conn:
            pending = log_store.pending_count(conn)
        with _bar() as bar:
            task = bar.add_task("integrating", total=pending)
            added = integrate_all(
                node,
                clock=clock,
                batch=batch,
                progress=lambda count: bar.advance(task, count),
            )
        with node.database.reading() as conn:
            latest = log_store.latest_checkpoint(conn)
        size = latest.size if latest else 0
        console.print(f"{added} leaves integrated; the log's size is {size}")
        return
    cosigning = CosigningThread(node, clock=clock)
    sequencer = SequencerThread(
        node, clock=clock, on_checkpoint=cosigning.notify, batch=batch
    )
    console.print(
        f"sequencing {node.settings.origin} every"
        f" {node.settings.log_merge_delay / 2:g} s; Ctrl-C stops"
    )
    cosigning.start()
    sequencer.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sequencer.stop()
        cosigning.stop()


@log_app.command("audit")
def audit_command(
    ctx: typer.Context,
    trusted: Annotated[
        Path | None,
        typer.Option(
            help="A checkpoint note obtained outside the node (from a witness or a"
            " monitor): the log must hold that very tree, or extend it."
        ),
    ] = None,
    vkey: Annotated[
        str | None,
        typer.Option(
            "--vkey",
            help="The log's verifier key as published (C2SP name+hash+base64, as the"
            " trust list carries it): then the only key trusted. Default: the stored"
            " key, if the node's own wrapped private key makes it.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recompute the log from the stored events and tiles; name every event changed,
    deleted, inserted or reordered since it was logged, and every checkpoint, key or
    cosignature that does not hold.

    Exit status 0 when the log and the events agree, 1 when anything was found.
    """
    node = open_node(ctx)
    trusted_note = trusted.read_text(encoding="utf-8") if trusted else None
    with node.database.reading() as conn:
        latest = log_store.latest_checkpoint(conn)
    with _bar() as bar:
        task = bar.add_task("auditing", total=latest.size if latest else 0)
        report = audit(
            node,
            trusted=trusted_note,
            vkey=vkey,
            progress=lambda done: bar.update(task, completed=done),
        )
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "size": report.size,
                    "clean": report.clean,
                    "findings": [vars(finding) for finding in report.findings],
                },
                ensure_ascii=False,
            )
        )
    elif report.clean:
        console.print(f"[green]clean[/]: {report.size} entries agree with the events")
    else:
        console.print(
            f"[bold red]{len(report.findings)} finding(s)[/] in a log of"
            f" {report.size} entries:"
        )
        for finding in report.findings:
            console.print(f"  {finding}", markup=False)
    if not report.clean:
        raise typer.Exit(EXIT_INVALID)


@log_app.command("monitor")
def monitor(
    url: Annotated[
        str, typer.Argument(help="The node's base URL (its log is under /log).")
    ],
    vkey_option: Annotated[
        str | None,
        typer.Option(
            "--vkey",
            help="The log's verifier key. Default: taken from the node's trust list"
            " on first contact, then pinned in the state file.",
        ),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(help="State file. Default: zhengzhao-monitor-<host>.json here."),
    ] = None,
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds between looks.")
    ] = 5.0,
    once: Annotated[bool, typer.Option("--once", help="Look once, then exit.")] = False,
) -> None:
    """Follow a node's log: each new checkpoint must extend the last one seen.

    Consistency is proved from the log's public tiles, not taken from the node. A
    fork (a checkpoint that does not extend the last one, or a smaller one the
    tiles do not prove a prefix of it) is reported with both checkpoints and exits
    with status 1; the state file keeps the last good view. A smaller checkpoint
    that is a prefix is only stale (a cache): reported, not a fork.
    """
    node_url = url.rstrip("/").removesuffix("/log")
    log_url = f"{node_url}/log"
    state = state or Path(f"zhengzhao-monitor-{_host_label(node_url)}.json")
    view = load_view(state)
    with httpx.Client(follow_redirects=False) as client:
        if view is None:
            key = vkey_option or _trusted_log_key(client, node_url)
            view = first_view(client, log_url, key)
            save_view(state, view)
            console.print(
                f"following {view.origin} from size {view.size} (state in {state})"
            )
        elif view.log_url != log_url:
            raise InvalidRequest(
                f"{state} follows {view.log_url}, not {log_url}; give another --state"
            )
        elif vkey_option is not None and vkey_option != view.vkey:
            raise InvalidRequest(
                f"{state} pinned another key for {view.origin}: {view.vkey}"
            )
        while True:
            try:
                view, what = follow(client, view)
            except SplitView as exc:
                errors.print(f"[bold red]FORK[/] {exc.message}")
                errors.print(json.dumps(exc.details, ensure_ascii=False, indent=2))
                raise typer.Exit(EXIT_INVALID) from exc
            except ZhengzhaoError as exc:
                if once:
                    raise
                # An unreachable node or a bad answer is not a fork: look again.
                what = f"[yellow]no answer[/]: {exc.message}"
            else:
                save_view(state, view)
            console.print(f"{datetime.now(UTC):%H:%M:%S} {view.origin}: {what}")
            if once:
                return
            time.sleep(interval)


@witness_app.command("vkey")
def witness_vkey(ctx: typer.Context) -> None:
    """Print this witness's cosignature verifier key, creating the key on first use."""
    node = open_node(ctx)
    typer.echo(node_witness(node, now=datetime.now(UTC)).verifier_key)


@witness_app.command("serve")
def witness_serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Default: the configured host.")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Default: the configured port.")
    ] = None,
) -> None:
    """Serve only the witness: POST /witness/add-checkpoint for `witness_logs`."""
    node = open_node(ctx)
    witness = node_witness(node, now=datetime.now(UTC))
    app = create_witness_app(node)
    host = host or node.settings.host
    port = port or node.settings.port
    console.print(
        f"witness {witness.verifier_key} on http://{host}:{port}/witness"
        f" for {len(node.settings.witness_logs)} log(s)"
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


@witness_app.command("evidence")
def witness_evidence(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the checkpoints this witness refused, with what it had cosigned before.

    Exit status 1 when there is any: each is evidence of a split view or a bad proof.
    """
    node = open_node(ctx)
    found = node_witness(node, now=datetime.now(UTC)).evidence()
    if as_json:
        console.print_json(
            json.dumps(
                [
                    {
                        "origin": item.origin,
                        "reason": item.reason,
                        "cosignedNote": item.cosigned_note,
                        "offeredRequest": item.offered_request,
                        "receivedAt": item.received_at.isoformat(),
                    }
                    for item in found
                ],
                ensure_ascii=False,
            )
        )
    elif not found:
        console.print("no refused checkpoints")
    for item in [] if as_json else found:
        console.print(
            f"[bold red]{item.received_at:%Y-%m-%d %H:%M:%S}[/] {item.origin}:"
            f" {item.reason}"
        )
        console.print(item.cosigned_note, markup=False)
        console.print(item.offered_request, markup=False)
    if found:
        raise typer.Exit(EXIT_INVALID)


def _trusted_log_key(client: httpx.Client, node_url: str) -> str:
    trust = fetch_trust_list(client, node_url)
    if trust.log is None:
        raise InvalidRequest(
            f"the trust list of {node_url} names no log key yet; give --vkey"
        )
    errors.print(
        f"trusting the log key the node publishes on first use: "
        f"{trust.log.verifier.verifier_key}"
    )
    return trust.log.verifier.verifier_key


def _host_label(node_url: str) -> str:
    parts = urlsplit(node_url)
    return (parts.netloc or node_url).replace(":", "_").replace("/", "_")


def _bar() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
    )
