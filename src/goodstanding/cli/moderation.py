"""Moderation: the review queue, an owner's comment queue, how a rule performs, rings."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from goodstanding.cli.common import (
    JsonOption,
    clip,
    fail,
    known_ids,
    open_store,
    out,
    parse_time,
    policies_of,
    print_json,
    safe,
)
from goodstanding.events import brief
from goodstanding.queries import moderation
from goodstanding.queries.lookup import account_state, last_event_time


def queue(
    limit: Annotated[int, typer.Option(min=1, help="How many items.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Show the review queue: open items, highest priority first (severity, reach, report
    score), with their authors, ages, the evidence that put each there, and the total.

    Example: goodstanding queue --limit 10
    """
    with open_store() as store:
        items = moderation.review_queue(store, policies_of(store), limit)
        total = moderation.open_item_count(store)
        now = last_event_time(store)
    if as_json:
        print_json(items)
        return
    table = Table(
        "priority",
        "content",
        "author",
        "age",
        "rule",
        "outcome",
        "source",
        "evidence",
        title=f"{len(items)} of {total} open item(s)",
    )
    for item in items:
        table.add_row(
            f"{item['priority']:.0f}",
            safe(item["content"]),
            safe(item["author"]),
            _age(now, item["flagged_at"]),
            safe(item["rule"]),
            item["outcome"],
            item["source"],
            safe(clip("; ".join(item["evidence"]), 200)),
        )
    out.print(table)


def _age(now: float | None, flagged_at: str) -> str:
    """How long before the latest event an item was flagged, in the largest whole unit."""
    seconds = max(0.0, (now or 0.0) - parse_time(flagged_at, "flagged_at"))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def comments_queue(
    owner: Annotated[str, typer.Argument(help="The account whose posts' comments to show.")],
    as_json: JsonOption = False,
) -> None:
    """Show an owner's queue: comments under their posts waiting for approval
    (comment.approved / comment.rejected), and comments showing there with a violation label,
    each with the detectors' evidence.

    Example: goodstanding comments queue a000042
    """
    with open_store() as store, known_ids():
        account_state(store, owner)
        items = moderation.owner_queue(store, owner)
    if as_json:
        print_json(items)
        return
    table = Table("since", "comment", "under", "author", "status", "reason / evidence")
    for item in items:
        why = "; ".join([item["reason"], *item["evidence"]])
        table.add_row(
            item["since"],
            safe(item["comment"]),
            safe(item["under"]),
            safe(item["author"]),
            item["status"],
            safe(why),
        )
    out.print(table)


def rules_report(
    rule: Annotated[str, typer.Argument(help="The rule id.")],
    limit: Annotated[int, typer.Option(min=0, help="How many examples.")] = 5,
    every: Annotated[bool, typer.Option("--all", help="Every example (no --limit).")] = False,
    as_json: JsonOption = False,
) -> None:
    """How a rule performs, live or in shadow mode: items matched, reviews that upheld or
    rejected them (precision), and examples. An unknown rule is an error naming the known ones.

    Example: goodstanding rules report harassment.insults --limit 10
    """
    with open_store() as store:
        known = sorted({r.id for p in policies_of(store).versions for r in p.rules})
        if rule not in known:
            raise fail(f"unknown rule {brief(rule)}; known rules: {', '.join(known)}")
        data = moderation.rule_report(store, rule, None if every else limit)
    if as_json:
        print_json(data)
        return
    precision = "n/a" if data["precision"] is None else f"{data['precision']:.1%}"
    counts = Table(
        "rule", "matched", "by mode", "by source", "reviewed", "upheld", "rejected", "precision"
    )
    counts.add_row(
        safe(rule),
        str(data["matched"]),
        safe(_counts(data["by_mode"])),
        safe(_counts(data["by_source"])),
        str(data["reviewed"]),
        str(data["upheld"]),
        str(data["rejected"]),
        precision,
    )
    out.print(counts)
    if not data["examples"]:
        return
    examples = Table(
        "content",
        "mode",
        "outcome",
        "review",
        "evidence",
        title=f"{len(data['examples'])} of {data['matched']} example(s)",
    )
    for example in data["examples"]:
        examples.add_row(
            safe(example["content"]),
            example["mode"],
            example["outcome"],
            example["review"] or "pending",
            safe(clip("; ".join(example["evidence"]), 100)),
        )
    out.print(examples)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items()) or "none"


def rings_command(
    k: Annotated[int, typer.Option(help="Each member liked content of at least k others.")] = 2,
    as_json: JsonOption = False,
) -> None:
    """Find rings of accounts that repeatedly like or share each other's violating content,
    for review (nothing is decided automatically).

    Example: goodstanding rings
    """
    with open_store() as store:
        found = moderation.rings(store, k=k)
    if as_json:
        print_json({"rings": found})
        return
    out.print(f"{len(found)} ring(s) flagged for review")
    for members in found:
        out.print(f"  {len(members)} accounts: {safe(', '.join(members))}")
