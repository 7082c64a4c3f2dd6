"""The command line: the Typer `app` and its command tree, one module per command group.

The tree is assembled here, in one place, in the order `--help` lists it."""

from __future__ import annotations

from collections.abc import Callable
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


checkpoint_app.callback()(checkpoints.checkpoint_command)
_COMMANDS: dict[typer.Typer, dict[str, Callable[..., None]]] = {
    app: {
        "init": log.init,
        "ingest": log.ingest,
        "stream": stream.stream_command,
        "standing": standing.standing,
        "explain": standing.explain,
        "verify": checkpoints.verify_command,
        "replay": replay.replay_command,
        "load": replay.load_command,
        "queue": moderation.queue,
        "rings": moderation.rings_command,
        "sim": sim.sim,
        "group": groups.group_command,
        "summary": standing.summary,
        "serve": service.serve,
    },
    checkpoint_app: {"keygen": checkpoints.checkpoint_keygen},
    export_app: {
        "account": dueprocess.export_account,
        "sor": dueprocess.export_sor,
        "log": export_log.export_log_command,
    },
    identity_app: {
        "generate-key": identity.identity_generate_key,
        "rotate": identity.identity_rotate,
    },
    comments_app: {"queue": moderation.comments_queue},
    rules_app: {"report": moderation.rules_report},
    records_app: {
        "keygen": records.records_keygen,
        "export": records.records_export,
        "purge": records.records_purge,
    },
    hold_app: {"place": records.hold_place, "lift": records.hold_lift, "list": records.hold_list},
    notices_app: {"list": dueprocess.notices_list, "ack": dueprocess.notices_ack},
    report_app: {"transparency": dueprocess.report_transparency},
    policy_app: {"check": replay.policy_check},
}
"""Each command group's commands, in the order `--help` lists them."""
for parent, commands in _COMMANDS.items():
    for name, command in commands.items():
        parent.command(name)(command)
app.add_typer(service.token_app, name="token")
app.add_typer(service.webhooks_app, name="webhooks")
