"""`python -m planner`: the same as the `plan` command."""

from planner.cli.main import main

main()
