"""The one exception tree of wasmport.

::

    WasmportError
    ├── CompileError(ImportError)          bad bytes or text; components (not yet supported)
    ├── LinkError(ImportError)             an import could not be satisfied
    │   ├── UnknownImportError             nothing provides import "M"."F"
    │   ├── IncompatibleImportError        something provides it, with the wrong kind or type
    │   ├── ImportRefusedError             refused by policy (no __wasm_exports__ opt-in, ...)
    │   └── ImportCycleError               a wasm <-> wasm import cycle or a self-import
    ├── Trap(RuntimeError)                 wasm trapped (carries .code and .frames)
    │   ├── ResourceLimitError             a Limits value was exceeded (.limit, .value)
    │   ├── InstancePoisonedError          a component instance cannot be entered again
    │   └── WasmException                  a wasm exception nobody caught (.tag, .payload)
    ├── MemoryAccessError(IndexError)      out-of-bounds memory access (offset, length, size)
    ├── HostSignatureError(TypeError)      a host module method's signature cannot be lowered
    ├── ResourceDroppedError(ValueError)   a component resource handle used after its drop
    ├── RealmClosedError(RuntimeError)     the realm owning an object was closed
    ├── ThreadStackError(RuntimeError)     this thread's stack is too small to run wasm
    └── UnsafeForkError(RuntimeError)      engine threads a forked child lacks (WASI output)

Every error carries structured attributes besides its message, and the message reads
where -> fact -> remedy.  Engine errors are chained with ``raise ... from err``.
"""

from __future__ import annotations

from typing import Any


class WasmportError(Exception):
    """Root of every error wasmport raises on purpose."""

    def __reduce__(self) -> Any:
        # Made again without __init__ (pickle would not pass its keyword-only arguments)
        # and given its attributes back: an error raised in a worker arrives whole.
        state = dict(vars(self))
        if isinstance(self, ImportError):  # these live outside __dict__
            state.update(msg=self.msg, name=self.name, path=self.path)
        return _rebuilt, (type(self), self.args), state


def _rebuilt(cls: type[WasmportError], args: tuple[Any, ...]) -> WasmportError:
    return cls.__new__(cls, *args)


class CompileError(WasmportError, ImportError):
    """A .wasm or .wat asset could not be compiled.

    Attributes: ``path`` (the file, or None for bytes), ``reason`` (the engine's text).
    """

    def __init__(self, message: str, *, path: str | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.msg = message
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return self.msg


class LinkError(WasmportError, ImportError):
    """An import of a wasm module could not be satisfied.

    Attributes: ``path`` (the importing file), ``module`` and ``field`` (the import),
    ``expected`` and ``found`` (type strings, where they apply), ``reason``.
    """

    reason = "link"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        module: str | None = None,
        field: str | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        super().__init__(message)
        self.msg = message
        self.path = path
        self.module = module
        self.field = field
        self.expected = expected
        self.found = found

    def __str__(self) -> str:
        return self.msg


class UnknownImportError(LinkError):
    """Nothing provides the import."""

    reason = "unknown"


class IncompatibleImportError(LinkError):
    """The provided value has the wrong kind or type for the import."""

    reason = "incompatible"


class ImportRefusedError(LinkError):
    """A policy refused the import (capability rule, realm allow-list)."""

    reason = "refused"


class ImportCycleError(LinkError):
    """Instantiating the module needs itself, directly or through a chain.

    Attribute ``chain``: the files in import order, the repeated one last.
    """

    reason = "cycle"

    def __init__(self, message: str, *, chain: tuple[str, ...], **kw: Any) -> None:
        super().__init__(message, **kw)
        self.chain = chain


class Trap(WasmportError, RuntimeError):
    """WebAssembly code trapped.

    Attributes: ``code`` (a ``wasmtime.TrapCode`` or None), ``frames`` (the wasm
    backtrace as ``(module, function, offset)`` tuples), ``message`` (engine text).
    """

    def __init__(
        self,
        message: str,
        *,
        code: Any = None,
        frames: tuple[tuple[str | None, str | None, int], ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.frames = frames


class WasmException(Trap):
    """A wasm exception: thrown by wasm (``throw``) and caught by no wasm code on its way
    out to Python, or raised by a host function to throw it into wasm.

    ``WasmException(tag, *payload)``, ``tag`` a :class:`wasmport.Tag` of the realm the
    host function lives in, throws that exception into the wasm code that called it
    (a ``try_table`` there can catch it).  One wasmport raises has ``tag``, ``payload``
    (a tuple, values as calls return them) and ``exnref`` (a :class:`wasmport.ExnRef`,
    to rethrow or pass back to wasm).
    """

    def __init__(self, tag: Any, *payload: Any, message: str | None = None,
                 exnref: Any = None, frames: tuple[tuple[str | None, str | None, int], ...] = (),
                 ) -> None:
        shown = message or f"wasm exception of {tag!r} with payload {tuple(payload)!r}"
        super().__init__(shown, frames=frames)
        self.tag = tag
        self.payload = tuple(payload)
        self.exnref = exnref


class ResourceLimitError(Trap):
    """A resource limit of :class:`wasmport.Limits` was exceeded; the call was stopped.

    Attributes: ``limit`` (the field name: ``"fuel"``, ``"timeout"``, ``"max_memory"``,
    ``"max_instances"`` or ``"max_table_elements"``) and ``value`` (its configured value),
    besides Trap's.  The realm stays usable: its next call gets a fresh budget.
    """

    def __init__(self, message: str, *, limit: str, value: Any, code: Any = None) -> None:
        super().__init__(message, code=code)
        self.limit = limit
        self.value = value


class InstancePoisonedError(Trap):
    """A component instance trapped (or a host function it called raised) earlier.

    wasmtime refuses to enter a component instance again after that; other instances,
    of the same component or not, are not affected.  Instantiate the component again.
    Attributes: ``instance`` (where it came from) and ``cause`` (the first failure).
    """

    def __init__(self, message: str, *, instance: str, cause: BaseException | None) -> None:
        super().__init__(message)
        self.instance = instance
        self.cause = cause


class MemoryAccessError(WasmportError, IndexError):
    """An access outside a linear memory; nothing was read or written.

    Attributes: ``offset``, ``length`` and ``size`` (the memory's size in bytes).
    """

    def __init__(self, offset: int, length: int, size: int, *, where: str = "memory") -> None:
        super().__init__(
            f"{where}: access of {length} bytes at offset {offset} is out of bounds "
            f"for a memory of {size} bytes"
        )
        self.offset = offset
        self.length = length
        self.size = size


class HostSignatureError(WasmportError, TypeError):
    """A typed host module method has an annotation or default wasm cannot use.

    Raised when the class is created.  Attributes: ``owner`` (the class's qualified
    name), ``method`` (the Python method's name), ``index`` and ``param`` (the
    parameter's position, not counting ``self``, and name; both None for the result).
    """

    def __init__(self, message: str, *, owner: str = "", method: str = "",
                 index: int | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.msg = message
        self.owner = owner
        self.method = method
        self.index = index
        self.param = param

    def __str__(self) -> str:
        return self.msg


class ResourceDroppedError(WasmportError, ValueError):
    """A component resource handle was used after ``drop()``, ``with`` or a move.

    Attribute ``resource``: the WIT name of the resource.
    """

    def __init__(self, message: str, *, resource: str) -> None:
        super().__init__(message)
        self.resource = resource


class RealmClosedError(WasmportError, RuntimeError):
    """The realm that owns this object was closed; load the module again in an open realm."""


class UnsafeForkError(WasmportError, RuntimeError):
    """This process was forked after its parent ran WASI code, and the engine's WASI
    output threads do not survive ``fork()``: the guest's output would wait forever.

    Attribute ``where``: the call refused.  Start workers with the ``"spawn"`` or
    ``"forkserver"`` method, or fork before running WASI (docs/distributed.md).
    """

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(message)
        self.where = where


class ThreadStackError(WasmportError, RuntimeError):
    """The calling thread has too little stack left for wasm: entering would crash it
    (wasm may use ``needed`` bytes below the entry, minus room for host functions).

    Attributes ``left`` and ``needed`` (bytes).  Start the thread with a bigger
    ``threading.stack_size()``, or raise the main thread's ``ulimit -s``
    (docs/design.md, "Wasm stacks on small thread stacks").
    """

    def __init__(self, message: str, *, left: int = 0, needed: int = 0) -> None:
        super().__init__(message)
        self.left = left
        self.needed = needed


def one_line(err: BaseException) -> str:
    """The message of ``err`` on one line (the command line's and ``wasmport check``'s
    form); the class name when it has no message."""
    text = " ".join(line.strip() for line in str(err).splitlines() if line.strip())
    return text or type(err).__name__
