"""papertriage: get through the morning's new research papers from one local SQLite file."""

__version__ = "0.1.0"
