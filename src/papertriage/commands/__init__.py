"""The CLI commands, one module per group. Each command parses options, calls the core, prints."""
