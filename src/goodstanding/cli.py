"""The command line: ingest events, inspect standings, explain scores, verify and replay."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from goodstanding.dueprocess.collect import statements_of_reasons
from goodstanding.dueprocess.notices import NoticeError, acknowledge, notices
from goodstanding.dueprocess.sor import EU_EEA
from goodstanding.dueprocess.transparency import render_html, transparency_report
from goodstanding.engine import Engine, iso
from goodstanding.engine.state import AccountState, account_codec, group_codec
from goodstanding.exports import account_export
from goodstanding.identity import KeyRingError, generate_key, load_keyring
from goodstanding.identity.rotate import count_by_kid, retirable, rotation_plan
from goodstanding.ingest import (
    ChainError,
    Ingestor,
    last_event_time,
    load_policies,
    replay,
    verify,
)
from goodstanding.moderation_reports import owner_queue, review_queue, rings, rule_report
from goodstanding.policy import PolicyError, PolicySet
from goodstanding.records import RecordsError, RecordStore, Retention, generate_master_key
from goodstanding.service import commands as service_commands
from goodstanding.store import Store, StoreError, default_url
from goodstanding.store import schema as tables

app = typer.Typer(
    help="goodstanding: explainable account standing for online communities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
policy_app = typer.Typer(help="Check policy files.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
export_app = typer.Typer(
    help="Export data: a person's own data, statements of reasons.", no_args_is_help=True
)
app.add_typer(export_app, name="export")
records_app = typer.Typer(help="Group-chat records: holds, exports, purges.", no_args_is_help=True)
hold_app = typer.Typer(help="Legal holds on records.", no_args_is_help=True)
records_app.add_typer(hold_app, name="hold")
app.add_typer(records_app, name="records")
rules_app = typer.Typer(help="How rules perform.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
identity_app = typer.Typer(help="Identity keys: generate, rotate, retire.", no_args_is_help=True)
app.add_typer(identity_app, name="identity")
notices_app = typer.Typer(
    help="The outbox of notices to the people decisions affect.", no_args_is_help=True
)
app.add_typer(notices_app, name="notices")
comments_app = typer.Typer(help="Comments waiting for the owners of posts.", no_args_is_help=True)
app.add_typer(comments_app, name="comments")
report_app = typer.Typer(help="Reports for the public.", no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(service_commands.token_app, name="token")
app.add_typer(service_commands.webhooks_app, name="webhooks")
app.command()(service_commands.serve)

out = Console()
err = Console(stderr=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
PolicyFiles = Annotated[
    list[Path] | None,
    typer.Option("--policy", help="A policy file to add (repeatable); recorded policies are kept."),
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at", help="Time to evaluate at (RFC 3339); default: the latest event in the log."
    ),
]


class _Ctx:
    db: str = default_url()


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
) -> None:
    """goodstanding: explainable account standing for online communities."""
    _Ctx.db = db or default_url()


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def _store() -> Iterator[Store]:
    try:
        store = Store.open(_Ctx.db)
    except StoreError as error:
        raise _fail(str(error)) from None
    try:
        yield store
    finally:
        store.close()


def _policies(store: Store, files: list[Path] | None) -> PolicySet:
    try:
        return load_policies(store, [str(f) for f in files or []])
    except (PolicyError, StoreError) as error:
        raise _fail(str(error)) from None


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _progress(label: str, total: int | None) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _as_of(store: Store, at: str | None) -> float:
    if at is not None:
        try:
            when = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            raise _fail(f"--at {at!r} is not an RFC 3339 timestamp") from None
        if when.tzinfo is None:
            raise _fail(f"--at {at!r} needs an offset (e.g. Z)")
        return when.timestamp()
    last = last_event_time(store)
    if last is None:
        raise _fail("the log is empty: ingest events first (goodstanding ingest FILE)")
    return last


@app.command()
def ingest(
    file: Annotated[str, typer.Argument(help="A JSON Lines file of events, or - for stdin.")],
    strict: Annotated[
        bool, typer.Option(help="Refuse the whole input if any line is bad.")
    ] = False,
    policy: PolicyFiles = None,
    as_json: JsonOption = False,
) -> None:
    """Append events to the log and fold them into standings.

    Good lines are kept and bad ones reported with their line number and reason (exit code 1);
    with --strict a single bad line refuses the whole input. Re-ingesting the same events
    changes nothing: duplicates (by id) are skipped and counted.

    Example: goodstanding ingest var/demo.jsonl
    """
    with _store() as store:
        policies = _policies(store, policy)
        if file == "-":
            source, total = sys.stdin.buffer, None
        else:
            path = Path(file)
            if not path.is_file():
                raise _fail(f"no such file: {file}")
            source, total = path.open("rb"), None
            total = path.stat().st_size
        ingestor = Ingestor(store, policies)
        with _progress("ingesting", total) as bar:
            task = bar.add_task("ingest", total=None)
            report = ingestor.ingest(source, strict=strict, progress=lambda n: bar.advance(task, n))
    if as_json:
        _print_json(report.as_dict())
    else:
        for error in report.errors[:50]:
            err.print(f"[red]rejected[/] {error}", highlight=False)
        if len(report.errors) > 50:
            err.print(f"... and {len(report.errors) - 50} more rejected lines")
        verdict = "refused (strict): nothing written" if report.refused_all else "done"
        out.print(
            f"{verdict}: {report.read} read, {report.accepted} accepted, "
            f"{report.duplicates} duplicates skipped, {len(report.errors)} rejected"
        )
        if report.effects:
            out.print(
                "effects: " + ", ".join(f"{k} {v}" for k, v in sorted(report.effects.items()))
            )
    if report.errors:
        raise typer.Exit(1)


def _account(store: Store, account_id: str) -> AccountState:
    rows = store.execute_sql("SELECT state FROM accounts WHERE id = :id", {"id": account_id})
    if not rows:
        raise _fail(f"unknown account {account_id!r}")
    return account_codec[1].decode(rows[0][0])


def standing_of(store: Store, policies: PolicySet, account_id: str, t: float) -> dict[str, Any]:
    """An account's standing at time t: score, band, privileges, sanctions and strikes."""
    account = _account(store, account_id)
    engine = Engine(policies)
    policy = engine.policy_at(t) or policies.versions[0]
    score = account.score(t, policy)
    held, reason = engine.privileges(account, t, policy)
    window = policy.sanctions.strike_window_days * 86400
    return {
        "account": account.id,
        "role": account.role,
        "as_of": iso(t),
        "registered_at": iso(account.registered_at),
        "policy_version": policy.version,
        "score": round(score, 2),
        "band": policy.band_for(score).name,
        "privileges": sorted(held),
        "privileges_reason": reason,
        "sanctions": [
            {
                "id": s.id,
                "action": s.action,
                "since": iso(s.at),
                "until": iso(s.until) if s.until is not None else None,
                "rule": s.rule_id,
            }
            for s in account.binding(t)
        ],
        "strikes": [
            {
                "rule": s.rule_id,
                "content": s.content_id,
                "at": iso(s.at),
                "expires_at": iso(s.expires_at),
            }
            for s in account.active_strikes(t, window)
        ],
    }


@app.command()
def standing(
    account: Annotated[str, typer.Argument(help="The account id.")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show an account's score, band, privileges, active sanctions and strikes.

    Example: goodstanding standing a000042 --json
    """
    with _store() as store:
        policies = _policies(store, None)
        data = standing_of(store, policies, account, _as_of(store, at))
    if as_json:
        _print_json(data)
        return
    out.print(f"[bold]{data['account']}[/] ({data['role']}) as of {data['as_of']}")
    out.print(
        f"score {data['score']:.2f}  band [bold]{data['band']}[/]  "
        f"(policy {data['policy_version']})"
    )
    out.print(f"may: {', '.join(data['privileges']) or 'nothing'}")
    out.print(f"why: {data['privileges_reason']}", highlight=False)
    for s in data["sanctions"]:
        out.print(
            f"sanction: {s['action']} since {s['since']} until {s['until'] or 'no end'} "
            f"(rule {s['rule']})"
        )
    for s in data["strikes"]:
        out.print(f"strike: {s['rule']} on {s['content']} at {s['at']}, expires {s['expires_at']}")


def explanation(store: Store, policies: PolicySet, account_id: str, t: float) -> dict[str, Any]:
    """Every ledger line behind an account's score at time t, with rule texts and evidence."""
    data = standing_of(store, policies, account_id, t)
    policy = Engine(policies).policy_at(t) or policies.versions[0]
    half_life = policy.scoring.half_life_seconds
    rows = store.execute_sql(
        "SELECT at, delta, reason, rule_id, policy_version, evidence, note, event_id "
        "FROM ledger WHERE account_id = :id AND at <= :t ORDER BY event_seq, n",
        {"id": account_id, "t": t},
    )
    lines = []
    total = 0.0
    for at_, delta, reason, rule_id, version, evidence, note, event_id in rows:
        now = delta * 2 ** (-(t - at_) / half_life)
        total += now
        rule = policies.rule_text(version, rule_id) if rule_id else None
        lines.append(
            {
                "at": iso(at_),
                "delta": delta,
                "now": now,
                "reason": reason,
                "rule": rule_id,
                "rule_title": rule.title if rule else None,
                "rule_text": rule.text if rule else None,
                "policy_version": version,
                "evidence": json.loads(evidence),
                "event": event_id,
                "note": note,
            }
        )
    sanctions = store.execute_sql(
        "SELECT sanction_id, action, at, until, reasons FROM sanctions WHERE account_id = :id "
        "AND at <= :t ORDER BY event_seq, n",
        {"id": account_id, "t": t},
    )
    data |= {
        "start": policy.scoring.start,
        "sum_of_faded_entries": total,
        "half_life_days": policy.scoring.half_life_days,
        "ledger": lines,
        "sanction_history": [
            {
                "id": r[0],
                "action": r[1],
                "at": iso(r[2]),
                "until": iso(r[3]) if r[3] is not None else None,
                "reasons": r[4],
            }
            for r in sanctions
        ],
    }
    return data


@app.command()
def explain(
    account: Annotated[str, typer.Argument(help="The account id.")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print every ledger line behind an account's score, with the rule text and evidence.

    The score is the policy's start plus every ledger delta faded by its age (half-life),
    kept within the policy's range.

    Example: goodstanding explain a000042
    """
    with _store() as store:
        policies = _policies(store, None)
        data = explanation(store, policies, account, _as_of(store, at))
    if as_json:
        _print_json(data)
        return
    out.print(
        f"[bold]{data['account']}[/] as of {data['as_of']}: score {data['score']:.2f} = "
        f"start {data['start']:g} + {data['sum_of_faded_entries']:.2f} from "
        f"{len(data['ledger'])} ledger lines (half-life {data['half_life_days']:g} days), "
        f"within the range; band {data['band']}"
    )
    table = Table("at", "delta", "now", "reason", "rule", "evidence")
    for line in data["ledger"]:
        rule = (
            f"{line['rule']} ({line['policy_version']}): {line['rule_text']}"
            if line["rule"]
            else ""
        )
        table.add_row(
            line["at"],
            f"{line['delta']:+.2f}",
            f"{line['now']:+.2f}",
            line["reason"],
            rule,
            ", ".join(line["evidence"]),
        )
    out.print(table)
    for s in data["sanction_history"]:
        out.print(
            f"[bold]{s['action']}[/] at {s['at']} until {s['until'] or 'no end'}: {s['reasons']}",
            highlight=False,
        )


@app.command(name="verify")
def verify_command(as_json: JsonOption = False) -> None:
    """Check the event log's hash chain; name the first edited, deleted or reordered entry.

    Exit code 0 when the chain is intact, 1 when it is broken.

    Example: goodstanding verify
    """
    with _store() as store:
        report = verify(store)
    if as_json:
        _print_json(report.as_dict())
    elif report.ok:
        out.print(
            f"log intact: {report.entries} entries and {report.audit_entries} audit entries, "
            "every hash checks"
        )
    else:
        err.print(f"[bold red]log broken:[/] {report.problem}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command(name="replay")
def replay_command(policy: PolicyFiles = None, as_json: JsonOption = False) -> None:
    """Rebuild every projection (standings, ledger, sanctions, labels) from the log.

    Refuses if the chain is broken, naming the entry. With --policy, the given versions are
    added to the recorded ones first (a recorded version never changes).

    Example: goodstanding replay --policy policies/2026.2.toml
    """
    with _store() as store:
        policies = _policies(store, policy)
        total = store.count(tables.events)
        with _progress("replaying", total) as bar:
            task = bar.add_task("replay", total=total)
            try:
                applied = replay(store, policies, progress=lambda n: bar.advance(task, n))
            except ChainError as error:
                raise _fail(str(error), 1) from None
        digest = store.digest()
    if as_json:
        _print_json({"replayed": applied, "digest": digest})
    else:
        out.print(f"replayed {applied} events; projections digest {digest}")


@export_app.command("account")
def export_account(
    account: Annotated[str, typer.Argument(help="The account id.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write here (default: stdout).")
    ] = None,
) -> None:
    """Everything held about one person, as JSON: their events, ledger, decisions, sanctions,
    appeals (and identity fingerprints with their kinds, never the values); nothing about
    anyone else (no reporters, no moderators).

    Example: goodstanding export account a000042 --out a000042.json
    """
    with _store() as store:
        try:
            data = account_export(store, account)
        except StoreError as error:
            raise _fail(str(error)) from None
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    if out_file is None:
        sys.stdout.write(text)
    else:
        _write_atomically(out_file, text)
        err.print(f"wrote {out_file}")


@identity_app.command("generate-key")
def identity_generate_key(
    kid: Annotated[str, typer.Option(help="The key id to give it.")] = "k1",
) -> None:
    """Print a new random identity key as `KID:BASE64`, for GOODSTANDING_IDENTITY_KEYS or a
    key file (kept outside the database; never commit it).

    Example: goodstanding identity generate-key --kid k2
    """
    sys.stdout.write(f"{kid}:{generate_key()}\n")


@identity_app.command("rotate")
def identity_rotate(
    retire_kid: Annotated[
        str | None,
        typer.Option(
            "--retire", help="Check that this old key may be retired (no fingerprint uses it)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Explain the key-rotation procedure and where this installation stands: which keys
    fingerprints use, and which old keys may be retired.

    Example: goodstanding identity rotate --retire k1
    """
    try:
        loaded = load_keyring()
    except KeyRingError as error:
        raise _fail(str(error)) from None
    with _store() as store:
        rows = store.execute_sql("SELECT fingerprint FROM identities WHERE holders > 0 OR blocked")
    counts = count_by_kid(row[0] for row in rows)
    free = retirable(loaded.ring, counts)
    if as_json:
        _print_json(
            {
                "current": loaded.ring.current.kid,
                "active": list(loaded.ring.kids),
                "fingerprints_by_key": counts,
                "retirable": free,
                "warnings": loaded.warnings,
            }
        )
    else:
        for warning in loaded.warnings:
            err.print(f"[yellow]warning:[/] {warning}", highlight=False)
        out.print(rotation_plan(loaded.ring, counts), highlight=False)
    if retire_kid is not None:
        if retire_kid not in free:
            if retire_kid == loaded.ring.current.kid:
                why = "it is the current key (rotate to a new one first)"
            elif retire_kid in loaded.ring.kids:
                why = f"{counts.get(retire_kid, 0)} stored fingerprint(s) still use it"
            else:
                why = "it is not one of the configured keys"
            raise _fail(f"key {retire_kid!r} cannot be retired: {why}", 1)
        if not as_json:
            out.print(
                f"key {retire_kid!r} may be retired: no stored fingerprint uses it; remove "
                "it from the configured keys"
            )


@app.command()
def queue(
    limit: Annotated[int, typer.Option(help="How many items.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Show the review queue: open items, highest priority first (severity, reach, report
    score), with the evidence that put each there.

    Example: goodstanding queue --limit 10
    """
    with _store() as store:
        items = review_queue(store, limit)
    if as_json:
        _print_json(items)
        return
    table = Table("priority", "content", "rule", "outcome", "source", "evidence")
    for item in items:
        table.add_row(
            f"{item['priority']:.0f}",
            item["content"],
            item["rule"],
            item["outcome"],
            item["source"],
            "; ".join(item["evidence"])[:120],
        )
    out.print(table)


@comments_app.command("queue")
def comments_queue(
    owner: Annotated[str, typer.Argument(help="The account whose posts' comments to show.")],
    as_json: JsonOption = False,
) -> None:
    """Show an owner's queue: comments under their posts waiting for approval
    (comment.approved / comment.rejected), and comments showing there with a violation label,
    each with the detectors' evidence.

    Example: goodstanding comments queue a000042
    """
    with _store() as store:
        _account(store, owner)
        items = owner_queue(store, owner)
    if as_json:
        _print_json(items)
        return
    table = Table("since", "comment", "under", "author", "status", "reason / evidence")
    for item in items:
        why = "; ".join([item["reason"], *item["evidence"]])
        table.add_row(
            item["since"], item["comment"], item["under"], item["author"], item["status"], why
        )
    out.print(table)


@rules_app.command("report")
def rules_report(
    rule: Annotated[str, typer.Argument(help="The rule id.")],
    as_json: JsonOption = False,
) -> None:
    """How a rule performs, live or in shadow mode: items matched, reviews that upheld or
    rejected them (precision), and examples.

    Example: goodstanding rules report harassment.insults
    """
    with _store() as store:
        data = rule_report(store, rule)
    if as_json:
        _print_json(data)
        return
    precision = "n/a" if data["precision"] is None else f"{data['precision']:.1%}"
    out.print(
        f"[bold]{rule}[/]: {data['matched']} matched {data['by_mode']} "
        f"{data['by_source']}; reviewed {data['reviewed']}: {data['upheld']} upheld, "
        f"{data['rejected']} rejected; precision {precision}"
    )
    for example in data["examples"]:
        out.print(
            f"  {example['content']} ({example['mode']}, {example['outcome']}, review: "
            f"{example['review'] or 'pending'}): {'; '.join(example['evidence'])[:100]}",
            highlight=False,
        )


@app.command(name="rings")
def rings_command(
    k: Annotated[int, typer.Option(help="Each member liked content of at least k others.")] = 2,
    as_json: JsonOption = False,
) -> None:
    """Find rings of accounts that repeatedly like or share each other's violating content,
    for review (nothing is decided automatically).

    Example: goodstanding rings
    """
    with _store() as store:
        found = rings(store, k=k)
    if as_json:
        _print_json({"rings": found})
        return
    out.print(f"{len(found)} ring(s) flagged for review")
    for members in found:
        out.print(f"  {len(members)} accounts: {', '.join(members)}")


ByOption = Annotated[
    str,
    typer.Option(
        "--by", envvar="GOODSTANDING_OPERATOR", help="Who is acting (recorded in the audit log)."
    ),
]
ReasonOption = Annotated[str, typer.Option(help="Why (recorded in the audit log).")]


def _time(value: str | None, name: str) -> float:
    """An RFC 3339 option as epoch seconds; now (the clock) when not given."""
    if value is None:
        return time.time()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(f"{name} {value!r} is not an RFC 3339 timestamp") from None
    if when.tzinfo is None:
        raise _fail(f"{name} {value!r} needs an offset (e.g. Z)")
    return when.timestamp()


def _period(start: str, end: str) -> tuple[float, float]:
    """A report's or an export's period [--from, --to) as epoch seconds; --to must be later."""
    lower, upper = _time(start, "--from"), _time(end, "--to")
    if upper <= lower:
        raise _fail(f"--to {end} is not after --from {start}")
    return lower, upper


@contextmanager
def _records() -> Iterator[tuple[Store, RecordStore, PolicySet]]:
    with _store() as store:
        policies = _policies(store, None)
        policy = policies.versions[-1]
        retention = Retention(policy.records.min_days, policy.records.max_days)
        try:
            records = RecordStore.from_env(store.engine, retention=retention)
        except RecordsError as error:
            raise _fail(str(error)) from None
        yield store, records, policies


@records_app.command("keygen")
def records_keygen() -> None:
    """Print a new master key for group-chat records (base64), for
    GOODSTANDING_RECORDS_MASTER_KEY or a key file kept outside the database.

    Example: goodstanding records keygen
    """
    sys.stdout.write(generate_master_key() + "\n")


@hold_app.command("place")
def hold_place(
    scope: Annotated[str, typer.Argument(help="group or account")],
    target: Annotated[str, typer.Argument(help="The group or account id.")],
    reason: ReasonOption,
    by: ByOption,
    as_json: JsonOption = False,
) -> None:
    """Place a legal hold: the records of a group or an account are kept, past any maximum,
    until the hold is lifted.

    Example: goodstanding records hold place group g0042 --reason "court order 17/2026" --by legal
    """
    with _records() as (store, records, _):
        table = "groups" if scope == "group" else "accounts"
        if scope not in ("group", "account"):
            raise _fail(f"a hold's scope is 'group' or 'account', not {scope!r}")
        if not store.execute_sql(f"SELECT 1 FROM {table} WHERE id = :id", {"id": target}):
            raise _fail(f"unknown {scope} {target!r}: a hold names an existing {scope}")
        now = time.time()
        hold = records.place_hold(scope, target, reason, by, now)  # type: ignore[arg-type]
        store.audit(by, "records.hold.place", f"{scope}:{target}", reason, now, {"hold": hold.id})
    if as_json:
        _print_json({"hold": hold.id, "scope": scope, "target": target})
    else:
        out.print(f"hold {hold.id} placed on {scope} {target}")


@hold_app.command("lift")
def hold_lift(
    hold_id: Annotated[int, typer.Argument(help="The hold's id.")],
    reason: ReasonOption,
    by: ByOption,
) -> None:
    """Lift a legal hold; the records it kept become deletable again under the retention rules.

    Example: goodstanding records hold lift 3 --reason "case closed" --by legal
    """
    with _records() as (store, records, _):
        now = time.time()
        try:
            hold = records.lift_hold(hold_id, by, now)
        except RecordsError as error:
            raise _fail(str(error)) from None
        store.audit(
            by, "records.hold.lift", f"{hold.scope}:{hold.target}", reason, now, {"hold": hold_id}
        )
    out.print(f"hold {hold_id} lifted")


@hold_app.command("list")
def hold_list(as_json: JsonOption = False) -> None:
    """List legal holds, active and lifted.

    Example: goodstanding records hold list
    """
    with _records() as (_, records, _unused):
        holds = [asdict(h) for h in records.holds()]
    if as_json:
        _print_json(holds)
        return
    for h in holds:
        state = f"lifted by {h['lifted_by']}" if h.get("lifted_at") else "active"
        out.print(f"{h['id']}: {h['scope']} {h['target']} ({state}): {h['reason']}")


@records_app.command("export")
def records_export(
    group: Annotated[str, typer.Option(help="The group whose records to export.")],
    start: Annotated[str, typer.Option("--from", help="From (RFC 3339, inclusive).")],
    end: Annotated[str, typer.Option("--to", help="To (RFC 3339, exclusive).")],
    reason: ReasonOption,
    by: ByOption,
    out_file: Annotated[Path, typer.Option("--out", help="JSON Lines file to write.")] = Path(
        "records-export.jsonl"
    ),
) -> None:
    """Export a group's records for an auditor, decrypted, as JSON Lines; every export is
    recorded in the audit log and counted in the transparency report.

    Example: goodstanding records export --group g0042 --from 2026-01-01T00:00:00Z
    --to 2026-02-01T00:00:00Z --reason "audit 2026-Q1" --by auditor1
    """
    with _records() as (store, records, _):
        if not store.execute_sql("SELECT 1 FROM groups WHERE id = :id", {"id": group}):
            raise _fail(f"unknown group {group!r}")
        lower, upper = _time(start, "--from"), _time(end, "--to")
        count = 0
        with out_file.open("w", encoding="utf-8") as sink:
            for record in records.export(group, lower, upper):
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
        store.audit(
            by,
            "records.export",
            f"group:{group}",
            reason,
            time.time(),
            {"from": start, "to": end, "records": count, "file": out_file.name},
        )
    out.print(f"exported {count} records of {group} to {out_file}")


@records_app.command("purge")
def records_purge(
    by: ByOption,
    now: Annotated[str | None, typer.Option(help="Purge as of this time (default: now).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Delete records past the policy's maximum retention that no hold keeps, and destroy the
    data keys of periods wholly past it (crypto-shredding). Nothing under the minimum or on
    hold is ever deleted; safe to rerun or to kill at any point.

    Example: goodstanding records purge
    """
    with _records() as (store, records, _):
        at = _time(now, "--now")
        report = records.purge(at)
        data = asdict(report)
        store.audit(
            by,
            "records.purge",
            "records",
            "retention maximum reached",
            time.time(),
            {"as_of": iso(at), **{k: v for k, v in data.items() if isinstance(v, int | float)}},
        )
    if as_json:
        _print_json(data)
    else:
        out.print(
            f"purge as of {iso(at)}: "
            + ", ".join(
                f"{k.replace('_', ' ')} {v}"
                for k, v in data.items()
                if isinstance(v, int) and not isinstance(v, bool)
            )
        )


def _write_atomically(path: Path, text: str) -> None:
    """Writes a whole file or nothing: a temporary file beside it, renamed over it."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise _fail(f"cannot write {path}: {error.strerror or error}") from None


@export_app.command("sor")
def export_sor(
    start: Annotated[str, typer.Option("--from", help="From (RFC 3339, inclusive).")],
    end: Annotated[str, typer.Option("--to", help="To (RFC 3339, exclusive).")],
    by: ByOption,
    out_file: Annotated[Path, typer.Option("--out", help="JSON Lines file to write.")] = Path(
        "statements-of-reasons.jsonl"
    ),
    scope: Annotated[
        str,
        typer.Option(help="Territorial scope: ISO country codes, comma-separated."),
    ] = ",".join(EU_EEA),
) -> None:
    """Write a statement of reasons for every restriction applied in the period, in the EU DSA
    Transparency Database's submission format, as JSON Lines. Every statement is checked
    against the database's schema first; if one fails, nothing is written.

    Example: goodstanding export sor --from 2026-01-01T00:00:00Z --to 2026-02-01T00:00:00Z
    --by operator1
    """
    lower, upper = _period(start, end)
    with _store() as store:
        policies = _policies(store, None)
        try:
            items = statements_of_reasons(
                store, policies, lower, upper, [c.strip().upper() for c in scope.split(",")]
            )
        except ValueError as error:
            raise _fail(f"nothing written: {error}") from None
        _write_atomically(out_file, "".join(json.dumps(i) + "\n" for i in items))
        store.audit(
            by,
            "sor.export",
            "statements-of-reasons",
            "export to the DSA Transparency Database",
            time.time(),
            {"from": start, "to": end, "statements": len(items), "file": out_file.name},
        )
    out.print(f"wrote {len(items)} statements of reasons to {out_file}")


@notices_app.command("list")
def notices_list(
    account: Annotated[str | None, typer.Option(help="Only this account's notices.")] = None,
    include_acked: Annotated[
        bool, typer.Option("--all", help="Include notices already acknowledged.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List the notices waiting to be delivered (each decision's statement of reasons, and the
    decisions in a person's favour), oldest first.

    Example: goodstanding notices list --account a000042
    """
    with _store() as store:
        found = notices(store, _policies(store, None), account, include_acked)
    if as_json:
        _print_json([asdict(n) for n in found])
        return
    for n in found:
        state = f" (acknowledged by {n.acked_by})" if n.acked_by else ""
        out.print(f"[bold]{n.id}[/] to {n.account_id} at {iso(n.at)}{state}: {n.subject}")
        out.print(n.body, highlight=False, markup=False)
        out.print()
    err.print(f"{len(found)} notice(s)")


@notices_app.command("ack")
def notices_ack(
    notice_ids: Annotated[list[str], typer.Argument(help="The notices delivered.")],
    by: ByOption,
) -> None:
    """Acknowledge notices as delivered (recorded in the audit log). Unknown ids refuse the
    whole call; ones already acknowledged are left as they were.

    Example: goodstanding notices ack sanctions:1042:0 labels:977:0 --by delivery-service
    """
    with _store() as store:
        now = time.time()
        try:
            new = acknowledge(store, _policies(store, None), notice_ids, by, now)
        except NoticeError as error:
            raise _fail(str(error)) from None
        if new:
            store.audit(by, "notices.ack", "outbox", "delivered", now, {"notices": new})
    already = len(notice_ids) - len(new)
    out.print(
        f"acknowledged {len(new)} notice(s)"
        + (f"; {already} already acknowledged" if already else "")
    )


@report_app.command("transparency")
def report_transparency(
    start: Annotated[str, typer.Option("--from", help="From (RFC 3339, inclusive).")],
    end: Annotated[str, typer.Option("--to", help="To (RFC 3339, exclusive).")],
    fmt: Annotated[str, typer.Option("--format", help="json or html.")] = "json",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write here (default: stdout).")
    ] = None,
) -> None:
    """The transparency report (DSA Arts. 15, 24) for a period: decisions by category, action
    and automation, notices received, appeals and their outcomes, median times to decide,
    suspensions and bans, record exports. HTML is one self-contained page with charts.

    Example: goodstanding report transparency --from 2026-01-01T00:00:00Z
    --to 2026-07-01T00:00:00Z --format html --out report.html
    """
    if fmt not in ("json", "html"):
        raise _fail(f"--format is json or html, not {fmt!r}")
    lower, upper = _period(start, end)
    with _store() as store:
        data = transparency_report(store, _policies(store, None), lower, upper)
    text = (
        render_html(data)
        if fmt == "html"
        else json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    )
    if out_file is None:
        sys.stdout.write(text)
    else:
        _write_atomically(out_file, text)
        err.print(f"wrote {out_file}")


@policy_app.command("check")
def policy_check(
    files: Annotated[list[Path], typer.Argument(help="Policy TOML files, one per version.")],
    as_json: JsonOption = False,
) -> None:
    """Validate policy files; errors name the file, line and key.

    Several files are checked as one set of versions (no two may take effect together).

    Example: goodstanding policy check policies/default.toml
    """
    try:
        policies = PolicySet.load(files)
    except PolicyError as error:
        if as_json:
            _print_json({"ok": False, "problems": [vars(p) for p in error.problems]})
        else:
            for problem in error.problems:
                err.print(f"[red]{problem}[/]", highlight=False)
        raise typer.Exit(1) from None
    summary: list[dict[str, Any]] = [
        {
            "version": p.version,
            "effective_from": p.effective_from.isoformat(),
            "rules": len(p.rules),
            "bands": [b.name for b in p.bands],
        }
        for p in policies.versions
    ]
    if as_json:
        _print_json({"ok": True, "versions": summary})
    else:
        for item in summary:
            out.print(
                f"ok: version {item['version']} from {item['effective_from']}: "
                f"{item['rules']} rules, bands {', '.join(item['bands'])}"
            )


@app.command()
def sim(
    accounts: Annotated[int, typer.Option(help="Number of accounts.")] = 1000,
    days: Annotated[int, typer.Option(help="Days of activity.")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same stream.")] = 1,
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the JSON Lines.")] = Path(
        "var/sim.jsonl"
    ),
    as_json: JsonOption = False,
) -> None:
    """Write a synthetic community's event stream (and its ground truth beside it).

    Example: goodstanding sim --accounts 10000 --days 90 --seed 7 --out var/demo.jsonl
    """
    from goodstanding.sim import SimConfig, write_jsonl

    try:
        config = SimConfig(accounts=accounts, days=days, seed=seed)
    except ValueError as error:
        raise _fail(str(error)) from None
    out_file.parent.mkdir(parents=True, exist_ok=True)
    stats = write_jsonl(config, out_file)
    if as_json:
        _print_json(
            {
                "file": str(stats.path),
                "truth": str(stats.truth_path),
                "lines": stats.lines,
                "by_type": stats.by_type,
            }
        )
        return
    out.print(f"wrote {stats.lines:,} events to {stats.path} (ground truth: {stats.truth_path})")
    for kind, n in stats.by_type.items():
        out.print(f"  {kind:20} {n:>10,}")


def group_of(store: Store, policies: PolicySet, group_id: str, t: float) -> dict[str, Any]:
    """A group at time t: members by band, admins and whether they may act, open flags."""
    rows = store.execute_sql("SELECT state FROM groups WHERE id = :id", {"id": group_id})
    if not rows:
        raise _fail(f"unknown group {group_id!r}")
    found = group_codec[1].decode(rows[0][0])
    engine = Engine(policies)
    policy = engine.policy_at(t) or policies.versions[0]
    members: dict[str, list[str]] = {band.name: [] for band in policy.bands}
    admins = []
    for member_id, role in sorted(found.roles.items()):
        member_rows = store.execute_sql(
            "SELECT state FROM accounts WHERE id = :id", {"id": member_id}
        )
        account = account_codec[1].decode(member_rows[0][0])
        members[policy.band_for(account.score(t, policy)).name].append(member_id)
        if role in ("owner", "admin"):
            admins.append(
                {"account": member_id, "role": role, "acting": not account.admin_suspended}
            )
    flags = store.execute_sql(
        "SELECT at, message FROM group_flags WHERE group_id = :id ORDER BY event_seq, n",
        {"id": group_id},
    )
    return {
        "group": found.id,
        "name": found.name,
        "owner": found.owner,
        "as_of": iso(t),
        "created_at": iso(found.created_at),
        "members": len(found.roles),
        "members_by_band": members,
        "admins": admins,
        "without_acting_admin": found.without_admin,
        "flags": [{"at": iso(at_), "message": message} for at_, message in flags],
    }


@app.command(name="group")
def group_command(
    group_id: Annotated[str, typer.Argument(help="The group id.")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a group: members by band, admins and whether they may act, open flags.

    Example: goodstanding group g0001
    """
    with _store() as store:
        data = group_of(store, _policies(store, None), group_id, _as_of(store, at))
    if as_json:
        _print_json(data)
        return
    out.print(
        f"[bold]{data['group']}[/] {data['name']!r}: {data['members']} members, owner "
        f"{data['owner']}, as of {data['as_of']}"
    )
    for band, ids in data["members_by_band"].items():
        out.print(
            f"  {band:12} {len(ids):>6}  {', '.join(ids[:8])}{' ...' if len(ids) > 8 else ''}"
        )
    for admin in data["admins"]:
        state = "acting" if admin["acting"] else "[red]suspended[/]: standing too low"
        out.print(f"  {admin['role']:6} {admin['account']}: {state}")
    if data["without_acting_admin"]:
        out.print("[bold red]flagged:[/] no acting admin")
    for flag in data["flags"]:
        out.print(f"  {flag['at']}  {flag['message']}")


def summary_of(store: Store, policies: PolicySet) -> dict[str, Any]:
    """Accounts per band at the latest event, sanctions by step, the most upheld rules."""
    t = last_event_time(store)
    bands: Counter[str] = Counter()
    if t is not None:
        policy = Engine(policies).policy_at(t) or policies.versions[0]
        decode = account_codec[1].decode
        for (blob,) in store.execute_sql("SELECT state FROM accounts"):
            bands[policy.band_for(decode(blob).score(t, policy)).name] += 1
        order = [b.name for b in policy.bands]
    else:
        order = []
    sanctions = dict(
        store.execute_sql(
            "SELECT action, COUNT(*) FROM sanctions GROUP BY action ORDER BY COUNT(*) DESC"
        )
    )
    rules = [
        (r, n)
        for r, n in store.execute_sql(
            "SELECT rule_id, COUNT(*) FROM strikes GROUP BY rule_id "
            "ORDER BY COUNT(*) DESC, rule_id LIMIT 10"
        )
    ]
    return {
        "as_of": iso(t) if t is not None else None,
        "events": store.count(tables.events),
        "accounts_per_band": {name: bands.get(name, 0) for name in order},
        "sanctions_by_step": sanctions,
        "top_rules": [{"rule": r, "strikes": n} for r, n in rules],
        "denials": store.count(tables.denials),
        "ledger_entries": store.count(tables.ledger),
    }


@app.command()
def summary(as_json: JsonOption = False) -> None:
    """Summarise the community: accounts per band, sanctions by step, top rules.

    Example: goodstanding summary
    """
    with _store() as store:
        data = summary_of(store, _policies(store, None))
    if as_json:
        _print_json(data)
        return
    out.print(f"[bold]goodstanding[/]: {data['events']} events, as of {data['as_of']}")
    table = Table("band", "accounts", title="Accounts per band")
    for name, n in data["accounts_per_band"].items():
        table.add_row(name, str(n))
    out.print(table)
    table = Table("step", "sanctions", title="Sanctions by step")
    for name, n in data["sanctions_by_step"].items():
        table.add_row(name, str(n))
    out.print(table)
    table = Table("rule", "strikes", title="Top rules (upheld violations)")
    for item in data["top_rules"]:
        table.add_row(item["rule"], str(item["strikes"]))
    out.print(table)
    out.print(f"{data['denials']} denied actions, {data['ledger_entries']} ledger entries")
