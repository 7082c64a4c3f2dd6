"""The simulated community's members and the machinery of a run: schedule, emission, task queue."""

from __future__ import annotations

import functools
import heapq
import math
import random
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, cast

from goodstanding.sim.config import DAY, GroundTruth, SimConfig
from goodstanding.sim.texts import EN, JA, ZH, Texts
from goodstanding.sim.vocabulary import SEVERE_RULES, TOPICS

ORDINARY, ABUSIVE, RING = 0, 1, 2
_RING_RULES: Final = (
    "spam.bulk",
    "spam.links",
    "scam.phishing",
    "scam.fake_giveaway",
    "consumer.fake_reviews",
    "manipulation.fake_engagement",
    "scam.advance_fee",
)
_SPECIALITY_WEIGHTS: Final[dict[str, float]] = {
    "spam.bulk": 8,
    "spam.links": 8,
    "scam.phishing": 5,
    "scam.advance_fee": 3,
    "scam.fake_giveaway": 4,
    "harassment.targeted": 6,
    "harassment.insults": 10,
    "threat.violence": 4,
    "hate.dehumanising": 3,
    "minors.sexualisation": 0.15,
    "minors.grooming": 0.15,
    "selfharm.promotion": 0.5,
    "privacy.doxxing": 2,
    "privacy.intimate_images": 0.3,
    "ip.piracy": 4,
    "products.illegal_drugs": 3,
    "products.weapons": 1.5,
    "violence.glorification": 2,
    "terror.propaganda": 0.15,
    "impersonation": 2,
    "manipulation.fake_engagement": 3,
    "consumer.fake_reviews": 3,
    "animal.cruelty": 1,
}
_RARE_RULES: Final = frozenset({*SEVERE_RULES, "selfharm.promotion", "animal.cruelty"})
# UTC hour of day → relative activity (quiet nights, busy evenings)
_HOURLY: Final = (
    0.25,
    0.15,
    0.1,
    0.08,
    0.08,
    0.12,
    0.25,
    0.45,
    0.6,
    0.65,
    0.65,
    0.7,
    0.8,
    0.75,
    0.7,
    0.7,
    0.75,
    0.85,
    0.95,
    1.0,
    1.0,
    0.9,
    0.7,
    0.45,
)
_HOURLY_MEAN: Final = sum(_HOURLY) / 24
# (mean acts per day, lognormal sigma, chance a session goes on after each act)
_ACTIVITY: Final = {ORDINARY: (0.7, 1.5, 0.55), ABUSIVE: (1.0, 0.8, 0.6), RING: (4.0, 0.5, 0.75)}
_MAX_RATE: Final = 80.0
_LEAF_TYPES: Final = frozenset({"content.engaged", "content.reported", "review.decided"})
_ACCOUNTS_PER_GROUP: Final = 250
_CHAT_SHARE: Final = {ORDINARY: 0.3, ABUSIVE: 0.25, RING: 0.0}  # members who chat in groups
_IDENTITY_SHARE: Final = {ORDINARY: 0.03, ABUSIVE: 0.2, RING: 0.0}
# ordinary members who hold every comment under their posts: among the tenth most active,
# and among the others; and those who hold the comments under some posts only
_HOLD_ALL_SHARE: Final = (0.15, 0.04)
_HOLD_SOME_SHARE: Final = 0.02
# things due later, in the task queue as (time, sequence, task, argument)
(
    REVIEW,
    CREATE_GROUP,
    SUBMIT,
    VERDICT,
    SECOND_ACCOUNT,
    APPEAL,
    APPEAL_DECISION,
    HOLD_ALL,
    HOLD_POST,
    OWNER_DECISION,
    LIFT,
) = range(11)
_POLICY_FILE: Final = Path(__file__).resolve().parent.parent / "policies" / "default.toml"


@dataclass(frozen=True)
class _Scoring:
    """The default policy's scoring, enough to estimate a group owner's standing."""

    start: float
    daily_cap: float
    half_life: float  # seconds
    administer_from: float  # the lowest score whose band grants administer_group
    weights: dict[str, float]


@functools.cache
def _default_scoring() -> _Scoring:
    """Read from the packaged default policy (the sim cannot afford to import the loader)."""
    policy = tomllib.loads(_POLICY_FILE.read_text(encoding="utf-8"))
    scoring = policy["scoring"]
    return _Scoring(
        start=float(scoring["start"]),
        daily_cap=float(scoring["daily_gain_cap"]),
        half_life=float(scoring["half_life_days"]) * DAY,
        administer_from=min(
            float(band["min"])
            for band in policy["bands"]
            if "administer_group" in band["privileges"]
        ),
        weights={name: float(value) for name, value in scoring["weights"].items()},
    )


def _lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


class _Clock:
    """Seconds since the start → RFC 3339 UTC strings with a "Z"."""

    def __init__(self, start: datetime) -> None:
        self.base = math.floor(start.timestamp())
        self.days: dict[int, str] = {}

    def __call__(self, t: int) -> str:
        day, sod = divmod(self.base + t, DAY)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%dT")
            self.days[day] = prefix
        hours, rest = divmod(sod, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{prefix}{hours:02d}:{minutes:02d}:{seconds:02d}Z"

    def hour(self, t: int) -> int:
        return (self.base + t) % DAY // 3600


class World:
    """The state of one run (members, content, groups, identities) and its machinery: the
    schedule of acts, emission with late and repeated deliveries, the task queue, and group
    owners' estimated standing. The acts are in ``ContentActs``, ``GroupActs`` and
    ``IdentityActs``; ``Simulation`` runs them."""

    def __init__(self, config: SimConfig) -> None:
        self.cfg = config
        self.rng = random.Random(config.seed)
        self.truth = GroundTruth()
        self.end = config.days * DAY
        self.clock = _Clock(config.start)
        self.texts = Texts(self.rng)
        self.next_event = 0
        self.out: list[dict[str, object]] = []
        # deliveries put off: (delivery time, sequence, event)
        self.delayed: list[tuple[int, int, dict[str, object]]] = []
        self.delayed_seq = 0
        # things due later: (time, sequence, task, argument)
        self.tasks: list[tuple[int, int, int, int]] = []
        self.task_seq = 0
        # content, by index
        self.c_ids: list[str] = []
        self.c_author: list[int] = []
        self.c_rule: list[str] = []  # "" when the content breaks no rule
        self.c_parent: list[int] = []
        self.c_topic: list[int] = []
        self.c_removed = bytearray()
        self.c_review = bytearray()  # 0 none, 1 scheduled, 2 decided
        self.c_reported: dict[int, str] = {}
        self.c_group: list[int] = []  # -1 for posts and comments
        self.c_hold = bytearray()  # 1 once the post's own mode holds every comment
        self.tickets: list[int] = []  # one entry per engagement: popular content recurs
        self.last_t = -1
        self.same_t = 0
        self.n_registered = 0
        self._setup_accounts()
        self._setup_social()
        self._setup_owners()

    # -- accounts ------------------------------------------------------------

    def _setup_accounts(self) -> None:
        cfg, rng, end = self.cfg, self.rng, self.end
        n = cfg.accounts
        rings = cfg.ring_count or 0
        size = cfg.ring_size
        in_rings = rings * size
        abusive = min(round(n * cfg.abusive_share), n - in_rings)

        def early_or_any(p_early: float) -> int:
            if rng.random() < p_early:
                t = int(rng.expovariate(1.0 / (0.9 * DAY)))
                return t if t < end else rng.randrange(end)
            return rng.randrange(end)

        slots: list[tuple[int, int, int, int]] = []  # (registered, slot, kind, ring)
        for ring in range(rings):
            t = int(rng.random() * end * 0.7)
            for _ in range(size):
                slots.append((min(t, end - 1), len(slots), RING, ring))
                t += 20 + rng.randrange(380)
        for _ in range(abusive):
            slots.append((early_or_any(0.3), len(slots), ABUSIVE, -1))
        for _ in range(n - in_rings - abusive):
            slots.append((early_or_any(0.6), len(slots), ORDINARY, -1))
        slots.sort()

        ring_langs = [ZH if rng.random() < 0.2 else EN for _ in range(rings)]
        ring_rules = [tuple(rng.sample(_RING_RULES, rng.randint(1, 2))) for _ in range(rings)]
        spec_rules = list(_SPECIALITY_WEIGHTS)
        spec_weights = list(_SPECIALITY_WEIGHTS.values())

        self.ids = [f"a{i + 1:06d}" for i in range(n)]
        self.kind = [s[2] for s in slots]
        self.reg = [s[0] for s in slots]
        self.ring_of = [s[3] for s in slots]
        self.rate: list[float] = []
        self.lang: list[int] = []
        self.post_w: list[float] = []
        self.rules: list[tuple[str, ...]] = []
        self.viol_rate: list[float] = []
        self.victim: list[int] = [-1] * n
        self.last_content: list[int] = [-1] * n
        self.ring_members: list[list[int]] = [[] for _ in range(rings)]
        self.ring_posts: list[list[int]] = [[] for _ in range(rings)]
        truth = self.truth
        for _, _, kind, _ in slots:
            mean, sigma, _ = _ACTIVITY[kind]
            self.rate.append(min(_MAX_RATE, _lognormal(rng, mean, sigma)))
        languages = self._languages()
        for i, (_, _, kind, ring) in enumerate(slots):
            lang = languages[i]
            rules: tuple[str, ...] = ()
            viol = 0.0
            if kind == RING:
                lang = ring_langs[ring]
                rules = ring_rules[ring]
                viol = 0.85
                self.ring_members[ring].append(i)
            elif kind == ABUSIVE:
                first = rng.choices(spec_rules, spec_weights)[0]
                rules = (first,)
                if rng.random() < 0.4:
                    second = rng.choices(spec_rules, spec_weights)[0]
                    if second != first:
                        rules = (first, second)
                viol = 0.3 + 0.4 * rng.random()
                if any(rule in _RARE_RULES for rule in rules):
                    viol *= 0.25
                truth.abusive_accounts.append(self.ids[i])
                truth.specialities[self.ids[i]] = list(rules)
            self.lang.append(lang)
            self.post_w.append(min(0.6, 0.08 * rng.lognormvariate(0.0, 0.7)))
            self.rules.append(rules)
            self.viol_rate.append(viol)
        truth.rings = [[self.ids[i] for i in members] for members in self.ring_members]
        self.mod_ids = [f"m{k + 1:04d}" for k in range(cfg.moderators or 0)]
        self.mod_reg = [rng.randrange(min(600, end)) for _ in self.mod_ids]
        truth.moderators = list(self.mod_ids)

    def _setup_social(self) -> None:
        """Who chats in groups and how much, who creates a group and when, who verifies an
        identity and when (due things go to the task queue)."""
        rng, n = self.rng, self.cfg.accounts
        self.scoring = _default_scoring()
        self.strikes = [0] * n  # upheld violations, less those reversed on appeal
        # groups, by index
        self.g_ids: list[str] = []
        self.g_owner: list[int] = []
        self.g_topic: list[int] = []
        self.g_at: list[int] = []  # -1 until created
        self.g_members: list[list[int]] = []
        self.g_admins: list[list[int]] = []
        self.g_last: list[int] = []  # the latest message, -1 for none
        self.open_groups: list[int] = []
        self.member_of: dict[int, list[int]] = {}
        # owners' estimated standing: [faded sum of deltas, as of, UTC day, gained that day]
        self.standing: dict[int, list[float]] = {}
        # identities: submitted (kind, canonical value, typing style), verified, second accounts
        self.identity: dict[int, tuple[str, str, int]] = {}
        self.identity_values: set[str] = set()
        self.verified: set[int] = set()
        self.submissions: list[tuple[str, int, int]] = []  # (event id, account, moderator)
        self.second: list[tuple[int, str]] = []  # (sanctioned account, second account's id)
        # decisions: (review event id, content, moderator, mistaken); appeals: (id, decision)
        self.decisions: list[tuple[str, int, int, bool]] = []
        self.appeals: list[tuple[str, int]] = []
        # moderators acting on accounts directly: members who ever posted a violation, ring
        # members warned, members restricted by mistake: (sanction id, member, moderator)
        # drawn from their own generator, so that they leave every other draw as it was
        self.moderation_rng = random.Random(f"{self.cfg.seed}:moderation")
        self.violators: set[int] = set()
        self.warned_directly: set[int] = set()
        self.restrictions: list[tuple[str, int, int]] = []

        self.chat = [0.0] * n  # the share of acts spent in group chats
        for i in range(n):
            share = _CHAT_SHARE[self.kind[i]]
            if share and rng.random() < share:
                self.chat[i] = min(0.6, 0.2 * rng.lognormvariate(0.0, 0.6))
        ordinary = [i for i in range(n) if self.kind[i] == ORDINARY]
        ordinary.sort(key=lambda i: (-self.rate[i], i))
        count = min(len(ordinary), max(1, n // _ACCOUNTS_PER_GROUP))
        # groups are started by some of the most active members
        for g, i in enumerate(rng.sample(ordinary[: 3 * count], count)):
            self.g_ids.append(f"g{g + 1:05d}")
            self.g_owner.append(i)
            self.g_topic.append(rng.randrange(len(TOPICS)))
            self.g_at.append(-1)
            self.g_members.append([])
            self.g_admins.append([])
            self.g_last.append(-1)
            self.chat[i] = max(self.chat[i], 0.2)
            self.standing[i] = [0.0, float(self.reg[i]), -1.0, 0.0]
            self._later(self.reg[i] + 3600 + int(rng.expovariate(1.0 / (2 * DAY))), CREATE_GROUP, g)
        if not self.mod_ids:
            return  # nobody to report the platform's identity checks
        for i in range(n):
            share = _IDENTITY_SHARE[self.kind[i]]
            if share and rng.random() < share:
                self._later(self.reg[i] + 600 + int(rng.expovariate(1.0 / DAY)), SUBMIT, i)

    def _setup_owners(self) -> None:
        """Who vets the comments under their posts: a small share of ordinary members (more
        among the most active) holds every comment for all their posts from a moment after
        registering; a few others hold the comments under some of their posts. Group owners
        are left out, so that their estimated standing stays the engine's."""
        rng, n = self.rng, self.cfg.accounts
        self.vets = bytearray(n)  # 1 holds under all posts, 2 under some
        self.holding = bytearray(n)  # 1 once the account's mode holds every comment
        ordinary = [i for i in range(n) if self.kind[i] == ORDINARY and i not in self.standing]
        ordinary.sort(key=lambda i: (-self.rate[i], i))
        top = len(ordinary) // 10
        for rank, i in enumerate(ordinary):
            share = _HOLD_ALL_SHARE[rank >= top]
            r = rng.random()
            if r < share:
                self.vets[i] = 1
                self._later(self.reg[i] + 1 + int(rng.expovariate(1.0 / 30)), HOLD_ALL, i)
            elif r < share + _HOLD_SOME_SHARE:
                self.vets[i] = 2

    def _languages(self) -> list[int]:
        """Each member's language: about 5% Chinese and 2% Japanese, spread evenly over
        activity levels so that the shares hold for texts too."""
        rng, rate = self.rng, self.rate
        languages = [EN] * len(rate)
        by_activity = sorted(range(len(rate)), key=lambda i: (-rate[i], i))
        for start in range(0, len(by_activity), 100):
            block = by_activity[start : start + 100]
            zh = int(len(block) * 0.05 + rng.random())
            ja = int(len(block) * 0.02 + rng.random())
            chosen = rng.sample(block, min(len(block), zh + ja))
            for j, i in enumerate(chosen):
                languages[i] = ZH if j < zh else JA
        return languages

    def _schedule(self) -> tuple[list[int], int]:
        """Every registration and act as one sortable int: time * space + code."""
        rng, end, hour = self.rng, self.end, self.clock.hour
        expo, rand = rng.expovariate, rng.random
        n = self.cfg.accounts
        total = n + len(self.mod_ids)
        space = 2 * total
        keys = [t * space + total + i for i, t in enumerate(self.reg)]
        keys += [t * space + total + n + k for k, t in enumerate(self.mod_reg)]
        hourly = _HOURLY
        for i in range(n):
            _, _, go_on = _ACTIVITY[self.kind[i]]
            per_session = 1.0 / (1.0 - go_on)
            sessions_per_day = self.rate[i] / per_session / _HOURLY_MEAN
            gap = DAY / sessions_per_day
            t = self.reg[i]
            while True:
                t += int(expo(1.0) * gap) + 1
                if t >= end:
                    break
                if rand() >= hourly[hour(t)]:
                    continue
                s = t
                while s < end:
                    keys.append(s * space + i)
                    if rand() >= go_on:
                        break
                    s += 5 + int(expo(1.0) * 90)
        keys.sort()
        return keys, space

    # -- emission ------------------------------------------------------------

    def _event(self, kind: str, t: int, actor: str) -> dict[str, object]:
        self.next_event += 1
        return {"id": f"e{self.next_event:08d}", "type": kind, "at": self.clock(t), "actor": actor}

    def _emit(self, event: dict[str, object], t: int, rng: random.Random | None = None) -> None:
        """Sends the event now, later (late delivery) or twice (a redelivery), as the config's
        shares say, drawing from `rng` (default: the run's own generator)."""
        cfg, rng = self.cfg, rng or self.rng
        deliver = t
        if cfg.late_share and event["type"] in _LEAF_TYPES and rng.random() < cfg.late_share:
            deliver = t + 120 + int(rng.random() * 3 * 3600)
            self.delayed_seq += 1
            heapq.heappush(self.delayed, (deliver, self.delayed_seq, event))
            self.truth.late_events.append(cast(str, event["id"]))
        else:
            self.out.append(event)
        if cfg.duplicate_share and rng.random() < cfg.duplicate_share:
            self.delayed_seq += 1
            again = deliver + 1 + int(rng.expovariate(1.0 / 120))
            heapq.heappush(self.delayed, (again, self.delayed_seq, dict(event)))
            self.truth.duplicate_events.append(cast(str, event["id"]))

    def _later(self, at: int, task: int, arg: int) -> None:
        """Puts a task in the queue, due at ``at``; one due after the period never comes."""
        if at < self.end:
            self.task_seq += 1
            heapq.heappush(self.tasks, (at, self.task_seq, task, arg))

    def _flush_delayed(self, until: int | None) -> None:
        delayed = self.delayed
        while delayed and (until is None or delayed[0][0] <= until):
            self.out.append(heapq.heappop(delayed)[2])

    def _credit(self, i: int, t: int, delta: float) -> None:
        """A ledger delta to a group owner's estimated standing (gains capped per UTC day,
        every delta fading with the policy's half-life, as the engine scores)."""
        s, scoring = self.standing[i], self.scoring
        if delta > 0:
            day = float((self.clock.base + t) // DAY)
            if day > s[2]:
                s[2], s[3] = day, 0.0
            delta = min(delta, scoring.daily_cap - s[3])
            if delta <= 0:
                return
            s[3] += delta
        s[0] = s[0] * math.exp2((s[1] - t) / scoring.half_life) + delta
        s[1] = t

    def _estimate(self, i: int, t: int) -> float:
        """A group owner's estimated score at ``t``."""
        s, scoring = self.standing[i], self.scoring
        return scoring.start + s[0] * math.exp2((s[1] - t) / scoring.half_life)
