"""Score decay over the whole accepted time range (1970..2100), entries and reads in any
order: never an overflow, always within the policy's range, exact for ordinary times."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from goodstanding.engine import Rejected, iso
from goodstanding.engine.state import AccountState
from goodstanding.events import EARLIEST, LATEST
from goodstanding.policy import PolicySet
from helpers import POLICY_V1, engine, ev

START, END = EARLIEST.timestamp(), LATEST.timestamp() - 1
_times = st.floats(min_value=START, max_value=END, allow_nan=False)
_deltas = st.floats(min_value=-45.0, max_value=2.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_deltas, _times), min_size=1, max_size=20),
    st.lists(_times, min_size=1, max_size=10),
    st.floats(min_value=0.001, max_value=3650.0),
)
def test_scores_never_overflow_and_stay_in_range(
    entries: list[tuple[float, float]], reads: list[float], half_life_days: float
) -> None:
    policy = PolicySet.load([POLICY_V1]).versions[0]
    half_life = half_life_days * 86400.0
    account = AccountState(id="a", role="member", registered_at=START, acc_at=entries[0][1])
    for delta, at in entries:
        account.add(delta, at, half_life)
        assert math.isfinite(account.acc)
    s = policy.scoring
    for t in reads:
        assert s.min <= account.score(t, policy) <= s.max


def test_a_far_future_entry_does_not_block_the_account(tmp_path: Path) -> None:
    """A like dated 2099 is accepted; later events of the account, dated now, still fold."""
    early = tmp_path / "p.toml"
    early.write_text(
        POLICY_V1.read_text().replace(
            "effective_from = 2026-01-01T00:00:00Z\nname",
            "effective_from = 1970-01-01T00:00:00Z\nname",
        )
    )
    eng = engine(early)
    for who in ("m1", "m2"):
        eng.apply(ev("account.registered", "2026-01-02T00:00:00Z", who))
    eng.apply(
        ev("content.posted", "2026-01-02T01:00:00Z", "m1", content_id="c", kind="post", text="hi")
    )
    eng.apply(ev("content.engaged", "2099-12-31T00:00:00Z", "m2", content_id="c", kind="like"))
    for at in ("1970-01-01T00:00:00Z", "2026-01-03T00:00:00Z", "2099-12-31T23:59:59Z"):
        with contextlib.suppress(Rejected):  # 1970: before the account was registered
            eng.apply(
                ev("content.posted", at, "m2", content_id=f"d{at[:4]}", kind="post", text="x")
            )
        policy = eng.policy_at(ev("account.registered", at, "x").at.timestamp())
        assert policy is not None
        t = ev("account.registered", at, "x").at.timestamp()
        for account in eng.state.accounts.values():
            assert policy.scoring.min <= account.score(t, policy) <= policy.scoring.max
    assert iso(eng.state.accounts["m2"].acc_at).startswith("2099")
