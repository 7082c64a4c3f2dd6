"""The synthetic community: a deterministic event stream with its ground truth."""

from goodstanding.sim.community import (
    EVENT_TYPES,
    RULE_IDS,
    SEVERE_RULES,
    VIOLATION_VOCABULARY,
    GroundTruth,
    RuleVocabulary,
    SimConfig,
    SimStats,
    generate,
    load_truth,
    obfuscate,
    simulate,
    truth_path_for,
    write_jsonl,
    write_stream,
)

__all__ = [
    "EVENT_TYPES",
    "RULE_IDS",
    "SEVERE_RULES",
    "VIOLATION_VOCABULARY",
    "GroundTruth",
    "RuleVocabulary",
    "SimConfig",
    "SimStats",
    "generate",
    "load_truth",
    "obfuscate",
    "simulate",
    "truth_path_for",
    "write_jsonl",
    "write_stream",
]
