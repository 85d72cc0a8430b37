"""Closing a realm, or exiting the interpreter, while threads use its values and
functions: never a crash, never an error outside the tree (race_child.py, in
subprocesses; scripts/races runs each scenario many times on every layer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .race_child import SCENARIOS

CHILD = Path(__file__).with_name("race_child.py")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_race_neither_crashes_nor_leaves_the_error_tree(scenario) -> None:
    for _ in range(2):
        out = subprocess.run([sys.executable, str(CHILD), scenario], capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, (out.returncode, out.stdout, out.stderr[-2000:])
        assert "panicked" not in out.stderr and out.stdout.startswith("ok"), out.stderr
        if scenario.startswith("close-"):
            assert out.stdout.split()[1:] == ["RealmClosedError"], out.stdout
