"""Normalisation and matcher throughput on the simulation's texts (one core).

Figures: normalisation (batched and one text at a time), the matcher's scan of normalised
text with the default rules (the default detector configuration plus every marker of the
simulation's violating vocabulary) on both backends, the same with 10,000 more terms, and
the end-to-end batch scan (normalise + match). MB are megabytes of UTF-8 input text.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from goodstanding.detect import HAVE_HYPERSCAN, Matcher, TermsSpec, default_detectors
from goodstanding.detect.normalise import normalise, normalise_batch
from goodstanding.detect.spec import RuleDetectors
from goodstanding.sim import VIOLATION_VOCABULARY, SimConfig, simulate

ACCOUNTS, DAYS, SEED = 2000, 30, 7
EXTRA_TERMS = 10_000


def sim_texts(clean_only: bool = False) -> list[str]:
    """Every posted text of a simulated community (or only those breaking no rule)."""
    events, truth = simulate(SimConfig(accounts=ACCOUNTS, days=DAYS, seed=SEED))
    posts = [
        (str(e["content_id"]), str(e["text"])) for e in events if e["type"] == "content.posted"
    ]
    bad = truth.violating_content
    return [text for content_id, text in posts if not (clean_only and content_id in bad)]


def default_rules() -> list[RuleDetectors]:
    """The default detectors plus one rule holding the sim's whole violating vocabulary."""
    markers: list[str] = []
    for vocabulary in VIOLATION_VOCABULARY.values():
        markers += [*vocabulary.markers, *vocabulary.zh_markers, *vocabulary.ja_markers]
    return [*default_detectors(), ("sim.vocabulary", (TermsSpec(terms=tuple(markers)),))]


def extra_terms(n: int, seed: int = 11) -> list[str]:
    """n distinct pseudo-words and phrases (10% Chinese), deterministic."""
    rng = random.Random(seed)
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    terms: set[str] = set()
    while len(terms) < n:
        if rng.random() < 0.1:
            terms.add("".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(2)))
            continue
        words = [
            "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(1, 2))
        ]
        terms.add(" ".join(words))
    return sorted(terms)


def best_of(fn: Callable[[], Any], budget: float = 3.0, runs: int = 5) -> float:
    """The fastest of up to `runs` calls (at least one), within about `budget` seconds."""
    best = float("inf")
    spent = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        spent += elapsed
        if spent > budget:
            break
    return best


def main() -> None:
    texts = sim_texts()
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    corpus = f"{len(texts)} sim texts, {size:.2f} MB, {ACCOUNTS} accounts x {DAYS} days"
    batch = normalise_batch(texts)
    clean = sim_texts(clean_only=True)
    clean_size = sum(len(t.encode("utf-8")) for t in clean) / 1e6
    clean_corpus = f"{len(clean)} texts, {clean_size:.2f} MB"
    clean_batch = normalise_batch(clean)

    seconds = best_of(lambda: normalise_batch(texts))
    print(f"normalise batched: {size / seconds:.1f} MB/s ({corpus})")
    seconds = best_of(lambda: [normalise(t) for t in texts], runs=3)
    print(f"normalise one text at a time: {size / seconds:.1f} MB/s ({corpus})")

    rules = default_rules()
    big_rules = [*rules, ("bench.extra", (TermsSpec(terms=tuple(extra_terms(EXTRA_TERMS))),))]
    backends = ["hyperscan", "aho"] if HAVE_HYPERSCAN else ["aho"]
    for label, rule_set in (("default rules", rules), (f"+{EXTRA_TERMS} terms", big_rules)):
        for backend in backends:
            started = time.perf_counter()
            matcher = Matcher.compile(rule_set, backend=backend)  # type: ignore[arg-type]
            built = time.perf_counter() - started
            found = sum(len(m) for m in matcher.scan_batch(batch))
            conditions = (
                f"{label}: {matcher.term_count} literals, {matcher.pattern_count} patterns; "
                f"{backend}; {found} matches; {corpus}"
            )
            seconds = best_of(lambda m=matcher: m.scan_batch(batch))
            print(f"matcher scan of normalised text: {size / seconds:.1f} MB/s ({conditions})")
            seconds = best_of(lambda m=matcher: m.scan_batch(texts))
            print(f"matcher normalise+scan batched: {size / seconds:.1f} MB/s ({conditions})")
            print(f"matcher compile: {built:.2f} s ({conditions})")
            if backend == backends[0]:
                seconds = best_of(lambda m=matcher: m.scan_batch(clean_batch))
                print(
                    f"matcher scan of normalised text, rule-abiding texts only: "
                    f"{clean_size / seconds:.1f} MB/s ({label}; {backend}; {clean_corpus})"
                )
        seconds = best_of(lambda m=matcher: [m.scan(t) for t in texts], runs=2)
        print(
            f"matcher normalise+scan one text at a time: {size / seconds:.1f} MB/s "
            f"({label}; {backend}; {corpus})"
        )

    mixed = "\n".join(texts)
    while len(mixed) < 1_000_000:
        mixed += "\n" + mixed
    mixed = mixed[:1_000_000]
    mixed_mb = len(mixed.encode("utf-8")) / 1e6
    seconds = best_of(lambda: normalise(mixed))
    print(f"normalise one 1M-character text: {mixed_mb / seconds:.1f} MB/s (sim texts joined)")


if __name__ == "__main__":
    main()
