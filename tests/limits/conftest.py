"""The .wat fixtures of tests/fixtures/limits, compiled at test time."""

from __future__ import annotations

import faulthandler
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "limits"


def fixture(name: str) -> str:
    return str(FIXTURES / f"{name}.wat")


@pytest.fixture(autouse=True)
def deadlock_watchdog() -> Iterator[None]:
    """A call that keeps the GIL while wasm runs deadlocks WASI output and starves the
    timeout ticker; make that a loud failure (tracebacks, exit) instead of a hang."""
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
