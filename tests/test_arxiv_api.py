from pathlib import Path

import pytest

from papertriage.errors import InputError
from papertriage.sources import arxiv_api

FIXTURES = Path(__file__).parent / "fixtures"
API = "arxiv_api/"
CLASSIC_ONE = API + "idlist_1111.2011v2_2016-10-09.xml"
PLACEHOLDERS = API + "idlist_4ids_3missing_2025-08-24_oldformat.xml"
OLD_STYLE_NEW_FORMAT = API + "idlist_astro-ph_0601001_2026-05-11.xml"
ELECTRON_CLASSIC = API + "query_all-electron_AND_all-proton_2025-08-20_oldformat.xml"
ELECTRON_NEW = API + "query_all-electron_AND_all-proton_2025-11-11_newformat.xml"
TRANSFORMER = API + "query_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml"
TESTING_P1 = API + "query_testing_start0_max10_2026-04-12.xml"
TESTING_P2 = API + "query_testing_start10_max10_2026-04-12.xml"
ERROR = API + "error_incorrect_id_format_abc_HTTP400_2026-04-12.xml"


def read(rel: str) -> bytes:
    return (FIXTURES / rel).read_bytes()


def papers(rel: str) -> list:
    return list(arxiv_api.parse(read(rel), rel))


def by_id(rel: str) -> dict:
    return {p.id: p for p in papers(rel)}


@pytest.mark.parametrize(
    ("rel", "count"),
    [
        (CLASSIC_ONE, 1),
        (PLACEHOLDERS, 1),
        (OLD_STYLE_NEW_FORMAT, 1),
        (API + "idlist_0000.0000_empty_2026-04-12.xml", 0),
        (API + "idlist_nonexistent_2025-11-11_newformat.xml", 0),
        (ELECTRON_CLASSIC, 10),
        (ELECTRON_NEW, 10),
        (TRANSFORMER, 5),
        (API + "query_au-del_maestro_2016-10-09.xml", 10),
        (API + "query_au-del_maestro_AND_ti-checkerboard_2016-10-09.xml", 1),
        (TESTING_P1, 10),
        (TESTING_P2, 10),
    ],
)
def test_entry_counts(rel, count):
    result = papers(rel)
    assert len(result) == count
    assert all(p.source == "arxiv-api" and p.origin == rel for p in result)


def test_classic_entry_all_fields():
    [p] = papers(CLASSIC_ONE)
    assert p.id == "1111.2011" and p.version == 2
    # classic titles are hard-wrapped with leading spaces
    assert p.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert p.authors == ("James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic")
    assert p.categories == ("cond-mat.str-el", "cond-mat.stat-mech")
    assert p.primary_category == "cond-mat.str-el"
    assert p.published == "2011-11-08" and p.updated == "2012-04-02"
    assert p.doi == "10.1103/PhysRevB.85.115117"
    assert p.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert p.comment == "8 pages, 3 figures. Published version"
    assert p.abstract.startswith("Theoretical description of anisotropic systems, such as layered")
    assert p.abstract.endswith("describing a single node.")
    assert "\n" not in p.abstract and "  " not in p.abstract
    assert p.announce_type is None
    assert "1111.2011v2" in p.raw and p.raw.lstrip().startswith("<")


def test_new_format_old_style_id():
    [p] = papers(OLD_STYLE_NEW_FORMAT)
    assert p.id == "astro-ph/0601001" and p.version == 1
    assert p.title.startswith("Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III")
    assert p.authors[0] == "Andrew Gould" and p.authors[-1] == "Andrzej Udalski"
    assert len(p.authors) == 4
    assert p.categories == ("astro-ph",) and p.primary_category == "astro-ph"
    assert p.journal_ref == "ActaAstron.56:1-50,2006"
    assert p.comment.startswith("62 pages including 16 figures and 9 tables.")
    assert p.published == "2006-01-02" and p.updated == "2006-01-02"
    assert "Gould & Morgan (2003)" in p.abstract and "V_max<17.5" in p.abstract


def test_new_format_2025_links_without_rel():
    found = by_id(ELECTRON_NEW)
    p = found["nucl-ex/0408020"]
    assert p.version == 1
    assert p.categories == ("nucl-ex", "hep-ph") and p.primary_category == "nucl-ex"
    assert p.published == "2004-08-18" and p.updated == "2005-09-17"
    assert len(p.authors) == 9
    assert p.authors[0] == "J. Arrington" and p.authors[-1] == "H. de Vries"
    q = found["1309.4668"]
    assert q.doi == "10.5170/CERN-2013-002.237"
    assert q.journal_ref == "CERN Yellow Report CERN-2013-002, pp.237-240"
    assert found["1205.6628"].authors[-1] == "Ulf-G. Meißner"
    assert found["nucl-th/9910021"].version == 3


def test_classic_query_old_style_ids_and_wrapped_titles():
    found = by_id(ELECTRON_CLASSIC)
    assert list(found)[:2] == ["astro-ph/9904306", "hep-ph/9411242"]
    p = found["hep-ph/9411242"]
    assert p.title == (
        "Proton-ring and Electron-linac Collider (PRELC) as a (first) "
        "TeV-rangeelectron-proton or photon-proton collider"
    )
    assert p.authors == ("Raimo Vuopionperä",)
    q = found["1706.01836"]
    assert q.version == 2 and q.published == "2017-06-06" and q.updated == "2017-09-24"
    assert q.doi == "10.1063/1.4996038"
    assert q.journal_ref == "The Journal of Chemical Physics 147, 114113 (2017)"
    assert found["0806.3233"].categories == ("cond-mat.other", "physics.bio-ph", "q-bio.SC")


def test_primary_category_first_in_2026_format():
    first = papers(TRANSFORMER)[0]
    assert (
        first.id == "2606.13677"
        and first.title == "Mana: Dexterous Manipulation of Articulated Tools"
    )
    assert first.categories == ("cs.RO", "cs.AI", "cs.CV", "cs.LG")
    assert first.primary_category == "cs.RO"
    assert first.comment == "Project Page: https://zhaohengyin.github.io/mana"


def test_empty_placeholders_skipped_and_msc_code_dropped():
    [p] = papers(PLACEHOLDERS)
    assert p.id == "2201.13452" and p.version == 1
    assert p.title == (
        "Asymptotic Analysis for a Nonlinear Reaction-Diffusion System Modeling an Infectious Disease"
    )
    assert p.categories == ("math.AP",)  # <category term="35"> is an MSC code
    assert p.comment == "34 pages"


def test_pages_of_one_query_do_not_overlap():
    first = [p.id for p in papers(TESTING_P1)]
    second = [p.id for p in papers(TESTING_P2)]
    assert first[0] == "2202.12139" and second[0] == "2403.16981"
    assert not set(first) & set(second)


def test_doubly_encoded_utf8_is_repaired():
    # these recorded bodies carry "GÃ¶tz" for "Götz"
    assert by_id(TESTING_P2)["2202.06271"].authors[0] == "Katharina Götz"
    assert by_id(TESTING_P1)["2405.13786"].authors[:3] == (
        "Aurora Ramírez",
        "Mario Berrios",
        "José Raúl Romero",
    )


@pytest.mark.parametrize("bom", ["\ufeff", "\u00ef\u00bb\u00bf"])
def test_doubly_encoded_utf8_is_repaired_behind_a_byte_order_mark(bom):
    # a BOM (or its own double-encoded form) in front must not switch the repair off
    data = bom.encode() + read(TESTING_P2)
    got = {p.id: p for p in arxiv_api.parse(data, "bom.xml")}
    assert got["2202.06271"].authors[0] == "Katharina Götz"


def test_a_byte_order_mark_alone_changes_nothing():
    data = read(TESTING_P2).decode().encode("latin-1", errors="ignore")  # no mojibake left
    assert list(arxiv_api.parse(b"\xef\xbb\xbf" + data, "x")) == list(arxiv_api.parse(data, "x"))


@pytest.mark.parametrize(
    ("rel", "info"),
    [
        (ELECTRON_CLASSIC, (7370, 0, 10)),
        (ELECTRON_NEW, (7432, 0, 10)),
        (TESTING_P2, (214881, 10, 10)),
        (API + "idlist_nonexistent_2025-11-11_newformat.xml", (0, 0, 10)),
    ],
)
def test_feed_info(rel, info):
    got = arxiv_api.feed_info(read(rel), rel)
    assert (got["total_results"], got["start_index"], got["items_per_page"]) == info


def test_error_feed_raises_with_arxiv_message():
    with pytest.raises(InputError, match="incorrect id format for abc") as exc:
        papers(ERROR)
    assert exc.value.origin == ERROR


def test_entry_with_content_but_no_id_is_an_error():
    data = read(CLASSIC_ONE).replace(b"http://arxiv.org/abs/1111.2011v2", b"")
    with pytest.raises(InputError, match="entry 1: no arXiv id") as exc:
        list(arxiv_api.parse(data, "x.xml"))
    assert exc.value.where == "entry 1"


@pytest.mark.parametrize("rel", [CLASSIC_ONE, ELECTRON_NEW, TRANSFORMER, ERROR])
def test_truncated_feed_is_an_input_error(rel):
    data = read(rel)
    with pytest.raises(InputError, match="not well-formed XML"):
        list(arxiv_api.parse(data[: len(data) // 2], rel))


@pytest.mark.parametrize(
    "data",
    [
        (FIXTURES / "arxiv_oai/ListRecords_503_retry_after.html").read_bytes(),
        b"<!DOCTYPE html><html><head><title>503</title></head><body>&nbsp;busy</body></html>",
        b'{"error": "not xml"}',
        b"",
    ],
)
def test_html_and_non_xml_are_input_errors(data):
    with pytest.raises(InputError) as exc:
        list(arxiv_api.parse(data, "page.html"))
    assert "\n" not in str(exc.value)


def test_entity_expansion_refused():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&a;</title></feed>'
    )
    with pytest.raises(InputError, match="unsafe XML"):
        list(arxiv_api.parse(data, "evil.xml"))


def test_other_xml_is_rejected():
    rel = "arxiv_rss/rss_cs.CL_2026-04-27_trimmed3.xml"
    with pytest.raises(InputError, match="not an arXiv API Atom feed"):
        list(arxiv_api.parse(read(rel), rel))


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("arxiv_*/*")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_sniff(path):
    assert arxiv_api.sniff(path.read_bytes()[:4096]) == (path.parent.name == "arxiv_api")
