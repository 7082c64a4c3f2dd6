"""Several policy versions at once: each act is judged by the version in force at its time."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from goodstanding.policy.load import PolicyError, Problem, line_of_key, load_policy
from goodstanding.policy.model import Policy, Rule
from goodstanding.policy.references import References

DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "policies" / "default.toml"


class PolicySet:
    """Policy versions ordered by `effective_from`; no two may start at the same instant."""

    def __init__(
        self,
        policies: Iterable[Policy],
        sources: Iterable[str] | None = None,
        references: Mapping[str, References] | None = None,
    ):
        """`sources` name the files the versions come from (their folders hold the files the
        rules name); `references` are the inputs recorded with versions, by version."""
        items = list(policies)
        names = list(sources) if sources is not None else [p.version for p in items]
        order = sorted(range(len(items)), key=lambda i: items[i].effective_from)
        problems: list[Problem] = []
        for a, b in itertools.pairwise(order):
            if items[a].effective_from == items[b].effective_from:
                problems.append(
                    Problem(
                        names[b],
                        line_of_key(names[b], ["policy", "effective_from"]),
                        "policy.effective_from",
                        f"overlaps version {items[a].version!r} ({names[a]}): "
                        "both take effect at the same instant",
                    )
                )
        seen: dict[str, str] = {}
        for i in order:
            version = items[i].version
            if version in seen:
                problems.append(
                    Problem(
                        names[i],
                        line_of_key(names[i], ["policy", "version"]),
                        "policy.version",
                        f"version {version!r} is also defined in {seen[version]}",
                    )
                )
            seen.setdefault(version, names[i])
        if not items:
            problems.append(Problem("<policies>", 1, "", "at least one policy version is needed"))
        if problems:
            raise PolicyError(problems)
        self.versions: tuple[Policy, ...] = tuple(items[i] for i in order)
        self._starts = [p.effective_from for p in self.versions]
        self._epochs = [p.effective_from.timestamp() for p in self.versions]
        self.by_version = {p.version: p for p in self.versions}
        self.base_dirs: dict[str, Path | None] = {
            items[i].version: (Path(names[i]).parent if Path(names[i]).is_file() else None)
            for i in order
        }
        self.references: dict[str, References] = dict(references or {})

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> PolicySet:
        """Loads policy files; every file's problems are reported together."""
        policies: list[Policy] = []
        sources: list[str] = []
        problems: list[Problem] = []
        for path in paths:
            try:
                policies.append(load_policy(path))
                sources.append(str(path))
            except PolicyError as error:
                problems.extend(error.problems)
        if problems:
            raise PolicyError(problems)
        return cls(policies, sources)

    @classmethod
    def default(cls) -> PolicySet:
        """The default policy shipped with goodstanding."""
        return cls.load([DEFAULT_POLICY])

    def at(self, when: datetime) -> Policy | None:
        """The version in force at an instant, or None before the first version."""
        index = bisect.bisect_right(self._starts, when) - 1
        return self.versions[index] if index >= 0 else None

    def at_epoch(self, t: float) -> Policy | None:
        """The version in force at epoch time t (seconds), or None before the first version."""
        index = bisect.bisect_right(self._epochs, t) - 1
        return self.versions[index] if index >= 0 else None

    def rule_at(self, rule_id: str, when: datetime) -> tuple[Policy, Rule] | None:
        """The rule as the version in force at `when` states it, if it is in force then."""
        policy = self.at(when)
        if policy is None:
            return None
        rule = policy.rules_by_id.get(rule_id)
        if rule is None or not rule.in_force(when):
            return None
        return policy, rule

    def rule_text(self, version: str, rule_id: str) -> Rule | None:
        """A rule as a given version states it (for explanations)."""
        policy = self.by_version.get(version)
        return policy.rules_by_id.get(rule_id) if policy else None
