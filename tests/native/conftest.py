"""Fixtures for the native layer: every behavioural case runs on both raw layers.

``layer`` is the module under test, ``wasmport._engine.fast`` (ctypes) or
``wasmport._engine.fast._native`` (the C extension); both offer ``make_caller`` and
``make_host_func`` with the same contracts.  ``outcome`` turns a call into a
comparable value, so a test can assert that both layers fail with the very same
exception type and message.  Cases that could crash the interpreter (a freed
store) run in a subprocess through ``run_isolated``.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import wasmtime

from wasmport._engine import fast as _fast
from wasmport._engine.fast import _native

FIXTURES = Path(__file__).resolve().parents[1] / "fast" / "fixtures"
LAYERS = {"ctypes": _fast, "native": _native}


@pytest.fixture(params=sorted(LAYERS))
def layer(request: pytest.FixtureRequest) -> Any:
    return LAYERS[request.param]


@pytest.fixture
def store() -> wasmtime.Store:
    return wasmtime.Store(wasmtime.Engine())


@pytest.fixture
def relay() -> Any:
    return _fast.Relay()


@pytest.fixture
def instantiate(store: wasmtime.Store) -> Callable[..., dict[str, Any]]:
    """instantiate("numeric" or WAT text, [imports...]) -> {export name: extern}."""

    def run(fixture: str, imports: list[Any] | None = None) -> dict[str, Any]:
        text = fixture if fixture.lstrip().startswith("(") else (
            FIXTURES / f"{fixture}.wat").read_text()
        module = wasmtime.Module(store.engine, text)
        instance = wasmtime.Instance(store, module, imports or [])
        return dict(instance.exports(store).items())

    return run


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """("ok", result) or (exception type, message): what a call did, comparably."""
    try:
        return ("ok", fn(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 - the outcome is the point
        return (type(exc), str(exc))


def around_digits(seed: int = 16) -> list[int]:
    """v128 arguments at each side of every digit boundary of CPython's ints (15- and
    30-bit digits) and of 63, 64, 127 and 128 bits, both signs, and seeded random values of
    every bit length up to 131."""
    bits = [*range(0, 132, 15), 63, 64, 127, 128]
    values = {sign * ((1 << b) + delta) for b in bits for delta in (-1, 0, 1) for sign in (1, -1)}
    rng = random.Random(seed)
    values |= {rng.choice((1, -1)) * rng.getrandbits(rng.randrange(1, 132)) for _ in range(400)}
    return sorted(values)


def run_isolated(code: str, *args: str,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter (for cases that could crash this one)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=120,
                          env=None if env is None else {**os.environ, **env})


SIGS = {
    "h_i32": (("i32", "i32"), ("i32",)),
    "h_i64": (("i64", "i64"), ("i64",)),
    "h_f32": (("f32",), ("f32",)),
    "h_f64": (("f64", "f64"), ("f64",)),
    "h_multi": (("i32",), ("i32", "i64", "f64")),
    "h_void": (("i32",), ()),
}
