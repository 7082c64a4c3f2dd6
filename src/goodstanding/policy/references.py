"""What a policy version depends on besides its own text: the files its rules name (term and
known-content lists) by SHA-256, and the classifiers its rules use by identity. Recorded with
the version, so that a replay judges by the same inputs or refuses."""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec

from goodstanding.detect.classifier import classifier_identity
from goodstanding.detect.spec import ClassifierSpec, KnownSpec, TermsSpec, resolve
from goodstanding.policy.load import PolicyError, Problem
from goodstanding.policy.model import Policy


class References(msgspec.Struct, frozen=True, kw_only=True):
    """A policy version's inputs: files (as the policy names them) -> SHA-256 of their bytes,
    and classifier model names -> the identity of what answered to them."""

    files: dict[str, str] = {}
    classifiers: dict[str, str] = {}


_encoder = msgspec.json.Encoder(order="sorted")
_decoder = msgspec.json.Decoder(References)


def encode_references(references: References) -> str:
    """References as canonical JSON text (keys sorted), as the store records them."""
    return _encoder.encode(references).decode()


def decode_references(text: str) -> References:
    """References from the JSON text the store recorded."""
    return _decoder.decode(text)


def referenced_files(policy: Policy) -> list[str]:
    """The files a policy's rules name (terms_file, items_file), in order, each once."""
    names: list[str] = []
    for rule in policy.rules:
        for spec in rule.detectors:
            name = (
                spec.terms_file
                if isinstance(spec, TermsSpec)
                else spec.items_file
                if isinstance(spec, KnownSpec)
                else None
            )
            if name is not None and name not in names:
                names.append(name)
    return names


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def references_of(policy: Policy, base_dir: str | Path | None) -> References:
    """The references of a policy version now: its files hashed (relative to `base_dir`, the
    policy file's folder) and the identity of each classifier model it names. Raises
    PolicyError naming a file that cannot be read."""
    files: dict[str, str] = {}
    for name in referenced_files(policy):
        path = resolve(base_dir, name)
        try:
            files[name] = _digest(path)
        except OSError as error:
            raise PolicyError(
                [Problem(str(path), 1, "file", f"policy {policy.version!r} names it: {error}")]
            ) from None
    models = sorted(
        {
            spec.model
            for rule in policy.rules
            for spec in rule.detectors
            if isinstance(spec, ClassifierSpec)
        }
    )
    return References(files=files, classifiers={m: classifier_identity(m) for m in models})


def file_changes(
    policy: Policy, base_dir: str | Path | None, recorded: References
) -> list[Problem]:
    """Every file whose bytes differ from those recorded with the policy version (or that is
    missing), one problem each: judging by it would not repeat the recorded run."""
    problems: list[Problem] = []
    for name, sha in recorded.files.items():
        path = resolve(base_dir, name)
        try:
            now = _digest(path)
        except OSError as error:
            problems.append(
                Problem(str(path), 1, "file", f"recorded with policy {policy.version!r}: {error}")
            )
            continue
        if now != sha:
            problems.append(
                Problem(
                    str(path),
                    1,
                    "sha256",
                    f"changed since policy {policy.version!r} was recorded (sha256 {sha} "
                    f"recorded, {now} now); a recorded version is replayed only with the files "
                    "it was recorded with: restore the file, or publish a new version",
                )
            )
    return problems


def classifier_changes(policy: Policy, recorded: References) -> list[Problem]:
    """Every classifier model whose identity here differs from the one recorded with the policy
    version, one problem each: its scores need not be those of the recorded run."""
    problems: list[Problem] = []
    for model, identity in sorted(recorded.classifiers.items()):
        now = classifier_identity(model)
        if now != identity:
            problems.append(
                Problem(
                    f"policy {policy.version}",
                    1,
                    "classifier",
                    f"classifier {model!r} changed since policy {policy.version!r} was recorded "
                    f"({identity!r} recorded, {now!r} now)",
                )
            )
    return problems


def check_files(policy: Policy, base_dir: str | Path | None, recorded: References) -> None:
    """Raises PolicyError naming every file whose bytes differ from those recorded with the
    policy version (or that is missing): judging by it would not repeat the recorded run."""
    problems = file_changes(policy, base_dir, recorded)
    if problems:
        raise PolicyError(problems)
