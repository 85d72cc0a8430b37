"""Paths of the C-compiled WASI programs (tests/fixtures/wasi, built by
scripts/build-fixtures) and of this folder's .wat fixtures."""

from __future__ import annotations

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
