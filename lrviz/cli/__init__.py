"""The Typer command line: flags in, one call into the core, results and errors out."""
