"""Asset -> compiled code: assets (files, bytes, zip members), the on-disk code cache, the
binary reader and opaque-type scan, and the source phase (``Module``, its import ``Site``s)."""
