"""The service's commands: `token` (create, list, revoke), `webhooks` (add, list, retry,
deliver) and `serve` (the API, and webhook delivery in the background)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from goodstanding.cli.common import Ctx, err, failing_on, open_store, out, parse_time
from goodstanding.engine import iso
from goodstanding.service import backend, webhooks
from goodstanding.service.tokens import ROLES, TokenError, create_token, list_tokens, revoke_token

token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)
webhooks_app = typer.Typer(
    help="Signed webhooks to the platform: endpoints, deliveries.", no_args_is_help=True
)


def _expiry(value: str | None) -> float | None:
    return None if value is None else parse_time(value, "--expires")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    account: Annotated[
        str | None, typer.Option(help="The account it speaks for (required for member).")
    ] = None,
    expires: Annotated[
        str | None, typer.Option(help="When it stops working (RFC 3339); default: never.")
    ] = None,
    label: Annotated[str, typer.Option(help="What it is for.")] = "",
) -> None:
    """Create a token and print it once (only its hash is kept).

    Example: goodstanding token create --role member --account a000042
    """
    with open_store() as store:
        now = time.time()
        with failing_on(TokenError):
            token, secret = create_token(store.engine, role, account, _expiry(expires), label, now)
        store.audit(
            "cli",
            "token.create",
            token.id,
            label or "token created",
            now,
            {"role": role, "account": account},
        )
    err.print(f"token {token.id} ({role}); shown once, keep it now:")
    print(secret)


@token_app.command("list")
def token_list() -> None:
    """List tokens (never their secrets): id, role, account, state, expiry."""
    with open_store() as store:
        tokens = list_tokens(store.engine)
    now = time.time()
    table = Table("id", "role", "account", "state", "created", "expires", "label")
    for t in tokens:
        table.add_row(
            t.id,
            t.role,
            t.account_id or "",
            t.state(now),
            iso(t.created_at),
            iso(t.expires_at) if t.expires_at is not None else "never",
            t.label,
        )
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context, token_id: Annotated[str, typer.Argument(help="The token's id.")]
) -> None:
    """Revoke a token: it stops working at once."""
    with open_store() as store:
        now = time.time()
        with failing_on(TokenError):
            revoke_token(store.engine, token_id, now)
        store.audit("cli", "token.revoke", token_id, "token revoked", now, {})
    out.print(f"revoked {token_id}")


@webhooks_app.command("add")
def webhooks_add(
    ctx: typer.Context, url: Annotated[str, typer.Argument(help="Where to POST messages.")]
) -> None:
    """Register an endpoint; prints its signing secret once.

    Example: goodstanding webhooks add https://platform.example/goodstanding-hook
    """
    with open_store() as store:
        now = time.time()
        with failing_on(webhooks.WebhookError):
            endpoint_id, secret = webhooks.add_endpoint(store.engine, url, now)
        store.audit("cli", "webhooks.add", endpoint_id, "endpoint registered", now, {"url": url})
    err.print(f"endpoint {endpoint_id}; its signing secret, shown once:")
    print(secret)


@webhooks_app.command("list")
def webhooks_list(
    ctx: typer.Context, limit: Annotated[int, typer.Option(help="How many.")] = 50
) -> None:
    """The delivery log, latest messages first."""
    with open_store() as store:
        found = webhooks.deliveries(store.engine, limit)
    table = Table("message", "endpoint", "status", "tries", "next try", "last error")
    for d in found:
        next_try = iso(d.next_at) if d.status == "pending" else ""
        table.add_row(
            d.message_id, d.endpoint_id, d.status, str(d.attempts), next_try, d.last_error or ""
        )
    out.print(table)


@webhooks_app.command("retry")
def webhooks_retry(
    ctx: typer.Context, message_id: Annotated[str, typer.Argument(help="The message id.")]
) -> None:
    """Make a message's failed or dead deliveries due again."""
    with open_store() as store, failing_on(webhooks.WebhookError):
        count = webhooks.retry(store.engine, message_id, time.time())
    out.print(f"{count} delivery(ies) of {message_id} due again")


@webhooks_app.command("deliver")
def webhooks_deliver(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit.")] = False,
) -> None:
    """Deliver due messages (one round with --once, else until interrupted)."""
    with open_store() as store:
        if once:
            counts = webhooks.deliver_due(store.engine, time.time())
            out.print(", ".join(f"{k} {v}" for k, v in counts.items()))
            return
        stop = threading.Event()
        try:
            webhooks.run_worker(store.engine, stop, time.time)
        except KeyboardInterrupt:
            stop.set()


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    writer_wait: Annotated[
        float | None,
        typer.Option(
            min=0,
            help="Seconds a write waits for the store's write lock before answering 503 "
            "(default: 2).",
        ),
    ] = None,
    checkpoint_dir: Annotated[
        Path,
        typer.Option(help="Publish the latest checkpoint here at /v1/checkpoint (as ingest's)."),
    ] = Path("var/checkpoints"),
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log",
            help="Log a line per request on stderr (off by default: at thousands of checks a "
            "second it costs a tenth of the worker; writes are in the audit log either way).",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API (docs at /docs, schema at /openapi.json).

    Example: goodstanding serve --port 8000
    """
    import uvicorn

    from goodstanding.service.app import create_app
    from goodstanding.service.context import Limits

    limits = Limits() if writer_wait is None else Limits(writer_wait=writer_wait)
    with failing_on(backend.StoreError):
        app = create_app(Ctx.db, limits, checkpoints=checkpoint_dir)
    stop = threading.Event()
    engine = app.state.service.store.engine
    worker = threading.Thread(
        target=webhooks.run_worker, args=(engine, stop, time.time), daemon=True
    )
    worker.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log)
    finally:
        stop.set()
        worker.join(timeout=15)
