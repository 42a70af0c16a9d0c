"""One module per listing format: a pure ``parse`` (and ``sniff``) per format."""
