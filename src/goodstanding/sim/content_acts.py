"""Posts, comments, engagements, reports, reviews, moderators' direct sanctions, appeals and
owners' holds in a run."""

from __future__ import annotations

from typing import Final, cast

from goodstanding.sim.config import DAY
from goodstanding.sim.vocabulary import (
    APPEAL_REASONS,
    LIFT_NOTES,
    REJECTION_NOTES,
    REPORT_NOTES,
    SANCTION_NOTES,
    SIBLING_RULES,
)
from goodstanding.sim.world import (
    ABUSIVE,
    APPEAL,
    APPEAL_DECISION,
    HOLD_POST,
    LIFT,
    ORDINARY,
    OWNER_DECISION,
    REVIEW,
    RING,
    SECOND_ACCOUNT,
    World,
)

_EVADE_AFTER: Final = 4  # upheld violations (the default ladder's suspension) before coming back
_HOLD_POST_SHARE: Final = 0.25  # of the posts of those who hold under some posts
_REJECT_VIOLATING: Final = 0.8  # the share of violating comments an owner rejects
_REJECT_ORDINARY: Final = 0.03  # ... and of the others


class ContentActs(World):
    """What members do with content, and what moderators and owners decide on it."""

    def _visible(self, t: int) -> int:
        """How much content was posted strictly before ``t``."""
        n = len(self.c_ids)
        return n - self.same_t if self.last_t == t else n

    def _pick(self, visible: int, me: int) -> int:
        """A content item someone sees: mostly recent, popular items recur; -1 if none."""
        if visible == 0:
            return -1
        rng = self.rng
        tickets = self.tickets
        scale = 30 + visible // 40
        for _ in range(4):
            if tickets and rng.random() < 0.3:
                j = len(tickets) - 1 - int(rng.expovariate(1.0) * 4 * scale)
                c = tickets[j] if j >= 0 else tickets[rng.randrange(len(tickets))]
            else:
                c = visible - 1 - int(rng.expovariate(1.0) * scale)
                if c < 0:
                    c = rng.randrange(visible)
            if (
                c < visible
                and not self.c_removed[c]
                and self.c_author[c] != me
                and self.c_group[c] < 0
            ):
                return c
        return -1

    def _post(
        self,
        i: int,
        t: int,
        parent: int,
        topic: int,
        text: str,
        rule: str,
        obfuscated: bool,
        group: int = -1,
    ) -> int:
        c = len(self.c_ids)
        cid = f"c{c + 1:07d}"
        self.c_ids.append(cid)
        self.c_author.append(i)
        self.c_rule.append(rule)
        self.c_parent.append(parent)
        self.c_topic.append(topic)
        self.c_removed.append(0)
        self.c_review.append(0)
        self.c_group.append(group)
        self.c_hold.append(0)
        if rule:
            self.violators.add(i)
        if self.last_t == t:
            self.same_t += 1
        else:
            self.last_t, self.same_t = t, 1
        event = self._event("content.posted", t, self.ids[i])
        event["content_id"] = cid
        if group >= 0:
            event["kind"] = "message"
            event["group_id"] = self.g_ids[group]
        elif parent >= 0:
            event["kind"] = "comment"
            event["parent_id"] = self.c_ids[parent]
            self.tickets.append(parent)
            self.last_content[i] = c
        else:
            event["kind"] = "post"
            self.last_content[i] = c
        event["text"] = text
        self._emit(event, t)
        if parent >= 0:
            self._held(i, t, c, parent)
        elif group < 0 and self.vets[i] == 2 and self.rng.random() < _HOLD_POST_SHARE:
            self._later(t + 1 + int(self.rng.expovariate(1.0 / 60)), HOLD_POST, c)
        if i in self.standing:
            weights = self.scoring.weights
            self._credit(i, t, weights[cast(str, event["kind"])])
            if parent >= 0 and self.c_rule[parent]:
                self._credit(i, t, weights["engaged_violating"])
        if rule:
            self.truth.violating_content[cid] = rule
            if obfuscated:
                self.truth.obfuscated_content.append(cid)
            rng = self.rng
            if self.mod_ids and rng.random() < 0.04:
                self._schedule_review(c, t + 3600 + int(rng.expovariate(1.0 / (12 * 3600))))
        return c

    def _held(self, i: int, t: int, c: int, parent: int) -> None:
        """A comment under content whose mode holds every comment (its own, else its
        author's) waits for that owner, who decides on it hours later, but only when the
        engine surely published it: the commenter has no upheld violation (so no sanction,
        and standing enough to comment) and is outside the rings (whose likes of labelled
        spam cost them standing the simulation does not follow)."""
        owner = self.c_author[parent]
        if owner == i or not (self.c_hold[parent] or self.holding[owner]):
            return
        if self.strikes[i] or self.kind[i] == RING:
            return
        self._later(t + 1800 + int(self.rng.expovariate(1.0 / (4 * 3600))), OWNER_DECISION, c)

    def _hold_all(self, t: int, i: int) -> None:
        """A member holds every comment under all their posts for their approval."""
        event = self._event("comment.mode_set", t, self.ids[i])
        event["mode"] = "hold_all"
        self._emit(event, t)
        self.holding[i] = 1
        self.truth.comment_owners.append(self.ids[i])

    def _hold_post(self, t: int, c: int) -> None:
        """A member holds every comment under one post of theirs, just after posting it."""
        event = self._event("comment.mode_set", t, self.ids[self.c_author[c]])
        event["content_id"] = self.c_ids[c]
        event["mode"] = "hold_all"
        self._emit(event, t)
        self.c_hold[c] = 1

    def _owner_decides(self, t: int, c: int) -> None:
        """The owner approves a waiting comment, or rejects it: most violating ones, a few
        others. Nothing to decide once a moderator removed it."""
        if self.c_removed[c]:
            return
        rng = self.rng
        owner = self.c_author[self.c_parent[c]]
        reject = rng.random() < (_REJECT_VIOLATING if self.c_rule[c] else _REJECT_ORDINARY)
        kind = "comment.rejected" if reject else "comment.approved"
        event = self._event(kind, t, self.ids[owner])
        cid = self.c_ids[c]
        event["content_id"] = cid
        if reject and rng.random() < 0.3:
            event["note"] = rng.choice(REJECTION_NOTES)
        self._emit(event, t)
        self.truth.owner_decisions[cid] = "rejected" if reject else "approved"

    def _engage(self, i: int, t: int, c: int, share: bool) -> None:
        event = self._event("content.engaged", t, self.ids[i])
        event["content_id"] = self.c_ids[c]
        event["kind"] = "share" if share else "like"
        self.tickets.append(c)
        self._emit(event, t)
        standing = self.standing
        if standing:
            weights = self.scoring.weights
            violating = self.c_rule[c]
            if i in standing:
                given = "share_given" if share else "like_given"
                self._credit(i, t, weights["engaged_violating" if violating else given])
            author = self.c_author[c]
            if author in standing and not violating and not self.c_removed[c]:
                self._credit(author, t, weights["share_received" if share else "like_received"])

    def _report(self, i: int, t: int, c: int, rule: str) -> None:
        rng = self.rng
        event = self._event("content.reported", t, self.ids[i])
        event["content_id"] = self.c_ids[c]
        event["rule"] = rule
        if rng.random() < 0.4:
            family = rule.split(".", 1)[0]
            event["note"] = rng.choice(REPORT_NOTES.get(family, REPORT_NOTES[""]))
        if self.c_rule[c] != rule:
            self.truth.wrong_reports.append(cast(str, event["id"]))
        self._emit(event, t)
        self.c_reported.setdefault(c, rule)
        if self.c_review[c] == 0 and self.mod_ids and rng.random() < 0.9:
            delay = 4 * 3600 + min(6 * DAY, int(rng.expovariate(1.0 / (18 * 3600))))
            self._schedule_review(c, t + delay)

    def _schedule_review(self, c: int, at: int) -> None:
        if self.c_review[c]:
            return
        self.c_review[c] = 1
        self._later(at, REVIEW, c)

    def _review(self, t: int, c: int) -> None:
        rng = self.rng
        self.c_review[c] = 2
        if self.c_removed[c]:
            return
        true_rule = self.c_rule[c]
        if true_rule:
            rule = true_rule
            violates = rng.random() < 0.95
        else:
            rule = self.c_reported.get(c, "spam.bulk")
            violates = rng.random() >= 0.95
        moderator = rng.randrange(len(self.mod_ids))
        event = self._event("review.decided", t, self.mod_ids[moderator])
        event["content_id"] = self.c_ids[c]
        event["rule"] = rule
        event["verdict"] = "violates" if violates else "clear"
        if violates != bool(true_rule):
            self.truth.mistaken_reviews.append(cast(str, event["id"]))
        if violates:
            self.c_removed[c] = 1
        self._emit(event, t)
        if violates:
            self._upheld(t, c, cast(str, event["id"]), moderator, not true_rule)
            if true_rule and self.kind[self.c_author[c]] == RING:
                self._sanction_directly(t, c, moderator)

    def _sanction_directly(self, t: int, c: int, moderator: int) -> None:
        """A moderator who upholds a ring member's post sometimes warns them directly for the
        ring's trading of likes, and now and then restricts, by mistake, an ordinary member
        who never posted a violation, outside groups (the lift follows, see `_lift`)."""
        rng, author = self.moderation_rng, self.c_author[c]
        if author not in self.warned_directly and rng.random() < 0.3:
            self.warned_directly.add(author)
            self._sanction(t, moderator, author, "warning")
        if len(self.mod_ids) < 2 or rng.random() >= 0.1:
            return
        mistaken = {sanctioned for _, sanctioned, _ in self.restrictions}
        eligible = (
            m
            for m in (rng.randrange(self.n_registered) for _ in range(10))
            if self.kind[m] == ORDINARY
            and m not in self.violators
            and m not in mistaken
            and m not in self.member_of
            and m not in self.g_owner
        )
        member = next(eligible, None)
        if member is None:
            return
        event_id = self._sanction(t, moderator, member, "restriction", days=3)
        self.restrictions.append((f"{event_id}/{self.ids[member]}/restriction", member, moderator))
        self._later(t + 2 * 3600 + int(rng.random() * 18 * 3600), LIFT, len(self.restrictions) - 1)

    def _sanction(self, t: int, moderator: int, member: int, action: str, days: int = 0) -> str:
        event = self._event("account.sanctioned", t, self.mod_ids[moderator])
        event["account"] = self.ids[member]
        event["action"] = action
        event["rule"] = "manipulation.fake_engagement"
        event["note"] = self.moderation_rng.choice(SANCTION_NOTES)
        if days:
            event["days"] = days
        self._emit(event, t, self.moderation_rng)
        self.truth.direct_sanctions[cast(str, event["id"])] = action
        return cast(str, event["id"])

    def _lift(self, t: int, k: int) -> None:
        """Another moderator lifts a restriction imposed by mistake, hours later."""
        sanction_id, member, moderator = self.restrictions[k]
        rng = self.moderation_rng
        other = (moderator + 1 + rng.randrange(len(self.mod_ids) - 1)) % len(self.mod_ids)
        event = self._event("account.sanction_lifted", t, self.mod_ids[other])
        event["account"] = self.ids[member]
        event["sanction_id"] = sanction_id
        event["note"] = rng.choice(LIFT_NOTES)
        self._emit(event, t, rng)
        self.truth.lifted_sanctions.append(cast(str, event["id"]))

    def _upheld(self, t: int, c: int, decision: str, moderator: int, mistaken: bool) -> None:
        """After an upheld violation: the author may appeal (more often when the review was
        mistaken), and a verified abusive author with enough of them comes back under a
        second account."""
        rng = self.rng
        author = self.c_author[c]
        self.strikes[author] += 1
        self.decisions.append((decision, c, moderator, mistaken))
        if len(self.mod_ids) > 1 and rng.random() < (0.6 if mistaken else 0.12):
            at = t + 6 * 3600 + int(rng.expovariate(1.0 / (2 * DAY)))
            self._later(at, APPEAL, len(self.decisions) - 1)
        if (
            self.strikes[author] == _EVADE_AFTER
            and self.kind[author] == ABUSIVE
            and author in self.verified
        ):
            at = t + 3600 + int(rng.expovariate(1.0 / (2 * DAY)))
            self._later(at, SECOND_ACCOUNT, author)

    def _appeal(self, t: int, d: int) -> None:
        rng = self.rng
        decision, c, _, _ = self.decisions[d]
        appeal_id = f"ap{len(self.appeals) + 1:06d}"
        event = self._event("appeal.filed", t, self.ids[self.c_author[c]])
        event["appeal_id"] = appeal_id
        event["decision_id"] = decision
        event["reason"] = rng.choice(APPEAL_REASONS)
        self._emit(event, t)
        self.appeals.append((appeal_id, d))
        at = t + 3600 + int(rng.expovariate(1.0 / (2 * DAY)))
        self._later(at, APPEAL_DECISION, len(self.appeals) - 1)

    def _decide_appeal(self, t: int, k: int) -> None:
        """Another moderator decides: a mistaken review is reversed, and a few others."""
        rng = self.rng
        appeal_id, d = self.appeals[k]
        _, c, moderator, mistaken = self.decisions[d]
        other = rng.randrange(len(self.mod_ids) - 1)
        if other >= moderator:
            other += 1
        reversed_ = mistaken or rng.random() < 0.05
        event = self._event("appeal.decided", t, self.mod_ids[other])
        event["appeal_id"] = appeal_id
        event["outcome"] = "reversed" if reversed_ else "upheld"
        self._emit(event, t)
        self.truth.appeals[appeal_id] = cast(str, event["outcome"])
        if reversed_:
            self.c_removed[c] = 0
            self.strikes[self.c_author[c]] -= 1

    def _reaction_to_violation(self, i: int, t: int, c: int) -> bool:
        """An ordinary member meets violating content; True if they went on to engage."""
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            true_rule = self.c_rule[c]
            rule = true_rule
            if rng.random() < 0.15 and true_rule in SIBLING_RULES:
                rule = rng.choice(SIBLING_RULES[true_rule])
            self._report(i, t, c, rule)
            return False
        return r >= 0.8
