"""The command line: the Typer `app` and its command tree, one module per command group.

The tree is assembled here, in one place, in the order `--help` lists it."""

from __future__ import annotations

from importlib import metadata
from typing import Annotated

import typer

from goodstanding.cli import (
    checkpoints,
    dueprocess,
    export_log,
    groups,
    identity,
    log,
    moderation,
    records,
    replay,
    service,
    sim,
    standing,
    stream,
)
from goodstanding.cli.common import Ctx
from goodstanding.store import default_url

app = typer.Typer(
    help="goodstanding: explainable account standing for online communities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _group(name: str, help_text: str, parent: typer.Typer = app) -> typer.Typer:
    sub = typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)
    parent.add_typer(sub, name=name)
    return sub


policy_app = _group("policy", "Check policy files.")
export_app = _group(
    "export", "Export data: a person's own data, statements of reasons, the event log."
)
records_app = _group("records", "Group-chat records: holds, exports, purges.")
hold_app = _group("hold", "Legal holds on records.", records_app)
rules_app = _group("rules", "How rules perform.")
identity_app = _group("identity", "Identity keys: generate, rotate, retire.")
notices_app = _group("notices", "The outbox of notices to the people decisions affect.")
comments_app = _group("comments", "Comments waiting for the owners of posts.")
report_app = _group("report", "Reports for the public.")
checkpoint_app = typer.Typer(
    help="Signed checkpoints of the log's head, kept outside the database.",
    invoke_without_command=True,
)
app.add_typer(checkpoint_app, name="checkpoint")


def _version(shown: bool) -> None:
    if shown:
        typer.echo(f"goodstanding {metadata.version('goodstanding')}")
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="GOODSTANDING_DB",
            help="SQLAlchemy database URL (default: sqlite:///var/goodstanding.db).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """goodstanding: explainable account standing for online communities."""
    Ctx.db = db or default_url()


app.command()(log.init)
app.command()(log.ingest)
app.command(name="stream")(stream.stream_command)
app.command()(standing.standing)
app.command()(standing.explain)
app.command(name="verify")(checkpoints.verify_command)
app.command(name="replay")(replay.replay_command)
app.command(name="load")(replay.load_command)
checkpoint_app.callback()(checkpoints.checkpoint_command)
checkpoint_app.command("keygen")(checkpoints.checkpoint_keygen)
export_app.command("account")(dueprocess.export_account)
identity_app.command("generate-key")(identity.identity_generate_key)
identity_app.command("rotate")(identity.identity_rotate)
app.command()(moderation.queue)
comments_app.command("queue")(moderation.comments_queue)
rules_app.command("report")(moderation.rules_report)
app.command(name="rings")(moderation.rings_command)
records_app.command("keygen")(records.records_keygen)
hold_app.command("place")(records.hold_place)
hold_app.command("lift")(records.hold_lift)
hold_app.command("list")(records.hold_list)
records_app.command("export")(records.records_export)
records_app.command("purge")(records.records_purge)
export_app.command("sor")(dueprocess.export_sor)
export_app.command("log")(export_log.export_log_command)
notices_app.command("list")(dueprocess.notices_list)
notices_app.command("ack")(dueprocess.notices_ack)
report_app.command("transparency")(dueprocess.report_transparency)
policy_app.command("check")(replay.policy_check)
app.command()(sim.sim)
app.command(name="group")(groups.group_command)
app.command()(standing.summary)
app.add_typer(service.token_app, name="token")
app.add_typer(service.webhooks_app, name="webhooks")
app.command()(service.serve)
