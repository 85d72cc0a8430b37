"""The realm layer, the thin owner at the top: ``Realm`` (realm.py: policy, caches,
lifetime, children) and the default realm (default.py)."""

from .default import default_realm as default_realm
from .default import realm_or_default as realm_or_default
from .realm import Phase as Phase
from .realm import Realm as Realm
from .realm import cached_instance as cached_instance
from .realm import link_view as link_view
from .realm import load_asset as load_asset
from .realm import wasi_context as wasi_context
