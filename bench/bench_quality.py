"""Detection quality of the default rules: against the sim's ground truth (`--set sim`, the
default) or on the hand-written evaluation set (`--set eval`, tests/data/eval/)."""

from __future__ import annotations

import argparse
import sys

import msgspec

from bench.common import ROOT, note, report, sim_stream
from goodstanding.detect import measure_quality
from goodstanding.sim import load_truth, truth_path_for

ACCOUNTS, DAYS = 10_000, 30


def main(argv: list[str] | None = None) -> None:
    """Prints detection quality for the chosen set (`--set sim` or `--set eval`)."""
    parser = argparse.ArgumentParser(prog="python -m bench quality")
    parser.add_argument("--set", choices=("sim", "eval"), default="sim", dest="which")
    args = parser.parse_args(argv or [])
    if args.which == "eval":
        measure_eval()
    else:
        measure_sim()


def measure_sim() -> None:
    """Prints precision and recall on the sim, per content item and per rule."""
    path = sim_stream(ACCOUNTS, DAYS, seed=7)
    events = [msgspec.json.decode(line) for line in path.read_bytes().splitlines() if line]
    note(f"measuring detection over {len(events):,} events")
    quality = measure_quality(events, load_truth(truth_path_for(path)))
    conditions = f"sim {ACCOUNTS:,} accounts x {DAYS} days, seed 7, default policy's detectors"
    for level in ("content", "rule"):
        report(f"detection precision ({level})", quality[level]["precision"], "", conditions)
        report(f"detection recall ({level})", quality[level]["recall"], "", conditions)


def measure_eval() -> None:
    """Prints, per part of the evaluation set, recall per family, language and kind, the
    false-positive rate per language and benign kind, the same two counting only findings
    that no context lowered (what a rule's outcome would act on rather than route to
    review), and political texts flagged."""
    sys.path.insert(0, str(ROOT / "tests"))
    from eval_set import PARTS, default_detector, load_part, measure

    detector = default_detector()
    for part in PARTS:
        quality = measure(load_part(part), detector)
        groups = [
            ("recall", {"all families": quality.recall}, "violating"),
            ("recall", quality.recall_by_family, "violating"),
            ("recall by language", quality.recall_by_lang, "violating"),
            ("recall by kind", quality.recall_by_kind, "violating"),
            ("recall, unlowered findings", {"all families": quality.acted_recall}, "violating"),
            ("false-positive rate", {"all kinds": quality.false_positives}, "benign"),
            (
                "false-positive rate, unlowered findings",
                {"all kinds": quality.acted_false_positives},
                "benign",
            ),
            ("false-positive rate by language", quality.false_positives_by_lang, "benign"),
            ("false-positive rate by kind", quality.false_positives_by_kind, "benign"),
        ]
        for title, tallies, what in groups:
            for name, tally in sorted(tallies.items()):
                conditions = f"{tally.hits}/{tally.total} {what} texts, default policy"
                report(f"eval {part} {title} ({name})", tally.rate, "", conditions)
        flagged = ", ".join(quality.political_flagged) or "none"
        print(
            f"eval {part} political texts flagged: {len(quality.political_flagged)} of "
            f"{quality.political} ({flagged})",
            flush=True,
        )
