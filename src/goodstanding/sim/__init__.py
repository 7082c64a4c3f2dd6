"""A synthetic community: a deterministic, realistic stream of platform events.

``simulate(SimConfig(...))`` yields the events a platform would send (registrations, posts,
comments, likes, shares, reports, moderator reviews, group chats, appeals, identity checks,
owners' comment modes and decisions) together with the ground truth behind them: which
accounts are abusive, which form fake-engagement rings, which content breaks which rule,
which reports and reviews are wrong, how appeals ended, which identity submissions try to
evade a block, who vets comments and how they decided. ``write_jsonl`` writes both to disk.

The community is mostly ordinary members talking about hobbies, food, sport, tech and
travel (in English, and some in Chinese and Japanese); a small share of abusive accounts
post violating content; rings of accounts like and share each other's spam; moderators
review reported content. Some active members run group chats that others join, chat in
and leave; authors appeal some decisions against them; a few members verify a Chinese
resident identity number or mobile number, and a few sanctioned ones come back under a
second account with the same identity typed differently. A few members hold every comment
under their posts for their approval, and approve or reject each a few hours later.
Moderators warn some ring members directly, and now and then restrict an ordinary member
by mistake and lift it hours later. Activity per account is heavy-tailed. The same config
always gives the same bytes: the only sources of randomness are ``random.Random(config.seed)``
and, for the moderators' direct sanctions, a second generator seeded from it.

Violating texts are built from ``VIOLATION_VOCABULARY``, one table of markers per rule id,
so that detectors can be evaluated against it. The gravest kinds of content are never
written out: they appear as bracketed "withheld" placeholders that say what the item is.
Nothing here is about political or religious views.
"""

from goodstanding.sim.config import (
    EVENT_TYPES,
    GroundTruth,
    SimConfig,
    SimStats,
    load_truth,
    truth_path_for,
)
from goodstanding.sim.texts import obfuscate
from goodstanding.sim.vocabulary import RULE_IDS, SEVERE_RULES, VIOLATION_VOCABULARY, RuleVocabulary
from goodstanding.sim.writer import generate, simulate, write_jsonl, write_stream

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
