"""`python -m screening` = the `screening` command."""

from screening.cli import main

main()
