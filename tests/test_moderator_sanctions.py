"""Sanctions a moderator imposes on an account directly, and lifts: a step of the published
ladder citing a rule in force, with the moderator's statement; appealable like a decision on
content; refused with a reason when anything is off."""

from __future__ import annotations

import typing

import pytest

from goodstanding.engine import Engine, Rejected, SanctionImposed
from goodstanding.engine.effects import SanctionLifted
from goodstanding.events import AccountSanctioned, EventError
from goodstanding.policy.model import ACTIONS
from helpers import community, engine, ev

T = "2026-01-05T00:00:00Z"
LATER = "2026-01-06T00:00:00Z"
NOTE = "Sent the same 40 direct messages selling followers to new members."
SUSPENSION = {"account": "m1", "action": "suspension", "rule": "spam.bulk", "note": NOTE, "days": 3}


def _engine() -> Engine:
    eng = engine()
    community(eng)
    eng.apply(ev("account.registered", "2026-01-02T00:00:00Z", "mod2", role="moderator"))
    return eng


def _suspend(eng: Engine, days: float | None = 3.0, **extra: object) -> list:
    fields: dict[str, object] = {
        "account": "m1",
        "action": "suspension",
        "rule": "spam.bulk",
        "note": NOTE,
        **extra,
    }
    if days is not None:
        fields["days"] = days
    return eng.apply(ev("account.sanctioned", T, "mod", id="s1", **fields))


def test_the_actions_are_the_ladders_own() -> None:
    assert typing.get_args(typing.get_type_hints(AccountSanctioned)["action"]) == ACTIONS


def test_a_suspension_for_days_binds_names_the_rule_and_quotes_the_statement() -> None:
    eng = _engine()
    imposed = next(e for e in _suspend(eng) if isinstance(e, SanctionImposed))
    assert (imposed.action, imposed.rule_id, imposed.account_id) == (
        "suspension",
        "spam.bulk",
        "m1",
    )
    assert imposed.until is not None and imposed.until - imposed.at == 3 * 86400
    assert "Rule spam.bulk" in imposed.reasons and NOTE in imposed.reasons
    account = eng.state.accounts["m1"]
    assert [s.id for s in account.binding(imposed.at + 1)] == [imposed.sanction_id]
    assert not account.strikes  # a sanction is no strike, and moves no score
    assert eng.state.decisions["s1"].decided_by == "mod"


def test_a_moderator_lifts_it_and_the_account_is_free_again() -> None:
    eng = _engine()
    imposed = next(e for e in _suspend(eng) if isinstance(e, SanctionImposed))
    lift = {"account": "m1", "sanction_id": imposed.sanction_id, "note": "Mistaken identity."}
    effects = eng.apply(ev("account.sanction_lifted", LATER, "mod2", **lift))
    assert isinstance(effects[0], SanctionLifted) and "Mistaken identity." in effects[0].reason
    assert eng.state.accounts["m1"].binding(effects[0].at) == []
    with pytest.raises(Rejected, match="does not bind"):
        eng.apply(ev("account.sanction_lifted", LATER, "mod2", **lift))


def test_the_account_appeals_and_another_moderator_reverses_it() -> None:
    eng = _engine()
    imposed = next(e for e in _suspend(eng) if isinstance(e, SanctionImposed))
    eng.apply(ev("appeal.filed", LATER, "m1", appeal_id="a1", decision_id="s1"))
    with pytest.raises(Rejected, match="may not decide its appeal"):
        eng.apply(ev("appeal.decided", LATER, "mod", appeal_id="a1", outcome="reversed"))
    effects = eng.apply(ev("appeal.decided", LATER, "mod2", appeal_id="a1", outcome="reversed"))
    lifted = [e for e in effects if isinstance(e, SanctionLifted)]
    assert [e.sanction_id for e in lifted] == [imposed.sanction_id]
    assert eng.state.accounts["m1"].binding(lifted[0].at) == []


def test_a_warning_and_a_ban_take_no_days_and_a_step_without_them_keeps_its_own() -> None:
    eng = _engine()
    warned = eng.apply(
        ev(
            "account.sanctioned",
            T,
            "mod",
            account="m2",
            action="warning",
            rule="spam.bulk",
            note=NOTE,
        )
    )
    assert isinstance(warned[0], SanctionImposed) and warned[0].until is None
    with pytest.raises(Rejected, match="a ban has no duration"):
        eng.apply(
            ev(
                "account.sanctioned",
                T,
                "mod",
                account="m2",
                action="ban",
                rule="spam.bulk",
                note=NOTE,
                days=3,
            )
        )
    imposed = next(e for e in _suspend(eng, days=None) if isinstance(e, SanctionImposed))
    assert imposed.until is not None and imposed.until - imposed.at == 14 * 86400  # the step's


@pytest.mark.parametrize(
    ("actor", "fields", "reason"),
    [
        ("m2", {}, "not a moderator"),
        ("mod", {"account": "mod"}, "may not sanction or lift on their own account"),
        ("mod", {"account": "nobody"}, "unknown account 'nobody'"),
        ("mod", {"rule": "no.such.rule"}, "is not in force"),
        ("mod", {"action": "revoke_group_admin"}, "has no revoke_group_admin step"),
    ],
)
def test_refusals_name_their_reason(actor: str, fields: dict[str, object], reason: str) -> None:
    eng = _engine()
    body = {**SUSPENSION, **fields}
    with pytest.raises(Rejected, match=reason):
        eng.apply(ev("account.sanctioned", T, actor, **body))


def test_a_harsher_sanction_already_binding_is_lifted_before_another() -> None:
    eng = _engine()
    _suspend(eng)
    with pytest.raises(Rejected, match="already bound by a sanction at least as harsh"):
        eng.apply(
            ev(
                "account.sanctioned",
                LATER,
                "mod2",
                account="m1",
                action="restriction",
                rule="spam.bulk",
                note=NOTE,
                days=2,
            )
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"note": ""}, "note"),
        ({"note": "x" * 2001}, "note"),
        ({"days": 0}, "days"),
        ({"days": 4000}, "days"),
        ({"action": "exile"}, "action"),
    ],
)
def test_bad_fields_are_refused_by_name(fields: dict[str, object], field: str) -> None:
    body = {**SUSPENSION, **fields}
    with pytest.raises(EventError, match=f"`{field}`|{field}"):
        ev("account.sanctioned", T, "mod", **body)
