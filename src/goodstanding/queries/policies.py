"""The recorded policy versions as people read them: each version's dates and rules, each rule's
detectors described (counts of terms and patterns, a few examples only when asked), and the
difference between two versions field by field."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from goodstanding.detect.spec import (
    ClassifierSpec,
    DetectorSpec,
    KnownSpec,
    PatternSpec,
    ReportsSpec,
    TermsSpec,
    items_of,
    terms_of,
)
from goodstanding.policy import Policy, PolicySet, Rule
from goodstanding.store import Store

_OTHER_SECTIONS = ("groups", "comments", "records", "appeals", "identity", "detection")
EXAMPLES = 3
"""How many example terms or patterns a moderator is shown per detector."""


@dataclass(frozen=True)
class Detector:
    """A rule's detector in words: its kind, what it does on a finding, its settings, how
    many terms, patterns or items it holds, and (when asked for) a few of them."""

    kind: str
    outcome: str
    settings: str
    size: int | None
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """One field that differs between two versions: where it is, before and after ('' for
    absent)."""

    section: str
    key: str
    before: str
    after: str


def _entries(spec: DetectorSpec, base_dir: Path | None) -> tuple[list[str] | None, str]:
    """The terms, patterns or items a detector holds (None where it holds none, or its file
    cannot be read here) and the file they come from."""
    try:
        if isinstance(spec, TermsSpec):
            return terms_of(spec, base_dir), spec.terms_file or ""
        if isinstance(spec, KnownSpec):
            return items_of(spec, base_dir), spec.items_file or ""
    except (OSError, UnicodeDecodeError):
        name = spec.terms_file if isinstance(spec, TermsSpec) else getattr(spec, "items_file", "")
        return None, f"{name} (not readable here)"
    if isinstance(spec, PatternSpec):
        return list(spec.patterns), ""
    return None, ""


def _settings(spec: DetectorSpec, source: str) -> str:
    """A detector's settings in one line."""
    if isinstance(spec, TermsSpec):
        parts = ["whole words" if spec.word_boundary else "anywhere in words"]
    elif isinstance(spec, ClassifierSpec):
        parts = [f"model {spec.model}", f"threshold {spec.threshold:g}", f"{spec.input} text"]
        parts += ["addressed to someone"] if spec.addressed else []
    elif isinstance(spec, KnownSpec):
        parts = [f"similarity {spec.threshold:g}"]
    elif isinstance(spec, ReportsSpec):
        parts = [f"report score {spec.threshold:g}"]
    else:
        parts = []
    return ", ".join(parts + ([f"from {source}"] if source else []))


def describe(spec: DetectorSpec, base_dir: Path | None, examples: bool) -> Detector:
    """A detector in words; `examples` adds the first few terms or patterns (never the
    known items, which are whole texts)."""
    entries, source = _entries(spec, base_dir)
    shown = (
        tuple(entries[:EXAMPLES])
        if examples and entries is not None and not isinstance(spec, KnownSpec)
        else ()
    )
    kind = type(spec).__struct_config__.tag
    return Detector(
        str(kind),
        spec.outcome,
        _settings(spec, source),
        len(entries) if entries is not None else None,
        shown,
    )


def versions(policies: PolicySet, t: float) -> list[dict[str, Any]]:
    """Every recorded version, oldest first: id, name, from when it applies, how many rules,
    and whether it is the one in force at time t."""
    now = policies.at_epoch(t)
    return [
        {
            "version": p.version,
            "name": p.policy.name,
            "effective_from": p.effective_from.timestamp(),
            "rules": len(p.rules),
            "in_force": now is not None and now.version == p.version,
        }
        for p in policies.versions
    ]


def recorded_text(store: Store, version: str) -> str | None:
    """The TOML text a version was recorded with (None for an unknown version)."""
    for _, text, _ in store.stored_policies():
        header = tomllib.loads(text).get("policy", {})
        if header.get("version") == version:
            return text
    return None


def rules(policies: PolicySet, version: str, examples: bool) -> list[dict[str, Any]]:
    """A version's rules with their detectors described; KeyError for an unknown version."""
    policy = policies.by_version[version]
    base_dir = policies.base_dirs.get(version)
    return [
        {
            "rule": rule,
            "detectors": [describe(spec, base_dir, examples) for spec in rule.detectors],
        }
        for rule in policy.rules
    ]


def _text(value: Any) -> str:
    """A field's value as the diff shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, tuple | list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _flat(value: Any, prefix: str) -> dict[str, str]:
    """A policy section as dotted keys; lists of named entries keyed by name, others by
    position and what they are (a ladder step by its action)."""
    if isinstance(value, msgspec.Struct):
        found: dict[str, str] = {}
        for name, field in msgspec.structs.asdict(value).items():
            found.update(_flat(field, f"{prefix}.{name}" if prefix else name))
        return found
    if isinstance(value, tuple) and value and isinstance(value[0], msgspec.Struct):
        found = {}
        for i, item in enumerate(value):
            label = getattr(item, "name", None) or f"{i + 1} {getattr(item, 'action', '')}".strip()
            found.update(_flat(item, f"{prefix}[{label}]"))
        return found
    return {prefix: _text(value)}


def _changes(section: str, before: dict[str, str], after: dict[str, str]) -> list[Change]:
    return [
        Change(section, key, before.get(key, ""), after.get(key, ""))
        for key in sorted(before.keys() | after.keys(), key=lambda k: (k not in before, k))
        if before.get(key) != after.get(key)
    ]


def _rule_fields(rule: Rule, policy: Policy, base_dir: Path | None) -> dict[str, str]:
    """A rule as diff fields: every field but its detectors (described one per field, without
    their entries), and its start only where it is not its version's."""
    found = _flat(msgspec.structs.replace(rule, detectors=()), "")
    del found["detectors"]
    if rule.effective_from == policy.effective_from:
        del found["effective_from"]
    for i, spec in enumerate(rule.detectors, 1):
        d = describe(spec, base_dir, False)
        size = f"{d.size} entries" if d.size is not None else ""
        found[f"detectors[{i}]"] = f"{d.kind} ({d.outcome}) " + ", ".join(
            part for part in (size, d.settings) if part
        )
    return found


def _entry_changes(
    rule_id: str, old: Rule, new: Rule, old_dir: Path | None, new_dir: Path | None
) -> list[Change]:
    """For detectors at the same position and of the same kind: how many entries were added
    and removed (the entries are not shown)."""
    found = []
    for i, (a, b) in enumerate(zip(old.detectors, new.detectors, strict=False), 1):
        if type(a) is not type(b):
            continue
        before, _ = _entries(a, old_dir)
        after, _ = _entries(b, new_dir)
        if before is None or after is None or before == after:
            continue
        added, removed = len(set(after) - set(before)), len(set(before) - set(after))
        found.append(
            Change(
                f"rule {rule_id}",
                f"detectors[{i}] entries",
                f"{len(before)}",
                f"{len(after)} ({added} added, {removed} removed)",
            )
        )
    return found


def diff(policies: PolicySet, old_version: str, new_version: str) -> dict[str, Any]:
    """What differs from one version to another: rules added and removed (by id), each
    changed rule's fields (text, severity, detectors and their thresholds...), and every
    other setting (scoring, bands, ladder, retention, appeals...) that differs. KeyError for
    an unknown version."""
    old, new = policies.by_version[old_version], policies.by_version[new_version]
    old_dir, new_dir = policies.base_dirs.get(old_version), policies.base_dirs.get(new_version)
    added = [r for r in new.rules if r.id not in old.rules_by_id]
    removed = [r for r in old.rules if r.id not in new.rules_by_id]
    changed: list[Change] = []
    for rule in new.rules:
        before = old.rules_by_id.get(rule.id)
        if before is None:
            continue
        changed += _changes(
            f"rule {rule.id}", _rule_fields(before, old, old_dir), _rule_fields(rule, new, new_dir)
        )
        changed += _entry_changes(rule.id, before, rule, old_dir, new_dir)
    settings: list[Change] = []
    for section in ("policy", "scoring", "bands", "sanctions", *_OTHER_SECTIONS):
        settings += _changes(
            section, _flat(getattr(old, section), section), _flat(getattr(new, section), section)
        )
    return {
        "old": old,
        "new": new,
        "added": added,
        "removed": removed,
        "rule_changes": changed,
        "settings": settings,
    }
