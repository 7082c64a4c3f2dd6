"""Text from users and operators reaches the terminal as its characters: no markup taken
from it (no hidden links, nothing vanishing), and no control, bidi or format character
reaching the terminal raw."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
import pytest
from rich.console import ColorSystem
from typer.testing import CliRunner

from goodstanding.cli import app, common
from helpers import POLICY_V1, ev

LINK = "[link=https://evil.example]see[/link]"
EVIL = (
    f"you are an idiot {LINK} [bold]b[/bold] [a-z] \x1b[2Jclear \x1b]8;;https://evil.example"
    "\x1b\\x\x1b]8;;\x1b\\ \u202eevil \x9b \u200b end"
)
AUTHOR = "[link=https://evil.example]ann"
GROUP = "[bold]g1"
T = "2026-01-02T01:00:00Z"
# what Rich itself writes on a terminal: styles, and hiding the cursor under a progress bar
SGR = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\?25[lh]")


def policy_file(folder: Path, detector: str = 'kind = "pattern"\npatterns = ["idiot.*"]') -> Path:
    """The test policy with a queued detector on insults (by default a pattern whose excerpt
    is the rest of the text), a rule text carrying markup, and owners' comment queues."""
    text = POLICY_V1.read_text().replace(
        'text = "Do not insult or demean other members of the community."',
        'text = "Do not insult [link=https://evil.example]see[/link] [a-z] members."',
    )
    marker = 'id = "harassment.insults"'
    head, rest = text.split(marker)
    block, tail = rest.split("\n[[rules]]", 1)
    block = block.rstrip() + f"\n\n[[rules.detectors]]\n{detector}\n"
    block += 'outcome = "queue"\n'
    path = folder / "policy.toml"
    comments = '\n[comments]\ndefault_mode = "hold_flagged"\n'
    path.write_text(head + marker + block + "\n[[rules]]" + tail + comments)
    return path


def events() -> list[bytes]:
    people = ("owner", AUTHOR, "ben", "cat")
    lines = [ev("account.registered", T, who, id=f"r{i}") for i, who in enumerate(people)]
    lines.append(ev("account.registered", T, "mod", id="rmod", role="moderator"))
    lines += [
        ev("content.posted", T, "owner", id="p", content_id="p1", kind="post", text="trip"),
        ev(
            "content.posted",
            T,
            AUTHOR,
            id="c",
            content_id="c1",
            kind="comment",
            parent_id="p1",
            text=EVIL,
        ),
        ev("group.created", T, "owner", id="g", group_id=GROUP, name=EVIL),
    ]
    for i, who in enumerate((AUTHOR, "ben", "cat")):
        lines.append(
            ev("content.posted", T, who, id=f"v{i}", content_id=f"v{i}", kind="post", text=EVIL)
        )
    for i, who in enumerate((AUTHOR, "ben", "cat")):
        for j in range(3):
            if i != j:
                lines.append(
                    ev(
                        "content.engaged",
                        "2026-01-02T02:00:00Z",
                        who,
                        id=f"l{i}{j}",
                        content_id=f"v{j}",
                        kind="like",
                    )
                )
    for j in range(3):
        lines.append(
            ev(
                "review.decided",
                "2026-01-02T03:00:00Z",
                "mod",
                id=f"d{j}",
                content_id=f"v{j}",
                rule="harassment.insults",
                verdict="violates",
                note=EVIL,
            )
        )
    return [msgspec.json.encode(e) for e in lines]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("untrusted")
    stream = folder / "s.jsonl"
    stream.write_bytes(b"\n".join(events()) + b"\n")
    url = f"sqlite:///{folder / 'gs.db'}"
    result = CliRunner().invoke(
        app, ["--db", url, "ingest", str(stream), "--policy", str(policy_file(folder))]
    )
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both consoles behave as a wide colour terminal (so links and styles would be emitted)."""
    for console in (common.out, common.err):
        monkeypatch.setattr(console, "_force_terminal", True)
        monkeypatch.setattr(console, "_color_system", ColorSystem.TRUECOLOR)
        monkeypatch.setattr(console, "_width", 1000)


def shown(db: str, *args: str, code: int = 0) -> str:
    """What a command prints (stdout and stderr), checked to be terminal-safe."""
    result = CliRunner().invoke(app, ["--db", db, *args])
    assert result.exit_code == code, result.output
    text = result.output
    assert "\x1b]8" not in text, "an OSC 8 hyperlink reached the terminal"
    assert "\x1b" not in SGR.sub("", text), "a raw escape sequence reached the terminal"
    assert not any(c in text for c in "\u202e\u200b\x9b"), "a bidi/format/C1 character"
    return text


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize(
    "args",
    [
        ("queue",),
        ("comments", "queue", "owner"),
        ("rules", "report", "harassment.insults"),
        ("explain", AUTHOR),
        ("group", GROUP),
        ("notices", "list"),
    ],
)
def test_user_text_shows_literally(db: str, args: tuple[str, ...]) -> None:
    text = SGR.sub("", shown(db, *args))
    assert LINK in text or "[link=https://evil.example]" in text
    assert "[a-z]" in text


@pytest.mark.usefixtures("terminal")
def test_controls_are_visible_escapes(db: str) -> None:
    text = SGR.sub("", shown(db, "comments", "queue", "owner"))
    assert "\\x1b" in text and "\\u202e" in text


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize(
    "args", [("standing", AUTHOR), ("rings",), ("summary",), ("identity", "rotate")]
)
def test_ids_show_literally(db: str, args: tuple[str, ...]) -> None:
    text = SGR.sub("", shown(db, *args))
    if args[0] != "summary" and args[0] != "identity":
        assert AUTHOR in text


@pytest.mark.usefixtures("terminal")
def test_holds_show_the_reason_literally(db: str) -> None:
    shown(db, "records", "hold", "place", "group", GROUP, "--reason", EVIL, "--by", AUTHOR)
    text = SGR.sub("", shown(db, "records", "hold", "list"))
    assert GROUP in text and LINK in text and "[a-z]" in text


@pytest.mark.usefixtures("terminal")
def test_policy_errors_show_the_regex(db: str, tmp_path: Path) -> None:
    bad = policy_file(tmp_path, 'kind = "pattern"\npatterns = ["[bold]([a-z]"]')
    text = SGR.sub("", shown(db, "policy", "check", str(bad), code=1))
    assert "[bold]([a-z]" in text


@pytest.mark.usefixtures("terminal")
def test_ingest_refusals_show_the_input(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(f'{{"id":"{AUTHOR}","type":"nope","at":"{T}","actor":"ann"}}\n')
    text = SGR.sub("", shown(db, "ingest", str(bad), code=1))
    assert "[link=" in text


@pytest.mark.usefixtures("terminal")
def test_errors_show_ids_literally(db: str) -> None:
    text = SGR.sub("", shown(db, "standing", "[bold]nobody", code=2))
    assert "[bold]nobody" in text


@pytest.mark.usefixtures("terminal")
def test_json_escapes_controls(db: str) -> None:
    text = shown(db, "comments", "queue", "owner", "--json")
    assert "\\u202e" in text and json.loads(text)[0]["evidence"]
