"""``python -m wasmport ...``: the same command line as the ``wasmport`` script."""

from ._cli import main

raise SystemExit(main())
