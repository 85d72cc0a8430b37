"""The WebAssembly spec scripts, run through wasmport (harness.py): one test per script.

``../shared/spec-testsuite`` (every core script and the proposals): no command may fail,
and each script skips exactly the commands expected_skips.json counts per reason
(gaps.py), so a gap that closes -- or opens -- changes a count and fails here until the
file is updated (``scripts/spec --write-expected``).

``../shared/testsuite``, the older 23 linking scripts, runs beside it with no skip at all
until the full suite has no failure left to fix (issue 15 retires it then).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import gaps, harness, suite

SPEC = suite.scripts() if suite.SPEC_TESTSUITE.is_dir() else []
OLD = sorted(suite.OLD_TESTSUITE.glob("*.wast")) if suite.OLD_TESTSUITE.is_dir() else []
EXPECTED: dict[str, dict[str, int]] = json.loads(harness.EXPECTED_SKIPS.read_text())


def _lines(result: harness.FileResult, status: str) -> list[str]:
    return [f"line {o.line}: {o.kind}: {o.detail}" for o in result.outcomes
            if o.status == status]


def test_testsuites_are_present() -> None:
    if not SPEC or not OLD:
        pytest.skip(f"spec testsuites not found at {suite.SPEC_TESTSUITE} and "
                    f"{suite.OLD_TESTSUITE} (CI checks them out beside the repository)")
    assert len([s for s in SPEC if s.proposal is None]) == 257
    assert {s.proposal for s in SPEC} == {None, *gaps.PROPOSALS}
    assert len(OLD) == 22


def test_expected_skips_name_real_scripts_and_reasons() -> None:
    names = {s.name for s in SPEC}
    assert not SPEC or set(EXPECTED) <= names
    for counts in EXPECTED.values():
        assert set(counts) <= set(gaps.ORDER) - {gaps.UNCLASSIFIED}


@pytest.mark.parametrize("script", SPEC, ids=[s.name for s in SPEC])
def test_spec_script(script: suite.Script) -> None:
    result = harness.run(script)
    assert result.outcomes, "no commands ran"
    assert _lines(result, "failed") == []
    assert result.skips() == EXPECTED.get(script.name, {}), _lines(result, "skipped")


@pytest.mark.parametrize("wast", OLD, ids=[f"testsuite/{w.stem}" for w in OLD])
def test_old_linking_script(wast: Path) -> None:
    result = harness.run_script(suite.convert(wast), wast.stem)
    assert result.outcomes, "no commands ran"
    assert _lines(result, "failed") == []
    assert _lines(result, "skipped") == []
