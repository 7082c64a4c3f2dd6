"""Group chats: membership, roles, and admins whose standing no longer lets them act."""

from __future__ import annotations

import pytest

from goodstanding.engine import AdminRightsChanged, Denial, Engine, GroupFlagged, Rejected
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.store import Store
from goodstanding.store import schema as tables
from helpers import community, engine, ev, line

T = "2026-01-02T01:00:00Z"


def hikers() -> Engine:
    eng = engine()
    community(eng, members=4)
    eng.apply(ev("group.created", T, "m1", group_id="g1", name="hikers"))
    for member in ("m2", "m3"):
        eng.apply(ev("group.joined", T, member, group_id="g1"))
    return eng


def message(eng: Engine, actor: str, cid: str, at: str = T) -> list:
    return eng.apply(
        ev(
            "content.posted",
            at,
            actor,
            content_id=cid,
            kind="message",
            group_id="g1",
            text="see you at six",
        )
    )


def test_members_message_and_strangers_are_refused() -> None:
    eng = hikers()
    assert message(eng, "m2", "c1")  # a ledger entry for the message
    with pytest.raises(Rejected, match="'m4' is not a member of group 'g1'"):
        message(eng, "m4", "c2")
    with pytest.raises(Rejected, match="unknown group 'nope'"):
        eng.apply(ev("group.joined", T, "m4", group_id="nope"))
    with pytest.raises(Rejected, match="already a member"):
        eng.apply(ev("group.joined", T, "m2", group_id="g1"))


def test_only_owner_or_admin_changes_roles() -> None:
    eng = hikers()
    with pytest.raises(Rejected, match="only the owner or an admin"):
        eng.apply(ev("group.role_changed", T, "m2", group_id="g1", member="m3", role="admin"))
    eng.apply(ev("group.role_changed", T, "m1", group_id="g1", member="m2", role="admin"))
    assert eng.state.groups["g1"].roles["m2"] == "admin"
    assert "g1" in eng.state.accounts["m2"].admin_of
    with pytest.raises(Rejected, match="only the owner of group 'g1' may hand on"):
        eng.apply(ev("group.role_changed", T, "m2", group_id="g1", member="m3", role="owner"))
    with pytest.raises(Rejected, match="owner of group 'g1' cannot leave"):
        eng.apply(ev("group.left", T, "m1", group_id="g1"))
    eng.apply(ev("group.role_changed", T, "m1", group_id="g1", member="m3", role="owner"))
    group = eng.state.groups["g1"]
    assert group.owner == "m3" and group.roles["m1"] == "admin"


def test_admin_rights_follow_standing_and_come_back() -> None:
    eng = hikers()
    eng.state.accounts["m1"].acc = 0.0
    # an upheld critical violation (-45) takes m1 (the owner) far below the admin band
    eng.apply(ev("content.posted", T, "m1", content_id="x", kind="post", text="..."))
    effects = eng.apply(
        ev(
            "review.decided",
            "2026-01-02T02:00:00Z",
            "mod",
            content_id="x",
            rule="threat.violence",
            verdict="violates",
        )
    )
    rights = [e for e in effects if isinstance(e, AdminRightsChanged)]
    assert [(e.account_id, e.group_id, e.acting) for e in rights] == [("m1", "g1", False)]
    assert "administer_group" in rights[0].reasons and "keep your role" in rights[0].reasons
    flags = [e for e in effects if isinstance(e, GroupFlagged)]
    assert flags and "no acting admin" in flags[0].message
    assert eng.state.groups["g1"].roles["m1"] == "owner"  # keeps ownership
    # an owner who cannot act as admin cannot change roles
    denied = eng.apply(
        ev(
            "group.role_changed",
            "2026-01-02T03:00:00Z",
            "m1",
            group_id="g1",
            member="m2",
            role="admin",
        )
    )
    assert isinstance(denied[0], Denial) and denied[0].privilege == "administer_group"
    # months later the penalty has faded; the next act restores the rights automatically
    later = message(eng, "m1", "c9", "2026-09-01T00:00:00Z")
    restored = [e for e in later if isinstance(e, AdminRightsChanged)]
    assert [(e.account_id, e.acting) for e in restored] == [("m1", True)]
    assert any(isinstance(e, GroupFlagged) and "acting admin again" in e.message for e in later)


def test_groups_survive_the_store_and_replay(tmp_path) -> None:
    from goodstanding.pipeline import replay
    from helpers import POLICY_V1

    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    policies = load_policies(store, [str(POLICY_V1)])
    lines = [
        line("account.registered", "2026-01-02T00:00:00Z", a, id=f"r{a}") for a in ("o", "p", "q")
    ]
    lines += [
        line("group.created", T, "o", id="gc", group_id="g", name="book club"),
        line("group.joined", T, "p", id="gj", group_id="g"),
    ]
    Ingestor(store, policies).ingest(lines)
    # a later batch, in a fresh process-like ingestor, needs the group from the store
    more = [
        line(
            "content.posted",
            "2026-01-02T02:00:00Z",
            "p",
            id="m1",
            content_id="c1",
            kind="message",
            group_id="g",
            text="hello",
        ),
        line(
            "content.posted",
            "2026-01-02T02:00:00Z",
            "q",
            id="m2",
            content_id="c2",
            kind="message",
            group_id="g",
            text="let me in",
        ),
    ]
    report = Ingestor(store, load_policies(store)).ingest(more)
    assert report.accepted == 1
    assert "'q' is not a member of group 'g'" in report.errors[0].message
    assert store.count(tables.groups) == 1
    digest = store.digest()
    replay(store, load_policies(store))
    assert store.digest() == digest


def test_group_command_shows_admins_and_flags(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from goodstanding.cli import app
    from helpers import POLICY_V1

    stream = tmp_path / "g.jsonl"
    rows = [line("account.registered", "2026-01-02T00:00:00Z", a, id=f"r{a}") for a in "opq"]
    rows += [
        line("account.registered", "2026-01-02T00:00:00Z", "mod", id="rm", role="moderator"),
        line("group.created", T, "o", id="gc", group_id="g", name="book club"),
        line("group.joined", T, "p", id="gj", group_id="g"),
        line("content.posted", T, "o", id="px", content_id="x", kind="post", text="..."),
        line(
            "review.decided",
            "2026-01-02T02:00:00Z",
            "mod",
            id="d",
            content_id="x",
            rule="threat.violence",
            verdict="violates",
        ),
    ]
    stream.write_bytes(b"\n".join(rows) + b"\n")
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    runner = CliRunner()
    assert (
        runner.invoke(
            app, ["--db", db, "ingest", str(stream), "--policy", str(POLICY_V1)]
        ).exit_code
        == 0
    )
    result = runner.invoke(app, ["--db", db, "group", "g", "--json"])
    data = json.loads(result.output)
    assert data["admins"] == [{"account": "o", "role": "owner", "acting": False}]
    assert data["without_acting_admin"] and "no acting admin" in data["flags"][0]["message"]
    assert sum(len(v) for v in data["members_by_band"].values()) == 2
    assert "suspended" in runner.invoke(app, ["--db", db, "group", "g"]).output
