"""`python -m planner`: the same as the `plan` command."""

from planner.launch import main

main()
