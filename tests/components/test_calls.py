"""Calling exports: results, host imports, traps, and the blast radius of a failure."""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime

import wasmport
from wasmport._component import Err, compile_component, instantiate
from wasmport._errors import InstancePoisonedError

from .conftest import FIXTURES


def test_root_functions_and_interfaces(calc: Any) -> None:
    assert calc.exports.add(1, 2) == 3
    assert calc.exports.add(2**32 - 1, 1) == 0  # the guest's i32.add wraps; wasmport did not
    assert calc.exports.now() == 42
    api = calc.exports.api
    assert api.echo("héllo") == "héllo" and api.echo("") == ""
    assert api.bump(api.Pair("x", 5)) == api.Pair("x", 6)
    assert api.div(7, 2) == 3
    assert calc.exports["test:calc/api@0.1.0"] is api
    assert calc.exports["add"](4, 5) == 9


def test_result_errors_raise_err(calc: Any) -> None:
    with pytest.raises(Err) as raised:
        calc.exports.api.div(1, 0)
    assert raised.value.value == "division by zero"
    assert calc.exports.api.div(9, 3) == 3  # an Err is a value, not a failure


def test_host_imports_get_python_values(calc: Any) -> None:
    api = calc.exports.api
    assert api.call_add(3, 4) == 7
    api.greet("bob")
    assert calc.host.logged == ["bob"]
    moved = api.move_point(calc.exports.host.Point(1, 1))
    assert moved == calc.exports.host.Point(2, 3)
    assert calc.exports.host.Point is api.Point  # one class for one type


def test_trap_is_a_wasmport_trap_with_code_and_frames(calc: Any) -> None:
    with pytest.raises(wasmport.Trap) as raised:
        calc.exports.api.boom()
    assert raised.value.code == wasmtime.TrapCode.UNREACHABLE
    assert raised.value.frames and "unreachable" in str(raised.value)
    assert str(raised.value).startswith("calc.wasm: api.boom(): wasm trap:")


def test_after_a_trap_the_instance_says_instantiate_again(calc: Any, new: Any) -> None:
    with pytest.raises(wasmport.Trap):
        calc.exports.api.boom()
    assert calc.poisoned
    for call in (lambda: calc.exports.add(1, 2), lambda: calc.exports.api.echo("x")):
        with pytest.raises(InstancePoisonedError, match="instantiate the component again"):
            call()
    other = new("calc", {"test:calc/host": calc.host, "tick": lambda: 1})
    assert other.exports.add(1, 2) == 3  # another instance, in its own store, works


def test_a_failure_poisons_the_store_not_the_engine(engine: Any, code: Any) -> None:
    """wasmtime 50 refuses every component instance of a store after a trap in one."""
    store = wasmtime.Store(engine)
    host = {"test:calc/host": _Host(), "tick": lambda: 1}
    first, second = (instantiate(store, code("calc"), host) for _ in range(2))
    core = wasmtime.Instance(store, wasmtime.Module(
        engine, '(module (func (export "f") (result i32) i32.const 7))'), [])
    with pytest.raises(wasmport.Trap):
        first.exports.api.boom()
    with pytest.raises(InstancePoisonedError, match="another component instance in the same"):
        second.exports.add(1, 2)
    assert core.exports(store)["f"](store) == 7


class _Host:
    def log(self, msg: str) -> None:
        raise KeyError(msg)

    def add(self, a: int, b: int) -> Any:
        return "not a number" if a == 99 else a + b

    def offset(self, p: Any) -> Any:
        return p


def test_a_host_exception_reaches_the_caller_as_the_same_object(new: Any) -> None:
    boom = ValueError("from the host")

    class Host(_Host):
        def add(self, a: int, b: int) -> int:
            raise boom
    inst = new("calc", {"test:calc/host": Host(), "tick": lambda: 1})
    with pytest.raises(ValueError) as raised:
        inst.exports.api.call_add(1, 2)
    assert raised.value is boom
    assert inst.poisoned  # the guest was unwound in the middle of its call
    with pytest.raises(InstancePoisonedError):
        inst.exports.add(1, 2)


def test_host_results_are_checked_like_arguments(new: Any) -> None:
    inst = new("calc", {"test:calc/host": _Host(), "tick": lambda: 2**32})
    with pytest.raises(TypeError, match=r"host test:calc/host@0.1.0#add\(\): returned value: "
                                        r"expected an int \(u32\), got str"):
        inst.exports.api.call_add(99, 1)
    inst2 = new("calc", {"test:calc/host": _Host(), "tick": lambda: 2**32})
    with pytest.raises(OverflowError, match=r"host tick\(\): returned value: 4294967296"):
        inst2.exports.now()


def test_fuel_stops_a_loop() -> None:
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    data = (FIXTURES / "calc" / "calc.wasm").read_bytes()
    store = wasmtime.Store(engine)
    store.set_fuel(100_000)
    inst = instantiate(store, compile_component(engine, data, "calc.wasm"),
                       {"test:calc/host": _Host(), "tick": lambda: 1})
    assert inst.exports.api.spin(100) == 100
    with pytest.raises(wasmport.Trap) as raised:
        inst.exports.api.spin(10**12)
    assert raised.value.code == wasmtime.TrapCode.OUT_OF_FUEL


def test_release_gil_calls_work(new: Any) -> None:
    inst = new("calc", {"test:calc/host": _Host(), "tick": lambda: 5}, release_gil=True)
    assert inst.exports.add(2, 3) == 5
    assert inst.exports.api.echo("x" * 100) == "x" * 100
    assert inst.exports.api.spin(10) == 10


def test_a_host_function_cannot_reenter_its_instance(new: Any) -> None:
    seen: list[BaseException] = []
    box: dict[str, Any] = {}

    class Host(_Host):
        def add(self, a: int, b: int) -> int:
            try:
                box["inst"].exports.add(1, 2)
            except wasmport.Trap as err:
                seen.append(err)
            return a + b
    box["inst"] = inst = new("calc", {"test:calc/host": Host(), "tick": lambda: 1})
    assert inst.exports.api.call_add(2, 3) == 5
    assert "not reentrant" in str(seen[0])
    assert not inst.poisoned  # refused before the engine was asked
    assert inst.exports.add(1, 1) == 2


def test_an_instance_nobody_refers_to_goes_with_its_store(engine: Any, code: Any) -> None:
    import gc
    import weakref

    from wasmport._component import _host
    gc.collect()  # what earlier tests left goes first
    before = _host.live_hosts()
    store = wasmtime.Store(engine)
    gone = weakref.ref(store)
    inst = instantiate(store, code("calc"), {"test:calc/host": _Host(), "tick": lambda: 1})
    assert _host.live_hosts() - before == 4  # log, add, offset, tick
    assert inst.exports.api.call_add(1, 2) == 3
    with pytest.raises(wasmport.Trap):
        inst.exports.api.boom()  # a failure, whose traceback refers to the store
    del inst, store
    gc.collect()
    assert gone() is None and _host.live_hosts() == before


def test_a_timeout_interrupts_a_call_that_releases_the_gil() -> None:
    import threading

    config = wasmtime.Config()
    config.epoch_interruption = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    store.set_epoch_deadline(1)
    data = (FIXTURES / "calc" / "calc.wasm").read_bytes()
    inst = instantiate(store, compile_component(engine, data, "calc.wasm"),
                       {"test:calc/host": _Host(), "tick": lambda: 1}, release_gil=True)
    ticker = threading.Timer(0.05, engine.increment_epoch)
    ticker.start()
    with pytest.raises(wasmport.Trap) as raised:
        inst.exports.api.spin(10**10)  # ~10 s if nothing stopped it
    ticker.join()
    assert raised.value.code == wasmtime.TrapCode.INTERRUPT
