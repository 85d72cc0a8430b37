"""Specifier -> file: dotted names, paths and phases (specifiers), and where files are:
directory listings and zip archives (locations)."""
