"""One module per listing format: a pure ``parse`` (and ``sniff``) per format."""

# The source each parser records a sighting under (what `--source` matches); light, so
# the query path need not import the parsers (tests/test_filter.py holds it to them).
SOURCES = (
    "hf-daily", "hf-search", "hf-paper", "hf-page",
    "arxiv-api", "arxiv-rss", "arxiv-oai", "kaggle", "papertriage",
)  # fmt: skip
