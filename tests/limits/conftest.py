"""The .wat fixtures of tests/fixtures/limits, compiled at test time."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "limits"


def fixture(name: str) -> str:
    return str(FIXTURES / f"{name}.wat")
