"""Rings of accounts that like each other's violating content."""

from __future__ import annotations

import json

from goodstanding.detect import find_rings, like_edges
from goodstanding.event_lines import decode_event
from goodstanding.sim import SimConfig, simulate


def test_mutual_likes_of_labelled_content_form_rings() -> None:
    ring = ["r1", "r2", "r3", "r4"]
    edges = [(a, b, f"{b}-post{n}", True) for a in ring for b in ring if a != b for n in range(2)]
    edges += [("fan", "r1", "r1-post0", True), ("fan", "r2", "r2-post0", True)]  # one-way
    edges += [("x", "y", "y1", False), ("y", "x", "x1", False)]  # mutual, but not labelled
    edges += [("p", "q", "q1", True), ("q", "p", "p1", True)]  # a pair, below min_size
    assert find_rings(edges, k=2, min_size=3) == [ring]
    assert find_rings(edges, k=1, min_size=2) == [["p", "q"], ring]
    assert find_rings(edges, k=4) == []  # nobody has 4 partners
    assert find_rings(reversed(edges), k=2) == find_rings(edges, k=2)  # order-free


def test_min_likes_needs_repeated_likes() -> None:
    trio = ["a", "b", "c"]
    once = [(x, y, f"{y}0", True) for x in trio for y in trio if x != y]
    assert find_rings(once, k=2, min_likes=1) == [trio]
    assert find_rings(once, k=2, min_likes=2) == []


def test_rings_found_in_the_simulation_match_the_truth() -> None:
    events, truth = simulate(SimConfig(accounts=2000, days=30, seed=3, ring_count=3))
    stream = list(events)
    bad = set(truth.abusive_accounts) | {a for ring in truth.rings for a in ring}
    author = {e["content_id"]: e["actor"] for e in stream if e["type"] == "content.posted"}
    labelled = {c for c in truth.violating_content if author.get(str(c)) in bad}
    edges = like_edges(stream, labelled)
    rings = find_rings(edges, k=2, min_size=3)
    members = {a for ring in rings for a in ring}
    true_members = {a for ring in truth.rings for a in ring}
    assert members <= true_members  # no innocent account flagged
    assert len(members) / len(true_members) >= 0.8
    for ring in rings:  # each group found lies within one true ring
        assert any(set(ring) <= set(t) for t in truth.rings)
    # the same edges come from decoded events (structs) as from dicts
    head = [e for e in stream[:3000] if e["type"] != "identity.submitted"]  # sealed at ingest
    decoded = [decode_event(json.dumps(e)) for e in head]
    assert like_edges(decoded, labelled) == like_edges(head, labelled)
