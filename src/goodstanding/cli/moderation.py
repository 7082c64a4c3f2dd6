"""Moderation: the review queue, an owner's comment queue, how a rule performs, rings."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from goodstanding.cli.common import JsonOption, known_ids, open_store, out, print_json, safe
from goodstanding.queries import moderation
from goodstanding.queries.lookup import account_state


def queue(
    limit: Annotated[int, typer.Option(help="How many items.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Show the review queue: open items, highest priority first (severity, reach, report
    score), with the evidence that put each there.

    Example: goodstanding queue --limit 10
    """
    with open_store() as store:
        items = moderation.review_queue(store, limit)
    if as_json:
        print_json(items)
        return
    table = Table("priority", "content", "rule", "outcome", "source", "evidence")
    for item in items:
        table.add_row(
            f"{item['priority']:.0f}",
            safe(item["content"]),
            safe(item["rule"]),
            item["outcome"],
            item["source"],
            safe("; ".join(item["evidence"])[:120]),
        )
    out.print(table)


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
    as_json: JsonOption = False,
) -> None:
    """How a rule performs, live or in shadow mode: items matched, reviews that upheld or
    rejected them (precision), and examples.

    Example: goodstanding rules report harassment.insults
    """
    with open_store() as store:
        data = moderation.rule_report(store, rule)
    if as_json:
        print_json(data)
        return
    precision = "n/a" if data["precision"] is None else f"{data['precision']:.1%}"
    out.print(
        f"[bold]{safe(rule)}[/]: {data['matched']} matched {data['by_mode']} "
        f"{data['by_source']}; reviewed {data['reviewed']}: {data['upheld']} upheld, "
        f"{data['rejected']} rejected; precision {precision}"
    )
    for example in data["examples"]:
        out.print(
            f"  {safe(example['content'])} ({example['mode']}, {example['outcome']}, review: "
            f"{example['review'] or 'pending'}): {safe('; '.join(example['evidence'])[:100])}",
            highlight=False,
        )


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
