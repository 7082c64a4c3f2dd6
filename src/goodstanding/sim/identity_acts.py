"""Identity submissions, the platform's verdicts and second accounts in a run."""

from __future__ import annotations

from typing import cast

from goodstanding.sim.identities import TYPING_STYLES, mobile_number, resident_number, typed
from goodstanding.sim.world import SUBMIT, VERDICT, World


class IdentityActs(World):
    """Identities submitted and checked, and sanctioned members coming back."""

    def _submit(self, t: int, who: int) -> None:
        """An identity submitted: a member's own (then checked by the platform), or, for
        ``who`` past the members, a second account's copy of a sanctioned member's."""
        rng = self.rng
        n = self.cfg.accounts
        if who < n:
            kind = "cn.ric" if rng.random() < 0.5 else "phone"
            value = ""
            while not value or value in self.identity_values:
                value = resident_number(rng) if kind == "cn.ric" else mobile_number(rng)
            self.identity_values.add(value)
            style = 0 if rng.random() < 0.6 else rng.randrange(1, TYPING_STYLES)
            self.identity[who] = (kind, value, style)
            actor = self.ids[who]
        else:
            original, actor = self.second[who - n]
            kind, value, first_style = self.identity[original]
            style = (first_style + 1 + rng.randrange(TYPING_STYLES - 1)) % TYPING_STYLES
        event = self._event("identity.submitted", t, actor)
        event["account"] = actor
        event["kind"] = kind
        event["value"], region = typed(kind, value, style)
        if region is not None:
            event["region"] = region
        self._emit(event, t)
        submission = cast(str, event["id"])
        if who >= n:
            self.truth.evasion_attempts[submission] = self.ids[original]
            return
        moderator = rng.randrange(len(self.mod_ids))
        if kind == "phone":  # an SMS code, typed in within minutes
            delay = 30 + int(rng.expovariate(1.0 / 300))
        else:  # a document check
            delay = 1800 + int(rng.expovariate(1.0 / (12 * 3600)))
        self.submissions.append((submission, who, moderator))
        at = max(t + delay, self.mod_reg[moderator] + 1)
        self._later(at, VERDICT, len(self.submissions) - 1)

    def _verdict(self, t: int, k: int) -> None:
        """The platform's check of a submission, reported by a moderator: mostly verified."""
        submission, who, moderator = self.submissions[k]
        phone = self.identity[who][0] == "phone"
        rejected = self.rng.random() < 0.05
        kind = "identity.rejected" if rejected else "identity.verified"
        event = self._event(kind, t, self.mod_ids[moderator])
        event["account"] = self.ids[who]
        event["submission"] = submission
        if rejected:
            event["reason"] = "sms_code_expired" if phone else "document_mismatch"
        else:
            event["method"] = "sms_code" if phone else "document_check"
            self.verified.add(who)
        self._emit(event, t)

    def _second_account(self, t: int, original: int) -> None:
        """A sanctioned member registers again and soon submits the same identity (if there
        is time left for both)."""
        submit_at = t + 60 + int(self.rng.expovariate(1.0 / 600))
        if submit_at >= self.end:
            return
        k = len(self.second)
        account = f"a{self.cfg.accounts + k + 1:06d}"
        self.second.append((original, account))
        event = self._event("account.registered", t, account)
        event["role"] = "member"
        self._emit(event, t)
        self._later(submit_at, SUBMIT, self.cfg.accounts + k)
