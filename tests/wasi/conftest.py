"""Paths of the C-compiled WASI programs (tests/fixtures/wasi, built by
scripts/build-fixtures) and of this folder's .wat fixtures."""

from __future__ import annotations

import faulthandler
from collections.abc import Iterator
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).parent.parent / "fixtures" / "wasi"
HERE = Path(__file__).parent


def program(name: str) -> str:
    """The absolute path of a committed WASI program, e.g. ``program("hello")``."""
    path = PROGRAMS / f"{name}.wasm"
    assert path.is_file(), f"missing fixture {path}; see tests/fixtures/wasi/README.md"
    return str(path)


@pytest.fixture
def reactor_path() -> str:
    return str(HERE / "reactor.wat")


@pytest.fixture(autouse=True)
def deadlock_watchdog() -> Iterator[None]:
    """A call that keeps the GIL while wasm runs deadlocks WASI output and starves the
    timeout ticker; make that a loud failure (tracebacks, exit) instead of a hang."""
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
