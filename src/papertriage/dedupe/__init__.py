"""`papertriage dedupe`: records of the same paper found and merged."""
