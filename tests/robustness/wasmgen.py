"""Hypothesis strategies for random *valid-looking* modules, as WAT text.

Random and mutated bytes rarely get past the validator; these modules do, and then
meet the linker (imports of every kind against the fuzz ``env``, with random types
and limits), instantiation (data and element segments at random offsets, start
functions) and calls (typed expression trees over boundary constants that divide
by zero, truncate NaNs, and load out of bounds).
"""

from __future__ import annotations

from hypothesis import strategies as st

NUM = ("i32", "i64", "f32", "f64")
CONSTS = {
    "i32": ("0", "1", "-1", "0x7fffffff", "-0x80000000", "0xffffffff"),
    "i64": ("0", "-1", "0x7fffffffffffffff", "-0x8000000000000000"),
    "f32": ("0", "-0", "nan", "inf", "-inf", "0x1p127", "1.5"),
    "f64": ("0", "-0", "nan", "inf", "-inf", "0x1p1023", "-2.5"),
}
BINOPS = {
    "i32": ("add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "shl", "rotr"),
    "i64": ("add", "sub", "mul", "div_s", "div_u", "rem_s", "xor", "shr_s"),
    "f32": ("add", "sub", "mul", "div", "min", "max", "copysign"),
    "f64": ("add", "sub", "mul", "div", "min", "max"),
}
# Conversions that can trap (integer overflow, invalid conversion to integer).
CONVERSIONS = {
    "i32": (("i32.trunc_f32_s", "f32"), ("i32.trunc_f64_u", "f64"), ("i32.wrap_i64", "i64")),
    "i64": (("i64.trunc_f64_s", "f64"), ("i64.extend_i32_u", "i32")),
    "f32": (("f32.demote_f64", "f64"), ("f32.convert_i64_u", "i64")),
    "f64": (("f64.promote_f32", "f32"), ("f64.reinterpret_i64", "i64")),
}
ENV_NAMES = ("f", "py", "memory", "g", "mg", "table", "missing")


def _limits(draw: st.DrawFn, top: int) -> str:
    low = draw(st.integers(0, top))
    high = draw(st.one_of(st.none(), st.integers(0, top + 1)))
    return f"{low}" if high is None else f"{low} {high}"


def _sig(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    params = draw(st.lists(st.sampled_from(NUM), max_size=3))
    results = draw(st.lists(st.sampled_from(NUM), max_size=2))
    return params, results


def _sig_text(params: list[str], results: list[str]) -> str:
    p = f" (param {' '.join(params)})" if params else ""
    r = f" (result {' '.join(results)})" if results else ""
    return p + r


@st.composite
def _expr(draw: st.DrawFn, ty: str, params: tuple[str, ...], mem: bool, depth: int) -> str:
    choices = ["const"]
    if ty in params:
        choices.append("local")
    if depth > 0:
        choices += ["bin", "conv"] + (["load"] if mem else [])
    kind = draw(st.sampled_from(choices))
    if kind == "const":
        return f"({ty}.const {draw(st.sampled_from(CONSTS[ty]))})"
    if kind == "local":
        index = draw(st.sampled_from([i for i, p in enumerate(params) if p == ty]))
        return f"(local.get {index})"
    if kind == "bin":
        op = draw(st.sampled_from(BINOPS[ty]))
        a = draw(_expr(ty, params, mem, depth - 1))
        b = draw(_expr(ty, params, mem, depth - 1))
        return f"({ty}.{op} {a} {b})"
    if kind == "conv":
        op, src = draw(st.sampled_from(CONVERSIONS[ty]))
        return f"({op} {draw(_expr(src, params, mem, depth - 1))})"
    offset = draw(st.sampled_from((0, 1, 65532, 65536, 2**31)))
    address = draw(_expr("i32", params, mem, depth - 1))
    return f"({ty}.load offset={offset} {address})"


@st.composite
def _import(draw: st.DrawFn, index: int) -> tuple[str, str]:
    """An import (text) and its kind; names mostly from env, types mostly random."""
    module = draw(st.sampled_from(("env", "env", "env", "nowhere")))
    name = draw(st.sampled_from(ENV_NAMES))
    kind = draw(st.sampled_from(("func", "memory", "global", "table")))
    if kind == "func":
        desc = f"(func $i{index}{_sig_text(*_sig(draw))})"
    elif kind == "memory":
        desc = f"(memory {_limits(draw, 3)})"
    elif kind == "global":
        ty = draw(st.sampled_from(NUM))
        desc = f"(global {'(mut ' + ty + ')' if draw(st.booleans()) else ty})"
    else:
        desc = f"(table {_limits(draw, 3)} funcref)"
    return f'(import "{module}" "{name}" {desc})', kind


@st.composite
def modules(draw: st.DrawFn) -> str:
    """One module as WAT text."""
    parts: list[str] = []
    kinds: list[str] = []
    for i in range(draw(st.integers(0, 3))):
        text, kind = draw(_import(i))
        if kind in ("memory", "table") and kind in kinds:
            continue  # one memory, one table: keep the module valid
        parts.append(text)
        kinds.append(kind)
    mem = "memory" in kinds or draw(st.booleans())
    if mem and "memory" not in kinds:
        parts.append(f'(memory (export "mem") {_limits(draw, 2)})')
    if mem:
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.sampled_from((0, 100, 65535, 65536, 131072)))
            parts.append(f'(data (i32.const {at}) "\\01\\02")')
    if "table" not in kinds and draw(st.booleans()):
        parts.append(f'(table (export "tab") {_limits(draw, 3)} funcref)')
        kinds.append("table")
    nfuncs = draw(st.integers(1, 4))
    for i in range(nfuncs):
        params, results = _sig(draw)
        body = " ".join(draw(_expr(r, tuple(params), mem, 3)) for r in results)
        parts.append(f'(func $f{i} (export "f{i}"){_sig_text(params, results)} {body})')
    if "table" in kinds and draw(st.booleans()):
        at = draw(st.sampled_from((0, 1, 2, 3, 10)))
        parts.append(f"(elem (i32.const {at}) $f0)")
    if draw(st.booleans()):
        trap = draw(st.sampled_from(("", "unreachable", "(drop (i32.div_s (i32.const 1) "
                                     "(i32.const 0)))")))
        parts.append(f"(func $start {trap}) (start $start)")
    parts.append(f'(global (export "g") i32 (i32.const {draw(st.sampled_from(CONSTS["i32"]))}))')
    return "(module\n  " + "\n  ".join(parts) + ")"
