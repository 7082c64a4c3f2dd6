"""Loading policy files: TOML in, a validated Policy out, or errors naming file, line and key."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from goodstanding.detect.spec import check_specs
from goodstanding.policy.conditions import condition_problems
from goodstanding.policy.model import DSA_CATEGORIES, PRIVILEGES, Policy
from goodstanding.policy.retention import retention_problems

PathPart = str | int
MIN_APPEAL_WINDOW_DAYS = 183.0
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a policy file: where it is and what is wrong."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


class PolicyError(ValueError):
    """A policy file (or a set of them) that cannot be used; lists every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def dotted(path: Sequence[PathPart]) -> str:
    """A key path as it reads in the file: `rules[3].severity`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_PATH_TOKEN = re.compile(r"\.?([A-Za-z0-9_-]+)|\[(\d+)\]")


def _parse_path(text: str) -> list[PathPart]:
    """`rules[3].severity` → ["rules", 3, "severity"]."""
    return [name if name else int(index) for name, index in _PATH_TOKEN.findall(text)]


class _LineIndex:
    """Finds the line of a key path in a TOML text (tables, arrays of tables, keys)."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s\"]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"]+)\s*=")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: list[tuple[list[PathPart], int]] = []
        counts: dict[str, int] = {}
        for number, line in enumerate(self.lines, start=1):
            match = self._HEADER.match(line)
            if not match:
                continue
            parts = [n.strip().strip('"') for n in match[2].split(".")]
            names: list[PathPart] = []
            for k, part in enumerate(parts):
                names.append(part)
                key = repr(names)
                if k == len(parts) - 1 and match[1] == "[[":
                    index = counts.get(key, 0)  # an array of tables, counted per parent
                    counts[key] = index + 1
                    names.append(index)
                elif k < len(parts) - 1 and key in counts:
                    names.append(counts[key] - 1)  # inside the latest entry of that array
            self.headers.append((names, number))

    def line_of(self, path: Sequence[PathPart]) -> int:
        """The best line for a key path: the key's own line, else its table's header."""
        best: tuple[list[PathPart], int] = ([], 0)
        for names, number in self.headers:
            if len(names) > len(best[0]) and list(path[: len(names)]) == names:
                best = (names, number)
        names, start = best
        rest = path[len(names) :]
        if not rest or not isinstance(rest[0], str):
            return max(start, 1)
        end = len(self.lines)
        for _, number in self.headers:
            if number > start:
                end = number - 1
                break
        for number in range(start + 1, end + 1):
            match = self._KEY.match(self.lines[number - 1])
            if match and match[1].strip('"') == rest[0]:
                return number
        return max(start, 1)


def _semantic_problems(
    policy: Policy, base_dir: Path | None = None
) -> Iterable[tuple[list[PathPart], str]]:
    """Checks no type system can: ranges, band coverage, ladder shape, rule ids and dates,
    detectors (patterns that compile, files that exist)."""
    for i, rule in enumerate(policy.rules):
        for path, message in check_specs(rule.id, rule.detectors, base_dir):
            yield ["rules", i, *path], message
        if rule.when is not None:
            names = [band.name for band in policy.bands]
            for where, message in condition_problems(rule.when, names):
                yield ["rules", i, "when", *where], message
    header = policy.policy
    if header.effective_from.tzinfo is None:
        yield ["policy", "effective_from"], "needs an offset (e.g. 2026-01-01T00:00:00Z)"
    if not _RULE_ID.match(header.version):
        yield ["policy", "version"], "must be letters, digits, '.', '_' or '-'"
    s = policy.scoring
    if not s.min < s.max:
        yield ["scoring", "max"], f"must be greater than min ({s.min:g})"
    if not s.min <= s.start <= s.max:
        yield ["scoring", "start"], f"must lie within [{s.min:g}, {s.max:g}]"
    if s.half_life_days <= 0:
        yield ["scoring", "half_life_days"], "must be positive (entries fade with this half-life)"
    if s.daily_gain_cap < 0:
        yield ["scoring", "daily_gain_cap"], "must be zero or positive"
    for name in ("low", "medium", "high", "critical"):
        if getattr(s.penalties, name) > 0:
            yield ["scoring", "penalties", name], "a penalty must be zero or negative"
    c = policy.comments
    for name in ("approved_violating", "labelled_visible"):
        if getattr(c, name) > 0:
            yield ["comments", name], "an owner's accountability is zero or negative"
    if c.labelled_visible_hours <= 0:
        yield ["comments", "labelled_visible_hours"], "must be positive"
    for key, message in retention_problems(policy.records.min_days, policy.records.max_days):
        yield ["records", key], message
    if policy.appeals.window_days < MIN_APPEAL_WINDOW_DAYS:
        yield (
            ["appeals", "window_days"],
            (
                f"must be at least {MIN_APPEAL_WINDOW_DAYS:g} days: the DSA (Art. 20) gives at "
                "least six months to appeal"
            ),
        )
    yield from _privilege_problems(["identity", "required_for"], policy.identity.required_for)
    if policy.identity.max_accounts_per_identity < 1:
        yield ["identity", "max_accounts_per_identity"], "must be at least 1"
    for j, action in enumerate(policy.identity.block_on):
        if action not in ("ban", "suspension"):
            yield ["identity", "block_on", j], "only 'ban' and 'suspension' block identities"
    yield from _band_problems(policy)
    yield from _ladder_problems(policy)
    seen: dict[str, int] = {}
    for i, rule in enumerate(policy.rules):
        here: list[PathPart] = ["rules", i]
        if not _RULE_ID.match(rule.id):
            yield [*here, "id"], "must be lower-case letters, digits, '.', '_' or '-'"
        if rule.id in seen:
            yield [*here, "id"], f"duplicate rule id {rule.id!r} (also rules[{seen[rule.id]}])"
        seen.setdefault(rule.id, i)
        if not rule.title.strip():
            yield [*here, "title"], "must not be empty"
        if len(rule.text.strip()) < 20:
            yield [*here, "text"], "must explain the rule in plain language (20+ characters)"
        if rule.category not in DSA_CATEGORIES:
            yield (
                [*here, "category"],
                f"unknown category; expected one of: {', '.join(DSA_CATEGORIES)}",
            )
        for key in ("effective_from", "effective_until"):
            value = getattr(rule, key)
            if isinstance(value, datetime) and value.tzinfo is None:
                yield [*here, key], "needs an offset (e.g. 2026-01-01T00:00:00Z)"
        until = rule.effective_until
        if (
            until is not None
            and until.tzinfo is not None
            and rule.effective_from.tzinfo is not None
            and until <= rule.effective_from
        ):
            yield [*here, "effective_until"], "must be after effective_from"


def _privilege_problems(
    path: list[PathPart], privileges: Iterable[str]
) -> Iterable[tuple[list[PathPart], str]]:
    for j, privilege in enumerate(privileges):
        if privilege not in PRIVILEGES:
            yield (
                [*path, j],
                f"unknown privilege {privilege!r}; expected one of: {', '.join(PRIVILEGES)}",
            )


def _band_problems(policy: Policy) -> Iterable[tuple[list[PathPart], str]]:
    bands, s = policy.bands, policy.scoring
    if not bands:
        yield ["bands"], "at least one band is needed"
        return
    for i, band in enumerate(bands):
        if not band.min < band.max:
            yield ["bands", i, "max"], f"must be greater than min ({band.min:g})"
        yield from _privilege_problems(["bands", i, "privileges"], band.privileges)
    if bands[0].min != s.min:
        yield ["bands", 0, "min"], f"the lowest band must start at scoring.min ({s.min:g})"
    if bands[-1].max != s.max:
        yield (
            ["bands", len(bands) - 1, "max"],
            f"the highest band must end at scoring.max ({s.max:g})",
        )
    for i in range(1, len(bands)):
        before, band = bands[i - 1], bands[i]
        if band.min > before.max:
            yield (
                ["bands", i, "min"],
                (
                    f"gap between bands {before.name!r} (ends at {before.max:g}) and "
                    f"{band.name!r} (starts at {band.min:g})"
                ),
            )
        elif band.min < before.max:
            yield (
                ["bands", i, "min"],
                (
                    f"band {band.name!r} overlaps {before.name!r}: it starts at {band.min:g}, "
                    f"before {before.name!r} ends at {before.max:g} (bands go in ascending order)"
                ),
            )


def _ladder_problems(policy: Policy) -> Iterable[tuple[list[PathPart], str]]:
    ladder = policy.sanctions.ladder
    if policy.sanctions.strike_expiry_days <= 0:
        yield ["sanctions", "strike_expiry_days"], "must be positive"
    if policy.sanctions.strike_window_days <= 0:
        yield ["sanctions", "strike_window_days"], "must be positive"
    if not any(step.action == "warning" and step.strikes is not None for step in ladder):
        yield (
            ["sanctions", "ladder"],
            "needs a warning step triggered by strikes (a warning precedes a suspension)",
        )
    last = 0
    for i, step in enumerate(ladder):
        here: list[PathPart] = ["sanctions", "ladder", i]
        if (step.strikes is None) == (step.score_below is None):
            yield here, "needs exactly one trigger: `strikes` or `score_below`"
        if step.strikes is not None:
            if step.strikes < 1:
                yield [*here, "strikes"], "must be at least 1"
            elif step.strikes <= last:
                yield [*here, "strikes"], f"must exceed the previous step's strikes ({last})"
            last = max(last, step.strikes)
        if (
            step.score_below is not None
            and not policy.scoring.min < step.score_below <= policy.scoring.max
        ):
            yield [*here, "score_below"], "must lie within the score range"
        if step.action in ("restriction", "suspension", "revoke_group_admin") and not step.days:
            yield [*here, "days"], f"a {step.action} needs a duration in days"
        if step.days is not None and step.days <= 0:
            yield [*here, "days"], "must be positive"
        if step.action == "warning" and step.days is not None:
            yield [*here, "days"], "a warning has no duration"
        if step.action == "restriction":
            if step.privileges is None:
                yield [*here, "privileges"], "a restriction lists the privileges the account keeps"
            else:
                yield from _privilege_problems([*here, "privileges"], step.privileges)
        elif step.privileges is not None:
            yield [*here, "privileges"], "only a restriction lists privileges"


def _structure_problem(error: msgspec.ValidationError) -> tuple[list[PathPart], str]:
    """The key path and message of a msgspec validation error."""
    text = str(error)
    message, _, where = text.partition(" - at `$")
    path = _parse_path(where.rstrip("`"))
    message = message[0].lower() + message[1:]
    missing = re.match(r"object missing required field `(.+)`", message)
    if missing:
        return [*path, missing[1]], "required key is missing"
    unknown = re.match(r"object contains unknown field `(.+)`", message)
    if unknown:
        return [*path, unknown[1]], "unknown key (is it misspelt?)"
    return path, message


def _key_at(text: str, line: int) -> str:
    """The dotted key a TOML line sets (its table's name before it), or the table a header
    line names; empty at the top of a file with no key on the line."""
    table = ""
    lines = text.splitlines()
    for number, row in enumerate(lines[:line], start=1):
        header = _LineIndex._HEADER.match(row)
        if header:
            table = ".".join(n.strip().strip('"') for n in header[2].split("."))
        elif number == line:
            key = re.match(r"^\s*([A-Za-z0-9_.\-\"]+)\s*=", row)
            if key:
                name = key[1].strip('"')
                return f"{table}.{name}" if table else name
    return table


def _remove(data: Any, path: Sequence[PathPart]) -> bool:
    """Removes the value at `path` from parsed TOML, so validation can go on to the next
    problem; False when there is nothing there to remove."""
    for part in path[:-1]:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not path:
        return False
    try:
        del data[path[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    return True


MAX_STRUCTURE_PROBLEMS = 50


def parse_policy(text: str, source: str = "<policy>", base_dir: Path | None = None) -> Policy:
    """Validates a policy given as TOML text; raises PolicyError listing every problem.
    Files the policy names (term lists) are read relative to `base_dir`."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except RecursionError:
        raise PolicyError(
            [Problem(source, 1, "", "not valid as a policy: arrays or tables nested too deeply")]
        ) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = int(found[1]) if found else 1
        raise PolicyError(
            [Problem(source, line, _key_at(text, line), f"not valid TOML: {error}")]
        ) from None
    index = _LineIndex(text)
    problems: list[Problem] = []
    while True:
        try:
            policy = msgspec.convert(data, Policy)
            break
        except msgspec.ValidationError as error:
            path, message = _structure_problem(error)
            key = dotted(path)
            if any(p.key == key for p in problems):  # the gap left by a value taken out
                raise PolicyError(problems) from None
            problems.append(Problem(source, index.line_of(path), key, message))
            # a wrong value is taken out to find the next problem; a missing one cannot be,
            # and then the rest waits for the next check
            if len(problems) >= MAX_STRUCTURE_PROBLEMS or not _remove(data, path):
                raise PolicyError(problems) from None
    if problems:
        raise PolicyError(problems)
    problems = [
        Problem(source, index.line_of(path), dotted(path), message)
        for path, message in _semantic_problems(policy, base_dir)
    ]
    if problems:
        raise PolicyError(problems)
    return policy


def line_of_key(source: str, path: Sequence[PathPart]) -> int:
    """The line of a key path in the policy file `source`; 1 when it cannot be read."""
    try:
        return _LineIndex(Path(source).read_text(encoding="utf-8")).line_of(path)
    except (OSError, UnicodeDecodeError):
        return 1


def load_policy(path: str | Path) -> Policy:
    """Loads and validates one policy file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError([Problem(str(file), 1, "", f"cannot read the file: {error}")]) from None
    return parse_policy(text, str(file), file.parent)
