"""Fuzz the component path with hostile component bytes, through both phases.

Seeds are the committed components of tests/fixtures/components; mutated, spliced and
random bytes after a component header go through ``wasmport.compile`` and
``Realm.load``.  Only CompileError, LinkError and Trap (or TypeError/OverflowError from
wasmport's own value checks) may come out, and nothing may crash the interpreter.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wasmport

from . import fuzzing
from .test_fuzz_modules import no_code_cache  # noqa: F401 - the module's fixture

FIXTURES = Path(__file__).parent.parent / "fixtures" / "components"
SEEDS = {p.stem: p.read_bytes() for p in sorted(FIXTURES.glob("*/*.wasm"))}
HEADER = b"\0asm\x0d\x00\x01\x00"
FUZZ = settings(max_examples=fuzzing.EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ALLOWED = (wasmport.CompileError, wasmport.LinkError, wasmport.Trap, TypeError,
           OverflowError, wasmport.Err)
STAGES = {"compile", "link", "run", "ok"}
_names = itertools.count()


def run_component(load: Any) -> str:
    """Compile, inspect, instantiate (nothing granted) and call what takes no arguments."""
    with fuzzing.fuzz_realm() as realm:
        stage = "compile"
        try:
            comp = load(realm)
            if not isinstance(comp, wasmport.Component):
                return stage  # mutated into a core module: the module fuzzing covers it
            repr(comp)
            assert isinstance(comp.wit, str) and isinstance(comp.imports, dict)
            stage = "link"
            mod = comp.instantiate()
            stage = "run"
            for name in getattr(mod, "__all__", []):
                value = getattr(mod, name)
                if callable(value) and not isinstance(value, type):
                    try:
                        value()
                    except ALLOWED:
                        pass
            stage = "ok"
        except ALLOWED:
            pass
        return stage


def _compiled(data: bytes) -> Any:
    return lambda realm: wasmport.compile(data, name="fuzzed", realm=realm)


def test_seeds_compile() -> None:
    assert len(SEEDS) >= 5
    for name, data in SEEDS.items():
        assert run_component(_compiled(data)) in ("link", "ok"), name


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_after_a_component_header(data: bytes) -> None:
    assert run_component(_compiled(HEADER + data)) in STAGES


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.integers(0, 2**32), st.integers(1, 6))
def test_mutated_components(seed: str, rng: int, steps: int) -> None:
    assert run_component(_compiled(fuzzing.mutate(SEEDS[seed], rng, steps))) in STAGES


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.sampled_from(sorted(SEEDS)), st.integers(0, 2**32))
def test_spliced_components(a: str, b: str, rng: int) -> None:
    data = SEEDS[a][:rng % len(SEEDS[a])] + SEEDS[b][(rng // 7) % len(SEEDS[b]):]
    assert run_component(_compiled(data)) in STAGES


@settings(FUZZ, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
@given(st.sampled_from(sorted(SEEDS)), st.integers(0, 2**32), st.integers(1, 4),
       st.sampled_from(["instance", "source"]))
def test_mutated_component_files_through_load(tmp_path: Path, seed: str, rng: int, steps: int,
                                              phase: str) -> None:
    path = tmp_path / f"c{next(_names)}.wasm"
    path.write_bytes(fuzzing.mutate(SEEDS[seed], rng, steps))

    def load(realm: wasmport.Realm) -> Any:
        found = realm.load(str(path), phase="source")
        if phase == "instance" and isinstance(found, wasmport.Component):
            realm.load(str(path))  # the instance phase of the realm, then its source
        return found
    assert run_component(load) in STAGES


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_truncation_of_a_seed_compiles_or_is_a_compile_error(name: str) -> None:
    data, refused = SEEDS[name], 0
    for cut in range(9, len(data), max(1, len(data) // 40)):
        try:
            assert isinstance(wasmport.compile(data[:cut], name="cut"), wasmport.Component)
        except wasmport.CompileError:
            refused += 1
    assert refused > 0  # most cuts end inside a section
