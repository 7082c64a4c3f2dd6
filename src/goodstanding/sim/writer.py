"""The sim's entry points: the event stream with its truth, and JSON Lines on disk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import msgspec

from goodstanding.sim.config import EVENT_TYPES, GroundTruth, SimConfig, SimStats, truth_path_for
from goodstanding.sim.simulation import Simulation


def simulate(config: SimConfig) -> tuple[Iterator[dict[str, object]], GroundTruth]:
    """The event stream of a community and its ground truth (complete once the stream ends)."""
    sim = Simulation(config)
    return sim.events(), sim.truth


def generate(config: SimConfig) -> Iterator[dict[str, object]]:
    """The event stream of a community, as dicts in the JSON Lines field order."""
    return simulate(config)[0]


def write_jsonl(config: SimConfig, path: str | Path) -> SimStats:
    """Writes the events as JSON Lines to ``path`` and the truth next to it.

    The output is byte-identical for the same config.
    """
    path = Path(path)
    truth_file = truth_path_for(path)
    with path.open("wb") as out:
        counts = write_stream(config, out, truth_file)
    return SimStats(path=path, truth_path=truth_file, by_type=counts)


def write_stream(config: SimConfig, out: BinaryIO, truth_file: Path | None) -> dict[str, int]:
    """Writes the events as JSON Lines to ``out`` and, when ``truth_file`` is given, the
    truth there; the number of events of each type."""
    events, truth = simulate(config)
    counts = dict.fromkeys(EVENT_TYPES, 0)
    encoder = msgspec.json.Encoder()
    batch: list[dict[str, object]] = []
    for event in events:
        counts[cast(str, event["type"])] += 1
        batch.append(event)
        if len(batch) >= 8192:
            out.write(encoder.encode_lines(batch))
            batch.clear()
    if batch:
        out.write(encoder.encode_lines(batch))
    out.flush()
    if truth_file is not None:
        truth_file.write_text(
            json.dumps(truth.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return counts
