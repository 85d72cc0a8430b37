import inspect
import math

import pytest

import wasmport

FUNCS = """(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "id64") (param i64) (result i64) local.get 0)
  (func (export "idf32") (param f32) (result f32) local.get 0)
  (func (export "idf64") (param f64) (result f64) local.get 0)
  (func (export "pair") (result i32 i64) i32.const -1 i64.const 5)
  (func (export "nothing"))
  (func (export "with space") (result i32) i32.const 1)
  (func (export "🦀") (result i32) i32.const 2)
  (func (export "a.b") (result i32) i32.const 3)
  (func (export "") (result i32) i32.const 4)
  (global (export "const") i32 (i32.const 42))
  (global $c (export "counter") (mut i64) (i64.const 0))
  (func (export "incr") global.get $c i64.const 1 i64.add global.set $c)
  (memory (export "memory") 1 3)
  (table (export "table") 2 funcref)
  (elem (i32.const 0) func 0))"""


@pytest.fixture
def mod(realm):
    return wasmport.compile(FUNCS, name="funcs", realm=realm).instantiate()


def test_calls_and_results(mod):
    assert mod.add(2, 3) == 5
    assert mod.pair() == (-1, 5)
    assert mod.nothing() is None
    assert mod.idf64(0.1) == 0.1
    assert mod.idf32(0.1) == pytest.approx(0.1, rel=1e-7) and mod.idf32(0.1) != 0.1
    assert mod.idf64(3) == 3.0
    assert math.isnan(mod.idf64(float("nan")))


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0), (2**31 - 1, 2**31 - 1), (-(2**31), -(2**31)), (2**32 - 1, -1), (2**31, -(2**31))])
def test_i32_range_and_signed_results(mod, value, expected):
    assert mod.add(value, 0) == expected


@pytest.mark.parametrize("value", [2**32, -(2**31) - 1, 10**30])
def test_i32_out_of_range(mod, value):
    with pytest.raises(OverflowError, match="out of range for i32"):
        mod.add(value, 0)


@pytest.mark.parametrize(("value", "expected"), [
    (2**63 - 1, 2**63 - 1), (-(2**63), -(2**63)), (2**64 - 1, -1)])
def test_i64_range(mod, value, expected):
    assert mod.id64(value) == expected


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1])
def test_i64_out_of_range(mod, value):
    with pytest.raises(OverflowError, match="out of range for i64"):
        mod.id64(value)


@pytest.mark.parametrize("value", ["1", None, 1.5, b"x", [1]])
def test_non_integers_are_type_errors(mod, value):
    with pytest.raises(TypeError):
        mod.add(value, 1)


def test_wrong_arity(mod):
    with pytest.raises(TypeError, match=r"add\(\) missing 1 required positional argument"):
        mod.add(1)
    with pytest.raises(TypeError, match=r"add\(\) takes 2 positional arguments but 3"):
        mod.add(1, 2, 3)


def test_readable_signature(mod):
    assert repr(mod.add) == "<wasm function add(i32, i32) -> i32>"
    assert mod.add.__doc__ == "add(i32, i32) -> i32"
    assert mod.pair.__doc__ == "pair() -> (i32, i64)"
    assert mod.add.type == "func (i32, i32) -> i32"
    assert len(inspect.signature(mod.add).parameters) == 2


def test_globals(mod):
    assert mod.const == 42
    assert mod.counter == 0
    mod.incr()
    mod.incr()
    assert mod.counter == 2  # live
    g = wasmport.instance_of(mod).exports["counter"]
    g.value = 2**64 - 1
    assert mod.counter == -1
    with pytest.raises(OverflowError):
        g.value = 2**64
    with pytest.raises(AttributeError, match="immutable"):
        wasmport.instance_of(mod).exports["const"].value = 1


def test_exports_are_read_only(mod):
    with pytest.raises(AttributeError, match="read-only"):
        mod.add = None
    with pytest.raises(AttributeError, match="read-only"):
        del mod.add
    with pytest.raises(AttributeError, match="read-only"):
        mod.counter = 3
    assert mod.add(1, 1) == 2


def test_any_export_name_works_with_getattr(mod):
    assert getattr(mod, "with space")() == 1
    assert getattr(mod, "🦀")() == 2
    assert getattr(mod, "a.b")() == 3
    assert getattr(mod, "")() == 4
    listed = dir(mod)
    for name in ("with space", "🦀", "a.b", "", "add", "counter"):
        assert name in listed
    with pytest.raises(AttributeError, match="no export 'missing'"):
        mod.missing  # noqa: B018


def test_memory(mod):
    mem = mod.memory
    assert isinstance(mem, wasmport.Memory)
    assert len(mem) == 65536
    mem.write(65534, b"ab")  # exactly the end
    assert mem.read(65534, 2) == b"ab"
    assert mem.read(65536, 0) == b""
    view = mem.view()
    view[0] = 7
    assert mem.read(0, 1) == b"\x07"
    assert mem.grow(1) == 1
    assert len(mem) == 2 * 65536 and mem.pages == 2
    with pytest.raises(ValueError, match="cannot grow"):
        mem.grow(5)


@pytest.mark.parametrize(("offset", "length"), [(65535, 2), (65536, 1), (-1, 1), (0, -1),
                                                 (0, 65537), (2**64, 1)])
def test_memory_bounds(mod, offset, length):
    with pytest.raises(wasmport.MemoryAccessError) as info:
        mod.memory.read(offset, length)
    assert (info.value.offset, info.value.length, info.value.size) == (offset, length, 65536)


def test_memory_write_out_of_bounds_writes_nothing(mod):
    mod.memory.write(65530, b"\0" * 6)
    with pytest.raises(wasmport.MemoryAccessError):
        mod.memory.write(65530, b"x" * 7)
    assert mod.memory.read(65530, 6) == b"\0" * 6
    with pytest.raises(IndexError):  # MemoryAccessError is an IndexError
        mod.memory.write(-1, b"x")


def test_table(mod):
    table = mod.table
    assert len(table) == 2
    assert table[0](1, 2) == 3
    assert table[1] is None
    table[1] = mod.add
    assert table[1](2, 2) == 4
    with pytest.raises(IndexError):
        table[2]  # noqa: B018
    assert table.grow(1) == 2 and len(table) == 3
