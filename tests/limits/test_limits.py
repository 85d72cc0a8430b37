"""Limits: each one stops runaway code with a ResourceLimitError naming it, and the
realm and its other instances keep working afterwards."""

from __future__ import annotations

import threading
import time

import pytest
import wasmtime

import wasmport
from wasmport import Limits, Realm, ResourceLimitError, Trap

from .conftest import FIXTURES, fixture

PAGE = 65536
HELLO = str(FIXTURES.parent / "wasi" / "hello.wasm")


def test_limits_validate_their_values() -> None:
    for bad in ({"fuel": -1}, {"max_memory": 1.5}, {"timeout": 0}, {"timeout": float("inf")},
                {"max_instances": True}):
        with pytest.raises(ValueError, match="Limits"):
            Limits(**bad)  # type: ignore[arg-type]
    assert repr(Limits(fuel=5)) == "Limits(fuel=5)"


def test_limits_given_later_win_over_the_realms() -> None:
    merged = Limits(timeout=2.0).over(Limits(fuel=10, timeout=1.0))
    assert merged == Limits(fuel=10, timeout=2.0)


def test_timeout_stops_an_infinite_loop_in_time() -> None:
    with Realm(limits=Limits(timeout=0.5)) as realm:
        loop = realm.load(fixture("loop"))
        start = time.monotonic()
        with pytest.raises(ResourceLimitError) as info:
            loop.spin()
        elapsed = time.monotonic() - start
        assert 0.5 <= elapsed < 0.6
        error = info.value
        assert (error.limit, error.value) == ("timeout", 0.5)
        assert isinstance(error, Trap) and error.code == wasmtime.TrapCode.INTERRUPT
        assert "timeout=0.5" in str(error) and "spin()" in str(error)
        assert loop.add(2, 3) == 5  # the realm still works
        start = time.monotonic()
        with pytest.raises(ResourceLimitError):
            loop.spin()  # and each call gets a fresh budget
        assert time.monotonic() - start < 0.6


def test_timeout_is_per_call_not_per_realm() -> None:
    with Realm(limits=Limits(timeout=0.2)) as realm:
        loop = realm.load(fixture("loop"))
        time.sleep(0.3)  # longer than the timeout, with no call running
        assert loop.add(1, 1) == 2


def test_fuel_stops_a_loop_deterministically() -> None:
    counts = []
    for _ in range(2):
        with Realm(limits=Limits(fuel=10_000)) as realm:
            loop = realm.load(fixture("loop"))
            with pytest.raises(ResourceLimitError) as info:
                loop.spin()
            counts.append(loop.count)
            assert (info.value.limit, info.value.value) == ("fuel", 10_000)
            assert info.value.code == wasmtime.TrapCode.OUT_OF_FUEL
            assert loop.add(1, 2) == 3  # refuelled for the next call
    assert counts[0] == counts[1] > 0


def test_fuel_is_a_budget_per_call() -> None:
    with Realm(limits=Limits(fuel=10_000)) as realm:
        loop = realm.load(fixture("loop"))
        for target in (500, 1000, 1500):  # each call fits; together they would not
            loop.spin_for(target)
        assert loop.count == 1500


def test_memory_bomb_stops_at_the_limit() -> None:
    with Realm(limits=Limits(max_memory=8 * PAGE)) as realm:
        bomb = realm.load(fixture("memory_bomb"))
        assert bomb.grow_all() == 8  # memory.grow returned -1 at the limit
        assert len(bomb.memory) == 8 * PAGE
    with Realm() as free:
        assert free.load(fixture("memory_bomb")).grow_all() == 1000  # its own maximum


def test_a_trap_after_a_refused_grow_names_max_memory() -> None:
    with Realm(limits=Limits(max_memory=4 * PAGE)) as realm:
        bomb = realm.load(fixture("memory_bomb"))
        other = realm.load(fixture("loop"))
        with pytest.raises(ResourceLimitError) as info:
            bomb.grow_then_trap()
        assert (info.value.limit, info.value.value) == ("max_memory", 4 * PAGE)
        assert info.value.code == wasmtime.TrapCode.UNREACHABLE
        assert "'memory' was at the limit" in str(info.value)
        assert other.add(1, 1) == 2 and bomb.pages() == 4


def test_an_unrelated_trap_stays_a_plain_trap() -> None:
    with Realm(limits=Limits(max_memory=4 * PAGE)) as realm:
        bomb = realm.load(fixture("memory_bomb"))  # 1 page: far from the limit
        trapper = wasmport.compile("(module (func (export \"t\") unreachable))", name="t")
        with pytest.raises(Trap) as info:
            trapper.instantiate(realm=realm).t()
        assert not isinstance(info.value, ResourceLimitError)
        assert bomb.pages() == 1


def test_instantiating_more_memory_than_allowed() -> None:
    with Realm(limits=Limits(max_memory=4 * PAGE)) as realm:
        with pytest.raises(ResourceLimitError, match="max_memory=262144") as info:
            realm.load(fixture("big_memory"))
        assert info.value.limit == "max_memory"


def test_instance_bomb_stops_at_max_instances() -> None:
    with Realm(limits=Limits(max_instances=3)) as realm:
        source = realm.load(fixture("instance_bomb") + "?source")
        made = [source.instantiate() for _ in range(3)]
        with pytest.raises(ResourceLimitError) as info:
            source.instantiate()
        assert (info.value.limit, info.value.value) == ("max_instances", 3)
        assert "instance count too high" in str(info.value)
        assert [m.ping() for m in made] == [7, 7, 7]  # the others still work


def test_max_table_elements() -> None:
    with Realm(limits=Limits(max_table_elements=50)) as realm:
        with pytest.raises(ResourceLimitError) as info:
            realm.load(fixture("big_table"))
        assert info.value.limit == "max_table_elements"
        small = realm.load(fixture("instance_bomb"))
        assert small.table_grow(40) == 10  # 10 -> 50: allowed
        assert small.table_grow(1) == -1  # 51: refused, as wasm defines it


def test_per_load_limits_use_a_child_realm() -> None:
    with Realm(name="host") as realm:
        limited = wasmport.load(fixture("loop"), realm=realm, limits=Limits(fuel=1000))
        free = realm.load(fixture("loop"))
        assert limited is not free
        with pytest.raises(ResourceLimitError):
            limited.spin()
        free.spin_for(100_000)  # the realm itself is unlimited
        assert free.count == 100_000


def test_instantiate_with_limits() -> None:
    source = wasmport.load(fixture("loop") + "?source")
    with pytest.raises(ResourceLimitError):
        source.instantiate(limits=Limits(fuel=100)).spin()


def test_nested_calls_share_the_outer_budget() -> None:
    calls = []
    source = wasmport.load(fixture("reenter") + "?source")
    with Realm(limits=Limits(timeout=0.3)) as realm:
        def callback() -> None:
            calls.append(time.monotonic())
            inner.spin()  # runs into the outer call's deadline

        inner = source.instantiate({"env": {"callback": callback}}, realm=realm)
        start = time.monotonic()
        with pytest.raises(ResourceLimitError) as info:
            inner.outer()
        assert time.monotonic() - start < 0.45 and len(calls) == 1
        assert info.value.limit == "timeout"
        assert inner.add(2, 2) == 4


def test_other_threads_run_while_wasm_computes() -> None:
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    with Realm(limits=Limits(timeout=0.3)) as realm:
        loop = realm.load(fixture("loop"))
        thread = threading.Thread(target=count)
        thread.start()
        try:
            with pytest.raises(ResourceLimitError):
                loop.spin()
            seen_during_call = ticks
        finally:
            stop.set()
            thread.join()
    assert seen_during_call > 100_000  # the GIL was free for the whole call


def test_a_timeout_stops_a_run() -> None:
    start = time.monotonic()
    with pytest.raises(ResourceLimitError, match="timeout=0.3"):
        wasmport.run(fixture("loop"), limits=Limits(timeout=0.3))
    assert time.monotonic() - start < 0.5


def test_fuel_limits_a_wasi_program() -> None:
    with pytest.raises(ResourceLimitError) as info:
        wasmport.run(HELLO, limits=Limits(fuel=50), stdout="discard")
    assert info.value.limit == "fuel"
    result = wasmport.run(HELLO, limits=Limits(fuel=1_000_000), capture_output=True)
    assert result.stdout == b"hello from wasi\n"


@pytest.mark.parametrize("settings", [
    {"limits": Limits(max_memory=4 * PAGE, fuel=10_000)},
    {"wasi": wasmport.WasiConfig()},
    {},
], ids=["limits", "wasi", "plain"])
def test_instantiating_wraps_no_export(settings: dict[str, object],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: a realm with limits or WASI used to wrap every export of every new
    # instance (2,001 wraps for this module); only what Python touches is wrapped.
    from wasmport._exports import instance as instance_module
    from wasmport._exports.instance import Instance

    wraps: list[str] = []
    real_lookup, real_export = Instance._lookup, instance_module.export_function
    # The general look-up, and the native layer's own for function exports.
    monkeypatch.setattr(Instance, "_lookup",
                        lambda self, name: wraps.append(name) or real_lookup(self, name))
    monkeypatch.setattr(instance_module, "export_function", lambda ctx, found, name, *more:
                        wraps.append(name) or real_export(ctx, found, name, *more))
    funcs = "".join(f'(func (export "f{i}") (result i32) i32.const {i})' for i in range(2000))
    module = wasmport.compile(f'(module (memory (export "memory") 1 4) {funcs})')
    with Realm(**settings) as realm:  # type: ignore[arg-type]
        instance = module.instantiate(realm=realm)
        assert wraps == []
        assert instance.f1999() == 1999
        assert wraps == ["f1999"]



def test_max_instances_counts_only_instances_that_were_made() -> None:
    trapping = "(module (memory 1) (func $start unreachable) (start $start))"
    with Realm(limits=Limits(max_instances=3)) as realm:
        bad = wasmport.compile(trapping, realm=realm)
        good = wasmport.compile('(module (memory (export "m") 1))', realm=realm)
        for _ in range(5):  # each start function traps: no instance is made
            with pytest.raises(wasmport.Trap) as info:
                bad.instantiate()
            assert not isinstance(info.value, ResourceLimitError)
        made = [good.instantiate() for _ in range(3)]
        with pytest.raises(ResourceLimitError, match="the realm holds 3") as refused:
            good.instantiate()
        assert refused.value.limit == "max_instances" and len(made) == 3
