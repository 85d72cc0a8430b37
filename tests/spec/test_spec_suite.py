"""The WebAssembly spec scripts, run through wasmport (harness.py): one test per script.

``../shared/spec-testsuite`` (every core script and the proposals): no command may fail,
and each script skips exactly the commands expected_skips.json counts per reason
(gaps.py), so a skip that goes -- or comes -- changes a count and fails here until the
file is updated (``scripts/spec --write-expected``).  (The older subset of 23 linking
scripts in ``../shared/testsuite`` is part of it and no longer runs on its own.)
"""

from __future__ import annotations

import json

import pytest

from . import gaps, harness, suite

SPEC = suite.scripts() if suite.SPEC_TESTSUITE.is_dir() else []
EXPECTED: dict[str, dict[str, int]] = json.loads(harness.EXPECTED_SKIPS.read_text())


def _lines(result: harness.FileResult, status: str) -> list[str]:
    return [f"line {o.line}: {o.kind}: {o.detail}" for o in result.outcomes
            if o.status == status]


def test_testsuites_are_present() -> None:
    if not SPEC:
        pytest.skip(f"the spec testsuite is not at {suite.SPEC_TESTSUITE} (CI checks it "
                    "out beside the repository)")
    assert len([s for s in SPEC if s.proposal is None]) == 257
    assert {s.proposal for s in SPEC} == {None, *gaps.PROPOSALS}


def test_expected_skips_name_real_scripts_and_reasons() -> None:
    names = {s.name for s in SPEC}
    assert not SPEC or set(EXPECTED) <= names
    for counts in EXPECTED.values():
        assert set(counts) <= set(gaps.ORDER)


@pytest.mark.parametrize("script", SPEC, ids=[s.name for s in SPEC])
def test_spec_script(script: suite.Script) -> None:
    result = harness.run(script)
    assert result.outcomes, "no commands ran"
    assert _lines(result, "failed") == []
    assert result.skips() == EXPECTED.get(script.name, {}), _lines(result, "skipped")
