"""The commands of one converted spec script, run through wasmport's public API.

=====================  ================================================================
``module``             ``wasmport.compile(bytes, realm=realm).instantiate()``
``module_definition``  ``wasmport.compile(...)``, kept under its name
``module_instance``    ``Module.instantiate()`` of a kept definition
``register``           ``realm.register(name, instance_module)``
``action``             invoke an export (or ``get`` a global export)
``assert_return``      the results, as values.py reads them
``assert_trap``        a ``wasmport.Trap`` of the kind the text names (traps.py)
``assert_exhaustion``  a ``wasmport.Trap`` of kind stack-exhausted
``assert_exception``   a ``wasmport.Trap`` of kind exception (an uncaught wasm exception)
``assert_unlinkable``  ``wasmport.LinkError`` (the subclass the text names)
``assert_uninstantiable``  a ``wasmport.Trap`` while instantiating
``assert_invalid``     ``wasmport.CompileError``
``assert_malformed``   ``wasmport.CompileError``
=====================  ================================================================

A text module (``module_type: text``) is loaded from its file with
``wasmport.load(path, phase="source")``, which reads bytes: a script may hold text that
is not UTF-8 (annotations.wast), which must be a CompileError, not a decoding error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import wasmport

from . import gaps, rawcheck, traps
from . import values as V  # noqa: N812
from .spectest import Spectest, spectest_fields

# assert_unlinkable texts and the LinkError subclass that says the same.
_LINK_ERRORS: dict[str, type[wasmport.LinkError]] = {
    "unknown import": wasmport.UnknownImportError,
    "incompatible import type": wasmport.IncompatibleImportError,
}


class Failed(Exception):
    """A command did not do what the script expects."""


@dataclass
class Outcome:
    line: int
    kind: str
    status: str  # "passed" | "failed" | "skipped"
    detail: str = ""
    category: str = ""  # a gaps category, for a skipped command


@dataclass
class Loaded:
    """An instance-phase module and the binary it came from (for its type section)."""

    module: Any
    path: Path
    gap: gaps.Gap | None = None  # why the module is missing, when it is skipped


class ScriptRun:
    """The state of one script: its realm, the current and the named instances."""

    def __init__(self, script: Path, gate: gaps.Proposal | None = None) -> None:
        gate = gate or gaps.Proposal()
        self.dir, self.stem = script.parent, script.stem
        self.lacking, self.pre_3_0 = gate.lacking_markers, gate.pre_3_0
        options: dict[str, Any] = {"features": set(gate.features)} if gate.features else {}
        self.realm = wasmport.Realm(name=f"spec:{self.stem}", **options)
        self.spectest = Spectest()
        self.realm.register("spectest",
                            spectest_fields(self.realm, self.spectest, gate.features))
        self.hosts = V.HostRefs()
        self.current: Loaded | None = None
        self.instances: dict[str, Loaded] = {}
        self.definitions: dict[str, tuple[wasmport.Module, Path]] = {}

    def close(self) -> None:
        self.realm.close()

    # modules

    def compile(self, cmd: dict[str, Any]) -> tuple[wasmport.Module, Path]:
        """The module of a command the script expects to compile."""
        path = self.dir / cmd["filename"]
        try:
            return self._compile(cmd, path), path
        except wasmport.CompileError as err:
            reason = rawcheck.compile_error(path)
            if reason is None:
                raise
            raise gaps.Gap(gaps.WASMTIME, f"wasmtime 50 refuses this module too, with every "
                           f"feature flag on: {reason}") from err

    def _compile(self, cmd: dict[str, Any], path: Path) -> wasmport.Module:
        if cmd.get("module_type") == "text":
            module: wasmport.Module = wasmport.load(str(path.resolve()), phase="source",
                                                     realm=self.realm)
            return module
        name = f"{self.stem}_line{cmd['line']}"
        return wasmport.compile(path.read_bytes(), name=name, realm=self.realm)

    def _instantiate(self, cmd: dict[str, Any], name: str | None) -> None:
        path = self.dir / cmd["filename"]
        self.current = None
        try:
            module, _ = self.compile(cmd)
        except gaps.Gap as gap:
            self._set_current(Loaded(None, path, gap), name)
            raise
        self._set_current(Loaded(module.instantiate(realm=self.realm), path), name)

    def _set_current(self, loaded: Loaded, name: str | None) -> None:
        self.current = loaded
        if name is not None:
            self.instances[name] = loaded

    def cmd_module(self, cmd: dict[str, Any]) -> None:
        self._instantiate(cmd, cmd.get("name"))

    def cmd_module_definition(self, cmd: dict[str, Any]) -> None:
        module, path = self.compile(cmd)
        if "name" in cmd:
            self.definitions[cmd["name"]] = (module, path)

    def cmd_module_instance(self, cmd: dict[str, Any]) -> None:
        module, path = self.definitions[cmd["module"]]
        self.current = Loaded(module.instantiate(realm=self.realm), path)
        self.instances[cmd["instance"]] = self.current

    def cmd_register(self, cmd: dict[str, Any]) -> None:
        target = self.instances[cmd["name"]] if "name" in cmd else self.current
        if target is None:
            raise Failed("no module instantiated to register")
        if target.gap is not None:
            raise _depends(target.gap)
        self.realm.register(cmd["as"], target.module)

    # actions

    def perform(self, action: dict[str, Any]) -> tuple[Any, ...]:
        target = self.instances[action["module"]] if "module" in action else self.current
        if target is None:
            raise Failed("no module instantiated before this action")
        if target.gap is not None:
            raise _depends(target.gap)
        export = wasmport.instance_of(target.module).exports.get(action["field"])
        if export is None:
            raise Failed(f"no export {action['field']!r}")
        if action["type"] == "get":
            return (export.value,)
        args = [V.to_python(a, self.hosts) for a in action["args"]]
        result = export(*args)
        arity = len(export.results)
        return () if arity == 0 else (result,) if arity == 1 else tuple(result)

    def cmd_action(self, cmd: dict[str, Any]) -> None:
        self.perform(cmd["action"])

    def cmd_assert_return(self, cmd: dict[str, Any]) -> None:
        action, expected = cmd["action"], cmd["expected"]
        got = self.perform(action)
        if len(got) == len(expected) and all(
                V.matches(e, g, self.hosts) for e, g in zip(expected, got, strict=True)):
            return
        raise Failed(V.show_results(expected, got))

    def _expect_trap(self, cmd: dict[str, Any], kind: str) -> None:
        try:
            got = self.perform(cmd["action"])
        except wasmport.Trap as trap:
            wrong = traps.check(kind, trap)
            if wrong is not None:
                raise Failed(wrong) from trap
            return
        raise Failed(f"expected a trap of kind {kind}, got {got!r}")

    def cmd_assert_trap(self, cmd: dict[str, Any]) -> None:
        if "action" not in cmd:  # a module whose start function traps
            self.cmd_assert_uninstantiable(cmd)
        else:
            self._expect_trap(cmd, traps.spec_kind(cmd["text"]))

    def cmd_assert_exhaustion(self, cmd: dict[str, Any]) -> None:
        self._expect_trap(cmd, traps.spec_kind(cmd["text"]))

    def cmd_assert_exception(self, cmd: dict[str, Any]) -> None:
        self._expect_trap(cmd, "exception")

    def cmd_assert_uninstantiable(self, cmd: dict[str, Any]) -> None:
        module, _ = self.compile(cmd)
        try:
            module.instantiate(realm=self.realm)
        except wasmport.Trap as trap:
            wrong = traps.check(traps.spec_kind(cmd["text"]), trap)
            if wrong is not None:
                raise Failed(wrong) from trap
            return
        raise Failed(f"expected a trap while instantiating ({cmd['text']})")

    def cmd_assert_unlinkable(self, cmd: dict[str, Any]) -> None:
        module, _ = self.compile(cmd)
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
            self._compile(cmd, self.dir / cmd["filename"])
        except wasmport.CompileError as err:
            marker = next((m for m in self.lacking if m in str(err)), None)
            if marker is not None:  # refused for the missing feature, not for the script's reason
                raise gaps.Gap(gaps.WASMTIME, f"wasmtime 50 lacks {marker}: {err}") from err
            return
        if self.pre_3_0 and cmd["text"] in gaps.PRE_3_0_INVALID:
            raise gaps.Gap(gaps.OBSOLETE, f"expects {cmd['text']!r} to be invalid, but "
                           f"{gaps.PRE_3_0_INVALID[cmd['text']]}")
        raise Failed(f"expected a CompileError ({cmd['text']}), but it compiled")

    cmd_assert_malformed = cmd_assert_invalid

    def run(self, cmd: dict[str, Any]) -> Outcome:
        """Run one command; a Gap is a skip, anything else raised is a failure."""
        kind = cmd["type"]
        handler = getattr(self, f"cmd_{kind}", None)
        try:
            if handler is None:
                raise Failed(f"harness: command {kind!r} is not modelled")
            handler(cmd)
        except gaps.Gap as gap:
            return Outcome(cmd["line"], kind, "skipped", gap.detail, gap.category)
        except Failed as why:
            return Outcome(cmd["line"], kind, "failed", str(why))
        except Exception as exc:  # noqa: BLE001 - any other exception is a failed command
            return Outcome(cmd["line"], kind, "failed", f"{type(exc).__name__}: {exc}")
        return Outcome(cmd["line"], kind, "passed")


def _depends(gap: gaps.Gap) -> gaps.Gap:
    return gaps.Gap(gap.category, f"uses a module that did not compile here ({gap.detail})")
