"""Read a compiled component's world from wasmtime's type information.

wasmtime interns types structurally and keeps no WIT names for them; names come
from the type exports of each instance type (``(export "point" (type (eq N)))``).
A nominal type met in a signature is matched to the first export equal to it, so
equal types share one node.  Resources are matched by wasmtime's own equality
(``resource_type_equal``): two resources are never confused.  Only one case is
ambiguous: two differently named records (or variants, ...) with the very same
structure; the first name wins.  Introspection runs once per compiled component.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, byref, c_bool, c_char, c_size_t
from typing import Any

from wasmtime import _ffi as ffi

from ._registry import Registry
from ._types import (
    NOMINAL,
    EnumType,
    FlagsType,
    Function,
    FuncType,
    HandleType,
    Interface,
    ListType,
    OptionType,
    Prim,
    RecordType,
    ResultType,
    TupleType,
    TypeDef,
    Unsupported,
    UnsupportedType,
    VariantType,
    WitType,
    World,
    WorldItem,
)

# wasmtime_component_valtype_kind_t
_PRIM_KINDS = {0: "bool", 1: "s8", 2: "s16", 3: "s32", 4: "s64", 5: "u8", 6: "u16",
               7: "u32", 8: "u64", 9: "f32", 10: "f64", 11: "char", 12: "string"}
_LIST, _RECORD, _TUPLE, _VARIANT, _ENUM, _OPTION, _RESULT, _FLAGS = range(13, 21)
_OWN, _BORROW = 21, 22
_UNSUPPORTED = {23: "future", 24: "stream", 25: "error-context", 26: "map"}
# wasmtime_component_item_kind_t
_ITEM_COMPONENT, _ITEM_INSTANCE, _ITEM_MODULE, _ITEM_FUNC, _ITEM_RESOURCE = range(5)
_ITEM_CORE_FUNC, _ITEM_TYPE = 5, 6


def _text(ptr: Any, size: Any) -> str:
    return ctypes.string_at(ptr, size.value).decode("utf-8")


class Reader:
    def __init__(self, engine: Any, preset: dict[WitType, WitType] | None = None) -> None:
        self.engine = engine.ptr()
        self.registry = Registry(preset)

    # -- value types -------------------------------------------------------------
    def valtype(self, vt: Any) -> WitType:
        """Read an owned ``wasmtime_component_valtype_t`` and free it."""
        try:
            return self.registry.canonical(self._valtype(vt))
        finally:
            ffi.wasmtime_component_valtype_delete(byref(vt))

    def _valtype(self, vt: Any) -> WitType:
        kind = vt.kind
        if kind in _PRIM_KINDS:
            return Prim(_PRIM_KINDS[kind])
        reader = _COMPOUND.get(kind)
        if reader is not None:
            return reader(self, vt.of)
        if kind in (_OWN, _BORROW):
            ptr = vt.of.own if kind == _OWN else vt.of.borrow
            return HandleType(self.registry.resource(ptr), kind == _OWN)
        return UnsupportedType(_UNSUPPORTED.get(kind, f"kind {kind}"))

    def _inner(self, getter: Any, ptr: Any) -> WitType:
        vt = ffi.wasmtime_component_valtype_t()
        getter(ptr, byref(vt))
        return self.valtype(vt)

    def _list(self, of: Any) -> WitType:
        return ListType(self._inner(ffi.wasmtime_component_list_type_element, of.list))

    def _option(self, of: Any) -> WitType:
        return OptionType(self._inner(ffi.wasmtime_component_option_type_ty, of.option))

    def _result(self, of: Any) -> WitType:
        return ResultType(self._maybe(ffi.wasmtime_component_result_type_ok, of.result),
                          self._maybe(ffi.wasmtime_component_result_type_err, of.result))

    def _maybe(self, getter: Any, ptr: Any) -> WitType | None:
        vt = ffi.wasmtime_component_valtype_t()
        return self.valtype(vt) if getter(ptr, byref(vt)) else None

    def _tuple(self, of: Any) -> WitType:
        ptr = of.tuple
        count = ffi.wasmtime_component_tuple_type_types_count(ptr)
        items = []
        for i in range(count):
            vt = ffi.wasmtime_component_valtype_t()
            ffi.wasmtime_component_tuple_type_types_nth(ptr, i, byref(vt))
            items.append(self.valtype(vt))
        return TupleType(tuple(items))

    def _record(self, of: Any) -> WitType:
        ptr, fields = of.record, []
        for i in range(ffi.wasmtime_component_record_type_field_count(ptr)):
            name, size, vt = POINTER(c_char)(), c_size_t(), ffi.wasmtime_component_valtype_t()
            ffi.wasmtime_component_record_type_field_nth(ptr, i, byref(name), byref(size),
                                                         byref(vt))
            fields.append((_text(name, size), self.valtype(vt)))
        return RecordType(tuple(fields))

    def _variant(self, of: Any) -> WitType:
        ptr, cases = of.variant, []
        for i in range(ffi.wasmtime_component_variant_type_case_count(ptr)):
            name, size = POINTER(c_char)(), c_size_t()
            has, vt = c_bool(), ffi.wasmtime_component_valtype_t()
            ffi.wasmtime_component_variant_type_case_nth(ptr, i, byref(name), byref(size),
                                                         byref(has), byref(vt))
            cases.append((_text(name, size), self.valtype(vt) if has.value else None))
        return VariantType(tuple(cases))

    def _names(self, count: Any, nth: Any, ptr: Any) -> tuple[str, ...]:
        out = []
        for i in range(count(ptr)):
            name, size = POINTER(c_char)(), c_size_t()
            nth(ptr, i, byref(name), byref(size))
            out.append(_text(name, size))
        return tuple(out)

    def _enum(self, of: Any) -> WitType:
        return EnumType(self._names(ffi.wasmtime_component_enum_type_names_count,
                                    ffi.wasmtime_component_enum_type_names_nth, of.enum_))

    def _flags(self, of: Any) -> WitType:
        return FlagsType(self._names(ffi.wasmtime_component_flags_type_names_count,
                                     ffi.wasmtime_component_flags_type_names_nth, of.flags))

    # -- functions and items -----------------------------------------------------
    def functype(self, ptr: Any) -> FuncType:
        params = []
        for i in range(ffi.wasmtime_component_func_type_param_count(ptr)):
            name, size, vt = POINTER(c_char)(), c_size_t(), ffi.wasmtime_component_valtype_t()
            ffi.wasmtime_component_func_type_param_nth(ptr, i, byref(name), byref(size),
                                                       byref(vt))
            params.append((_text(name, size), self.valtype(vt)))
        vt = ffi.wasmtime_component_valtype_t()
        result = self.valtype(vt) if ffi.wasmtime_component_func_type_result(ptr, byref(vt)) \
            else None
        return FuncType(tuple(params), result)

    def externs(self, count: Any, nth: Any, ty: Any) -> list[tuple[str, Any]]:
        """(name, owned extern*) for each import or export of a type."""
        out = []
        for i in range(count(ty, self.engine)):
            name, size = POINTER(c_char)(), c_size_t()
            ext = POINTER(ffi.wasmtime_component_extern_t)()
            nth(ty, self.engine, i, byref(name), byref(size), byref(ext))
            out.append((_text(name, size), ext))
        return out

    def interface(self, name: str, ptr: Any) -> Interface:
        iface = Interface(name)
        items = self.externs(ffi.wasmtime_component_instance_type_export_count,
                             ffi.wasmtime_component_instance_type_export_nth, ptr)
        pending = []
        for item_name, ext in items:
            item = _item_of(ext)
            if item.kind in (_ITEM_TYPE, _ITEM_RESOURCE):
                self._typedef(iface, item_name, item)
            else:
                pending.append((item_name, item))
        for item_name, item in pending:  # functions after every type of the interface
            if item.kind == _ITEM_FUNC:
                iface.functions[item_name] = Function(item_name,
                                                      self.functype(item.of.component_func))
            ffi.wasmtime_component_item_delete(byref(item))
        return iface

    def _typedef(self, iface: Interface, name: str, item: Any) -> None:
        if item.kind == _ITEM_RESOURCE:
            try:
                res = self.registry.resource(item.of.resource, name, iface.name)
            finally:
                ffi.wasmtime_component_item_delete(byref(item))
            iface.types[name] = self._def(iface.name, name, res,
                                          res.interface == iface.name and res.name == name)
            return
        node = self.valtype(item.of.type)  # frees the item's value type
        if isinstance(node, NOMINAL):
            node, here = self.registry.name(node, name, iface.name)
        else:
            here = True  # an alias of a structural type is always written out
        iface.types[name] = self._def(iface.name, name, node, here)

    def _def(self, owner: str, name: str, node: WitType, here: bool) -> TypeDef:
        origin = getattr(node, "interface", None)
        origin_name = getattr(node, "name", None)
        if here or (origin == owner and origin_name == name):
            return TypeDef(name, node)  # (an imported and exported interface share names)
        if origin == owner:  # a second name for a type of the same interface
            return TypeDef(name, node, None, origin_name)
        return TypeDef(name, node, origin, origin_name)

    def world_item(self, name: str, ext: Any, world: World) -> WorldItem:
        item = _item_of(ext)
        if item.kind == _ITEM_INSTANCE:
            try:
                return self.interface(name, item.of.component_instance)
            finally:
                ffi.wasmtime_component_item_delete(byref(item))
        if item.kind == _ITEM_FUNC:
            try:
                return Function(name, self.functype(item.of.component_func))
            finally:
                ffi.wasmtime_component_item_delete(byref(item))
        if item.kind in (_ITEM_TYPE, _ITEM_RESOURCE):
            holder = Interface("")  # world-level types belong to no interface
            self._typedef(holder, name, item)
            return holder.types[name]
        what = {_ITEM_MODULE: "core module", _ITEM_COMPONENT: "component",
                _ITEM_CORE_FUNC: "core function"}.get(item.kind, f"item kind {item.kind}")
        ffi.wasmtime_component_item_delete(byref(item))
        return Unsupported(name, what)


_COMPOUND = {_LIST: Reader._list, _RECORD: Reader._record, _TUPLE: Reader._tuple,
             _VARIANT: Reader._variant, _ENUM: Reader._enum, _OPTION: Reader._option,
             _RESULT: Reader._result, _FLAGS: Reader._flags}


def _item_of(ext: Any) -> Any:
    """The owned item type of an owned extern*, freeing the extern."""
    item = ffi.wasmtime_component_item_t()
    try:
        ffi.wasmtime_component_extern_type(ext, byref(item))
    finally:
        ffi.wasmtime_component_extern_delete(ext)
    return item
