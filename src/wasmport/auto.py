"""``import wasmport.auto`` installs the import hook: a convenience for scripts."""

from ._importer.finder import install

install()
