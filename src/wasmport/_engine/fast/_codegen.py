"""Per-signature wrapper source, generated once per (params, results) and cached.

A generated wrapper does only what the signature needs: an inline class-and-range
test per argument, one store into a memoryview over the slot buffer, the C call,
and one load per result.  Anything unusual (a bool, a numpy integer, a bad value)
drops to the exact checks in ``_values``.

Slot views share one buffer; slot ``k`` of 16 bytes is element

    iv[4k]  i32 read (signed)      qv[2k]  i64 read/write (signed), i32 write
    fv[4k]  f32                    dv[2k]  f64
    Qv[2k], Qv[2k+1]  v128 low / high 64 bits; a reference's raw number (Qv[2k])
                                   Qv      the trap out-pointer word (unsigned)

An i32 is written as 64 bits (value range -2**31..2**32-1 fits a signed i64); the
engine reads only the low 32 bits, little-endian.  An f32 crosses at the bit level
when it is a NaN (``f32n``/``f32b``: floats.py), since the views' float <-> double
conversion would quiet a signalling one.  References take the steps of _refs.py, with
the RefSlot functions bound per position (``P0, W0, D0`` for an argument,
``R0, U0`` for a result).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..floats import f32_bits, f32_value

# The inline ranges: i32 takes both spellings; i64 only the signed one inline, the
# unsigned upper half goes through `lower`, which returns it signed for the 'q' view.
_RANGE = {
    "i32": ("-2147483648", "4294967295"),
    "i64": ("-9223372036854775808", "9223372036854775807"),
}


_SIGNED = {"i32": ("-2147483648", "2147483647"), "i64": _RANGE["i64"]}
_V128_MAX = str((1 << 128) - 1)


def _fast_test(kind: str, var: str, strict: bool = False) -> str:
    """An expression that is true when `var` can be stored without conversion
    (`strict`: only the signed range passes inline; the rest goes to `check`)."""
    if kind in _RANGE:
        lo, hi = (_SIGNED if strict else _RANGE)[kind]
        return f"{var}.__class__ is int and {lo} <= {var} <= {hi}"
    if kind == "v128":
        return f"{var}.__class__ is int and 0 <= {var} <= {_V128_MAX}"
    return f"{var}.__class__ is float"


def _store(kind: str, k: int, var: str) -> list[str]:
    if kind == "f32":  # a NaN by its bits (lower gives an int for one)
        return [f"if {var}.__class__ is float and {var} == {var}:",
                f"    fv[{4 * k}] = {var}",
                "else:",
                f"    qv[{2 * k}] = {var} if {var}.__class__ is int else f32b({var})"]
    if kind == "v128":
        return [f"Qv[{2 * k}] = {var} & 0xFFFFFFFFFFFFFFFF", f"Qv[{2 * k + 1}] = {var} >> 64"]
    if kind == "ref":
        return [f"Qv[{2 * k}] = W{k}(t{k})"]
    return [{"i32": f"qv[{2 * k}] = {var}", "i64": f"qv[{2 * k}] = {var}",
             "f64": f"dv[{2 * k}] = {var}"}[kind]]


def _load(kind: str, k: int) -> str:
    return {"i32": f"iv[{4 * k}]", "i64": f"qv[{2 * k}]",
            "f32": f"(fv[{4 * k}] if fv[{4 * k}] == fv[{4 * k}] else f32n(iv[{4 * k}]))",
            "f64": f"dv[{2 * k}]", "v128": f"(Qv[{2 * k}] | Qv[{2 * k + 1}] << 64)",
            "ref": f"U{k}(u{k})"}[kind]


def _rooted(kinds: tuple[str, ...]) -> list[str]:
    """Root every reference of the slots first: nothing may allocate in between."""
    return [f"u{k} = R{k}(Qv[{2 * k}])" for k, kind in enumerate(kinds) if kind == "ref"]


def _returned(results: tuple[str, ...]) -> list[str]:
    loads = [_load(kind, k) for k, kind in enumerate(results)]
    if not loads:
        return ["return None"]
    if len(loads) == 1:
        return _rooted(results) + [f"return {loads[0]}"]
    if "ref" not in results:
        return [f"return ({', '.join(loads)})"]
    # Every number out of the buffer before a reference's conversion runs Python code.
    numbers = [f"x{k} = {load}" for k, (kind, load) in enumerate(zip(results, loads,
                                                                     strict=True))
               if kind != "ref"]
    shown = [load if kind == "ref" else f"x{k}"
             for k, (kind, load) in enumerate(zip(results, loads, strict=True))]
    return _rooted(results) + numbers + [f"return ({', '.join(shown)})"]


def _bindings(into: tuple[str, ...], out_of: tuple[str, ...]) -> list[str]:
    """Lines binding each reference position's RefSlot functions: ``refs`` is (the slots
    of the values going into wasm, of those coming out), by position."""
    lines = [f"    P{k}, W{k}, D{k} = refs[0][{k}].pre, refs[0][{k}].raw, refs[0][{k}].done"
             for k, kind in enumerate(into) if kind == "ref"]
    lines += [f"    R{k}, U{k} = refs[1][{k}].root, refs[1][{k}].public"
              for k, kind in enumerate(out_of) if kind == "ref"]
    return lines


def caller_source(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    args = [f"a{k}" for k in range(len(params))]
    sig = f"{', '.join(args)}, /" if args else ""
    nslots = max(len(params), len(results), 1)
    body = [
        "if busy:",
        f"    return nested({', '.join(args)})",
    ]
    # Every check (which may run user __index__/__float__ code, even a nested call
    # of this very wrapper) happens before the first store into the shared buffer; the
    # references' roots come last, and whatever they made is released on every way out.
    for k, kind in enumerate(params):
        if kind != "ref":
            body += [f"if not ({_fast_test(kind, args[k])}):",
                     f"    {args[k]} = lower({args[k]}, {kind!r}, {k + 1})"]
    refs = [k for k, kind in enumerate(params) if kind == "ref"]
    call = [f"t{k} = P{k}({args[k]})" for k in refs]
    for k, kind in enumerate(params):
        call += _store(kind, k, args[k])
    call += [
        "try:",
        "    busy = True",
        "    err = C(A0, A1, A2, A3, A4)",
        "finally:",
        "    busy = False",
        f"if err or Qv[{2 * nslots}]:",
        "    failed(err)",
        *_returned(results),
    ]
    dones = [f"    if D{k} is not None and t{k} is not None:\n        D{k}(t{k})" for k in refs]
    if refs:
        body += [f"{' = '.join(f't{k}' for k in refs)} = None",
                 "try:", *("    " + line for line in call), "finally:", *dones]
    else:
        body += call
    lines = [
        "def factory(store, ctx_ref, C, A0, A1, A2, A3, A4, iv, qv, Qv, fv, dv,",
        "            nested, lower, closed, failed, gate, acquire, release, refs=None):",
        "    busy = False",
        *_bindings(params, results),
        f"    def call({sig}):",
        "        nonlocal busy",
        "        if store._Store__context is not ctx_ref:",
        "            closed()",
        # Once the gate is open the whole call, buffer included, runs under the lock.
        "        if gate[0]:",
        "            acquire()",
        "            try:",
        # The lock holder may have freed the store, or a conversion closed it: look again.
        "                if store._Store__context is not ctx_ref:",
        "                    closed()",
        *("                " + line for line in "\n".join(body).split("\n")),
        "            finally:",
        "                release()",
        *("        " + line for line in "\n".join(body).split("\n")),
        "    return call",
    ]
    return "\n".join(lines) + "\n"


def host_source(params: tuple[str, ...], results: tuple[str, ...], pass_caller: bool,
                strict: bool = False) -> str:
    args = ", ".join((["caller"] if pass_caller else [])
                     + [_load(kind, k) for k, kind in enumerate(params)])
    uses_slots = bool(params or results)
    lines = [
        "def factory(fn, views, make_views, check, failed, refs=None):",
        "    get = views.get",
        *_bindings(results, params),
        "    def callback(env, caller, p, n):",
        "        try:",
    ]
    if uses_slots:
        lines += ["            v = get(p)",
                  "            if v is None:",
                  "                v = make_views(p, n)",
                  "            iv, qv, Qv, fv, dv = v"]
    lines += ["            " + line for line in _rooted(params)]
    lines.append(f"            r = fn({args})")
    lines += (_host_store_refs(results) if "ref" in results
              else _host_store(results, strict))
    lines += [
        "            return 0",
        "        except BaseException as e:",
        "            return failed(e)",
        "    return callback",
    ]
    return "\n".join(lines) + "\n"


def _host_store(results: tuple[str, ...], strict: bool) -> list[str]:
    ind = "            "
    if not results:
        return [f"{ind}if r is not None:", f"{ind}    check(r)"]
    if len(results) == 1:
        return [f"{ind}if not ({_fast_test(results[0], 'r', strict)}):",
                f"{ind}    (r,) = check(r)",
                *(ind + line for line in _store(results[0], 0, "r"))]
    names = [f"r{k}" for k in range(len(results))]
    tests = " and ".join(f"({_fast_test(kind, n, strict)})"
                         for kind, n in zip(results, names, strict=True))
    out = [f"{ind}if r.__class__ is not tuple or len(r) != {len(results)}:",
           f"{ind}    r = check(r)",
           f"{ind}{', '.join(names)} = r",
           f"{ind}if not ({tests}):",
           f"{ind}    {', '.join(names)} = check(r)"]
    stores = [line for k, (kind, n) in enumerate(zip(results, names, strict=True))
              for line in _store(kind, k, n)]
    return out + [ind + line for line in stores]


def _host_store_refs(results: tuple[str, ...]) -> list[str]:
    """Results with references: ``check`` lowers them all (a reference's ``pre`` included:
    every allocation before the first raw number), then the stores, then the releases."""
    names = [f"t{k}" if kind == "ref" else f"r{k}" for k, kind in enumerate(results)]
    lines = ["vals = check(r)", f"{', '.join(names)}, = vals"]
    lines += [line for k, (kind, n) in enumerate(zip(results, names, strict=True))
              for line in _store(kind, k, n)]
    lines += [f"if D{k} is not None:\n    D{k}(t{k})" for k, kind in enumerate(results)
              if kind == "ref"]
    return ["            " + line for line in "\n".join(lines).split("\n")]


def _compile(source: str, label: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    if "f32" in label:  # the NaN helpers only where they are used
        namespace.update(f32n=f32_value, f32b=f32_bits)
    exec(compile(source, f"<wasmport._engine.fast {label}>", "exec"), namespace)
    factory: Callable[..., Any] = namespace["factory"]
    return factory


@functools.cache
def caller_factory(params: tuple[str, ...], results: tuple[str, ...]) -> Callable[..., Any]:
    return _compile(caller_source(params, results), f"call {params}->{results}")


@functools.cache
def host_factory(params: tuple[str, ...], results: tuple[str, ...],
                 pass_caller: bool = False, strict: bool = False) -> Callable[..., Any]:
    return _compile(host_source(params, results, pass_caller, strict),
                    f"host {params}->{results}")


def views_of(buffer: Any) -> tuple[memoryview[Any], ...]:
    """The (iv, qv, Qv, fv, dv) views a generated wrapper indexes, over one buffer."""
    raw = memoryview(buffer).cast("B")
    return raw.cast("i"), raw.cast("q"), raw.cast("Q"), raw.cast("f"), raw.cast("d")
