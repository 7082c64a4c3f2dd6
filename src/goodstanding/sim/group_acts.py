"""Group chats in a run: creating, joining, leaving, admins and messages."""

from __future__ import annotations

from typing import Final

from goodstanding.sim.content_acts import ContentActs
from goodstanding.sim.world import ORDINARY

_MAX_GROUPS: Final = 3  # groups one member belongs to at most


class GroupActs(ContentActs):
    """What members do in group chats."""

    def _create_group(self, t: int, g: int) -> None:
        """The owner creates the group, unless a violation of theirs was upheld by now."""
        owner = self.g_owner[g]
        if self.strikes[owner]:
            return
        event = self._event("group.created", t, self.ids[owner])
        event["group_id"] = self.g_ids[g]
        event["name"] = self.texts.group_name(self.lang[owner], self.g_topic[g])
        self._emit(event, t)
        self.g_at[g] = t
        self.g_members[g].append(owner)
        self.member_of.setdefault(owner, []).append(g)
        self.open_groups.append(g)

    def _group_act(self, i: int, t: int) -> None:
        """An act in group chats: mostly a message; joining one, leaving one, or (an owner)
        making a member an admin."""
        rng = self.rng
        mine = self.member_of.get(i)
        if not mine or (len(mine) < _MAX_GROUPS and rng.random() < 0.03):
            self._join(i, t, mine)
            return
        g = mine[rng.randrange(len(mine))]
        r = rng.random()
        if self.g_owner[g] == i:
            if r < 0.25 and self._promote(i, t, g):
                return
        elif r < 0.015:
            self._leave(i, t, g)
            return
        self._message(i, t, g)

    def _join(self, i: int, t: int, mine: list[int] | None) -> None:
        groups = self.open_groups
        g = groups[self.rng.randrange(len(groups))]
        if self.g_at[g] >= t or (mine is not None and g in mine):
            return
        event = self._event("group.joined", t, self.ids[i])
        event["group_id"] = self.g_ids[g]
        self._emit(event, t)
        self.g_members[g].append(i)
        self.member_of.setdefault(i, []).append(g)

    def _leave(self, i: int, t: int, g: int) -> None:
        event = self._event("group.left", t, self.ids[i])
        event["group_id"] = self.g_ids[g]
        self._emit(event, t)
        self.g_members[g].remove(i)
        self.member_of[i].remove(g)
        if i in self.g_admins[g]:
            self.g_admins[g].remove(i)

    def _promote(self, i: int, t: int, g: int) -> bool:
        """The owner makes a member an admin, once their standing grants administration;
        False if they did not."""
        members, admins = self.g_members[g], self.g_admins[g]
        if len(admins) >= 2 or len(members) < 4 or self.strikes[i]:
            return False
        if self._estimate(i, t) < self.scoring.administer_from + 3.0:
            return False
        member = members[self.rng.randrange(len(members))]
        if member == i or member in admins:
            return False
        event = self._event("group.role_changed", t, self.ids[i])
        event["group_id"] = self.g_ids[g]
        event["member"] = self.ids[member]
        event["role"] = "admin"
        self._emit(event, t)
        admins.append(member)
        return True

    def _message(self, i: int, t: int, g: int) -> None:
        """A message to a group; an ordinary member may first react to a violating one."""
        rng = self.rng
        last = self.g_last[g]
        if (
            last >= 0
            and self.c_rule[last]
            and self.kind[i] == ORDINARY
            and not self.c_removed[last]
            and self.c_author[last] != i
            and last < self._visible(t)
            and not self._reaction_to_violation(i, t, last)
        ):
            return
        topic = self.g_topic[g]
        if self.viol_rate[i] and rng.random() < self.viol_rate[i]:
            rule = rng.choice(self.rules[i])
            members = self.g_members[g]
            other = members[rng.randrange(len(members))]
            victim = "@" + self.ids[other] if other != i else "@everyone"
            text, obfuscated = self.texts.violating(rule, self.lang[i], victim, i)
            self.g_last[g] = self._post(i, t, -1, topic, text, rule, obfuscated, g)
        else:
            text = self.texts.message(self.lang[i], topic)
            self.g_last[g] = self._post(i, t, -1, topic, text, "", False, g)
