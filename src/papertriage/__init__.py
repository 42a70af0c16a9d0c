"""papertriage: get through the morning's new research papers from one local SQLite file.

Where things live (imports run one way: cli -> features -> store/sources -> core;
tests/test_layout.py checks it):

- ``cli/``: the Typer app, the fast entry point (``fastpath``), the shared filter
  options, one module per command group. It parses, calls a feature, prints; no SQL.
- features: ``importer/`` (import a file), ``fetch/`` (live listings over HTTP),
  ``find/`` (query language, selection, fuzzy words, authors, the full-text index),
  ``rank/`` (score, profile, learned part, explanation), ``triage/``, ``export/``,
  ``digest/``, ``dedupe/``, ``watch/`` (saved searches run after each fetch and import),
  ``notify/`` (the digest by mail or to a webhook).
- ``store/``: opening the file, migrations, upkeep, bulk load, runs, the fetch lock,
  the merge rules (``ingest``), the user's own data (``userdata``; written while an
  import holds the store: queued in ``pending``), reads (``queries``).
- ``sources/``: one pure parser per format, and ``formats``, the registry of them.
- core: ``models`` (the paper record; ``paper_day``), ``ids``, ``text`` (cleaning,
  dates, ``parse_day``), ``config``, ``output``, ``atomicfile``, ``errors``.
"""

__version__ = "0.1.0"
