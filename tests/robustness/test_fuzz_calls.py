"""Fuzz calls with every value type, on the fast (native or ctypes) and the checked call
path at once: random signatures, random Python arguments and host results -- in range,
out of range, of the wrong kind (bool, Fraction, Decimal, bytes, str, objects).

The rule: both paths give the same answer (the same results, or the same exception
type; with several values of which more than one is bad, each path may report another
first), and the only exceptions are TypeError, OverflowError, ValueError or a Trap.  A
crash fails the run (``scripts/fuzz`` counts it).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wasmport

from . import fuzzing

TYPES = ("i32", "i64", "f32", "f64", "v128", "funcref", "externref", "anyref", "eqref",
         "i31ref", "exnref")
ALLOWED = (TypeError, OverflowError, ValueError, wasmport.Trap)
FUZZ = settings(max_examples=fuzzing.EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
SHARED = object()  # an externref whose identity must come back

values = st.one_of(
    st.integers(-(2**130), 2**130), st.sampled_from([0, 1, -1, 2**31, 2**32 - 1, 2**63,
                                                     2**64 - 1, 2**127, 2**128 - 1]),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.sampled_from([Fraction(1, 3), Decimal("2.5"), SHARED, "1", b"x" * 16, [1]]),
    st.binary(max_size=17), st.builds(wasmport.I31, st.integers(-(2**30), 2**30 - 1)))


def _module(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    sig = f"(param {' '.join(params)}) (result {' '.join(results)})" if params else \
        f"(result {' '.join(results)})"
    gets = " ".join(f"(local.get {i})" for i in range(len(params)))
    return (f'(module (import "env" "h" (func $h {sig}))'
            f' (func (export "id") {sig} {gets} call $h))')


@pytest.fixture(scope="module")
def realms() -> Iterator[tuple[wasmport.Realm, wasmport.Realm]]:
    with wasmport.Realm(name="fast") as fast, wasmport.Realm(
            name="checked", limits=wasmport.Limits(fuel=10**6)) as checked:
        yield fast, checked


def _shown(value: Any) -> Any:
    """A result as a comparable value: floats by their bits, objects by identity."""
    if isinstance(value, tuple):
        return tuple(_shown(v) for v in value)
    if isinstance(value, float):
        return ("float", struct.pack("<d", value)) if not math.isnan(value) else ("nan",)
    if isinstance(value, wasmport.Function):
        return ("function",)
    if isinstance(value, wasmport.I31):
        return ("i31", value.value)
    if value is None or isinstance(value, int):
        return value
    return ("object", id(value))


def _outcome(realm: wasmport.Realm, text: str, args: list[Any], back: list[Any]) -> Any:
    results = back[0] if len(back) == 1 else tuple(back)
    try:
        inst = wasmport.compile(text, realm=realm).instantiate(
            {"env": {"h": lambda *a: results}})
        return _shown(inst.id(*args))
    except ALLOWED as err:
        return type(err).__name__ if not isinstance(err, wasmport.Trap) else "Trap"


@FUZZ
@given(st.data())
def test_both_paths_answer_every_call_alike(realms: Any, data: st.DataObject) -> None:
    params = tuple(data.draw(st.lists(st.sampled_from(TYPES), max_size=4)))
    results = tuple(data.draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3)))
    args = [data.draw(values) for _ in params]
    back = [data.draw(values) for _ in results]
    text = _module(params, results)
    fast, checked = (_outcome(realm, text, args, back) for realm in realms)
    if isinstance(fast, str) and isinstance(checked, str) and len(params) + len(results) > 2:
        return  # both refused; with several bad values the paths may name another first
    assert fast == checked, (params, results, args, back, fast, checked)
