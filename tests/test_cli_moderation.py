"""What moderators read: the queue with authors, ages and the total; a rule's report as
tables with its examples cut at word boundaries; unknown rules refused."""

from __future__ import annotations

from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.cli.common import clip
from test_cli_untrusted import AUTHOR, db  # noqa: F401 (the fixture)


def run(url: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--db", url, *args], env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


def test_the_queue_shows_authors_ages_and_the_total(db: str) -> None:  # noqa: F811
    text = run(db, "queue", "--limit", "5")
    assert "author" in text and "age" in text and AUTHOR[:10] in text
    assert "1 of 1 open item(s)" in text


def test_a_rule_report_is_tables(db: str) -> None:  # noqa: F811
    text = run(db, "rules", "report", "harassment.insults", "--limit", "1")
    assert "precision" in text and "{'live'" not in text and "1 of 4 example(s)" in text
    assert "4 of 4 example(s)" in run(db, "rules", "report", "harassment.insults", "--all")


def test_an_unknown_rule_is_an_error_naming_the_known(db: str) -> None:  # noqa: F811
    text = run(db, "rules", "report", "harassment.insult", code=2)
    assert "unknown rule 'harassment.insult'" in text and "harassment.insults" in text


def test_examples_are_cut_at_a_word() -> None:
    assert clip("one two three", 9) == "one two…"
    assert clip("one two", 9) == "one two"
    assert clip("abcdefghijkl", 5) == "abcd…"
