"""``wasmport check`` for a component: would every import link in a realm?

The realm's own resolution (``plan_component_imports`` in ``_link/components.py``)
answers, with a load callback that instantiates nothing: another component named by a
specifier is compiled (its source phase says what it exports), one the realm has
instantiated already is used as it is.  The checks an implementation gets at link time
(functions, resource classes, arity) run; no store is made and nothing runs but the
Python modules that opt in, which linking imports too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .._compile.assets import asset_for_file
from .._component._types import Function
from .._component._wit import func_text
from .._link.components import plan_component_imports
from .._link.policy import LinkPolicy
from .._realm import Realm, cached_instance, load_asset
from .._realm.component import Component
from .._resolve.specifiers import resolve


@dataclass(frozen=True)
class Found:
    """How one import of a component would resolve (check.py makes its ImportCheck)."""

    name: str
    type: str
    by: str | None
    detail: str | None
    error: Exception | None


def component_imports(component: Component, realm: Realm, policy: LinkPolicy
                      ) -> list[Found]:
    """Each import of ``component`` (world-level types left out), as the realm would
    resolve it, in order."""
    def load(specifier: str, base_dir: str | None, name: str | None) -> Any:
        resolved = resolve(specifier, base_dir=base_dir or policy.base_dir)
        asset = asset_for_file(resolved.path)
        live = cached_instance(realm, asset)
        return live if live is not None else load_asset(realm, asset, name or resolved.name,
                                                        "source")
    base = os.path.dirname(component.path) if component.path else None
    imports = component.imports
    plan = plan_component_imports(policy, load, imports, {}, component.where,
                                  realm.wasi is not None, base)
    return [Found(r.name, _kind(imports[r.name]), r.by, _detail(r.by, r.value, realm),
                  r.error) for r in plan]


def _detail(by: str | None, value: Any, realm: Realm) -> str | None:
    """The provider, as core imports name it (``WASI of realm 'default'``)."""
    if by is None:
        return None
    return f"WASI of realm {realm.name!r}" if by == "wasi" else f"{by}: {value!r}"


def _kind(item: Any) -> str:
    return func_text(item) if isinstance(item, Function) else "interface"
