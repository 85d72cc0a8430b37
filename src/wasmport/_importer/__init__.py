"""The import protocol: a finder on sys.meta_path and a loader (importlib only)."""
