"""Pickling by reference, in one process: what a pickle refers to and what it refuses."""

from __future__ import annotations

import copy
import gc
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import wasmport
from distrib import workers
from wasmport._compile.assets import asset_for_file

PROTOCOLS = [0, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL]
SQUARE = ('(module (func (export "square") (param i64) (result i64) '
          'local.get 0 local.get 0 i64.mul))')


def roundtrip(value: object, protocol: int = pickle.DEFAULT_PROTOCOL) -> object:
    return pickle.loads(pickle.dumps(value, protocol=protocol))


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_default_realm_values_come_back_as_themselves(protocol: int) -> None:
    source = wasmport.load(workers.KERNELS, phase="source")
    for value in (source, workers.kernels(), workers.kernels().square, workers.kernels().spin):
        assert roundtrip(value, protocol) is value


def test_a_pickle_holds_the_reference_not_machine_code() -> None:
    data = pickle.dumps(workers.kernels().square)
    assert str(workers.KERNELS).encode() in data and b"square" in data
    assert asset_for_file(str(workers.KERNELS)).digest.encode() in data
    assert len(data) < 400  # the file's text is not in it either
    assert copy.copy(workers.kernels().square) is workers.kernels().square
    assert copy.deepcopy(workers.kernels()) is workers.kernels()


def test_a_module_compiled_from_bytes_travels_with_its_bytes() -> None:
    module = wasmport.compile(SQUARE, name="sq")
    data = pickle.dumps(module)
    assert module.__reduce__()[1][3] in data
    first, second = pickle.loads(data), pickle.loads(data)
    assert first is second and first is not module  # one Module per content here
    assert first.name == "sq" and first.instantiate().square(9) == 81


def test_the_receiving_side_finds_a_moved_file_by_its_module_name(
        tmp_path: Path, isolated_imports: None) -> None:
    there, here = tmp_path / "there", tmp_path / "here"
    there.mkdir()
    here.mkdir()
    (there / "movable.wat").write_text(SQUARE)
    data = pickle.dumps(wasmport.load(there / "movable.wat", phase="source"))
    shutil.move(there / "movable.wat", here / "movable.wat")
    sys.path.insert(0, str(here))
    module = pickle.loads(data)
    assert module.path == str(here / "movable.wat")
    assert module.instantiate().square(5) == 25


def test_a_missing_file_is_module_not_found(tmp_path: Path, isolated_imports: None) -> None:
    path = tmp_path / "gone.wat"
    path.write_text(SQUARE)
    data = pickle.dumps(wasmport.load(path))
    path.unlink()
    with pytest.raises(ModuleNotFoundError, match=r"gone.wat: no such WebAssembly file in "
                       r"this process.*give every process the same files") as caught:
        pickle.loads(data)
    assert caught.value.name == "gone" and caught.value.path == str(path)


def test_changed_content_is_a_compile_error(tmp_path: Path, isolated_imports: None) -> None:
    path = tmp_path / "edited.wat"
    path.write_text(SQUARE)
    data = pickle.dumps(wasmport.load(path).square)
    path.write_text(SQUARE.replace("i64.mul", "i64.add"))
    with pytest.raises(wasmport.CompileError, match=r"edited.wat: its content changed since "
                       r"module 'edited' was pickled \(sha256 \w{16} then, \w{16} now\)") as e:
        pickle.loads(data)
    assert e.value.reason == "changed"


def live_values() -> dict[str, object]:
    source = wasmport.load(workers.KERNELS, phase="source")
    realm = wasmport.Realm()
    return {
        "memory": workers.kernels().memory,
        "own memory": wasmport.Memory(1),
        "table": workers.kernels().table,
        "global": wasmport.Global(3, "i32", mutable=True),
        "instance": wasmport.instance_of(workers.kernels()),
        "instantiated": source.instantiate(),
        "other realm": realm.load(workers.KERNELS),
        "realm": realm,
        "default realm": wasmport.default_realm(),
    }


@pytest.mark.parametrize("what", list(live_values()))
def test_live_state_is_a_type_error_with_the_remedy(what: str) -> None:
    value = live_values()[what]
    with pytest.raises(TypeError, match=r"cannot be pickled: it holds live state \(a store "
                       r"in this process\); (pickle|create the realm)"):
        pickle.dumps(value)


def test_a_function_of_such_an_instance_says_why() -> None:
    instance = wasmport.load(workers.KERNELS, phase="source").instantiate()
    with pytest.raises(TypeError, match=r"square\(i64\) -> i64.*holds live state"):
        pickle.dumps(instance.square)
    table_element = workers.kernels().table[0]
    with pytest.raises(TypeError, match=r"not an export of a module \(a table element"):
        pickle.dumps(table_element)


def test_host_modules_pickle_as_their_class() -> None:
    assert roundtrip(workers.Counter) is workers.Counter
    factory = roundtrip(workers.Counter.factory(5))
    assert factory.cls is workers.Counter and factory().value == 5


def test_a_function_never_refers_to_itself() -> None:
    function = wasmport.load(workers.KERNELS, phase="source").instantiate().square
    for _ in range(2):  # before and after the call is built
        assert getattr(function.func, "__self__", None) is not function
        assert function not in gc.get_referents(function.func)
        function(3)


ERRORS = [
    wasmport.CompileError("m", path="p.wasm", reason="bad magic"),
    wasmport.UnknownImportError("u", path="p.wasm", module="env", field="f"),
    wasmport.ImportCycleError("c", chain=("a.wasm", "b.wasm", "a.wasm")),
    wasmport.Trap("t", frames=(("m", "f", 7),)),
    wasmport.ResourceLimitError("r", limit="fuel", value=10),
    wasmport.MemoryAccessError(8, 4, 10, where="mem"),
    wasmport.HostSignatureError("h", owner="Store", method="get", index=1, param="key"),
    wasmport.UnsafeForkError("x", where="f()"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_raised_in_a_worker_arrive_whole(error: Exception) -> None:
    # A pool sends a task's exception back pickled; keyword-only attributes included.
    back = roundtrip(error)
    assert type(back) is type(error) and str(back) == str(error)
    assert vars(back) == vars(error)
    if isinstance(error, ImportError):
        assert (back.msg, back.name, back.path) == (error.msg, error.name, error.path)


def test_importing_wasmport_imports_no_integration() -> None:
    code = ("import sys, wasmport\n"
            "assert not {'dask', 'distributed', 'ray'} & set(sys.modules), sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
