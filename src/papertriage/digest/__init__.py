"""`papertriage digest`: the morning digest."""
