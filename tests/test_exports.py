"""A person's own data: complete about them, silent about everyone else."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from goodstanding.cli import app
from helpers import POLICY_V1, line

T = "2026-01-02T00:00:00Z"


def test_export_account_has_their_data_and_nobody_elses(tmp_path: Path) -> None:
    rows = [line("account.registered", T, a, id=f"r-{a}") for a in ("alice", "bob", "carol")]
    rows += [
        line("account.registered", T, "mod-x", id="r-mod", role="moderator"),
        line("account.registered", T, "mod-y", id="r-mod2", role="moderator"),
        line(
            "content.posted",
            "2026-01-02T01:00:00Z",
            "bob",
            id="p1",
            content_id="c1",
            kind="post",
            text="bob's post",
        ),
        line(
            "content.posted",
            "2026-01-02T01:10:00Z",
            "alice",
            id="p2",
            content_id="c2",
            kind="comment",
            parent_id="c1",
            text="you fool",
        ),
        line(
            "content.engaged",
            "2026-01-02T01:20:00Z",
            "carol",
            id="l1",
            content_id="c2",
            kind="like",
        ),
        line(
            "content.reported",
            "2026-01-02T01:30:00Z",
            "bob",
            id="rep",
            content_id="c2",
            rule="harassment.insults",
        ),
        line(
            "review.decided",
            "2026-01-02T02:00:00Z",
            "mod-x",
            id="d1",
            content_id="c2",
            rule="harassment.insults",
            verdict="violates",
        ),
        line(
            "appeal.filed",
            "2026-01-03T00:00:00Z",
            "alice",
            id="af",
            appeal_id="ap1",
            decision_id="d1",
            reason="it was a joke between friends",
        ),
        line(
            "appeal.decided",
            "2026-01-04T00:00:00Z",
            "mod-y",
            id="ad",
            appeal_id="ap1",
            outcome="upheld",
        ),
    ]
    stream = tmp_path / "s.jsonl"
    stream.write_bytes(b"\n".join(rows) + b"\n")
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["--db", db, "ingest", str(stream), "--policy", str(POLICY_V1)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "alice.json"
    assert (
        runner.invoke(app, ["--db", db, "export", "account", "alice", "--out", str(out)]).exit_code
        == 0
    )
    data = json.loads(out.read_text())
    assert [e["id"] for e in data["events_by_this_account"]] == ["r-alice", "p2", "af"]
    assert [s["action"] for s in data["sanctions"]] == ["warning"]
    assert data["strikes"][0]["content_id"] == "c2"
    assert data["decisions_on_my_content"][0]["appeal_id"] == "ap1"
    assert [a.get("outcome") for a in data["appeals"]] == [None, "upheld"]
    assert data["labels_on_my_content"][0]["visible"] in (False, 0)
    text = out.read_text()
    for other in ("bob", "carol", "mod-x", "mod-y", "bob's post"):
        assert other not in text, other
    missing = runner.invoke(app, ["--db", db, "export", "account", "nobody"])
    assert missing.exit_code == 2 and "unknown account 'nobody'" in missing.output
