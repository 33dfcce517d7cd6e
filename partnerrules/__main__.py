"""Run the command line with ``python -m partnerrules``."""

from partnerrules.cli import main

main()
