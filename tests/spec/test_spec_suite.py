"""The WebAssembly spec scripts in ../shared/testsuite, run through wasmport (harness.py)."""

from __future__ import annotations

import pytest

from . import harness

# Skipped commands per script, and why (see harness.SKIP_*): linking.wast's typed-reference
# modules ($Mref_ex, $Mtable_ex) and the 15 commands that use them.
EXPECTED_SKIPS: dict[str, int] = {}  # every command of every file runs

WAST = harness.wast_files() if harness.TESTSUITE.is_dir() else []


def test_testsuite_is_present() -> None:
    if not harness.TESTSUITE.is_dir():
        pytest.skip(f"spec testsuite not found at {harness.TESTSUITE} "
                    "(CI checks it out beside the repository)")
    assert len(WAST) >= 22


@pytest.mark.parametrize("wast", WAST, ids=[w.stem for w in WAST])
def test_spec_script(wast: harness.Path) -> None:
    result = harness.run_wast(wast)
    assert result.outcomes, "no commands ran"
    assert [f"line {o.line}: {o.kind}: {o.detail}" for o in result.failures] == []
    assert result.count("skipped") == EXPECTED_SKIPS.get(wast.stem, 0), [
        f"line {o.line}: {o.kind}: {o.detail}" for o in result.outcomes if o.status == "skipped"]
