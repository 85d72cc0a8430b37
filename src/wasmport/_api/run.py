"""Commands: ``wasmport.run`` instantiates a WASI command in a fresh store and calls
its ``_start`` (a component: its ``wasi:cli/run`` export's ``run``).

Exit policy (wasmtime 50 WASI preview 1)::

    guest does                        run() gives
    -------------------------------   -----------------------------------------
    returns from main with 0          RunResult(exit_code=0)
    exit(n) / main returns n, n<126   RunResult(exit_code=n)   (wasmtime: ExitTrap)
    exit(n), n >= 126 or n < 0        raises wasmport.Trap     (wasmtime refuses it)
    traps (unreachable, ...)          raises wasmport.Trap
    exceeds a Limits value            raises wasmport.ResourceLimitError (a Trap)

A component command (WASI preview 2) follows the same rules: ``run`` returning ok is 0,
its error result 1, ``wasi:cli/exit`` the status it gives (0 or 1 in preview 2), a trap
raises wasmport.Trap.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import wasmtime

from .._component.values import Err
from .._engine.limits import Limits
from .._errors import Trap
from .._exports.function import Function
from .._exports.namespace import instance_of
from .._realm import Realm, realm_or_default, wasi_context
from .._realm.component import component_instance_or_none
from .._resolve.specifiers import resolve
from .._wasi.config import Input, Output, WasiConfig
from .load import caller_dir

_UNSET: Any = object()


@dataclass(frozen=True)
class RunResult:
    """What a command run gave: its exit code, and its output when captured.

    ``stdout`` / ``stderr`` are bytes when that stream was ``"capture"``d (or
    ``capture_output=True``), else None.
    """

    exit_code: int
    stdout: bytes | None = None
    stderr: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def run(specifier: str, args: Iterable[str] | None = None, *, wasi: WasiConfig | None = None,
        env: Mapping[str, str] | Iterable[tuple[str, str]] = _UNSET,
        preopens: Mapping[str, Any] = _UNSET, stdin: Input = _UNSET, stdout: Output = _UNSET,
        stderr: Output = _UNSET, argv0: str | None = None, capture_output: bool = False,
        limits: Limits | None = None, realm: Realm | None = None,
        base_dir: str | None = None) -> RunResult:
    """Run a WASI command (a module exporting ``_start``) and return its exit code.

    The program gets what ``wasi`` (default: the realm's, else nothing) grants, with
    ``args``, ``env``, ``preopens``, ``stdin``, ``stdout``, ``stderr`` and ``argv0``
    replacing those fields; ``capture_output=True`` captures both outputs as bytes.
    Each run has its own store (a child of ``realm``, default: the default realm),
    closed when the program ends.  Relative paths resolve from the calling file.

    Raises Trap (a trap, an exit status WASI cannot express), ResourceLimitError,
    LinkError, CompileError, ModuleNotFoundError; TypeError for a module without
    ``_start``.

    Example::

        result = wasmport.run("./hello.wasm", ["--name", "you"], capture_output=True)
        assert result.exit_code == 0 and result.stdout == b"hello you\\n"
    """
    parent = realm_or_default(realm)
    resolved = resolve(specifier, base_dir=base_dir or caller_dir(1) or parent.base_dir)
    base = parent.wasi if wasi is None else wasi
    if argv0 is None:
        argv0 = base.argv0 if base is not None and base.argv0 else os.path.basename(
            resolved.path)
    config = _config(base, args=args, env=env, preopens=preopens, stdin=stdin,
                     stdout=stdout, stderr=stderr, argv0=argv0, capture=capture_output)
    config, captures = _captures(config)
    child = parent.child(wasi=config, limits=limits)
    try:
        code = _run_start(child, resolved.path)
        finish_output(child)
    finally:
        child.close()
    out, err = (c.getvalue() if c is not None else None for c in captures)
    return RunResult(code, out, err)


def _config(base: WasiConfig | None, *, capture: bool, **fields: Any) -> WasiConfig:
    """``base`` with the fields run() was given (None is a value for the streams)."""
    given = {k: v for k, v in fields.items() if v is not _UNSET}
    if given.get("args") is None:
        given.pop("args", None)
    if capture:
        given.setdefault("stdout", "capture")
        given.setdefault("stderr", "capture")
    return replace(base if base is not None else WasiConfig(), **given)


def _captures(config: WasiConfig) -> tuple[WasiConfig, tuple[io.BytesIO | None, ...]]:
    """Replace each "capture" with a BytesIO that run() reads at the end."""
    out = io.BytesIO() if config.stdout == "capture" else None
    err = io.BytesIO() if config.stderr == "capture" else None
    changes: dict[str, Any] = {name: c for name, c in (("stdout", out), ("stderr", err))
                               if c is not None}
    return (replace(config, **changes) if changes else config), (out, err)


def _run_start(realm: Realm, path: str) -> int:
    module = realm.load(path)
    component = component_instance_or_none(module)
    if component is not None:
        return _run_component(component, path)
    start = instance_of(module).exports.get("_start")
    if not isinstance(start, Function) or start.params or start.results:
        raise TypeError(f"{path}: not a WASI command: it exports no _start() function; "
                        "load a library (reactor) with wasmport.load(..., wasi=...) instead")
    return call_for_exit(start, f"{path}: _start()")


def _run_component(component: Any, path: str) -> int:
    """A component command: its ``wasi:cli/run`` export's ``run()``; an error result
    is exit code 1, ``wasi:cli/exit`` the code it gives (preview 2 has only 0 and 1)."""
    exports = component.exports
    names = [n for n in exports.keys() if n.split("@")[0] == "wasi:cli/run"]
    if not names:
        raise TypeError(f"{path}: not a WASI command: the component exports no wasi:cli/run; "
                        "load it with wasmport.load(..., wasi=...) and call its exports")
    run_export = exports[names[0]].run
    try:
        return call_for_exit(run_export, f"{path}: wasi:cli/run.run()")
    except Err:
        return 1


def finish_output(realm: Realm) -> None:
    """At the end of a run: flush the guest's partial text, re-raise a write error."""
    context = wasi_context(realm)
    if context is not None:
        context.finish()


def call_for_exit(func: Callable[[], Any], where: str) -> int:
    """Call ``func()``; 0 when it returns, n when the guest exits with n."""
    try:
        func()
    except Trap as err:
        code = exit_code(err, where)
        if code is None:
            raise
        return code
    return 0


def exit_code(err: Trap, where: str) -> int | None:
    """The exit status of a guest exit seen as a Trap; None for a real trap.

    Raises Trap for an exit status outside 0..125, which wasmtime refuses.
    """
    cause = err.__cause__
    if isinstance(cause, wasmtime.ExitTrap):
        return int(cause.code)
    if isinstance(cause, wasmtime.WasmtimeError) and "invalid exit status" in str(cause):
        raise Trap(f"{where}: the program called exit() with a status outside 0..125, which "
                   "WASI preview 1 in wasmtime refuses; exit with a status below 126") from cause
    return None
