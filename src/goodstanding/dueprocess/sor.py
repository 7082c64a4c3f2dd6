"""Statements of reasons: one per adverse decision, in the form the EU DSA Transparency
Database accepts, and in plain language for the person affected.

The JSON Schema in `schema/` was written from the database's validation rules; every
statement exported is validated against it. Free-text fields never carry personal data
(no account ids, no content text): the `puid` is the reference."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

from goodstanding.chunks import chunked

EU_EEA = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IS",
    "IT",
    "LI",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)
BATCH_LIMIT = 100


@dataclass(frozen=True)
class Decision:
    """One adverse decision, as far as a statement of reasons needs it."""

    reference: str  # the decision's id in goodstanding (becomes the puid)
    row: str  # the projection row it was read from (table:event_seq:n), the notice's id
    account_id: str  # whom it affects (never exported to the database)
    appeal_ref: str | None  # the decision id an appeal names, where one can be filed
    kind: str  # content | account | provision | identity
    action: str  # removed, hidden, labelled; restriction, revoke_group_admin,
    # suspension, ban, warning; admin_suspended; identity_refused
    application: float  # when it applies (epoch seconds)
    end: float | None  # until when (None: indefinite)
    content_kind: str | None  # post | comment | message (content decisions)
    content_date: float  # when the content or act it concerns happened
    ground: str  # the rule (id, version, title) or the standing rule it rests on
    explanation: str  # the rule's plain text, or why the standing rule applies
    category: str  # STATEMENT_CATEGORY_*
    facts: str  # what happened, without personal data
    automated_detection: bool
    automated_decision: str  # fully | partially | not
    source: str  # notice | trusted_flagger | own_initiative


def puid(reference: str) -> str:
    """A platform-unique id the database accepts ([A-Za-z0-9_-]), stable for a reference and
    opaque (the database is public: references may name accounts)."""
    return f"gs-{hashlib.sha256(reference.encode()).hexdigest()[:32]}"


def _date(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")


def statement(decision: Decision, scope: Iterable[str] = EU_EEA) -> dict[str, Any]:
    """The Transparency Database submission for a decision."""
    out: dict[str, Any] = {
        "decision_visibility": [],
        "decision_monetary": None,
        "decision_provision": None,
        "decision_account": None,
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": decision.ground[:500],
        "incompatible_content_explanation": decision.explanation[:2000],
        "category": decision.category,
        "content_date": _date(min(decision.content_date, decision.application)),
        "application_date": _date(decision.application),
        "territorial_scope": sorted(set(scope)),
        "decision_facts": decision.facts[:5000],
        "source_type": {
            "notice": "SOURCE_ARTICLE_16",
            "trusted_flagger": "SOURCE_TRUSTED_FLAGGER",
        }.get(decision.source, "SOURCE_VOLUNTARY"),
        "automated_detection": "Yes" if decision.automated_detection else "No",
        "automated_decision": {
            "fully": "AUTOMATED_DECISION_FULLY",
            "partially": "AUTOMATED_DECISION_PARTIALLY",
        }.get(decision.automated_decision, "AUTOMATED_DECISION_NOT_AUTOMATED"),
        "puid": puid(decision.reference),
    }
    end = _date(decision.end) if decision.end is not None else None
    if decision.kind == "content":
        out["content_type"] = ["CONTENT_TYPE_TEXT"]
        out["decision_visibility"] = [
            {
                "removed": "DECISION_VISIBILITY_CONTENT_REMOVED",
                "hidden": "DECISION_VISIBILITY_CONTENT_DISABLED",
                "labelled": "DECISION_VISIBILITY_CONTENT_LABELLED",
            }[decision.action]
        ]
        out["end_date_visibility_restriction"] = end
    else:
        out["content_type"] = ["CONTENT_TYPE_OTHER"]
        out["content_type_other"] = (
            "Account registration" if decision.kind == "identity" else "User account"
        )
        if decision.action == "suspension":
            out["decision_account"] = "DECISION_ACCOUNT_SUSPENDED"
            out["end_date_account_restriction"] = end
        elif decision.action == "ban":
            out["decision_account"] = "DECISION_ACCOUNT_TERMINATED"
        elif decision.action == "identity_refused":
            out["decision_provision"] = "DECISION_PROVISION_TOTAL_SUSPENSION"
            out["end_date_service_restriction"] = end
        else:  # restriction, revoke_group_admin, admin_suspended: part of the service
            out["decision_provision"] = "DECISION_PROVISION_PARTIAL_SUSPENSION"
            out["end_date_service_restriction"] = end
    return out


@cache
def _validator() -> Draft202012Validator:
    text = (
        resources.files("goodstanding.dueprocess")
        .joinpath("schema/statement_of_reasons.schema.json")
        .read_text(encoding="utf-8")
    )
    return Draft202012Validator(json.loads(text), format_checker=FormatChecker())


def problems(submission: dict[str, Any]) -> list[str]:
    """Every way a statement breaks the database's rules, with the field's path."""
    found = [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(statement)'}: {e.message}"
        for e in _validator().iter_errors(submission)
    ]
    for field in (
        "end_date_account_restriction",
        "end_date_service_restriction",
        "end_date_visibility_restriction",
    ):
        value = submission.get(field)
        if value is not None and value < submission["application_date"]:
            found.append(f"{field}: ends before application_date")
    return found


def batches(
    statements: Iterable[dict[str, Any]], seen: set[str] | None = None
) -> Iterator[list[dict[str, Any]]]:
    """Statements in batches the database accepts (1 to 100, puids never repeated, every
    statement valid); raises ValueError naming the statement that cannot be sent."""
    return chunked(_checked(statements, set() if seen is None else seen), BATCH_LIMIT)


def _checked(statements: Iterable[dict[str, Any]], seen: set[str]) -> Iterator[dict[str, Any]]:
    """The statements, each once found valid and its puid not in `seen` (then added to it)."""
    for item in statements:
        wrong = problems(item)
        if wrong:
            raise ValueError(f"statement {item.get('puid')!r} is not valid: {'; '.join(wrong)}")
        if item["puid"] in seen:
            raise ValueError(f"puid {item['puid']!r} was already submitted")
        seen.add(item["puid"])
        yield item


ACTION_WORDS = {
    "removed": "Your content was removed",
    "hidden": "Your content was hidden until a moderator reviews it",
    "labelled": "Your content was labelled",
    "restriction": "Some of your account's privileges were restricted",
    "revoke_group_admin": "Your right to administer groups was withdrawn",
    "suspension": "Your account was suspended",
    "ban": "Your account was closed",
    "admin_suspended": "Your group administration rights were suspended",
    "identity_refused": "A registration with your identity was refused",
    "warning": "You received a warning",
}


def exported(decision: Decision) -> bool:
    """Whether the decision goes to the Transparency Database: every restriction does; a
    warning restricts nothing, so it is notified to the person but not exported."""
    return decision.action != "warning"


def human_statement(decision: Decision, appeal_days: float) -> str:
    """The statement of reasons for the person affected, in plain language."""
    until = (
        f"until {datetime.fromtimestamp(decision.end, UTC):%Y-%m-%d %H:%M} UTC"
        if decision.end is not None
        else "without an end date"
    )
    detected = (
        "found by automated detection"
        if decision.automated_detection
        else "reported or found by a person"
    )
    decided = {
        "fully": "decided automatically",
        "partially": "decided by a moderator, with the step set automatically by the published "
        "sanction ladder",
    }.get(decision.automated_decision, "decided by a moderator")
    if decision.appeal_ref is not None:
        appeal = (
            f"you may appeal within {appeal_days:g} days of the decision, naming decision "
            f"{decision.appeal_ref}; a moderator other than the one who decided reviews it, "
            "and if the decision is reversed its effects are undone."
        )
    elif decision.action in ("hidden", "labelled"):
        appeal = (
            "a moderator will review it; if it does not break the rule, the label is removed "
            "and what it hid is shown again. Once a moderator decides, you may appeal that "
            "decision."
        )
    else:
        appeal = (
            "this follows from your standing score; it returns when your standing recovers. "
            "You may appeal the decisions that lowered your standing."
        )
    return (
        f"{ACTION_WORDS.get(decision.action, decision.action)} ({until}), from "
        f"{datetime.fromtimestamp(decision.application, UTC):%Y-%m-%d %H:%M} UTC.\n"
        f"Reference: {decision.reference}\n"
        f"Why: {decision.facts}\n"
        f"The rule: {decision.ground}: {decision.explanation}\n"
        f"How: {detected}; {decided}.\n"
        f"Where: in the EU/EEA and wherever the service is offered.\n"
        f"Your appeal: {appeal}"
    )
