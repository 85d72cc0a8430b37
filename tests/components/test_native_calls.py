"""The C call of scalar and string exports (src/native/component.c) against the Python one.

Every probe runs here and in a subprocess under ``WASMPORT_NO_NATIVE=1`` (the Python
wrappers over ctypes); results, exception types and messages must be the same, so
the C call's hand-off to the Python wrapper keeps every check and word.
"""

from __future__ import annotations

import enum
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import wasmtime

from wasmport._component import compile_component, instantiate
from wasmport._component._call import GENERAL_ONLY
from wasmport._engine import component as _capi
from wasmport._engine.fast import _native

FIXTURES = Path(__file__).parent.parent / "fixtures" / "components"


class Number(enum.IntEnum):
    FIVE = 5


class Text(str):
    pass


# (fixture, export path, args, kwargs): every hand-off the C call makes, and its plain case
PROBES: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    *[("values", f"echo.echo_{k}", (v,), {}) for k, v in [
        ("u32", 0), ("u32", 2**32 - 1), ("u32", 2**32), ("u32", -1), ("u32", True),
        ("u32", 1.0), ("u32", "1"), ("u32", Number.FIVE), ("s8", -129), ("s8", 128),
        ("s8", -128), ("u8", 256), ("s16", -32769), ("u16", 65535), ("s32", -(2**31)),
        ("s64", 2**63), ("s64", -(2**63) - 1), ("s64", -(2**63)), ("u64", 2**64),
        ("u64", -1), ("u64", 2**64 - 1), ("u64", 2**100), ("bool", 1), ("bool", None),
        ("bool", False), ("f32", 1e39), ("f32", -1e39), ("f32", float("nan")),
        ("f32", float("inf")), ("f32", 3), ("f32", True), ("f32", "x"),
        ("f32", 3.4028234663852886e38), ("f32", 0.1), ("f64", 1), ("f64", float("-inf")),
        ("f64", 1e308), ("char", "ab"), ("char", ""), ("char", "\ud800"), ("char", "é"),
        ("char", 65), ("char", "\U0001F600"), ("string", "\ud800x"), ("string", b"x"),
        ("string", Text("sub")), ("string", ""), ("string", "é" * 1000),
        ("string", "é" * 5000), ("string", "x" * 70000), ("string", "\ud800" * 5000),
        ("string", "a\x00b"), ("string", "plain ascii"), ("string", None)]],
    ("values", "echo.echo_u32", (), {"v": 3}),
    ("values", "echo.echo_u32", (), {}),
    ("values", "echo.echo_u32", (1, 2), {}),
    ("values", "echo.echo_u32", (1,), {"v": 2}),
    ("calc", "add", (1, 2), {}),
    ("calc", "add", (1,), {"b": 2}),
    ("calc", "add", (1,), {}),
    ("calc", "add", (1, 2, 3), {}),
    ("calc", "add", (2**32 - 1, 1), {}),
    ("calc", "api.echo", ("hé" * 600,), {}),
    ("calc", "now", (), {}),
    *[("calc", path, (arg,), {}) for path, arg in [
        ("api.bump", ("Pair", "name", 7)), ("api.bump", ("Pair", "é" * 100, 2**32 - 2)),
        ("api.bump", ("Pair", "", 0)), ("api.bump", ("Pair", 1, 7)),
        ("api.bump", ("Pair", "n", -1)), ("api.bump", ("Pair", "n", True)),
        ("api.bump", ("Pair", "\ud800", 1)), ("api.bump", ("Pair", Text("t"), 1)),
        ("api.bump", ("Pair", "é" * 5000, 1)), ("api.bump", ("Space", "any", 3)),
        ("api.bump", ("Space", "only a name")), ("api.bump", ("Raises", "x", 1)),
        ("api.bump", None), ("api.bump", ("Pair", "n", 2**32 - 1)),
        ("api.move_point", ("Point", 1, -2)), ("api.move_point", ("Point", 2**31, 0)),
        ("api.move_point", ("Point", 1.0, 0))]],
    ("calc", "api.bump", (), {"p": ("Pair", "kw", 1)}),
    ("calc", "api.boom", (), {}),   # a trap: the engine's error, then a poisoned instance
    ("calc", "add", (1, 2), {}),
]

SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from test_native_calls import outcomes, host_outcomes
print(json.dumps([outcomes(), host_outcomes()]))
"""


class Host:
    @staticmethod
    def log(msg: str) -> None:
        pass

    @staticmethod
    def add(a: int, b: int) -> int:
        return (a + b) & 0xFFFFFFFF

    @staticmethod
    def offset(p: Any) -> Any:
        return p


def _instances() -> dict[str, Any]:
    engine = wasmtime.Engine()
    out = {}
    for name, imports in (("values", {}), ("calc", {"test:calc/host": Host, "tick": lambda: 7})):
        code = compile_component(engine, (FIXTURES / name / f"{name}.wasm").read_bytes(),
                                 f"{name}.wasm")
        out[name] = instantiate(wasmtime.Store(engine), code, imports).exports
    return out


def _find(exports: Any, path: str) -> Any:
    for part in path.split("."):
        exports = getattr(exports, part)
    return exports


class Raises:
    def __init__(self, name: str, count: int) -> None:
        self.name = name

    @property
    def count(self) -> int:
        raise ValueError("no count")


def _made(api: Any, arg: Any) -> Any:
    """A record argument, written ("Pair", field values...) in PROBES."""
    if not isinstance(arg, tuple) or not arg or not isinstance(arg[0], str):
        return arg
    kind, *values = arg
    if kind == "Space":
        return SimpleNamespace(**dict(zip(("name", "count"), values, strict=False)))
    return {"Pair": api.Pair, "Point": api.Point, "Raises": Raises}[kind](*values)


def outcomes() -> list[list[str]]:
    """What each probe gives: ["ok", type, repr] or ["raise", type, message]."""
    found = _instances()
    out = []
    for fixture, path, args, kwargs in PROBES:
        api = found["calc"].api
        args = tuple(_made(api, a) for a in args)
        kwargs = {k: _made(api, v) for k, v in kwargs.items()}
        try:
            value = _find(found[fixture], path)(*args, **kwargs)
            out.append(["ok", type(value).__name__, repr(value)])
        except Exception as exc:
            out.append(["raise", type(exc).__name__, str(exc)])
    return out


# What the host returns (each in a fresh instance: a bad one poisons it), and strings in.
HOST_RETURNS: list[Any] = [5, 2**32 - 1, True, -1, 2**32, 1.5, "x", Number.FIVE, None]
GREETINGS = ["", "hé" * 3000, "plain", "a\x00b"]


def host_outcomes() -> list[list[str]]:
    """call-add and now through hosts returning each value; greet's strings as logged."""
    engine = wasmtime.Engine()
    code = compile_component(engine, (FIXTURES / "calc" / "calc.wasm").read_bytes(),
                             "calc.wasm")
    out = []
    for value in [*HOST_RETURNS, ValueError("raised")]:
        for name in ("call_add", "now"):
            def give(*args: Any, value: Any = value) -> Any:
                if isinstance(value, Exception):
                    raise value
                return value
            impl = type("H", (), {"log": staticmethod(give), "add": staticmethod(give),
                                  "offset": staticmethod(give)})
            exports = instantiate(wasmtime.Store(engine), code,
                                  {"test:calc/host": impl, "tick": give}).exports
            try:
                got = exports.api.call_add(1, 2) if name == "call_add" else exports.now()
                out.append(["ok", type(got).__name__, repr(got)])
            except Exception as exc:
                same = exc is value
                out.append(["raise", type(exc).__name__, str(exc), str(same)])
    logged: list[str] = []
    impl = type("H", (), {"log": staticmethod(logged.append), "add": staticmethod(max),
                          "offset": staticmethod(max)})
    api = instantiate(wasmtime.Store(engine), code,
                      {"test:calc/host": impl, "tick": lambda: 1}).exports.api
    for text in GREETINGS:
        api.greet(text)
    assert api.add_many(3) == 3  # max(max(max(0, 3), 2), 1)
    return [*out, ["logged", *logged]]


def test_the_native_and_python_calls_agree_on_every_probe() -> None:
    env = {**os.environ, "WASMPORT_NO_NATIVE": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(Path(__file__).parent)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    (python, python_host), here, host = json.loads(done.stdout), outcomes(), host_outcomes()
    assert [p[:1] for p in PROBES] and len(python) == len(PROBES)
    for probe, mine, theirs in zip(PROBES, here, python, strict=True):
        assert mine == theirs, probe
    assert host == python_host
    assert host[-1] == ["logged", *GREETINGS]
    assert host[-2] == ["raise", "ValueError", "raised", "True"]  # the same object
    assert {o[0] for o in host[:-1]} == {"ok", "raise"}
    # the probes reach both outcomes, the poisoned instance included
    assert {o[0] for o in here} == {"ok", "raise"}
    assert here[-2][1] == "Trap" and here[-1][1] == "InstancePoisonedError"


def test_scalar_and_string_exports_take_the_c_call_when_it_is_built() -> None:
    assert (_capi.NATIVE is None) == (not _native.AVAILABLE), _capi.NATIVE_REASON
    echo = _instances()["values"].echo
    c_call = type(echo.echo_u32).__name__ == "ComponentFunc"
    assert c_call == (_capi.NATIVE is not None)
    assert type(echo.echo_string) is type(echo.echo_u32)
    assert type(echo.echo_bytes).__name__ == "function"  # list<u8>: the Python wrapper
    assert type(echo.echo_person).__name__ == "function"  # a record of lists, options
    assert type(_instances()["calc"].api.bump) is type(echo.echo_u32)  # a record of scalars
    assert "WIT:" in (echo.echo_u32.__doc__ or "")
    if not GENERAL_ONLY:  # the generated wrappers, whose looks the C call copies
        assert echo.echo_u32.__name__ == "echo_u32"
        assert str(inspect.signature(echo.echo_u32)) == "(v: 'int') -> 'int'"


def test_no_native_selects_the_python_wrappers() -> None:
    script = ("from wasmport._engine import component as c; import sys;"
              "sys.path.insert(0, sys.argv[1]); from test_native_calls import _instances;"
              "f = _instances()['values'].echo.echo_u32;"
              "print(c.NATIVE is None, type(f).__name__, f(41))")
    env = {**os.environ, "WASMPORT_NO_NATIVE": "1"}
    done = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.split() == ["True", "function", "41"], done.stderr


def test_a_string_argument_outlives_its_calls() -> None:
    api = _instances()["calc"].api
    text = "ü" * 3000
    for _ in range(3):
        assert api.echo(text) == text
    assert api.echo(text[:1]) == "ü" and api.echo("") == ""
