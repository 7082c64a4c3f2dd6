"""Reliability figures: tampering the log is caught (verify, with signed checkpoints for
forgeries that recompute the chain), a migration killed with SIGKILL leaves a database
every command opens, and several writers at once (real processes) leave a log that verifies
and replays to the same projections. Runs the test cases that prove each and counts them."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from bench.common import ROOT

FIGURES = {
    "tamper cases caught": (
        "tests/test_pipeline.py::test_verify_names_the_broken_entry",
        "tests/test_log_columns.py",
        "tests/test_checkpoint.py::test_every_forgery_is_caught_by_a_checkpoint",
        "tests/test_checkpoint.py::test_another_key_and_a_tampered_file_are_refused",
    ),
    "kill -9 runs survived": ("tests/test_migration_kill.py",),
    "concurrent-writer runs held": ("tests/test_writers.py",),
}


def _passed(targets: tuple[str, ...]) -> tuple[int, int]:
    """How many SQLite cases of `targets` pass, of how many ran."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        command += ["-k", "not postgres", f"--junitxml={report}", *targets]
        subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        cases = ElementTree.parse(report).getroot().iter("testcase")
        outcomes = [[child.tag for child in case] for case in cases]
    ran = [tags for tags in outcomes if "skipped" not in tags]
    return sum(1 for tags in ran if not tags), len(ran)


def main() -> None:
    """Prints one line per reliability figure: cases that held, of how many ran."""
    for figure, targets in FIGURES.items():
        held, ran = _passed(targets)
        print(f"{figure}: {held} of {ran} (SQLite; {', '.join(targets)})", flush=True)
