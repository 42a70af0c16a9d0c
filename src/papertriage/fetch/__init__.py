"""`papertriage fetch`: live listings over HTTP, planned from the command line and config."""
