"""`python -m ui`: the `reportqa` command without the console script."""

from ui.cli import main

main()
