"""Command line: ``python -m analysis <command> ...`` (see ``--help``)."""

from .cli import main

raise SystemExit(main())
