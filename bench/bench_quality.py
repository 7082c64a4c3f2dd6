"""Detection quality of the default rules against the sim's ground truth."""

from __future__ import annotations

import msgspec

from bench.common import note, report, sim_stream
from goodstanding.detect import measure_quality
from goodstanding.sim import load_truth, truth_path_for

ACCOUNTS, DAYS = 10_000, 30


def main() -> None:
    """Prints precision and recall, per content item and per rule."""
    path = sim_stream(ACCOUNTS, DAYS, seed=7)
    events = [msgspec.json.decode(line) for line in path.read_bytes().splitlines() if line]
    note(f"measuring detection over {len(events):,} events")
    quality = measure_quality(events, load_truth(truth_path_for(path)))
    conditions = f"sim {ACCOUNTS:,} accounts x {DAYS} days, seed 7, default policy's detectors"
    for level in ("content", "rule"):
        report(f"detection precision ({level})", quality[level]["precision"], "", conditions)
        report(f"detection recall ({level})", quality[level]["recall"], "", conditions)
