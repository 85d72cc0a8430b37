"""A ticking line on stderr while a long compile runs, when stderr is a terminal.

::

    wasmport: compiling yosys.wasm (69.0 MB)... 12.3 s
    wasmport: waiting for process 4242 to compile yosys.wasm (69.0 MB)... 3.1 s

The line appears once the work has taken a second (``WASMPORT_PROGRESS_AFTER`` seconds), is
rewritten in place ten times a second by one thread, and is erased as soon as the work ends,
so the program's own output never lands on it.  With several at once, the oldest is shown
with a count of the others.  Nothing is written when stderr is not a terminal or
``WASMPORT_PROGRESS=0``; ``NO_COLOR`` drops the dim style and ``TERM=dumb`` every escape.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

TICK = 0.1


@dataclass
class _Task:
    text: str
    start: float
    stream: TextIO


_lock = threading.Lock()
_tasks: dict[int, _Task] = {}
_tokens = itertools.count()
_ticker: threading.Thread | None = None
_shown: list[TextIO] = []  # the stream holding our line, if any


def _forget() -> None:
    """In a forked child: the parent's ticker thread and its tasks do not exist here."""
    global _lock, _ticker
    _lock = threading.Lock()
    _tasks.clear()
    _shown.clear()
    _ticker = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


def human_size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


@contextmanager
def showing(text: str) -> Iterator[None]:
    """Show ``text`` and the elapsed seconds while the body runs, if it runs long."""
    stream = sys.stderr
    if not _wanted(stream):
        yield
        return
    token = _start(_Task(text, time.monotonic(), stream))
    try:
        yield
    finally:
        _stop(token)


def _wanted(stream: TextIO | None) -> bool:
    if os.environ.get("WASMPORT_PROGRESS", "1").strip().lower() in ("0", "no", "off", "false"):
        return False
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("WASMPORT_PROGRESS_AFTER", "1")))
    except ValueError:
        return 1.0


def _start(task: _Task) -> int:
    global _ticker
    with _lock:
        token = next(_tokens)
        _tasks[token] = task
        if _ticker is None:
            _ticker = threading.Thread(target=_tick, name="wasmport-progress", daemon=True)
            _ticker.start()
    return token


def _stop(token: int) -> None:
    with _lock:
        _tasks.pop(token, None)  # (gone if this process was forked meanwhile)
        _erase()  # now, before the caller writes anything; the ticker redraws what remains


def _tick() -> None:
    global _ticker
    delay = _delay()
    while True:
        with _lock:
            if not _tasks:
                _ticker = None
                return
            now = time.monotonic()
            due = sorted((t for t in _tasks.values() if now - t.start >= delay),
                         key=lambda t: t.start)
            if due:
                _draw(due[0], len(due) - 1, now)
        time.sleep(TICK)


def _draw(task: _Task, others: int, now: float) -> None:
    more = f" (and {others} more)" if others else ""
    head, tail = f"wasmport: {task.text}{more}", f"... {now - task.start:.1f} s"
    line = head[:max(0, _width(task.stream) - 1 - len(tail))] + tail  # the seconds stay
    plain = os.environ.get("TERM") == "dumb"
    if plain:
        text = "\r" + line.ljust(len(line) + 8)
    elif os.environ.get("NO_COLOR"):
        text = f"\r{line}\x1b[K"
    else:
        text = f"\r\x1b[2m{line}\x1b[0m\x1b[K"
    if _write(task.stream, text):
        _shown[:] = [task.stream]


def _erase() -> None:
    for stream in _shown:
        plain = os.environ.get("TERM") == "dumb"
        _write(stream, "\r" + " " * (_width(stream) - 1) + "\r" if plain else "\r\x1b[K")
    _shown.clear()


def _width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80  # 0: size never set
    except (OSError, ValueError, AttributeError):
        return 80


def _write(stream: TextIO, text: str) -> bool:
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):  # closed, or gone at exit
        return False
    return True
