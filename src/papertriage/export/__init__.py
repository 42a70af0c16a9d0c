"""`papertriage export`: reading lists as Markdown, BibTeX, CSV, JSON."""
