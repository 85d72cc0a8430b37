"""Fuzz wasmport with hostile module bytes and text, through both phases.

A few dozen examples per test in the normal run; ``scripts/fuzz N`` runs N per test.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wasmport

from . import fuzzing, wasmgen

SEEDS = fuzzing.seed_bytes()
HEADER = b"\0asm\x01\x00\x00\x00"
FUZZ = settings(max_examples=fuzzing.EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_names = itertools.count()
STAGES = {"compile", "link", "run", "ok"}  # how far an input got; anything else raised


@pytest.fixture(scope="module", autouse=True)
def no_code_cache() -> Iterator[None]:
    """Thousands of throwaway modules: keep them out of the on-disk code cache."""
    saved = os.environ.get("WASMPORT_CACHE")
    os.environ["WASMPORT_CACHE"] = "0"
    yield
    if saved is None:
        del os.environ["WASMPORT_CACHE"]
    else:
        os.environ["WASMPORT_CACHE"] = saved


def _from_bytes(data: bytes):  # type: ignore[no-untyped-def]
    return lambda realm: wasmport.compile(data, name="fuzzed", realm=realm)


def test_seeds_run_to_the_end() -> None:
    """The seeds themselves are valid, link against the fuzz env, and run."""
    for name, data in SEEDS.items():
        assert fuzzing.run_module(_from_bytes(data)) == "ok", name


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    assert fuzzing.run_module(_from_bytes(data)) == "compile"  # never a module, at best


@FUZZ
@given(st.binary(max_size=300))
def test_random_sections_after_a_valid_header(data: bytes) -> None:
    assert fuzzing.run_module(_from_bytes(HEADER + data)) in STAGES


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.integers(0, 2**32), st.integers(1, 6))
def test_mutated_modules(seed: str, rng: int, steps: int) -> None:
    assert fuzzing.run_module(_from_bytes(fuzzing.mutate(SEEDS[seed], rng, steps))) in STAGES


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.sampled_from(sorted(SEEDS)), st.integers(0, 2**32))
def test_spliced_modules(a: str, b: str, rng: int) -> None:
    """The head of one seed and the tail of another: sections out of order, duplicated."""
    cut_a = rng % len(SEEDS[a])
    cut_b = (rng // 7) % len(SEEDS[b])
    assert fuzzing.run_module(_from_bytes(SEEDS[a][:cut_a] + SEEDS[b][cut_b:])) in STAGES


@settings(FUZZ, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
@given(st.sampled_from(sorted(SEEDS)), st.integers(0, 2**32), st.integers(1, 4),
       st.sampled_from(["instance", "source"]))
def test_mutated_files_through_load(tmp_path: Path, seed: str, rng: int, steps: int,
                                    phase: str) -> None:
    """The same through ``Realm.load`` of a .wasm file, in both phases."""
    path = tmp_path / f"m{next(_names)}.wasm"  # a fresh name: never a stale asset
    path.write_bytes(fuzzing.mutate(SEEDS[seed], rng, steps))

    def load(realm: wasmport.Realm) -> wasmport.Module:
        if phase == "source":
            module = realm.load(str(path), phase="source")
            assert isinstance(module, wasmport.Module)
            return module  # type: ignore[no-any-return]
        return wasmport.instance_of(realm.load(str(path))).module

    assert fuzzing.run_module(load) in STAGES


@FUZZ
@given(wasmgen.modules())
def test_generated_modules(text: str) -> None:
    """Valid-looking modules: most get past the validator to the linker and the calls."""
    stage = fuzzing.run_module(lambda realm: wasmport.compile(text, name="generated", realm=realm))
    assert stage in STAGES


_WAT_TOKENS = ["(", ")", "module", "func", "export", "import", '"env"', '"f"', "param",
               "result", "i32", "i64", "f32", "f64", "v128", "i32.const", "0", "-1",
               "4294967296", "i32.add", "local.get", "memory", "data", '"x"', "table",
               "funcref", "global", "mut", "start", "elem", "call", "$f", "unreachable",
               "nan:0x1", "inf", ";;", "(;", ";)", "\\", "\x00", "é", "0x", "offset=",
               "align=3", "type", "tag", "throw"]


@FUZZ
@given(st.lists(st.sampled_from(_WAT_TOKENS), max_size=40))
def test_token_soup_text(tokens: list[str]) -> None:
    text = " ".join(tokens)
    stage = fuzzing.run_module(lambda realm: wasmport.compile(text, name="soup", realm=realm))
    assert stage in STAGES


@FUZZ
@given(st.sampled_from(sorted(fuzzing.SEEDS)), st.integers(0, 10_000), st.integers(0, 40),
       st.text(max_size=6))
def test_mutated_text(seed: str, at: int, cut: int, insert: str) -> None:
    src = fuzzing.SEEDS[seed]
    at %= len(src)
    text = src[:at] + insert + src[at + cut:]
    stage = fuzzing.run_module(lambda realm: wasmport.compile(text, name="text", realm=realm))
    assert stage in STAGES


@settings(FUZZ, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(fuzzing.SEEDS)), st.integers(0, 10_000), st.text(max_size=6))
def test_mutated_wat_files(tmp_path: Path, seed: str, at: int, insert: str) -> None:
    src = fuzzing.SEEDS[seed]
    at %= len(src)
    path = tmp_path / f"t{next(_names)}.wat"
    path.write_text(src[:at] + insert + src[at:], encoding="utf-8", errors="surrogatepass")
    assert fuzzing.run_module(lambda realm: realm.load(str(path), phase="source")) in STAGES
