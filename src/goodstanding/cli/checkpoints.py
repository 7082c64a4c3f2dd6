"""The log's integrity: verify (against signed checkpoints too), checkpoint, checkpoint keygen."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from goodstanding.cli.common import (
    JsonOption,
    err,
    fail,
    failing_on,
    open_store,
    out,
    print_json,
    safe,
    write_or_print,
)
from goodstanding.keyfiles import KeyFileError
from goodstanding.store import Store, verify
from goodstanding.store.checkpoint import (
    Checkpoint,
    CheckpointError,
    generate_key,
    key_id,
    latest_checkpoint,
    parse_public_key,
    public_key_text,
    read_checkpoint,
    sign_checkpoint,
    signing_key_from_env,
    verify_checkpoints,
    write_checkpoint,
)

CheckpointFiles = Annotated[
    list[Path] | None,
    typer.Option("--checkpoint", help="A signed checkpoint the log must still extend."),
]
PublicKeyOption = Annotated[
    str | None, typer.Option(help="The checkpoint signer's public key (ed25519:...).")
]
KeyIdOption = Annotated[
    str | None, typer.Option(help="Trust the key a checkpoint carries if it has this id.")
]


def verify_command(
    as_json: JsonOption = False,
    checkpoint: CheckpointFiles = None,
    public_key: PublicKeyOption = None,
    key_id: KeyIdOption = None,
) -> None:
    """Check the event log's hash chain; name the first edited, deleted or reordered entry.

    With --checkpoint (and --public-key, or --key-id pinning the key a checkpoint carries),
    also prove the log still extends every signed checkpoint. Exit code 0 when the chain is
    intact, 1 when it is broken.

    Example: goodstanding verify --checkpoint published.json --public-key ed25519:...
    """
    if checkpoint:
        _verify_checkpoints(checkpoint, public_key, key_id, as_json)
        return
    with open_store() as store:
        report = verify(store)
    _print_verdict(
        report.ok,
        report.problem,
        report.as_dict(),
        f"log intact: {report.entries} entries and {report.audit_entries} audit entries, "
        "every hash checks",
        as_json,
    )


def _print_verdict(
    ok: bool, problem: str | None, data: dict[str, Any], intact: str, as_json: bool
) -> None:
    """Prints how a check of the log came out (`data` with --json, else `intact` or the
    problem on stderr); a broken log exits with code 1."""
    if as_json:
        print_json(data)
        if not ok:
            raise typer.Exit(1)
    elif ok:
        out.print(intact)
    else:
        raise log_broken(problem)


def log_broken(problem: object) -> typer.Exit:
    """Prints why the log is broken on stderr; the exit (code 1) to raise."""
    err.print(f"[bold red]log broken:[/] {safe(problem)}", highlight=False)
    return typer.Exit(1)


def checkpoints_given(
    files: list[Path], public_key: str | None
) -> tuple[list[tuple[str, Checkpoint]], Ed25519PublicKey | None]:
    """The signed checkpoints in `files`, each with its name, and the signer's public key
    if given; raises CheckpointError naming what cannot be read."""
    trusted = parse_public_key(public_key) if public_key is not None else None
    return [(str(path), read_checkpoint(path)) for path in files], trusted


def checkpoint_key() -> Ed25519PrivateKey:
    """The checkpoint signing key the environment names."""
    with failing_on(CheckpointError):
        return signing_key_from_env()


def checkpoint_if_due(store: Store, key: Ed25519PrivateKey, every: int, folder: Path) -> None:
    """Signs a checkpoint into `folder` when the log has grown `every` entries since the latest
    one there."""
    latest = latest_checkpoint(folder)
    with store.engine.connect() as conn:
        seq, _ = store.head(conn)
    if seq - (latest.seq if latest else 0) >= every:
        try:
            written = write_checkpoint(folder, sign_checkpoint(store, key, time.time()))
        except CheckpointError as error:
            raise fail(str(error), 1) from None
        err.print(f"checkpoint of entry {seq} written to {written}", highlight=False)


def _verify_checkpoints(
    files: list[Path], public_key: str | None, pinned: str | None, as_json: bool
) -> None:
    with failing_on(CheckpointError, code=1):
        given, trusted = checkpoints_given(files, public_key)
        with open_store() as store:
            report = verify_checkpoints(store, given, trusted, pinned)
    _print_verdict(
        report.ok,
        report.problem,
        report.as_dict(),
        f"log intact and extends {report.checkpoints} checkpoint(s); "
        f"{report.entries_after_latest_checkpoint} entries after the latest are not yet "
        "covered by one",
        as_json,
    )


def checkpoint_command(
    ctx: typer.Context,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the checkpoint here (default: stdout).")
    ] = None,
) -> None:
    """Sign the heads of the event log and the audit log (key file from
    GOODSTANDING_CHECKPOINT_KEYFILE); publish or store the result outside the database.

    Example: goodstanding checkpoint --out checkpoints/today.json
    """
    if ctx.invoked_subcommand is not None:
        return
    key = checkpoint_key()
    with open_store() as store, failing_on(CheckpointError, code=1):
        checkpoint = sign_checkpoint(store, key, time.time())
    write_or_print(out_file, checkpoint.to_json())


def checkpoint_keygen(
    out_file: Annotated[Path, typer.Option("--out", help="The new private key file (0600).")],
) -> None:
    """Make a checkpoint signing key; prints the public key to publish.

    Example: goodstanding checkpoint keygen --out /etc/goodstanding/checkpoint.key
    """
    with failing_on(KeyFileError):
        public = generate_key(out_file)
    out.print(f"public key: {public_key_text(public)} (key id {key_id(public)})", highlight=False)
