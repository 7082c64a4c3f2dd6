"""The firm line on the evaluation set: no detector of the default policy flags a political,
religious or social-opinion text, whoever's side it takes."""

from __future__ import annotations

from eval_set import PARTS, default_detector, flagged, load_part


def test_no_political_text_is_flagged_in_either_part() -> None:
    detector = default_detector()
    political = [t for part in PARTS for t in load_part(part) if t.political]
    assert len(political) >= 60
    wrong = [
        f"{t.id} {detection.rules}: {t.text}"
        for t, detection in zip(
            political, detector.detect_batch([t.text for t in political]), strict=True
        )
        if flagged(detection)
    ]
    assert not wrong, "political texts flagged:\n" + "\n".join(wrong)
