import gzip
import io

import pytest

from papertriage.errors import InputError
from papertriage.sources import kaggle


def test_kaggle_records(fixture_path):
    path = fixture_path("arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl")
    with path.open("rb") as fh:
        papers = list(kaggle.parse_stream(fh, path.name))
    assert len(papers) == 200
    p = papers[0]
    assert p.id == "0704.0001" and p.version == 2
    assert (
        p.title
        == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert p.authors[0] == "C. Balázs" and p.authors[-1] == "C. -P. Yuan"
    assert p.categories == ("hep-ph",) and p.primary_category == "hep-ph"
    assert p.published == "2007-04-02" and p.updated == "2007-07-24"
    assert p.journal_ref == "Phys.Rev.D76:013009,2007" and p.doi == "10.1103/PhysRevD.76.013009"
    assert p.comment.startswith("37 pages, 15 figures")
    assert not p.abstract.startswith(" ") and "\n" not in p.abstract
    assert p.raw["authors_parsed"][0] == ["Balázs", "C.", ""] and p.raw["_in_papers"] == 1
    assert "abstract" not in p.raw and "id" not in p.raw  # the paper's row holds them


def test_broken_line_names_line_number():
    data = b'{"id": "0704.0001", "title": "t", "abstract": "a", "versions": [], "authors": "x"}\n{"id": \n'
    with pytest.raises(InputError, match=r"x\.jsonl:2: broken JSON line"):
        list(kaggle.parse_stream(io.BytesIO(data), "x.jsonl"))


def test_gzip_stream_reads_the_same(fixture_path):
    raw = fixture_path("arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl").read_bytes()
    with gzip.open(io.BytesIO(gzip.compress(raw)), "rb") as fh:
        assert len(list(kaggle.parse_stream(fh, "x.gz"))) == 200
