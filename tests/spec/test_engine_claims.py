"""The harness's claims about wasmtime 50, checked against raw wasmtime-py (gaps.PROPOSALS):
which Config flag each proposal needs, which flags are on by default, and that wasmtime
lacks custom-descriptors altogether.  If a wasmtime upgrade changes one, this fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import wasmtime
import wasmtime._ffi as ffi

import wasmport

from . import gaps, rawcheck, suite

PROPOSALS = suite.SPEC_TESTSUITE / "proposals"
pytestmark = pytest.mark.skipif(not PROPOSALS.is_dir(), reason=f"no {PROPOSALS}")


def _modules(proposal: str) -> list[Path]:
    """The .wasm files of the modules the proposal's scripts expect to be valid."""
    found = []
    for wast in sorted((PROPOSALS / proposal).glob("*.wast")):
        script = suite.convert(wast)
        for cmd in json.loads(script.read_text())["commands"]:
            if cmd["type"] in ("module", "module_definition") and "filename" in cmd:
                found.append(script.parent / cmd["filename"])
    assert found
    return found


def _refused(paths: list[Path], flags: tuple[str, ...] = (), off: tuple[str, ...] = ()
             ) -> list[str]:
    reasons = (rawcheck.compile_error(p, flags, off) for p in paths)
    return [r for r in reasons if r is not None]


def test_every_proposal_has_a_config_flag_but_custom_descriptors() -> None:
    for name, proposal in gaps.PROPOSALS.items():
        if proposal.config_flag:
            assert proposal.config_flag in rawcheck.ALL_FLAGS, name
    assert not [f for f in dir(wasmtime.Config) if "descriptor" in f]
    assert not hasattr(ffi.dll, "wasmtime_config_wasm_custom_descriptors_set")
    assert hasattr(ffi.dll, "wasmtime_config_wasm_custom_page_sizes_set")  # the probe works


def test_custom_descriptors_are_refused_with_every_flag_on() -> None:
    reasons = _refused(_modules("custom-descriptors"), rawcheck.ALL_FLAGS)
    assert sum("custom descriptors" in r for r in reasons) >= 40, reasons


def test_custom_page_sizes_need_their_flag() -> None:
    modules = _modules("custom-page-sizes")
    assert _refused(modules)  # off by default
    assert _refused(modules, ("wasm_custom_page_sizes",)) == []


def test_threads_are_on_by_default_but_shared_memories_need_the_realm_feature(
        realm: wasmport.Realm) -> None:
    modules = _modules("threads")
    assert _refused(modules) == []
    assert _refused(modules, off=("wasm_threads",))
    text = "(module (memory (export \"m\") 1 1 shared))"
    with pytest.raises(wasmport.LinkError, match="shared"):
        wasmport.compile(text).instantiate(realm=realm)
    with wasmport.Realm(features={"threads"}) as threads:
        assert wasmport.compile(text, realm=threads).instantiate().m.shared


def test_wide_arithmetic_is_on_by_default() -> None:
    modules = _modules("wide-arithmetic")
    assert _refused(modules) == []
    assert _refused(modules, off=("wasm_wide_arithmetic",))


def test_the_threads_scripts_call_invalid_what_wasmtime_accepts() -> None:
    modules = []
    for wast in sorted((PROPOSALS / "threads").glob("*.wast")):
        script = suite.convert(wast)
        modules += [script.parent / c["filename"] for c in json.loads(script.read_text())[
            "commands"] if c["type"] == "assert_invalid" and c["text"] in gaps.PRE_3_0_INVALID]
    assert len(modules) == 8
    assert _refused(modules) == []
