"""GC values as Python sees them: i31s, structs, arrays and exceptions.

=============  =================================================================
``I31``        an ``i31ref``: a value, not an object (made from Python too);
               ``.value`` / ``.signed`` and ``.unsigned`` read its 31 bits
``Struct``     a struct: ``s[i]`` reads field i, ``s[i] = v`` writes a mutable one
``Array``      an array: ``len(a)``, ``a[i]``, ``a[i] = v``, iteration
``ExnRef``     an ``exnref``: ``.tag`` and ``.payload``
=============  =================================================================

Structs and arrays compare with ``==`` as wasm's ``ref.eq`` does: two handles are equal
exactly when they are the same object (and hash alike); ``repr`` shows the type.  A
packed field (``i8``, ``i16``) reads zero-extended, as ``struct.get_u`` does, and takes
either spelling (-128..255 for i8), never wrapping.  A
handle keeps its object alive (an engine root) until the handle is collected.  The C
API cannot make structs or arrays of a module's types from the host, so Python gets them
from wasm; it cannot cast them either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from .._engine import gcrefs, vals
from .._engine.refs import Rooted
from .._engine.store import StoreContext
from .._engine.typenames import slot
from .tag import Tag, wrap_tag


class Codec(Protocol):
    """What a handle needs to convert the values it holds (convert.Codec)."""

    ctx: StoreContext

    def to_python(self, value: Any) -> Any: ...

    def to_engine(self, text: str, value: Any, what: str) -> Any: ...


class I31:
    """An ``i31ref``: ``I31(5)``; ``I31(-1).unsigned == 2**31 - 1``.

    Takes -2**30 .. 2**31 - 1 (the signed and the unsigned spelling of 31 bits);
    OverflowError outside.  Two I31s are equal when their bits are (``ref.eq``).
    """

    __slots__ = ("_bits",)

    def __init__(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"I31() takes an int, not {type(value).__name__}")
        if not -(1 << 30) <= value < 1 << 31:
            raise OverflowError(f"I31({value}): out of range for 31 bits "
                                f"({-(1 << 30)}..{(1 << 31) - 1})")
        self._bits = value & 0x7FFF_FFFF

    @property
    def unsigned(self) -> int:
        """The 31 bits zero-extended (``i31.get_u``)."""
        return self._bits

    @property
    def signed(self) -> int:
        """The 31 bits sign-extended (``i31.get_s``)."""
        return self._bits - (1 << 31) if self._bits >= 1 << 30 else self._bits

    value = signed

    def __eq__(self, other: object) -> bool:
        return isinstance(other, I31) and other._bits == self._bits

    def __hash__(self) -> int:
        return hash(("i31", self._bits))

    def __repr__(self) -> str:
        return f"I31({self.signed})"


class GcRef:
    """A reference to a GC object of a realm (base of :class:`Struct` and :class:`Array`)."""

    kind = "any"

    def __init__(self) -> None:
        raise TypeError(f"{type(self).__name__} objects come from wasm; the engine's C API "
                        "cannot create them from Python")

    @classmethod
    def _make(cls, codec: Codec, rooted: Rooted) -> GcRef:
        self = cls.__new__(cls)
        self._codec, self._ctx, self._rooted = codec, codec.ctx, rooted
        self._identity = gcrefs.identity(codec.ctx.address, rooted)
        return self

    _codec: Codec
    _ctx: StoreContext
    _rooted: Rooted
    _identity: int

    @property
    def type(self) -> str:
        return "anyref"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, GcRef) and other._ctx is self._ctx
                and other._identity == self._identity)

    def __hash__(self) -> int:
        return hash((id(self._ctx), self._identity))

    def __repr__(self) -> str:
        if self._ctx.closed:
            return f"<wasm {self.kind} of closed realm {self._ctx.name!r}>"
        return f"<wasm {self.kind} {self.type}>"


class Struct(GcRef):
    """A wasm struct: ``s[i]`` is field i (``len(s)`` fields); ``s[i] = v`` writes a
    mutable field (AttributeError for an immutable one)."""

    kind = "struct"

    @property
    def fields(self) -> tuple[str, ...]:
        """Each field's type, ``(mut i32)`` for a mutable one."""
        return tuple(f"(mut {t})" if m else t for t, m in self._field_types())

    def _field_types(self) -> tuple[tuple[str, bool], ...]:
        return gcrefs.fields(self._ctx.address, self._rooted)

    @property
    def type(self) -> str:
        return f"(struct{''.join(' ' + f for f in self.fields)})"

    def __len__(self) -> int:
        return len(self._field_types())

    def __getitem__(self, index: int) -> Any:
        return _read(self, self._index(index), array=False)

    def __setitem__(self, index: int, value: Any) -> None:
        text, mutable = self._field_types()[self._index(index)]
        if not mutable:
            raise AttributeError(f"{self!r}: field {index} is immutable")
        _write(self, index, text, value, array=False)

    def _index(self, index: int) -> int:
        count = len(self)
        if not isinstance(index, int) or not 0 <= index < count:
            raise IndexError(f"{self!r}: no field {index!r} (it has {count})")
        return index


class Array(GcRef):
    """A wasm array: ``len(a)``, ``a[i]``, ``a[i] = v`` (a mutable array), iteration."""

    kind = "array"

    @property
    def element(self) -> str:
        text, mutable = gcrefs.element(self._ctx.address, self._rooted)
        return f"(mut {text})" if mutable else text

    @property
    def type(self) -> str:
        return f"(array {self.element})"

    def __len__(self) -> int:
        return gcrefs.length(self._ctx.address, self._rooted)

    def __getitem__(self, index: int) -> Any:
        return _read(self, self._index(index), array=True)

    def __setitem__(self, index: int, value: Any) -> None:
        text, mutable = gcrefs.element(self._ctx.address, self._rooted)
        if not mutable:
            raise AttributeError(f"{self!r} is immutable")
        _write(self, self._index(index), text, value, array=True)

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def _index(self, index: int) -> int:
        count = len(self)
        if not isinstance(index, int) or not 0 <= index < count:
            raise IndexError(f"{self!r}: index {index!r} is out of bounds for {count} "
                             "elements")
        return index


def _read(ref: GcRef, index: int, array: bool) -> Any:
    val = gcrefs.read(ref._ctx.address, ref._rooted, index, array)
    return ref._codec.to_python(vals.lift(ref._ctx, val, owned=True))


_PACKED = {"i8": (-(1 << 7), (1 << 8) - 1), "i16": (-(1 << 15), (1 << 16) - 1)}


def _write(ref: GcRef, index: int, text: str, value: Any, array: bool) -> None:
    what = f"{ref!r}[{index}]"
    storage = "i32" if text in _PACKED else text
    engine = ref._codec.to_engine(storage, value, what)
    if text in _PACKED and not _PACKED[text][0] <= engine <= _PACKED[text][1]:
        lo, hi = _PACKED[text]
        raise OverflowError(f"{what}: {engine} is out of range for {text} ({lo}..{hi})")
    val = vals.VAL()
    temps: list[Any] = []
    try:
        vals.lower(ref._ctx, slot(storage), engine, val, temps)
        gcrefs.write(ref._ctx.address, ref._rooted, index, val, array)
    except gcrefs.GcError as err:
        raise TypeError(f"{ref!r}[{index}] = {value!r}: {err}") from None
    finally:
        vals.release(temps)


class ExnRef:
    """An ``exnref``: an exception wasm made; ``.tag`` and ``.payload`` (a tuple)."""

    def __init__(self) -> None:
        raise TypeError("ExnRef objects come from wasm (raise wasmport.WasmException to "
                        "throw one into wasm)")

    _codec: Codec
    _rooted: Rooted

    @classmethod
    def _make(cls, codec: Codec, rooted: Rooted) -> ExnRef:
        self = cls.__new__(cls)
        self._codec, self._rooted = codec, rooted
        return self

    @property
    def tag(self) -> Tag:
        ctx = self._codec.ctx
        return wrap_tag(ctx, gcrefs.exception_tag(ctx.address, self._rooted), "<exception>")

    @property
    def payload(self) -> tuple[Any, ...]:
        ctx = self._codec.ctx
        return tuple(self._codec.to_python(vals.lift(ctx, val, owned=True))
                     for val in gcrefs.exception_fields(ctx.address, self._rooted))

    def __repr__(self) -> str:
        if self._codec.ctx.closed:
            return f"<wasm exnref of closed realm {self._codec.ctx.name!r}>"
        return f"<wasm exnref {self.tag.type}: {self.payload!r}>"


def handle(codec: Codec, rooted: Rooted) -> Any:
    """The handle of a root: an I31 (a value), a Struct, an Array, an ExnRef, or a GcRef
    (an anyref that is none of these)."""
    ctx = codec.ctx
    if rooted.kind == "exnref":
        return ExnRef._make(codec, rooted)
    kind = gcrefs.kind_of(ctx.address, rooted)
    if kind == "i31":
        return I31(gcrefs.i31_value(ctx.address, rooted))
    cls = Struct if kind == "struct" else Array if kind == "array" else GcRef
    return cls._make(codec, rooted)


def rooted_of(ref: GcRef | ExnRef) -> Rooted:
    """The engine root behind a handle (to pass it to wasm)."""
    return ref._rooted


def context_of_ref(ref: GcRef | ExnRef) -> StoreContext:
    """The store context a handle belongs to."""
    return ref._codec.ctx
