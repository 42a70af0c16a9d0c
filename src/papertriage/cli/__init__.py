"""The command line: the Typer app, the fast entry point, shared options, one module per command group.

Commands parse options, call the feature packages, and print; no SQL here."""
