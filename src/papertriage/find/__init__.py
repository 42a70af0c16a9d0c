"""Finding papers: the query language, the shared filter selection, fuzzy words, authors,
and the full-text index."""
