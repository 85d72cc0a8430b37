"""A guest written in Python and built by componentize-py (scripts/build-componentize-py).

The 18 MB component is not committed; without it these tests skip and say how to
build it.  Compiling it takes 5-12 s, so it is compiled once per session.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import wasmtime

import wasmport
from wasmport._component import Err, instantiate
from wasmport._engine import interrupt
from wasmport._errors import InstancePoisonedError
from wasmport._realm.component import code_of

from .conftest import wasm_tools

GUEST = Path(__file__).parents[2] / ".external" / "components" / "pyguest.wasm"

pytestmark = pytest.mark.skipif(
    not GUEST.exists(),
    reason=f"{GUEST} is not built: run scripts/build-componentize-py (componentize-py 0.25.1)")


class Journal:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []

    def write(self, line: str) -> None:
        self.items.append(line)

    def lines(self) -> int:
        return len(self.items)


class Host:
    Journal = Journal

    @staticmethod
    def now() -> int:
        return 1234

    @staticmethod
    def lookup(key: str) -> str | None:
        return {"a": "apple"}.get(key)

    @staticmethod
    def check(v: int) -> int:
        if v > 3:
            raise Err(f"too long: {v}")
        return v * 2


def _store(engine: wasmtime.Engine) -> wasmtime.Store:
    """A store of the module system's engine, which checks epochs: it needs the epoch
    callback every store of a realm gets (else each call traps at once)."""
    store = wasmtime.Store(engine)
    interrupt.watch(store)
    return store


@pytest.fixture(scope="module")
def guest() -> Any:
    """Compiled through the module system, so the session's code cache compiles the guest
    once for every test file that loads it (5-12 s each time otherwise)."""
    with wasmport.Realm() as realm:
        return code_of(realm.load(str(GUEST), phase="source"))


@pytest.fixture
def engine(guest: Any) -> wasmtime.Engine:
    return guest.engine  # type: ignore[no-any-return]


@pytest.fixture
def api(engine: wasmtime.Engine, guest: Any, tmp_path: Path) -> Any:
    (tmp_path / "hello.txt").write_text("hi from a file")
    config = wasmtime.WasiConfig()
    config.env = [("GREETING", "hello")]
    config.preopen_dir(str(tmp_path), "/data")
    inst = instantiate(_store(engine), guest, {"test:pyguest/host": Host}, wasi=config)
    return inst.exports


def test_values_both_ways(api: Any) -> None:
    a = api.api
    assert a.add(1, 2) == 3 and a.echo("héllo ✓") == "héllo ✓"
    reading = api.host.Reading
    summary = a.summarize([reading("temp", 20.5), reading("hum", 40.0), reading("temp", 1.0)])
    assert summary == a.Summary(3, 61.5, a.Level.MID, ["hum", "temp"], "t")
    assert a.area(a.Shape_Square(3.0)) == 9.0 and a.area(a.Shape_Dot()) == 0.0
    assert a.toggle(a.Features.FAST) == a.Features.SAFE | a.Features.SHINY
    assert a.pairs(["a", "bcd"]) == [("a", 1), ("bcd", 3)]
    assert a.first_char("xyz") == "x" and a.first_char("") is None


def test_results_raise_err(api: Any) -> None:
    assert api.api.divide(7, 2) == 3
    with pytest.raises(Err) as raised:
        api.api.divide(1, 0)
    assert raised.value.value == "division by zero"


def test_host_imports_and_host_resources(api: Any) -> None:
    assert api.api.use_host("a") == "apple|2|1234"
    assert api.api.use_host("long-key") == "None|too long: 8|1234"
    journal = Journal("mine")
    assert api.api.log_to(journal, "line") == 1 and journal.items == ["line"]
    made = api.api.new_journal("made")
    assert isinstance(made, Journal) and made.items == ["created"]


def test_guest_resource(api: Any) -> None:
    with api.api.Stack() as stack:
        stack.push(5)
        stack.push(-7)
        assert (stack.size(), stack.pop(), stack.pop(), stack.pop()) == (2, -7, 5, None)


def test_wasi_env_and_files(api: Any) -> None:
    assert api.api.read_env("GREETING") == "hello" and api.api.read_env("NOPE") is None
    assert api.api.read_file("/data/hello.txt") == "hi from a file"
    with pytest.raises(Err, match="FileNotFoundError"):
        api.api.read_file("/etc/passwd")  # only the preopen is there


def test_a_guest_exception_is_a_trap_and_poisons(api: Any) -> None:
    with pytest.raises(wasmport.Trap, match="unreachable"):
        api.api.fail()
    with pytest.raises(InstancePoisonedError, match="instantiate the component again"):
        api.api.add(1, 2)


def test_componentize_py_helper_is_hidden(api: Any) -> None:
    assert "exports" not in api and not hasattr(api, "exports")
    assert api["test:pyguest/api@0.1.0"] is api.api


def test_serialized_loads_back(engine: Any, guest: Any, tmp_path: Path) -> None:
    from wasmport._component import deserialize_component_file
    path = tmp_path / "pyguest.cwasm"
    path.write_bytes(guest.serialize())
    loaded = deserialize_component_file(engine, path, "pyguest.wasm")
    assert loaded.world.exports.keys() == guest.world.exports.keys()
    inst = instantiate(_store(engine), loaded, {"test:pyguest/host": Host},
                       wasi=wasmtime.WasiConfig())
    assert inst.exports.api.add(40, 2) == 42


def _names(text: str) -> set[tuple[str, str]]:
    """(interface, item name) pairs of WIT text: what both renderings must agree on."""
    out, iface = set(), ""
    for line in text.splitlines():
        found = re.match(r"\s*(?:interface|export|import) ([\w:/@.%-]+)(?::)? ?(?:interface )?\{",
                         line)
        if found:
            iface = found.group(1)
            continue
        used = re.match(r"\s{4}use [^{]+\{(.+)\};", line)
        if used and iface:  # a used name, or a type written out: the name is there
            out.update((iface, name.split(" as ")[-1].strip()) for name in used[1].split(","))
        item = re.match(r"\s{4}(?:record|variant|enum|flags|resource|type) (%?[\w-]+)|"
                        r"\s{4}(%?[\w-]+): (?:static )?func", line)
        if item and iface:
            out.add((iface, item.group(1) or item.group(2)))
    return out


def test_wit_names_every_item_wasm_tools_names(guest: Any) -> None:
    theirs = subprocess.run([wasm_tools(), "component", "wit", str(GUEST)], check=True,
                            capture_output=True, text=True).stdout
    assert _names(guest.wit) == _names(theirs)
    assert len(_names(theirs)) > 100  # the WASI world and the guest
