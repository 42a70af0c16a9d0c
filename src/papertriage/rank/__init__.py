"""`papertriage rank`: the score (profile, learned "more like what I kept") and its explanation."""
