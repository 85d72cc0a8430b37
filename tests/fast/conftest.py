"""Fixtures for the fast call layer: one Store per test, .wat compiled at test time.

The tests import ``wasmport._engine.fast`` only.  If ``wasmport/__init__.py`` cannot be
imported (it is written in parallel), a bare package object stands in for it so
these tests still exercise ``_fast`` on its own.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import wasmtime

SRC = Path(__file__).resolve().parents[2] / "src"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _import_fast() -> Any:
    try:
        return importlib.import_module("wasmport._engine.fast")
    except ImportError:
        for name in [m for m in sys.modules if m == "wasmport" or m.startswith("wasmport.")]:
            del sys.modules[name]
        stub = types.ModuleType("wasmport")
        stub.__path__ = [str(SRC / "wasmport")]
        sys.modules["wasmport"] = stub
        return importlib.import_module("wasmport._engine.fast")


fast = _import_fast()


@pytest.fixture
def store() -> wasmtime.Store:
    return wasmtime.Store(wasmtime.Engine())


@pytest.fixture
def relay() -> Any:
    return fast.Relay()


@pytest.fixture
def instantiate(store: wasmtime.Store) -> Callable[..., dict[str, Any]]:
    """instantiate("numeric", [imports...]) -> {export name: extern}."""

    def run(fixture: str, imports: list[Any] | None = None) -> dict[str, Any]:
        module = wasmtime.Module(store.engine, (FIXTURES / f"{fixture}.wat").read_text())
        instance = wasmtime.Instance(store, module, imports or [])
        return dict(instance.exports(store).items())

    return run
