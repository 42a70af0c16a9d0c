"""Watches: saved searches (a query and filter options) that run over the new papers of
every fetch and import, tag what they match, and feed the digest's sections."""
