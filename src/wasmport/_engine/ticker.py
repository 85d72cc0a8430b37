"""The epoch ticker: one thread per engine advancing its epoch while timed calls run."""

from __future__ import annotations

import threading
import time

import wasmtime

TICK = 0.01  # seconds per engine epoch while a timed call runs


class Ticker:
    """Advances one engine's epoch with the wall clock while timed calls run.

    The epoch counts TICK-sized steps of ``time.monotonic()``; when late (the GIL was
    busy) it catches up, so a deadline of N ticks is N * TICK seconds of wall time.
    The thread sleeps on a condition while no timed call is running.
    """

    def __init__(self, engine: wasmtime.Engine) -> None:
        self._engine = engine
        self._active = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        with self._cond:
            self._active += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wasmport-epoch",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def release(self) -> None:
        with self._cond:
            self._active -= 1

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._active == 0:
                    self._cond.wait()
            start, done = time.monotonic(), 0
            while self._active:
                time.sleep(TICK)
                due = int((time.monotonic() - start) / TICK)
                while done < due:
                    self._engine.increment_epoch()
                    done += 1
