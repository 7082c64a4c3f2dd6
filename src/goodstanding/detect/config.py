"""Detector configuration: ``[[rules]]`` tables with ``[[rules.detectors]]``, as in a policy
file. The defaults are those of the default policy (one source of truth). Reading stands
apart from detection: it happens once, when detectors are built.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Final

import msgspec

from goodstanding.detect.spec import (
    DetectorSpec,
    KnownSpec,
    RuleDetectors,
    TermsSpec,
    check_specs,
)

DEFAULT_FILE: Final = Path(__file__).resolve().parent.parent / "policies" / "default.toml"


class DetectorConfigError(ValueError):
    """A detector configuration file that cannot be used; lists every problem."""


class _RuleEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    detectors: tuple[DetectorSpec, ...] = ()


class _File(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    rules: tuple[_RuleEntry, ...] = ()


def parse_detectors(
    text: str, base_dir: str | Path | None = None, source: str = "<detectors>"
) -> list[RuleDetectors]:
    """The rules and their detector declarations from TOML text (checked)."""
    try:
        data = tomllib.loads(text)
        parsed = msgspec.convert(data, _File)
    except (tomllib.TOMLDecodeError, msgspec.ValidationError) as error:
        raise DetectorConfigError(f"{source}: {error}") from None
    problems = [
        f"{source}: rules[{i}].{'.'.join(str(p) for p in path)}: {message}"
        for i, entry in enumerate(parsed.rules)
        for path, message in check_specs(entry.id, entry.detectors, base_dir)
    ]
    if problems:
        raise DetectorConfigError("\n".join(problems))
    return [(entry.id, entry.detectors) for entry in parsed.rules]


def load_detectors(path: str | Path) -> list[RuleDetectors]:
    """The rules and detector declarations of a file; files it names are relative to it."""
    file = Path(path)
    return parse_detectors(file.read_text(encoding="utf-8"), file.parent, str(file))


def default_detectors_text() -> str:
    """The TOML text the default detectors come from: the default policy."""
    return DEFAULT_FILE.read_text(encoding="utf-8")


class _PolicyRule(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    detectors: tuple[DetectorSpec, ...] = ()


class _PolicyRules(msgspec.Struct, frozen=True, kw_only=True):
    rules: tuple[_PolicyRule, ...] = ()


def _beside_default(spec: DetectorSpec) -> DetectorSpec:
    """A declaration whose files are named by their place beside the default policy."""
    if isinstance(spec, TermsSpec) and spec.terms_file is not None:
        return msgspec.structs.replace(spec, terms_file=str(DEFAULT_FILE.parent / spec.terms_file))
    if isinstance(spec, KnownSpec) and spec.items_file is not None:
        return msgspec.structs.replace(spec, items_file=str(DEFAULT_FILE.parent / spec.items_file))
    return spec


def default_detectors() -> list[RuleDetectors]:
    """The default detector declarations: those of the default policy's rules, with the
    files they name given by their full path (so no base folder is needed)."""
    parsed = msgspec.convert(tomllib.loads(default_detectors_text()), _PolicyRules)
    return [
        (rule.id, tuple(_beside_default(spec) for spec in rule.detectors)) for rule in parsed.rules
    ]
