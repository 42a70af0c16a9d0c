import re
from pathlib import Path

import pytest

from papertriage.errors import InputError
from papertriage.sources import arxiv_oai

FIXTURES = Path(__file__).parent / "fixtures"
ARXIV = "arxiv_oai/ListRecords_arXiv_from2015-01-01_until2015-01-03.xml"
RAW = "arxiv_oai/ListRecords_arXivRaw_from2016-10-20_page1.xml"
IDENTIFIERS = "arxiv_oai/ListIdentifiers_arXiv_from2009-01-01_until2009-01-02.xml"
SETS = "arxiv_oai/ListSets.xml"
HTML_503 = "arxiv_oai/ListRecords_503_retry_after.html"

OAI_ERROR = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2024-01-01T00:00:00Z</responseDate>
<request verb="ListRecords">http://export.arxiv.org/oai2</request>
<error code="%s">%s</error>
</OAI-PMH>
"""


def read(rel: str) -> bytes:
    return (FIXTURES / rel).read_bytes()


def papers(rel: str) -> list:
    return list(arxiv_oai.parse(read(rel), rel))


def test_arxiv_format_records():
    result = papers(ARXIV)
    assert [p.id for p in result] == ["1412.8544", "hep-th/9504118"]
    p = result[0]
    assert p.title == "A Kochen-Specker system has at least 22 vectors (extended abstract)"
    assert p.authors == ("Sander Uijlen", "Bas Westerbaan")
    assert p.categories == ("cs.DM",) and p.primary_category == "cs.DM"
    assert p.comment == "In Proceedings QPL 2014, arXiv:1412.8102"
    assert p.journal_ref == "EPTCS 172, 2014, pp. 154-164"
    assert p.doi == "10.4204/EPTCS.172.11"
    assert p.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert p.published == "2014-12-29" and p.updated == "2014-12-29"
    assert p.version is None  # the arXiv format has no version numbers
    assert p.abstract.startswith("At the heart of the Conway-Kochen Free Will theorem")
    assert p.abstract.endswith("to improve the lower bound to 22.")
    assert "\n" not in p.abstract
    assert p.source == "arxiv-oai" and p.origin == ARXIV and "1412.8544" in p.raw
    q = result[1]
    assert q.authors == ("M. Requardt",)
    assert q.published == "1995-04-24" and q.categories == ("hep-th",)
    assert q.comment == "21 pages, Latex" and q.journal_ref is None and q.doi is None
    assert '"strength"' in q.abstract


def test_arxiv_format_updated_and_multiple_categories():
    data = read(ARXIV).replace(
        b"<created>2014-12-29</created>",
        b"<created>2014-12-29</created><updated>2015-01-02</updated>",
    )
    data = data.replace(
        b"<categories>cs.DM</categories>", b"<categories>cs.DM quant-ph</categories>"
    )
    p = next(arxiv_oai.parse(data, "x"))
    assert (p.published, p.updated) == ("2014-12-29", "2015-01-02")
    assert p.categories == ("cs.DM", "quant-ph") and p.primary_category == "cs.DM"


def test_arxiv_raw_records():
    result = papers(RAW)
    assert len(result) == 387
    found = {p.id: p for p in result}
    p = result[0]
    assert p.id == "0803.4354" and p.version == 6
    # this page was re-indented by its committer: wraps inside the title
    assert p.title == "A O(n^8) X O(n^7) Linear Programming Model of the Traveling Salesman Problem"
    assert p.authors == ("Moustapha Diaby",)
    assert p.published == "2008-03-30" and p.updated == "2016-10-20"
    assert p.categories == ("cs.DM",)
    assert p.comment.startswith("Theorem 25 and Corollary 26 are incorrect.")
    q = found["0808.3386"]
    assert q.version == 8 and q.categories == ("cs.DM", "cs.CC")
    assert q.published == "2008-08-25" and q.updated == "2016-10-20"
    last = result[-1]
    assert last.id == "1606.07946" and last.version == 1
    assert last.title == "On the theorem of Davenport and generalized Dedekind sums"
    assert last.journal_ref == "J. Number Theory 172 (2017) 1-20"
    assert last.published == last.updated == "2016-06-25"


def test_arxiv_raw_author_strings():
    found = {p.id: p for p in papers(RAW)}
    assert found["1204.3980"].authors == ("Béla Bollobás", "Paul Smith", "Andrew Uzzell")
    assert found["1512.08124"].authors == ("N. Gyenge", "A. Ludmány", "T. Baranyi")
    assert found["1605.01393"].authors == (
        "Bernhard Müller",
        "Maxime Viallet",
        "Alexander Heger",
        "Hans-Thomas Janka",
    )
    assert found["1502.07842"].authors[-1] == "Erik Sjöqvist"
    assert found["1605.04316"].authors[0] == "Mateusz Łącki"


def test_parse_stream_reads_a_file_handle():
    with (FIXTURES / RAW).open("rb") as fh:
        assert sum(1 for _ in arxiv_oai.parse_stream(fh, RAW)) == 387


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (read(RAW), ("1403493|1001", 1440)),
        (read(ARXIV), (None, None)),
        (
            read(RAW).replace(
                b'<resumptionToken cursor="0" completeListSize="1440">1403493|1001</resumptionToken>',
                b"<resumptionToken cursor='1000' completeListSize='1440'/>",
            ),
            (None, 1440),
        ),
    ],
    ids=["next-page", "no-token", "last-page"],
)
def test_resumption_token(data, expected):
    assert arxiv_oai.resumption_token(data) == expected


def test_deleted_records_skipped():
    deleted = (
        b'<record><header status="deleted"><identifier>oai:arXiv.org:1412.8544</identifier>'
        b"<datestamp>2015-01-03</datestamp></header></record>"
    )
    data = re.sub(rb"<record>.*?</record>", lambda _: deleted, read(ARXIV), count=1, flags=re.S)
    assert [p.id for p in arxiv_oai.parse(data, "x")] == ["hep-th/9504118"]


def test_oai_error_raises_code_and_message():
    data = OAI_ERROR % (
        b"badResumptionToken",
        b"The value of the resumptionToken argument is invalid",
    )
    with pytest.raises(InputError, match="badResumptionToken: The value of the resumptionToken"):
        list(arxiv_oai.parse(data, "oai"))


def test_no_records_match_is_an_empty_page():
    data = OAI_ERROR % (b"noRecordsMatch", b"No records match")
    assert list(arxiv_oai.parse(data, "oai")) == []


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        (IDENTIFIERS, "identifiers only, no metadata"),
        (SETS, "ListSets response holds no paper records"),
        (HTML_503, "HTML page"),
    ],
)
def test_non_record_responses(rel, message):
    with pytest.raises(InputError, match=message):
        papers(rel)


def test_unsupported_metadata_format():
    data = read(ARXIV).replace(
        b'xmlns="http://arxiv.org/OAI/arXiv/"', b'xmlns="http://example.org/dc/"'
    )
    with pytest.raises(InputError, match="unsupported OAI-PMH metadata format"):
        list(arxiv_oai.parse(data, "x"))


def test_record_without_id_is_an_error():
    data = read(ARXIV).replace(b"<id>1412.8544</id>", b"").replace(b"oai:arXiv.org:1412.8544", b"")
    with pytest.raises(InputError, match="entry 1: no arXiv id"):
        list(arxiv_oai.parse(data, "x"))


@pytest.mark.parametrize("rel", [ARXIV, RAW, IDENTIFIERS])
def test_truncated_response_is_an_input_error(rel):
    data = read(rel)
    with pytest.raises(InputError) as exc:
        list(arxiv_oai.parse(data[: len(data) // 2], rel))
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("data", [b"", b"Retry after 10 seconds", b"<html><body>x</body>"])
def test_non_xml_is_an_input_error(data):
    with pytest.raises(InputError):
        list(arxiv_oai.parse(data, "x"))


def test_other_arxiv_xml_is_rejected():
    rel = "arxiv_api/idlist_1111.2011v2_2016-10-09.xml"
    with pytest.raises(InputError, match="not an arXiv OAI-PMH response"):
        papers(rel)


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("arxiv_*/*")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_sniff(path):
    expected = path.parent.name == "arxiv_oai" and path.suffix == ".xml"
    assert arxiv_oai.sniff(path.read_bytes()[:4096]) == expected
