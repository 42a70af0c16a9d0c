"""The store: one SQLite file. Opening it, migrations, upkeep, bulk loading, runs, the fetch
lock, the merge rules papers are written with, and what the user writes (tags, notes, decisions)."""
