"""The native RLock behaves as threading.RLock does, and guards under contention."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from wasmport._engine.fast import _native

from .conftest import outcome, run_isolated

KINDS = {"threading": threading.RLock, "native": _native.new_lock}


@pytest.fixture(params=sorted(KINDS))
def make_lock(request):
    return KINDS[request.param]


def _in_thread(fn):
    out = []
    t = threading.Thread(target=lambda: out.append(outcome(fn)))
    t.start()
    t.join()
    return out[0]


def test_reentrant_ownership_and_release_rules(make_lock) -> None:
    lock = make_lock()
    assert lock.acquire() is True and lock.acquire() is True and lock._is_owned()
    assert _in_thread(lambda: lock.acquire(blocking=False)) == ("ok", False)
    assert _in_thread(lock.release)[0] is RuntimeError
    lock.release()
    assert lock._is_owned()
    lock.release()
    assert not lock._is_owned()
    assert outcome(lock.release) == (RuntimeError, "cannot release un-acquired lock")
    assert _in_thread(lambda: lock.acquire(timeout=0.01)) == ("ok", True)  # that thread ended


def test_with_and_bad_arguments_match_threading(make_lock) -> None:
    lock = make_lock()
    with lock as entered:
        assert entered is True and lock._is_owned()
    assert not lock._is_owned()
    reference = threading.RLock()
    for kwargs in ({"blocking": False, "timeout": 1}, {"timeout": -2}):
        assert outcome(lock.acquire, **kwargs) == outcome(reference.acquire, **kwargs)
    assert outcome(lock.acquire, timeout=1e300)[0] is OverflowError
    assert outcome(lock.acquire, "yes") == outcome(reference.acquire, "yes")
    assert outcome(lock.acquire, True, None)[0] is TypeError


def test_a_timeout_expires_while_another_thread_holds_it(make_lock) -> None:
    lock = make_lock()
    held, done = threading.Event(), threading.Event()

    def holder() -> None:
        with lock:
            held.set()
            done.wait()

    t = threading.Thread(target=holder)
    t.start()
    held.wait()
    start = time.perf_counter()
    try:
        assert lock.acquire(timeout=0.05) is False
        assert time.perf_counter() - start >= 0.04
    finally:
        done.set()
        t.join()
    assert lock.acquire(timeout=1) is True


def test_threads_take_turns_under_contention(make_lock) -> None:
    lock = make_lock()
    counter = [0]

    def work() -> None:
        for _ in range(2000):
            with lock:
                value = counter[0]
                time.sleep(0) if value % 97 == 0 else None  # give the lock up mid-section
                counter[0] = value + 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert counter[0] == 8000


INTERRUPTED = """
import signal, sys, threading
from wasmport._engine.fast import _native
lock = _native.new_lock() if sys.argv[1] == "native" else threading.RLock()
held = threading.Event()
main = threading.main_thread().ident
def holder():
    with lock:
        held.set()
        threading.Event().wait(0.3)
        signal.pthread_kill(main, signal.SIGINT)
        threading.Event().wait(0.3)
t = threading.Thread(target=holder)
t.start()
held.wait()
try:
    lock.acquire()
    print("acquired")
except KeyboardInterrupt:
    print("interrupted", lock._is_owned())
t.join()
print(lock.acquire(timeout=5))
"""


def test_a_signal_handler_raising_aborts_the_wait(make_lock) -> None:
    kind = "native" if make_lock is _native.new_lock else "threading"
    out = run_isolated(INTERRUPTED, kind)
    assert (out.returncode, out.stdout) == (0, "interrupted False\nTrue\n"), out.stderr
