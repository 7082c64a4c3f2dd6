"""The evaluation set's files are well-formed: schema, unique ids, known labels, every rule
family in both languages in both parts, and the split rule."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from eval_set import (
    BENIGN,
    PARTS,
    EvalSetError,
    EvalText,
    family,
    family_coverage,
    load_part,
)
from goodstanding.policy import PolicySet

RULES = {rule.id for rule in PolicySet.default().versions[-1].rules}
FAMILIES = {family(rule) for rule in RULES}


@pytest.fixture(scope="module")
def parts() -> dict[str, list[EvalText]]:
    return {part: load_part(part) for part in PARTS}


def test_ids_are_unique_across_both_parts(parts: dict[str, list[EvalText]]) -> None:
    ids = [t.id for texts in parts.values() for t in texts]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"e\d{4}", i) for i in ids)


def test_texts_and_labels_are_valid(parts: dict[str, list[EvalText]]) -> None:
    for texts in parts.values():
        for t in texts:
            assert t.text.strip() == t.text and t.text, t.id
            assert t.label == BENIGN or t.label in RULES, t.id
            assert re.fullmatch(r"[a-z_]+", t.kind), t.id
            assert not t.political or t.label == BENIGN, t.id


def test_the_set_is_big_and_mixed_enough(parts: dict[str, list[EvalText]]) -> None:
    texts = [t for part in parts.values() for t in part]
    assert len(texts) >= 600
    assert sum(t.lang == "zh" for t in texts) >= 0.35 * len(texts)
    assert 0.45 <= sum(t.label != BENIGN for t in texts) / len(texts) <= 0.65
    for lang in ("en", "zh"):
        assert sum(t.political and t.lang == lang for t in texts) >= 20


def test_every_family_is_covered_in_both_languages_in_both_parts(
    parts: dict[str, list[EvalText]],
) -> None:
    for part, texts in parts.items():
        covered = family_coverage(texts)
        missing = {(f, lang) for f in FAMILIES for lang in ("en", "zh")} - set(covered)
        assert not missing, (part, sorted(missing))


SPLIT_UP_TO = "e0611"
"""The last id of the texts split once into dev and holdout, every fifth text of a stratum
to the holdout; the ids after it, up to `SECOND_SPLIT_FROM`, are paraphrases written by the
detectors' developers to tune on, and belong to dev only."""

SECOND_SPLIT_FROM = "e1013"
"""The first id of the block written from the rules' titles and texts only, before anyone
measured the detectors on it; within each stratum of that block two texts of every five
(the 2nd and 5th, 7th and 10th, ...) go to the holdout, which brings it back to about a fifth
of the whole set."""


def _positions(texts: dict[str, list[EvalText]], first: str, last: str) -> list[list[str]]:
    """The parts of the texts with ids in [first, last], per (label, lang) stratum, in id
    order."""
    strata: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for part, members in texts.items():
        for t in members:
            if first <= t.id <= last:
                strata[(t.label, t.lang)].append((t.id, part))
    return [[part for _, part in sorted(members)] for members in strata.values()]


def test_holdout_is_every_fifth_text_of_each_label_and_language(
    parts: dict[str, list[EvalText]],
) -> None:
    for members in _positions(parts, "e0000", SPLIT_UP_TO):
        for position, part in enumerate(members, 1):
            assert part == ("holdout" if position % 5 == 0 else "dev")


def test_the_second_block_puts_two_of_every_five_in_the_holdout(
    parts: dict[str, list[EvalText]],
) -> None:
    strata = _positions(parts, SECOND_SPLIT_FROM, "e9999")
    assert strata
    for members in strata:
        for position, part in enumerate(members, 1):
            assert part == ("holdout" if position % 5 in (2, 0) else "dev")


def test_texts_between_the_splits_are_in_dev_only(parts: dict[str, list[EvalText]]) -> None:
    assert not any(SPLIT_UP_TO < t.id < SECOND_SPLIT_FROM for t in parts["holdout"])
    assert any(SPLIT_UP_TO < t.id < SECOND_SPLIT_FROM for t in parts["dev"])


def test_the_holdout_is_at_least_18_percent_of_the_set(parts: dict[str, list[EvalText]]) -> None:
    total = sum(len(texts) for texts in parts.values())
    assert len(parts["holdout"]) >= 0.18 * total


def test_a_malformed_line_is_reported_with_its_place(tmp_path: Path) -> None:
    good = {"id": "e0001", "text": "hi", "lang": "en", "label": BENIGN, "kind": "everyday"}
    lines = [json.dumps({**good, "political": False}), json.dumps({**good, "lang": "fr"})]
    (tmp_path / "dev.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(EvalSetError, match=r"dev\.jsonl:2: .*lang"):
        load_part("dev", tmp_path / "dev.jsonl")
    with pytest.raises(EvalSetError, match="unknown part"):
        load_part("test", tmp_path / "dev.jsonl")
