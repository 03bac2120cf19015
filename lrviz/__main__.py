"""`python -m lrviz`: the same entry point as the `lrviz` command."""

from lrviz.cli.app import run

run()
