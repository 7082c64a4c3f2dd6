"""What every command shares: the database option, opening the store, loading policies,
printing JSON, progress bars, times from options, atomic writes, and the options themselves."""

from __future__ import annotations

import json
import os
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import create_engine, inspect, make_url

from goodstanding.cli.local_keys import local_keys
from goodstanding.engine import iso
from goodstanding.keyfiles import KeyFileError, write_new_key_file
from goodstanding.pipeline import load_policies
from goodstanding.policy import PolicyError, PolicySet
from goodstanding.queries.lookup import NotFound, last_event_time
from goodstanding.store import OnWait, Store, StoreError, WriterBusy, default_url
from goodstanding.store.schema import MARKER_TABLE

out = Console(emoji=False)
err = Console(stderr=True, emoji=False)
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
PolicyFiles = Annotated[
    list[Path] | None,
    typer.Option("--policy", help="A policy file to add (repeatable); recorded policies are kept."),
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at", help="Time to evaluate at (RFC 3339); default: the latest event in the log."
    ),
]
ByOption = Annotated[
    str,
    typer.Option(
        "--by", envvar="GOODSTANDING_OPERATOR", help="Who is acting (recorded in the audit log)."
    ),
]
ReasonOption = Annotated[str, typer.Option(help="Why (recorded in the audit log).")]
KeyOutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Write the key to this new file (mode 0600; never over an existing file)."
    ),
]
FromOption = Annotated[str, typer.Option("--from", help="From (RFC 3339, inclusive).")]
ToOption = Annotated[str, typer.Option("--to", help="To (RFC 3339, exclusive).")]


class Ctx:
    """The options given before the command (the database URL)."""

    db: str = default_url()


def fail(message: str, code: int = 2, one_line: bool = False) -> typer.Exit:
    """Prints an error (`one_line`: never wrapped, for scripts that read it) and gives the
    exit to raise."""
    err.print(f"[bold red]error:[/] {safe(message)}", highlight=False, soft_wrap=one_line)
    return typer.Exit(code)


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _unsafe(char: str, multiline: bool) -> bool:
    if multiline and char == "\n":
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def visible_controls(text: str, multiline: bool = False) -> str:
    """The text with every control, format (bidi, zero-width), separator or unassigned
    character written as a visible escape (``\\x1b``, ``\\u202e``); newlines kept when
    `multiline`."""
    if _printable(text, multiline):
        return text
    return "".join(_visible(c) if _unsafe(c, multiline) else c for c in text)


def _printable(text: str, multiline: bool) -> bool:
    """Whether no character of the text needs an escape (quick: most text needs none)."""
    return all(part.isprintable() for part in text.split("\n")) if multiline else text.isprintable()


def safe(value: object, multiline: bool = False) -> str:
    """Any untrusted value (user or operator text, ids, file contents) as Rich markup that
    prints exactly as its characters: markup escaped, controls shown as visible escapes."""
    return escape(visible_controls(str(value), multiline))


def clip(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters at a word boundary, with an ellipsis when
    cut (a single word longer than the limit is cut inside it)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > 0 else head).rstrip(" ;,") + "…"


def store_exists(url: str) -> bool:
    """Whether `url` names an existing goodstanding database: an SQLite file that exists, or
    another database holding goodstanding's tables (one that cannot be reached counts as
    existing, for opening it to say why)."""
    if url.startswith("sqlite:///"):
        return url == "sqlite:///:memory:" or Path(url.removeprefix("sqlite:///")).is_file()
    try:
        engine = create_engine(url)
    except Exception:
        return True
    try:
        return MARKER_TABLE in inspect(engine).get_table_names()
    except Exception:
        return True
    finally:
        engine.dispose()


def _missing(url: str) -> str:
    """Why a reading command refuses a database that does not exist, and what to do."""
    if url.startswith("sqlite:///"):
        where = f"no database at {url.removeprefix('sqlite:///')}"
    else:
        where = f"{make_url(url).render_as_string(hide_password=True)} holds no goodstanding tables"
    return (
        f"{where}: check --db (or GOODSTANDING_DB), or create it: goodstanding ingest FILE or "
        "goodstanding init"
    )


@contextmanager
def open_store(create: bool = False, keys: bool = True) -> Iterator[Store]:
    """The store named by --db, closed afterwards; a store that cannot be opened fails, and so
    does one that does not exist unless `create`. With `keys`, the default database's local
    key files stand in for keys the environment does not configure."""
    if not create and not store_exists(Ctx.db):
        raise fail(_missing(Ctx.db))
    with local_keys(Ctx.db) if keys else nullcontext():
        with failing_on(StoreError):
            store = Store.open(Ctx.db)
        try:
            yield store
        finally:
            store.close()


@contextmanager
def failing_on(*errors: type[Exception], code: int = 2) -> Iterator[None]:
    """Fails the command (exit `code`) with the error's own message when the block raises one
    of `errors`."""
    try:
        yield
    except errors as error:
        raise fail(str(error), code) from None


def known_ids() -> AbstractContextManager[None]:
    """Fails the command with the query's message when an id names nothing."""
    return failing_on(NotFound)


def policies_of(
    store: Store,
    files: list[Path] | None = None,
    *,
    wait: float | None = None,
    on_wait: OnWait | None = None,
) -> PolicySet:
    """The recorded policy versions plus those in `files` (recorded under the write lock,
    `wait` and `on_wait` as for Store.write_lock: WriterBusy passes through); a bad file
    fails."""
    try:
        return load_policies(store, [str(f) for f in files or []], wait=wait, on_wait=on_wait)
    except WriterBusy:
        raise
    except (PolicyError, StoreError) as error:
        raise fail(str(error)) from None


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


TIME_KEYS = frozenset({"at", "now", "cutoff", "since", "until", "as_of", "from", "to"})
"""Keys whose numbers are epoch times (as are those of keys ending in ``_at``)."""


def _is_time_key(key: object) -> bool:
    return isinstance(key, str) and (key in TIME_KEYS or key.endswith("_at"))


def _time(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return iso(value)
    if isinstance(value, str) and value.endswith("+00:00"):
        return value.removesuffix("+00:00") + "Z"
    return with_times(value)


def with_times(data: Any) -> Any:
    """The data with every time (a value under a time key: `TIME_KEYS`, ``*_at``) written
    as RFC 3339 UTC text ending in Z, the one time format of all JSON output: epoch numbers
    converted, ``+00:00`` offsets written as Z."""
    if isinstance(data, dict):
        return {k: _time(v) if _is_time_key(k) else with_times(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [with_times(v) for v in data]
    return data


def json_text(data: Any) -> str:
    """Data as indented JSON text (a line), times as RFC 3339 (`with_times`), readable UTF-8
    but with every control, format or separator character written as a JSON escape, so that
    it is safe on a terminal."""
    text = json.dumps(with_times(data), indent=2, ensure_ascii=False, default=str)
    return _json_safe(text) + "\n"


def json_line(data: Any) -> str:
    """Data as JSON on one line (without a newline), escaped as `json_text` does."""
    return _json_safe(json.dumps(with_times(data), ensure_ascii=False, default=str))


def _json_safe(text: str) -> str:
    """JSON text with every control, format or separator character escaped."""
    if _printable(text, True):
        return text
    return "".join(_json_escape(c) if _unsafe(c, True) else c for c in text)


def print_json(data: Any) -> None:
    """Prints data as indented JSON on stdout (see `json_text`)."""
    sys.stdout.write(json_text(data))


def progress(label: str) -> Progress:
    """A progress bar on stderr, shown only on a terminal and gone when done."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def parse_time(value: str | None, name: str) -> float:
    """An RFC 3339 option as epoch seconds; now (the clock) when not given."""
    if value is None:
        return time.time()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"{name} {value!r} is not an RFC 3339 timestamp") from None
    if when.tzinfo is None:
        raise fail(f"{name} {value!r} needs an offset (e.g. Z)")
    return when.timestamp()


def as_of(store: Store, at: str | None) -> float:
    """The time a standing is read at: --at, or the latest event in the log."""
    if at is not None:
        return parse_time(at, "--at")
    last = last_event_time(store)
    if last is None:
        raise fail("the log is empty: ingest events first (goodstanding ingest FILE)")
    return last


def read_at(
    query: Callable[[Store, PolicySet, str, float], dict[str, Any]], subject: str, at: str | None
) -> dict[str, Any]:
    """The query's answer about `subject` as of --at (or the latest event in the log); an id
    that names nothing fails the command."""
    with open_store() as store, known_ids():
        return query(store, policies_of(store), subject, as_of(store, at))


def period(start: str, end: str) -> tuple[float, float]:
    """A report's or an export's period [--from, --to) as epoch seconds; --to must be later."""
    lower, upper = parse_time(start, "--from"), parse_time(end, "--to")
    if upper <= lower:
        raise fail(f"--to {end} is not after --from {start}")
    return lower, upper


def write_atomically(path: Path, text: str, mode: int = 0o644) -> None:
    """Writes a whole file or nothing, with `mode` (before umask): a temporary file beside
    it, renamed over it."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as sink:
            sink.write(text)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise fail(f"cannot write {path}: {error.strerror or error}") from None


def write_private(path: Path, text: str) -> None:
    """Writes a whole file or nothing that only its owner may read (0600): for decrypted
    records and other personal data."""
    write_atomically(path, text, 0o600)


def write_or_print(out_file: Path | None, text: str) -> None:
    """Writes text to --out (atomically, saying so on stderr), or to stdout without one."""
    if out_file is None:
        sys.stdout.write(text)
    else:
        write_atomically(out_file, text)
        err.print(f"wrote {safe(out_file)}")


def write_key(out_file: Path | None, text: str) -> None:
    """Writes a new key to --out (a new 0600 file, saying so on stderr), or to stdout."""
    if out_file is None:
        sys.stdout.write(text)
        return
    with failing_on(KeyFileError):
        write_new_key_file(out_file, text)
    err.print(f"wrote {safe(out_file)} (mode 0600)", highlight=False)
