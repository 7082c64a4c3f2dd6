"""Peak resident memory of `goodstanding ingest` (a real process, fed on stdin) for a large
stream generated on the fly, for a million refused lines, and for one huge post.

`python -m bench rss [--events N] [--refused N] [--post-mb N]` (0 skips a figure); the
defaults are the goals' sizes: 10,000,000 events, 1,000,000 refused lines, a 50 MB post.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import note, report, throwaway_keys

START = datetime(2026, 1, 1, tzinfo=UTC)
TEXTS = (
    "Morning ride along the river, lovely weather",
    "Anyone tried the new ramen place downtown?",
    "Great photo, thanks for sharing",
    "The library opens late on Thursdays now",
    "Lost a blue umbrella near the station, has anyone seen it?",
)
RECENT = 200_000
"""Likes and comments go to one of the latest this many posts (and sometimes any older)."""


def community(events: int, seed: int = 5) -> Iterator[bytes]:
    """`events` JSON lines of a growing community: one registration in ten, then posts,
    comments and likes by members on recent (now and then older) posts, a second apart."""
    rng = random.Random(seed)
    accounts, posts = 0, 0
    stamps = (START + timedelta(seconds=i) for i in range(events))
    for i, at in enumerate(stamps):
        when = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        head = f'{{"id":"e{i}","at":"{when}"'
        if i % 10 == 0 or accounts < 10:
            accounts += 1
            yield f'{head},"type":"account.registered","actor":"a{accounts}"}}'.encode()
            continue
        actor = f"a{rng.randint(1, accounts)}"
        roll = rng.random()
        if roll < 0.3 or posts < 10:
            posts += 1
            text = rng.choice(TEXTS)
            yield (
                f'{head},"type":"content.posted","actor":"{actor}","content_id":"c{posts}",'
                f'"kind":"post","text":"{text}"}}'
            ).encode()
            continue
        older = rng.random() < 0.05
        target = rng.randint(1, posts) if older else rng.randint(max(1, posts - RECENT), posts)
        if roll < 0.5:
            yield (
                f'{head},"type":"content.posted","actor":"{actor}","content_id":"k{i}",'
                f'"kind":"comment","parent_id":"c{target}","text":"{rng.choice(TEXTS)}"}}'
            ).encode()
        else:
            yield (
                f'{head},"type":"content.engaged","actor":"{actor}","content_id":"c{target}",'
                '"kind":"like"}'
            ).encode()


def refused(lines: int) -> Iterator[bytes]:
    """Lines that are all refused (each for the same reason: not JSON)."""
    for i in range(lines):
        yield b'{"id": "bad%d", not json' % i


def huge_post(megabytes: int) -> Iterator[bytes]:
    """One registration and one post of `megabytes` MB of text (over the line limit)."""
    yield b'{"id":"r1","at":"2026-01-01T00:00:00Z","type":"account.registered","actor":"a1"}'
    text = b"lorem ipsum " * (megabytes * 2**20 // 12)
    yield (
        b'{"id":"p1","at":"2026-01-01T00:00:01Z","type":"content.posted","actor":"a1",'
        b'"content_id":"c1","kind":"post","text":"' + text + b'"}'
    )


def ingest_rss(lines: Iterator[bytes], folder: Path, label: str) -> tuple[float, float, int]:
    """Feeds lines to `goodstanding ingest -` (human output) in its own process; its peak
    RSS in MiB, the seconds it ran, and how many lines were fed."""
    db = folder / f"{label}.db"
    command = [sys.executable, "-c", "from goodstanding.cli import app; app()"]
    args = ["--db", f"sqlite:///{db}", "ingest", "-", "--allow-future"]
    started = time.perf_counter()
    errors = (folder / f"{label}.stderr").open("w+b")
    child = subprocess.Popen(
        [*command, *args], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors
    )
    assert child.stdin is not None
    fed, chunk, size, next_note = 0, [], 0, 1_000_000
    for line in lines:
        chunk.append(line)
        size += len(line) + 1
        fed += 1
        if size >= 1 << 20:
            child.stdin.write(b"\n".join(chunk) + b"\n")
            chunk, size = [], 0
            if fed >= next_note:
                note(f"{label}: {fed:,} lines fed")
                next_note += 1_000_000
    child.stdin.write(b"\n".join(chunk) + b"\n")
    child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode not in (0, 1):
        errors.seek(0)
        raise SystemExit(f"ingest failed ({child.returncode}): {errors.read()[-2000:]!r}")
    errors.close()
    return usage.ru_maxrss / 1024, seconds, fed


def main(argv: list[str] | None = None) -> None:
    """Prints the peak RSS of each ingest (and the seconds the refused lines took)."""
    parser = argparse.ArgumentParser(prog="python -m bench rss")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--refused", type=int, default=1_000_000)
    parser.add_argument("--post-mb", type=int, default=50)
    options = parser.parse_args(argv or [])
    throwaway_keys()
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        folder = Path(tmp)
        if options.events:
            peak, seconds, fed = ingest_rss(community(options.events), folder, "events")
            report(
                f"peak RSS of ingesting {fed:,} events",
                peak,
                "MiB",
                f"goodstanding ingest - on SQLite, registrations, posts, comments and likes over "
                f"{fed // 10:,} accounts, default cache budget; {fed / seconds:,.0f} events/s",
            )
        if options.refused:
            peak, seconds, fed = ingest_rss(refused(options.refused), folder, "refused")
            report(
                f"peak RSS of ingesting {fed:,} refused lines",
                peak,
                "MiB",
                f"human output, grouped by reason; the whole run took {seconds:.1f} s",
            )
        if options.post_mb:
            peak, _, _ = ingest_rss(huge_post(options.post_mb), folder, "post")
            report(
                f"peak RSS of ingesting one {options.post_mb} MB post",
                peak,
                "MiB",
                "refused: over the 1 MiB line limit; a registration beside it accepted",
            )
