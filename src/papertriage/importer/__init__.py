"""`papertriage import`: a file of any known format merged into the store."""
