"""Classifier and whole-detector throughput on the simulation's texts (one core).

Figures: the built-in profanity classifier's load time and texts per second in batches
of several sizes, the known-content (MinHash) lookup, and ``Detector.detect_batch`` with
the default configuration (terms, patterns, the classifier and known content together).
"""

from __future__ import annotations

import statistics
import time

from goodstanding.detect import ClassifierSpec, Detector, classifier_for, default_detectors
from goodstanding.detect.known import KnownIndex, Sketcher
from goodstanding.detect.normalise import normalise_batch
from goodstanding.sim import SimConfig, simulate

ACCOUNTS, DAYS, SEED = 2000, 30, 7


def main() -> None:
    events, _ = simulate(SimConfig(accounts=ACCOUNTS, days=DAYS, seed=SEED))
    texts = [str(e["text"]) for e in events if e["type"] == "content.posted"]
    corpus = f"{len(texts)} sim texts, {ACCOUNTS} accounts x {DAYS} days"
    normalised = normalise_batch(texts).texts

    classifier = classifier_for("profanity")
    started = time.perf_counter()
    classifier.predict(["warm-up"])
    print(f"profanity model load: {time.perf_counter() - started:.2f} s (first predict call)")
    for size in (1, 64, 1024, len(texts)):
        chunks = [normalised[i : i + size] for i in range(0, len(normalised), size)]
        limit = 2000 if size == 1 else len(chunks)
        started = time.perf_counter()
        done = 0
        for chunk in chunks[:limit]:
            classifier.predict(chunk)
            done += len(chunk)
        rate = done / (time.perf_counter() - started)
        print(f"profanity classifier: {rate:,.0f} texts/s (batches of {size}; {corpus})")

    items = [t for t in texts if len(t) > 120][:50]
    index = KnownIndex(items, 0.8, Sketcher())
    started = time.perf_counter()
    index.query_many(index.sketcher.hashvalues_many(normalised))
    rate = len(texts) / (time.perf_counter() - started)
    print(
        f"known-content lookup: {rate:,.0f} texts/s (one batch, sketching included, as ingest "
        f"does; {len(items)} items, MinHash 128; {corpus})"
    )

    started = time.perf_counter()
    detector = Detector.build(default_detectors())
    built = time.perf_counter() - started
    print(f"default detector build: {built:.2f} s ({detector.matcher.backend} backend)")
    detector.detect_batch(texts[:10])
    started = time.perf_counter()
    detector.detect_batch(texts)
    rate = len(texts) / (time.perf_counter() - started)
    print(
        f"detect_batch, default configuration: {rate:,.0f} texts/s "
        f"(terms, patterns, profanity classifier, known content; {corpus})"
    )
    print(acts_cost(texts, corpus))


def acts_cost(texts: list[str], corpus: str, rounds: int = 5) -> str:
    """The default detector's CPU time per text with its acts classifiers over the same
    detector without them: medians of interleaved rounds, one process."""
    declared = default_detectors()
    without = [(rule, [s for s in specs if not _acts(s)]) for rule, specs in declared]
    detectors = {"with": Detector.build(declared), "without": Detector.build(without)}
    for detector in detectors.values():
        detector.detect_batch(texts[:10])
    times: dict[str, list[float]] = {"with": [], "without": []}
    for n in range(rounds):
        for name in sorted(detectors, reverse=n % 2 == 1):
            started = time.process_time()
            detectors[name].detect_batch(texts)
            times[name].append(time.process_time() - started)
    ratio = statistics.median(times["without"]) / statistics.median(times["with"])
    return (
        f"acts classifiers' cost: {ratio:.2f} x the throughput without them "
        f"(CPU time, medians of {rounds} interleaved rounds; {corpus})"
    )


def _acts(spec: object) -> bool:
    return isinstance(spec, ClassifierSpec) and spec.model.startswith("acts:")


if __name__ == "__main__":
    main()
