"""One run of the synthetic community: every member's acts in time order."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from typing import Final

from goodstanding.sim.group_acts import GroupActs
from goodstanding.sim.identity_acts import IdentityActs
from goodstanding.sim.vocabulary import MISREPORTED_RULES, TOPICS
from goodstanding.sim.world import (
    APPEAL,
    APPEAL_DECISION,
    CREATE_GROUP,
    HOLD_ALL,
    HOLD_POST,
    LIFT,
    ORDINARY,
    OWNER_DECISION,
    REVIEW,
    RING,
    SECOND_ACCOUNT,
    SUBMIT,
    VERDICT,
)

_COMMENT_RULES: Final = frozenset(
    {
        "harassment.targeted",
        "harassment.insults",
        "threat.violence",
        "hate.dehumanising",
        "selfharm.promotion",
        "privacy.doxxing",
    }
)


class Simulation(GroupActs, IdentityActs):
    """One run: accounts, their acts in time order, reviews, late and repeated deliveries."""

    def events(self) -> Iterator[dict[str, object]]:
        keys, space = self._schedule()
        n = self.cfg.accounts
        total = n + len(self.mod_ids)
        out, delayed, tasks = self.out, self.delayed, self.tasks
        kind, chat, rand, open_groups = self.kind, self.chat, self.rng.random, self.open_groups
        for key in keys:
            t, code = divmod(key, space)
            while tasks and tasks[0][0] <= t:
                self._flush_delayed(tasks[0][0])
                yield from out
                out.clear()
                self._task(*heapq.heappop(tasks))
                yield from out
                out.clear()
            if delayed and delayed[0][0] <= t:
                self._flush_delayed(t)
            if code >= total:
                self._register(code - total, t)
            elif chat[code] and open_groups and rand() < chat[code]:
                self._group_act(code, t)
            else:
                k = kind[code]
                if k == ORDINARY:
                    self._act_ordinary(code, t)
                elif k == RING:
                    self._act_ring(code, t)
                else:
                    self._act_abusive(code, t)
            if out:
                yield from out
                out.clear()
        while tasks:
            self._flush_delayed(tasks[0][0])
            self._task(*heapq.heappop(tasks))
            yield from out
            out.clear()
        self._flush_delayed(None)
        yield from out
        out.clear()

    def _task(self, t: int, _seq: int, task: int, arg: int) -> None:
        _TASKS[task](self, t, arg)

    def _register(self, i: int, t: int) -> None:
        n = self.cfg.accounts
        if i < n:
            self.n_registered = i + 1
            event = self._event("account.registered", t, self.ids[i])
            event["role"] = "member"
        else:
            event = self._event("account.registered", t, self.mod_ids[i - n])
            event["role"] = "moderator"
        self._emit(event, t)

    def _act_ordinary(self, i: int, t: int) -> None:
        rng = self.rng
        visible = self._visible(t)
        r = rng.random()
        post_w = self.post_w[i]
        if visible == 0 or r < post_w:
            if rng.random() < 0.002:
                rule = rng.choice(("spam.links", "ip.piracy", "consumer.fake_reviews"))
                text, obf = self.texts.violating(rule, self.lang[i], "", i)
                self._post(i, t, -1, -1, text, rule, obf)
            else:
                topic = rng.randrange(len(TOPICS))
                self._post(
                    i, t, -1, topic, self.texts.ordinary(self.lang[i], topic, False), "", False
                )
            return
        c = self._pick(visible, i)
        if c < 0:
            return
        if self.c_rule[c] and not self._reaction_to_violation(i, t, c):
            return
        if not self.c_rule[c] and rng.random() < 0.004:
            self._report(i, t, c, rng.choice(MISREPORTED_RULES))
            return
        if r < post_w + 0.17:
            if self.c_parent[c] >= 0 and rng.random() < 0.7:
                parent = self.c_parent[c]
                if self.c_removed[parent] or self.c_author[parent] == i:
                    parent = c
                c = parent
            if rng.random() < 0.004:
                victim = "@" + self.ids[self.c_author[c]]
                text, obf = self.texts.violating("harassment.insults", self.lang[i], victim, i)
                self._post(i, t, c, -1, text, "harassment.insults", obf)
                return
            topic = self.c_topic[c] if self.c_topic[c] >= 0 else rng.randrange(len(TOPICS))
            self._post(i, t, c, topic, self.texts.ordinary(self.lang[i], topic, True), "", False)
        else:
            self._engage(i, t, c, r >= 0.88)

    def _victim(self, i: int) -> int:
        if self.victim[i] < 0 or self.rng.random() < 0.2:
            rng = self.rng
            v = rng.randrange(self.n_registered)
            self.victim[i] = v if v != i else -1
        return self.victim[i]

    def _act_abusive(self, i: int, t: int) -> None:
        rng = self.rng
        visible = self._visible(t)
        r = rng.random()
        if r < 0.65 or visible == 0:
            rule = ""
            if rng.random() < self.viol_rate[i]:
                rule = rng.choice(self.rules[i])
            parent = -1
            as_comment = visible > 0 and (rule in _COMMENT_RULES or r >= 0.4)
            if as_comment and rule in ("harassment.targeted", "threat.violence", "privacy.doxxing"):
                v = self._victim(i)
                target = self.last_content[v] if v >= 0 else -1
                if 0 <= target < visible and not self.c_removed[target]:
                    parent = target
            if as_comment and parent < 0:
                parent = self._pick(visible, i)
            if rule:
                victim = ""
                if parent >= 0:
                    victim = "@" + self.ids[self.c_author[parent]]
                else:
                    v = self._victim(i)
                    victim = "@" + self.ids[v] if v >= 0 else "@everyone"
                text, obf = self.texts.violating(rule, self.lang[i], victim, i)
                self._post(i, t, parent, -1, text, rule, obf)
            else:
                topic = self.c_topic[parent] if parent >= 0 else -1
                if topic < 0:
                    topic = rng.randrange(len(TOPICS))
                text = self.texts.ordinary(self.lang[i], topic, parent >= 0)
                self._post(i, t, parent, topic, text, "", False)
            return
        c = self._pick(visible, i)
        if c >= 0:
            self._engage(i, t, c, r >= 0.95)

    def _act_ring(self, i: int, t: int) -> None:
        rng = self.rng
        visible = self._visible(t)
        ring = self.ring_of[i]
        posts = self.ring_posts[ring]
        r = rng.random()
        if r < 0.6 and posts:
            for _ in range(3):
                j = len(posts) - 1 - min(len(posts) - 1, int(rng.expovariate(1.0) * 4))
                c = posts[j]
                if c < visible and self.c_author[c] != i and not self.c_removed[c]:
                    self._engage(i, t, c, rng.random() < 0.3)
                    return
        if r < 0.85 or visible == 0:
            if rng.random() < self.viol_rate[i]:
                rule = rng.choice(self.rules[i])
                text, obf = self.texts.violating(rule, self.lang[i], "", i)
            else:
                rule, obf = "", False
                text = self.texts.ordinary(self.lang[i], rng.randrange(len(TOPICS)), False)
            posts.append(self._post(i, t, -1, -1, text, rule, obf))
            return
        c = self._pick(visible, i)
        if c < 0:
            return
        if r < 0.95:
            self._engage(i, t, c, False)
        else:
            text, obf = self.texts.violating("spam.links", self.lang[i], "", i)
            self._post(i, t, c, -1, text, "spam.links", obf)


_TASKS: Final[dict[int, Callable[[Simulation, int, int], None]]] = {
    REVIEW: Simulation._review,
    CREATE_GROUP: Simulation._create_group,
    SUBMIT: Simulation._submit,
    VERDICT: Simulation._verdict,
    SECOND_ACCOUNT: Simulation._second_account,
    APPEAL: Simulation._appeal,
    APPEAL_DECISION: Simulation._decide_appeal,
    HOLD_ALL: Simulation._hold_all,
    HOLD_POST: Simulation._hold_post,
    OWNER_DECISION: Simulation._owner_decides,
    LIFT: Simulation._lift,
}
"""What each scheduled task does, by its code (sim.world)."""
