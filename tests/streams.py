"""Random event streams for property tests, and the one place the tests reach the store.

`streams()` draws a stream that uses every event type: registrations first, then posts,
comments, group messages, engagements, reports, moderators' reviews, appeals and their
decisions, groups (created, joined, left, roles), identity submissions and the platform's
verdicts, owners' comment modes and their decisions on held comments. The stream is built
against a scratch engine, so every event meant to be valid is one the engine accepts; a few
deliberately invalid events (an unknown actor, a reused content id, a review by a member,
an unknown content or group, an appeal of no decision) are mixed in and counted.

`ingest_lines` and `run_cli` are the only functions here that touch the store, ingest or
the command line: a change of their import paths is made here alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import strategies as st

from goodstanding.engine import Rejected
from goodstanding.event_lines import decode_event
from goodstanding.events import Event
from goodstanding.identity import load_keyring, seal_line
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.pipeline.cache import DEFAULT_BUDGET
from goodstanding.store import Store
from helpers import POLICY_V1, engine

START = datetime(2026, 1, 2, tzinfo=UTC)
RULES = ("spam.bulk", "harassment.insults", "threat.violence")
TEXTS = (
    "Morning ride along the river, lovely weather",
    "Anyone tried the new ramen place downtown?",
    "You are a pathetic idiot and everyone knows it",
    "BUY NOW cheap watches http://cheap-deals.example/x1",
    "I will find you and hurt you",
    "Great photo, thanks for sharing",
)
GARBAGE = (b"{not json", b'{"id": "x1", "type": "content.exploded", "at": "2026-01-02T00:00:00Z"}')
# the acts a stream draws from, with their weights (the ones that need others first weigh more)
WEIGHTS = {
    "register": 1,
    "post": 4,
    "comment": 3,
    "message": 2,
    "engage": 2,
    "report": 1,
    "review": 3,
    "mode": 2,
    "approve": 2,
    "reject": 1,
    "create": 1,
    "join": 2,
    "leave": 1,
    "role": 1,
    "appeal": 2,
    "decide_appeal": 2,
    "sanction": 1,
    "lift": 1,
    "submit": 1,
    "verdict": 2,
    "invalid": 1,
}
ACTIONS = tuple(action for action, weight in WEIGHTS.items() for _ in range(weight))


@dataclass(frozen=True)
class Stream:
    """A drawn stream: its events as JSON-ready dicts (identity values still raw, as a
    platform sends them) and how many of them are invalid on purpose."""

    events: tuple[dict[str, Any], ...]
    invalid: int

    def lines(self) -> list[bytes]:
        """The events as JSON Lines, as a platform sends them."""
        return [msgspec.json.encode(event) for event in self.events]

    def decoded(self) -> list[Event]:
        """The events as ingest decodes them (identity values sealed first)."""
        ring = load_keyring().ring
        return [decode_event(seal_line(ring, line), line=n) for n, line in enumerate(self.lines())]

    def types(self) -> set[str]:
        """The event types the stream uses."""
        return {str(event["type"]) for event in self.events}


class _Builder:
    """Builds a stream against a scratch engine, keeping only valid events that it accepts."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.engine = engine()
        self.ring = load_keyring().ring
        self.events: list[dict[str, Any]] = []
        self.invalid = 0
        self.t = 0
        self.members: list[str] = []
        self.moderators: list[str] = []
        self.contents: list[str] = []
        self.comments: list[str] = []
        self.groups: list[str] = []
        self.submissions: list[tuple[str, str]] = []  # (event id, account)
        self.phones = 0
        self.made = 0  # content ids handed out

    def content_id(self) -> str:
        self.made += 1
        return f"c{self.made}"

    def pick(self, items: Sequence[str]) -> str | None:
        return self.draw(st.sampled_from(items)) if items else None

    def event(self, type_: str, actor: str, **fields: Any) -> dict[str, Any]:
        self.t += self.draw(st.integers(1, 5400))
        at = (START + timedelta(seconds=self.t)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "id": f"e{len(self.events) + 1:04d}",
            "type": type_,
            "at": at,
            "actor": actor,
            **fields,
        }

    def offer(self, event: dict[str, Any] | None, valid: bool = True) -> bool:
        """Adds the event if the scratch engine's verdict matches what it is meant to be."""
        if event is None:
            return False
        decoded = decode_event(seal_line(self.ring, msgspec.json.encode(event)))
        self.engine.prepare([decoded])
        try:
            self.engine.apply(decoded)
            accepted = True
        except Rejected:
            accepted = False
        if accepted != valid:
            if accepted:
                raise AssertionError(f"an event meant to be refused was accepted: {event}")
            return False
        self.events.append(event)
        self.invalid += not valid
        return True

    # -- the acts ---------------------------------------------------------------------------

    def register(self, role: str = "member") -> None:
        people = self.moderators if role == "moderator" else self.members
        actor = f"{'mod' if role == 'moderator' else 'm'}{len(people) + 1}"
        if self.offer(self.event("account.registered", actor, role=role)):
            people.append(actor)

    def post(self) -> None:
        author = self.pick(self.members)
        if author is None:
            return
        cid = self.content_id()
        event = self.event(
            "content.posted",
            author,
            content_id=cid,
            kind="post",
            text=self.draw(st.sampled_from(TEXTS)),
        )
        if self.offer(event) and cid in self.engine.state.contents:
            self.contents.append(cid)

    def comment(self) -> None:
        author, parent = self.pick(self.members), self.pick(self.contents)
        if author is None or parent is None:
            return
        cid = self.content_id()
        text = self.draw(st.sampled_from(TEXTS))
        event = self.event(
            "content.posted", author, content_id=cid, kind="comment", parent_id=parent, text=text
        )
        if self.offer(event) and cid in self.engine.state.contents:
            self.contents.append(cid)
            self.comments.append(cid)

    def message(self) -> None:
        group = self.pick(self.groups)
        if group is None:
            return
        author = self.pick(sorted(self.engine.state.groups[group].roles))
        cid = self.content_id()
        text = self.draw(st.sampled_from(TEXTS))
        event = self.event(
            "content.posted", str(author), content_id=cid, kind="message", group_id=group, text=text
        )
        if self.offer(event) and cid in self.engine.state.contents:
            self.contents.append(cid)

    def engage(self) -> None:
        actor, content = self.pick(self.members), self.pick(self.contents)
        if actor and content:
            kind = self.draw(st.sampled_from(("like", "share")))
            self.offer(self.event("content.engaged", actor, content_id=content, kind=kind))

    def report(self) -> None:
        actor, content = self.pick(self.members), self.pick(self.contents)
        if actor and content:
            rule = self.draw(st.sampled_from(RULES))
            self.offer(self.event("content.reported", actor, content_id=content, rule=rule))

    def review(self) -> None:
        moderator, content = self.pick(self.moderators), self.pick(self.contents)
        if moderator and content:
            rule = self.draw(st.sampled_from(RULES))
            verdict = self.draw(st.sampled_from(("violates", "violates", "clear")))
            event = self.event(
                "review.decided", moderator, content_id=content, rule=rule, verdict=verdict
            )
            self.offer(event)

    def mode(self) -> None:
        actor = self.pick(self.members)
        if actor is None:
            return
        mode = self.draw(st.sampled_from(("open", "hold_flagged", "hold_all")))
        mine = [c for c in self.contents if self._author(c) == actor and c not in self.comments]
        post = self.pick(mine) if self.draw(st.booleans()) else None
        fields: dict[str, Any] = {"mode": mode} | ({"content_id": post} if post else {})
        self.offer(self.event("comment.mode_set", actor, **fields))

    def owner_decides(self, kind: str) -> None:
        contents = self.engine.state.contents
        held = [c for c in self.comments if contents[c].owner_state == "held"]
        open_ = [c for c in self.comments if contents[c].owner_state != "rejected"]
        comment = self.pick(held if kind == "comment.approved" else open_)
        if comment is None:
            return
        owner = self.engine.state.contents[comment].owner
        if owner is not None:
            self.offer(self.event(kind, owner, content_id=comment))

    def create(self) -> None:
        owner = self.pick(self.members)
        if owner is None:
            return
        gid = f"g{len(self.groups) + 1}"
        self.offer(self.event("group.created", owner, group_id=gid, name=f"club {gid}"))
        if gid in self.engine.state.groups:
            self.groups.append(gid)

    def join(self) -> None:
        group = self.pick(self.groups)
        if group is None:
            return
        roles = self.engine.state.groups[group].roles
        actor = self.pick([m for m in self.members if m not in roles])
        if actor is not None:
            self.offer(self.event("group.joined", actor, group_id=group))

    def leave(self) -> None:
        group = self.pick(self.groups)
        if group is None:
            return
        roles = self.engine.state.groups[group].roles
        actor = self.pick(sorted(m for m, role in roles.items() if role != "owner"))
        if actor is not None:
            self.offer(self.event("group.left", actor, group_id=group))

    def role(self) -> None:
        group = self.pick(self.groups)
        if group is None:
            return
        found = self.engine.state.groups[group]
        member = self.pick(sorted(m for m in found.roles if m != found.owner))
        if member is None:
            return
        role = self.draw(st.sampled_from(("admin", "member")))
        self.offer(
            self.event("group.role_changed", found.owner, group_id=group, member=member, role=role)
        )

    def appeal(self) -> None:
        decisions = self.engine.state.decisions
        decision = self.pick(sorted(d for d, found in decisions.items() if found.appeal_id is None))
        if decision is None:
            return
        found = decisions[decision]
        appeal_id = f"ap{len(self.engine.state.appeals) + 1}"
        self.offer(
            self.event("appeal.filed", found.account_id, appeal_id=appeal_id, decision_id=decision)
        )

    def decide_appeal(self) -> None:
        state = self.engine.state
        appeal = self.pick(sorted(a for a, found in state.appeals.items() if found.outcome is None))
        if appeal is None:
            return
        decider = state.decisions[state.appeals[appeal].decision_id].decided_by
        moderator = self.pick([m for m in self.moderators if m != decider])
        if moderator is not None:
            outcome = self.draw(st.sampled_from(("upheld", "reversed")))
            self.offer(self.event("appeal.decided", moderator, appeal_id=appeal, outcome=outcome))

    def sanction(self) -> None:
        moderator, member = self.pick(self.moderators), self.pick(self.members)
        if moderator is None or member is None:
            return
        action = self.draw(st.sampled_from(("warning", "restriction", "suspension", "ban")))
        days = {"restriction": 3, "suspension": self.draw(st.sampled_from((1, 14)))}
        fields = {"days": days[action]} if action in days else {}
        rule = self.draw(st.sampled_from(RULES))
        self.offer(
            self.event(
                "account.sanctioned",
                moderator,
                account=member,
                action=action,
                rule=rule,
                note="seen by a moderator",
                **fields,
            )
        )

    def lift(self) -> None:
        moderator = self.pick(self.moderators)
        at = START.timestamp() + self.t
        bound = [
            (account.id, sanction.id)
            for account in self.engine.state.accounts.values()
            for sanction in account.sanctions
            if sanction.active(at)
        ]
        if moderator is None or not bound:
            return
        account, sanction = self.draw(st.sampled_from(sorted(bound)))
        self.offer(
            self.event(
                "account.sanction_lifted",
                moderator,
                account=account,
                sanction_id=sanction,
                note="lifted after a second look",
            )
        )

    def submit(self) -> None:
        actor = self.pick(self.members)
        if actor is None:
            return
        self.phones += 1
        value = f"+86138{self.phones:08d}"
        event = self.event("identity.submitted", actor, account=actor, kind="phone", value=value)
        if self.offer(event):
            self.submissions.append((event["id"], actor))

    def verdict(self) -> None:
        moderator = self.pick(self.moderators)
        accounts = self.engine.state.accounts
        pending = [(s, a) for s, a in self.submissions if s in accounts[a].pending]
        if moderator is None or not pending:
            return
        submission, account = self.draw(st.sampled_from(pending))
        if self.draw(st.booleans()):
            event = self.event(
                "identity.verified",
                moderator,
                account=account,
                submission=submission,
                method="sms_code",
            )
        else:
            event = self.event(
                "identity.rejected",
                moderator,
                account=account,
                submission=submission,
                reason="expired",
            )
        self.offer(event)

    def invalid_event(self) -> None:
        member, content = self.pick(self.members), self.pick(self.contents)
        choices = [
            self.event("content.posted", "ghost", content_id="cx", kind="post", text="hi"),
            self.event("content.engaged", member or "ghost", content_id="nope", kind="like"),
            self.event("group.joined", member or "ghost", group_id="no-such-group"),
            self.event("appeal.filed", member or "ghost", appeal_id="apx", decision_id="nope"),
        ]
        if member and content:
            choices += [
                self.event("content.posted", member, content_id=content, kind="post", text="again"),
                self.event(
                    "review.decided", member, content_id=content, rule=RULES[0], verdict="violates"
                ),
            ]
        self.offer(self.draw(st.sampled_from(choices)), valid=False)

    def _author(self, content_id: str) -> str | None:
        found = self.engine.state.contents.get(content_id)
        return None if found is None else found.author

    def act(self, action: str) -> None:
        simple = {
            "post": self.post,
            "comment": self.comment,
            "message": self.message,
            "engage": self.engage,
            "report": self.report,
            "review": self.review,
            "mode": self.mode,
            "create": self.create,
            "join": self.join,
            "leave": self.leave,
            "role": self.role,
            "appeal": self.appeal,
            "decide_appeal": self.decide_appeal,
            "sanction": self.sanction,
            "lift": self.lift,
            "submit": self.submit,
            "verdict": self.verdict,
            "invalid": self.invalid_event,
        }
        if action == "register":
            self.register()
        elif action == "approve":
            self.owner_decides("comment.approved")
        elif action == "reject":
            self.owner_decides("comment.rejected")
        else:
            simple[action]()


@st.composite
def streams(draw: st.DrawFn, max_acts: int = 60) -> Stream:
    """A stream of events of every type (see the module docstring)."""
    builder = _Builder(draw)
    for _ in range(draw(st.integers(2, 4))):
        builder.register()
    for _ in range(2):
        builder.register("moderator")
    for _ in range(draw(st.integers(min(20, max_acts), max_acts))):
        builder.act(draw(st.sampled_from(ACTIONS)))
    return Stream(tuple(builder.events), builder.invalid)


@dataclass(frozen=True)
class Ingested:
    """What ingesting a stream into a fresh database gave."""

    accepted: int
    errors: int
    digest: str


def ingest_lines(
    db: Path,
    lines: Iterable[bytes],
    *,
    batch: int | None = None,
    policies: Sequence[Path] = (),
    cache_budget: int | None = DEFAULT_BUDGET,
) -> Ingested:
    """Ingests lines into the SQLite database at `db` under the test policy (and `policies`
    added), `batch` events at a time (default: ingest's own batch size), keeping at most
    `cache_budget` bytes of state between batches."""
    store = Store.open(f"sqlite:///{db}")
    files = [str(POLICY_V1), *map(str, policies)]
    ingestor = Ingestor(store, load_policies(store, files), cache_budget=cache_budget)
    report = ingestor.ingest(lines) if batch is None else ingestor.ingest(lines, batch=batch)
    return Ingested(report.accepted, len(report.errors), store.digest())


_SESSION = """
import json, sys
from goodstanding.cli import app
from goodstanding.store import Store
url, commands = sys.argv[1], json.loads(sys.argv[2])
for args in commands:
    try:
        app(["--db", url, *args], prog_name="goodstanding")
    except SystemExit as done:
        if done.code not in (None, 0, 1):
            raise
    print(MARK + Store.open(url).digest(), flush=True)
"""
_MARK = "\x00digest "


def run_cli(
    db: Path, commands: Sequence[Sequence[str]], *, hash_seed: str
) -> list[tuple[str, str]]:
    """Runs command lines (`goodstanding --db ... ARGS` each) one after the other on the SQLite
    database at `db`, in one fresh interpreter with PYTHONHASHSEED=`hash_seed`; for each, its
    standard output and the projections digest after it."""
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    script = f"MARK = {_MARK!r}\n{_SESSION}"
    command = [sys.executable, "-c", script, f"sqlite:///{db}", json.dumps(commands)]
    done = subprocess.run(command, env=env, capture_output=True, timeout=300, text=True)
    if done.returncode != 0:
        raise AssertionError(f"{commands} failed: {done.stderr}")
    results: list[tuple[str, str]] = []
    output: list[str] = []
    for line in done.stdout.splitlines():
        if line.startswith(_MARK):
            results.append(("\n".join(output), line.removeprefix(_MARK)))
            output = []
        else:
            output.append(line)
    return results
