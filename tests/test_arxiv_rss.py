from collections import Counter
from pathlib import Path

import pytest

from papertriage.errors import InputError
from papertriage.sources import arxiv_rss

FIXTURES = Path(__file__).parent / "fixtures"
CL = "arxiv_rss/rss_cs.CL_2026-04-27_trimmed3.xml"
LG = "arxiv_rss/rss_cs.LG_2026-04-27_trimmed3.xml"
RDF = "arxiv_rss/rss_old_rdf_math_2012-09-12.xml"

# The Atom listing as documented by arXiv (info.arxiv.org/help/atom_specifications):
# no recorded copy is available, so this follows the documented example entry.
ATOM_LISTING = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"
      xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="en-us">
  <id>http://rss.arxiv.org/atom/math.OC</id>
  <title>math.OC updates on arXiv.org</title>
  <updated>2024-08-23T04:00:11.941605+00:00</updated>
  <link href="http://rss.arxiv.org/atom/math.OC" rel="self" type="application/atom+xml"/>
  <subtitle>math.OC updates on the arXiv.org e-print archive.</subtitle>
  <entry>
    <id>oai:arXiv.org:2203.01250v3</id>
    <title>Mass concentration in rescaled first order integral functionals</title>
    <updated>2024-08-23T04:00:11.942190+00:00</updated>
    <link href="https://arxiv.org/abs/2203.01250" rel="alternate" type="text/html"/>
    <summary>arXiv:2203.01250v3 Announce Type: replace-cross\x20
Abstract: We consider first order local minimization problems of the form $\\min \\int_{\\mathbb{R}^N}f(u,\\nabla u)$ under a mass constraint.</summary>
    <category term="math.AP"/>
    <category term="math.OC"/>
    <published>2024-08-23T00:00:00-04:00</published>
    <arxiv:announce_type>replace-cross</arxiv:announce_type>
    <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
    <arxiv:journal_reference>Journal de l'\\'Ecole polytechnique - Math\\'ematiques, Tome 11 (2024), pp. 431-472</arxiv:journal_reference>
    <arxiv:DOI>10.5802/jep.257</arxiv:DOI>
    <dc:creator>Antonin Monteil, Paul Pegon</dc:creator>
  </entry>
</feed>
"""


def read(rel: str) -> bytes:
    return (FIXTURES / rel).read_bytes()


def papers(rel: str) -> list:
    return list(arxiv_rss.parse(read(rel), rel))


def test_rss2_items():
    result = papers(CL)
    assert [p.id for p in result] == ["2604.22002", "2604.22027", "2604.22038"]
    p = result[0]
    assert p.version == 1 and p.announce_type == "new"
    assert p.title == (
        "When Cow Urine Cures Constipation on YouTube: "
        "Limits of LLMs in Detecting Culture-specific Health Misinformation"
    )
    assert p.authors == ("Anamta Khan", "Ratna Kandala", "Deepti", "Sheza Munir", "Joyojeet Pal")
    assert p.categories == ("cs.CL",) and p.primary_category == "cs.CL"
    assert p.published == "2026-04-27" and p.updated is None
    assert p.license == "http://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert p.abstract.startswith("Social media platforms have become primary channels")
    assert "Announce Type" not in p.abstract
    assert p.source == "arxiv-rss" and p.origin == CL and "2604.22002v1" in p.raw
    q = result[1]
    assert q.categories == ("cs.CL", "cs.AI", "cs.LG")
    assert len(q.authors) == 8
    assert q.authors[0] == "Zhuonan Yang" and q.authors[-1] == "Ellie Pavlick"


def test_rss2_second_feed():
    p = papers(LG)[0]
    assert p.id == "2604.21952" and p.version == 1
    assert p.categories == ("cs.LG", "cs.AI", "cs.AR", "cs.NE", "cs.RO")
    assert p.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert p.authors[0] == "Muhammad Shafique"
    assert "visual resolution & stride" in p.abstract


@pytest.mark.parametrize("kind", ["new", "cross", "replace", "replace-cross"])
def test_announce_type_decides_which_date(kind):
    data = read(CL).replace(b"Announce Type: new", f"Announce Type: {kind}".encode())
    data = data.replace(b">new</arxiv:announce_type>", f">{kind}</arxiv:announce_type>".encode())
    p = list(arxiv_rss.parse(data, CL))[0]
    assert p.announce_type == kind
    if kind == "new":
        assert (p.published, p.updated) == ("2026-04-27", None)
    else:
        assert (p.published, p.updated) == (None, "2026-04-27")
    assert p.abstract.startswith("Social media platforms")


def test_announce_type_read_from_description_when_element_missing():
    data = read(CL).replace(b"<arxiv:announce_type>new</arxiv:announce_type>", b"")
    data = data.replace(b"Announce Type: new", b"Announce Type: replace", 1)
    p = list(arxiv_rss.parse(data, CL))[0]
    assert p.announce_type == "replace" and p.updated == "2026-04-27"


@pytest.mark.parametrize(
    ("rel", "info"),
    [
        (CL, {"feed_date": "2026-04-27", "categories": ["cs.CL"]}),
        (LG, {"feed_date": "2026-04-27", "categories": ["cs.LG"]}),
        (RDF, {"feed_date": "2012-09-13", "categories": ["math"]}),
    ],
)
def test_feed_info(rel, info):
    assert arxiv_rss.feed_info(read(rel), rel) == info


def test_feed_info_multi_category_feed():
    data = read(CL).replace(b"rss/cs.CL", b"rss/cs.CL+cs.LG")
    assert arxiv_rss.feed_info(data, "x")["categories"] == ["cs.CL", "cs.LG"]


def test_rdf_items_and_announce_types():
    result = papers(RDF)
    assert len(result) == 126
    assert Counter(p.announce_type for p in result) == {"new": 71, "replace": 54, "cross": 1}
    assert all(p.source == "arxiv-rss" for p in result)
    found = {p.id: p for p in result}
    first = result[0]
    assert first.id == "1209.2411" and first.version == 1
    assert first.title == "On the first time that an Ito process hits a barrier"
    assert first.categories == ("math.PR",)
    assert first.authors == ("Gerardo Hernandez-del-Valle",)
    assert first.published == "2012-09-13" and first.updated is None
    assert first.abstract.startswith("This work deals with first hitting time densities")
    assert "<p>" not in first.abstract and "&lt;" not in first.abstract
    assert found["1209.2644"].title == "How different can h-cobordant manifolds be?"


def test_rdf_updated_and_cross_listed():
    found = {p.id: p for p in papers(RDF)}
    updated = found["0804.1418"]
    assert updated.announce_type == "replace" and updated.version == 4
    assert updated.title == "Smooth Yamabe invariant and surgery"
    assert updated.primary_category == "math.DG"
    assert (updated.published, updated.updated) == (None, "2012-09-13")
    assert found["0909.2017"].title == (
        "Sparsity and `Something Else': An Approach to Encrypted Image Folding"
    )
    assert found["0909.2017"].categories == ("cs.CV",)
    cross = found["0901.1155"]
    assert cross.announce_type == "cross" and cross.version == 2
    assert cross.categories == ("cs.DS",)
    assert cross.authors == ("Itai Benjamini", "Yury Makarychev")


def test_rdf_authors_and_html_unescaped():
    found = {p.id: p for p in papers(RDF)}
    authors = found["1209.2355"].authors
    assert authors[0] == "Léon Bottou" and authors[-1] == "Ed Snelson"
    assert "Joaquin Quiñonero-Candela" in authors
    # affiliations sit outside the author links
    assert found["1209.2604"].authors == ("Christian Gérard", "Wrochna Michal")
    assert "Benedicks & Carleson" in found["1106.4614"].abstract
    assert "0<p<1" in found["1209.2480"].abstract


def test_atom_listing_feed():
    [p] = arxiv_rss.parse(ATOM_LISTING, "atom.xml")
    assert p.id == "2203.01250" and p.version == 3
    assert p.announce_type == "replace-cross"
    assert p.title == "Mass concentration in rescaled first order integral functionals"
    assert p.abstract.startswith("We consider first order local minimization problems")
    assert p.authors == ("Antonin Monteil", "Paul Pegon")
    assert p.categories == ("math.AP", "math.OC")
    assert p.doi == "10.5802/jep.257"
    assert p.journal_ref.startswith("Journal de l")
    assert p.license == "http://creativecommons.org/licenses/by/4.0/"
    assert (p.published, p.updated) == (None, "2024-08-23")
    assert arxiv_rss.sniff(ATOM_LISTING[:4096])
    assert arxiv_rss.feed_info(ATOM_LISTING, "atom.xml") == {
        "feed_date": "2024-08-23",
        "categories": ["math.OC"],
    }


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("A. Smith, B. Jones and C. Brown", ["A. Smith", "B. Jones", "C. Brown"]),
        ("A. Smith and B. Jones", ["A. Smith", "B. Jones"]),
        ("A. Smith, B. Jones, and C. Brown", ["A. Smith", "B. Jones", "C. Brown"]),
        ("N. Gyenge and A. Ludm\\'any and T. Baranyi", ["N. Gyenge", "A. Ludmány", "T. Baranyi"]),
        ("A. Smith (MIT, Cambridge), B. Jones (1,2) ((1) X, (2) Y)", ["A. Smith", "B. Jones"]),
        ("John Smith, Jr., Jane Doe", ["John Smith Jr.", "Jane Doe"]),
        ("H{\\aa}kan Kalm, Pawe{\\l} Wo\\'zny", ["Håkan Kalm", "Paweł Woźny"]),
        ("Andrew Anderson", ["Andrew Anderson"]),
        ("", []),
    ],
)
def test_split_authors(text, names):
    assert arxiv_rss.split_authors(text) == names


def test_feed_error_title_raises():
    data = read(CL).replace(
        b"<title>cs.CL updates on arXiv.org</title>", b"<title>Feed error for query: cs.XX</title>"
    )
    with pytest.raises(InputError, match="Feed error for query: cs.XX"):
        list(arxiv_rss.parse(data, "x"))


def test_empty_item_skipped_but_item_without_id_is_an_error():
    empty = read(CL).replace(b"<item>", b"<item></item><item>", 1)
    assert len(list(arxiv_rss.parse(empty, "x"))) == 3
    no_id = read(CL).replace(b"<item>", b"<item><title>Orphan</title></item><item>", 1)
    with pytest.raises(InputError, match="entry 1: no arXiv id") as exc:
        list(arxiv_rss.parse(no_id, "x"))
    assert exc.value.where == "entry 1"


@pytest.mark.parametrize("rel", [CL, LG, RDF])
def test_truncated_feed_is_an_input_error(rel):
    data = read(rel)
    with pytest.raises(InputError, match="not well-formed XML"):
        list(arxiv_rss.parse(data[: len(data) // 2], rel))


@pytest.mark.parametrize(
    "data",
    [
        (FIXTURES / "arxiv_oai/ListRecords_503_retry_after.html").read_bytes(),
        b"<html><body><h1>Service Unavailable</h1></body></html>",
        b"Retry after 10 seconds",
    ],
)
def test_html_and_non_xml_are_input_errors(data):
    with pytest.raises(InputError):
        list(arxiv_rss.parse(data, "page.html"))


@pytest.mark.parametrize(
    "rel",
    [
        "arxiv_api/query_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml",
        "arxiv_oai/ListRecords_arXiv_from2015-01-01_until2015-01-03.xml",
    ],
)
def test_other_arxiv_xml_is_rejected(rel):
    with pytest.raises(InputError):
        list(arxiv_rss.parse(read(rel), rel))


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("arxiv_*/*")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_sniff(path):
    assert arxiv_rss.sniff(path.read_bytes()[:4096]) == (path.parent.name == "arxiv_rss")
