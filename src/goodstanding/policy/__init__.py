"""The operator's policy: versioned TOML files of rules, scoring, bands and sanctions."""

from goodstanding.policy.load import PolicyError, Problem, load_policy, parse_policy
from goodstanding.policy.model import PRIVILEGES, Band, LadderStep, Policy, Rule
from goodstanding.policy.versions import DEFAULT_POLICY, PolicySet

__all__ = [
    "DEFAULT_POLICY",
    "PRIVILEGES",
    "Band",
    "LadderStep",
    "Policy",
    "PolicyError",
    "PolicySet",
    "Problem",
    "Rule",
    "load_policy",
    "parse_policy",
]
