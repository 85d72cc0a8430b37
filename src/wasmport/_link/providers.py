"""Providers: what satisfies the imports of one import module name."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from .._compile.module import Module
from .._compile.sites import Site
from .._engine.store import StoreContext
from .._errors import ImportRefusedError, UnknownImportError
from .._exports.namespace import instance_or_none
from .._host.link import HostProvider, is_host_value
from .declared import ExportTypes
from .values import check_extern, to_extern

_MISSING = object()


class Provider:
    """Fields given as a mapping, an object or an instance-phase module (a dry run's:
    the :class:`ExportTypes` of a compiled module).  ``by`` names the step of the
    resolution that found it: "explicit", "import map", "host module", "wasi", "file"
    or "python module"."""

    def __init__(self, label: str, fields: Any, *, by: str,
                 allowed: frozenset[str] | None = None):
        self.label, self.by = label, by
        self._fields = fields
        self._allowed = allowed

    def get(self, site: Site) -> Any:
        name = site.field
        if self._allowed is not None and name not in self._allowed:
            raise ImportRefusedError(
                f"{site}: {self.label} does not offer {name!r}; add it to its "
                "__wasm_exports__", path=site.where, module=site.module, field=name)
        value = _field(self._fields, name)
        if value is _MISSING:
            raise UnknownImportError(f"{site}: {self.label} has no {name!r}", path=site.where,
                                     module=site.module, field=name)
        return value

    def extern(self, ctx: StoreContext, site: Site) -> Any:
        return to_extern(ctx, site, self.get(site))

    def check(self, ctx: StoreContext, site: Site) -> str | None:
        """The checks of :meth:`extern`, making nothing (see ``check_extern``)."""
        return check_extern(ctx, site, self.get(site))

    @property
    def fields(self) -> Any:
        """What provides the fields: a mapping, an object, a module."""
        return self._fields

    @property
    def origin(self) -> str | None:
        """The file behind the fields: a wasm module's, or a Python module's."""
        fields = self._fields
        if isinstance(fields, ExportTypes):
            return fields.where
        instance = instance_or_none(fields)
        if instance is not None:
            return instance.module.path
        return getattr(fields, "__file__", None) if isinstance(fields, ModuleType) else None

    @property
    def failure(self) -> Exception | None:
        """A dry run's wasm module that would fail to link: the error it would raise."""
        fields = self._fields
        return fields.failure if isinstance(fields, ExportTypes) else None

    def bind(self, instance: Any) -> None:
        """Called once the importing instance exists (typed host modules bind to it)."""

    def named(self, label: str, by: str) -> Provider:
        """The same fields, found by an entry (``by``) that messages name as ``label``."""
        other = copy.copy(self)
        other.label, other.by = f"{label} ({self.label})", by
        return other


def _field(fields: Any, name: str) -> Any:
    instance = instance_or_none(fields)
    if instance is not None:
        return instance.exports.get(name, _MISSING)
    if isinstance(fields, Mapping):
        return fields.get(name, _MISSING)
    return getattr(fields, name, _MISSING) if name.isidentifier() else _MISSING


class Refused(Provider):
    """A Python module that does not opt in: every field is refused, with the remedy."""

    def __init__(self, fullname: str, *, without_source: bool = False) -> None:
        super().__init__(f"Python module {fullname!r}", None, by="python module")
        self.fullname = fullname
        self.without_source = without_source

    def get(self, site: Site) -> Any:
        if self.without_source:
            raise ImportRefusedError(
                f"{site}: Python module {self.fullname!r} has no Python source to check "
                "for __wasm_exports__ and is not imported; import it before the wasm module "
                "(it must still define __wasm_exports__)", path=site.where,
                module=site.module, field=site.field)
        raise ImportRefusedError(
            f"{site}: Python module {self.fullname!r} is not reachable from wasm: it does not "
            f"opt in; define __wasm_exports__ = [{site.field!r}, ...] in it to offer those "
            "names", path=site.where, module=site.module, field=site.field)


AnyProvider = Provider | HostProvider


def provider_from_value(ctx: StoreContext, label: str, value: Any, module: Module | None,
                        by: str) -> AnyProvider:
    """An import-map or explicit entry that is not a string (the resolver finds those):
    a mapping of fields, an object, or a typed host module (a HostModule class, factory
    or object)."""
    if is_host_value(value):
        return HostProvider(ctx, module, label, value, by)
    return Provider(label, value, by=by)
