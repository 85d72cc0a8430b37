"""The package's version, at the bottom of the layers (the CLI prints it)."""

__version__ = "0.1.0"
