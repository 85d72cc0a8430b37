"""Shared fixtures: every test that touches the import system gets it back as it was."""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import wasmport
from wasmport._realm import default as _default_realm


@pytest.fixture(autouse=True)
def deadlock_watchdog() -> Iterator[None]:
    """A hang (a call keeping the GIL deadlocks WASI output and starves the timeout
    ticker) becomes a loud failure: every thread's traceback, then exit."""
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True, scope="session")
def interruptible_children() -> None:
    """A shell starts a background job with SIGINT ignored, and children inherit that, so
    the Ctrl-C tests' subprocesses would never see their SIGINT.  A handler here is reset
    to the default in every child, as in a run from a terminal."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True, scope="session")
def private_code_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the compiled-code cache of the test run out of the user's cache directory."""
    saved = os.environ.get("WASMPORT_CACHE_DIR")
    os.environ["WASMPORT_CACHE_DIR"] = str(tmp_path_factory.mktemp("codecache"))
    yield
    if saved is None:
        del os.environ["WASMPORT_CACHE_DIR"]
    else:
        os.environ["WASMPORT_CACHE_DIR"] = saved


@pytest.fixture
def isolated_imports() -> Iterator[None]:
    """Restore sys.path, sys.meta_path and sys.modules, and retire the default realm."""
    saved_path = list(sys.path)
    saved_meta = list(sys.meta_path)
    saved_modules = dict(sys.modules)
    try:
        yield
    finally:
        if _default_realm._default is not None:
            _default_realm._default.close()
        sys.path[:] = saved_path
        sys.meta_path[:] = saved_meta
        for name in set(sys.modules) - set(saved_modules):
            del sys.modules[name]
        sys.modules.update(saved_modules)


@pytest.fixture
def modpath(tmp_path: Path, isolated_imports: None) -> Path:
    """A fresh directory on sys.path, with the import hook installed."""
    sys.path.insert(0, str(tmp_path))
    wasmport.install()
    return tmp_path


@pytest.fixture
def realm() -> Iterator[wasmport.Realm]:
    with wasmport.Realm() as r:
        yield r

