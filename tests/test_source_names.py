"""Authors and titles come out whole and plain from every source that shares the
decoding (models.make_paper -> text.author_names / decode_tex): real fixture records
with the names that real files carry put in."""

import json
from pathlib import Path

import pytest

from papertriage.sources.formats import parse_bytes

FIX = Path(__file__).parent / "fixtures"
OAI = FIX / "arxiv_oai/ListRecords_arXiv_from2015-01-01_until2015-01-03.xml"
RAW = FIX / "arxiv_oai/ListRecords_arXivRaw_from2016-10-20_page1.xml"
KAGGLE = FIX / "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"
RSS = FIX / "arxiv_rss/rss_cs.CL_2026-04-27_trimmed3.xml"
API = FIX / "arxiv_api/idlist_1111.2011v2_2016-10-09.xml"

# (as TeX in the file, as it must be stored)
NAMES = [
    (r"S\lawianowski", "Sławianowski"),
    (r"Go\lubowska", "Gołubowska"),
    (r"Y\ilmaz", "Yılmaz"),
    (r"Ar\ik", "Arık"),
    (r"Garc\ia-Ripoll", "Garcıa-Ripoll"),
    (r"Garc\'{\i}a-Ripoll", "García-Ripoll"),
    (r"Garc\'\i a-Ripoll", "García-Ripoll"),
    ("Ak\\incı", "Akıncı"),
    (r"Lefran\ccois", "Lefrançois"),
    (r"Stanis{\l}aw", "Stanisław"),
    (r"\L\'od\'z", "Łódź"),
    (r"Bj\o rn", "Bjørn"),
    (r"{\O}bro", "Øbro"),
    (r"H{\aa}kan", "Håkan"),
    (r"\AA{}ngstr\"om", "Ångström"),
    (r"Stra\ss e", "Straße"),
    (r"\ae sir", "æsir"),
    (r"C\oe ur", "Cœur"),
    (r"\v{S}r\'amek", "Šrámek"),
    (r"Vina\v r", "Vinař"),
    (r"Erd\H{o}s", "Erdős"),
    (r"Kri\v{s}j\=anis", "Krišjānis"),
    (r"Ko\c{c}", "Koç"),
    (r"Ni\~{n}o", "Niño"),
    (r"\.{Z}ak", "Żak"),
    (r"Gr\k{e}bosz", "Grębosz"),
    (r"\r{U}ni", "Ůni"),
    (r"Fran\c cois", "François"),
    (r"Ji\v{r}\'{\i}", "Jiří"),
]


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def oai_arxiv(name: str) -> bytes:
    data = OAI.read_text()
    return data.replace(
        "<keyname>Uijlen</keyname>", f"<keyname>{_xml_escape(name)}</keyname>", 1
    ).encode()


def oai_raw(authors: str) -> bytes:
    data = RAW.read_text()
    start = data.index("<authors>") + len("<authors>")
    end = data.index("</authors>", start)
    return (data[:start] + _xml_escape(authors) + data[end:]).encode()


def kaggle(authors: str, parsed: list[list[str]] | None = None) -> bytes:
    record = json.loads(KAGGLE.read_text().splitlines()[0])
    record["authors"] = authors
    if parsed is None:
        record.pop("authors_parsed")
    else:
        record["authors_parsed"] = parsed
    return (json.dumps(record) + "\n").encode()


def rss(authors: str) -> bytes:
    data = RSS.read_text()
    start = data.index("<dc:creator>") + len("<dc:creator>")
    end = data.index("</dc:creator>", start)
    return (data[:start] + _xml_escape(authors) + data[end:]).encode()


def api(name: str) -> bytes:
    data = API.read_text()
    return data.replace(
        "<name>James M. Murray</name>", f"<name>{_xml_escape(name)}</name>"
    ).encode()


def first(data: bytes, fmt: str):
    return next(iter(parse_bytes(data, "test", fmt)))


@pytest.mark.parametrize(("tex", "plain"), NAMES)
def test_tex_names_are_decoded_whole_by_every_source(tex, plain):
    got = {
        "oai": first(oai_arxiv(tex), "arxiv-oai").authors[0],
        "raw": first(oai_raw(f"Jan {tex}, B. Other"), "arxiv-oai").authors[0],
        "kaggle-string": first(kaggle(f"Jan {tex}, B. Other"), "kaggle").authors[0],
        "kaggle-parsed": first(kaggle("x", [[tex, "Jan", ""]]), "kaggle").authors[0],
        "rss": first(rss(f"Jan {tex}, B. Other"), "arxiv-rss").authors[0],
        "api": first(api(f"Jan {tex}"), "arxiv-api").authors[0],
    }
    assert got["oai"] == f"Sander {plain}"
    assert {k: v for k, v in got.items() if k != "oai"} == dict.fromkeys(
        ("raw", "kaggle-string", "kaggle-parsed", "rss", "api"), f"Jan {plain}"
    )


@pytest.mark.parametrize(
    ("tex", "plain"),
    [
        (r"the Gr\"obner basis", "the Gröbner basis"),
        (r"Koll\'ar's injectivity theorem", "Kollár's injectivity theorem"),
        (
            r"Recent results on the Erd\H{o}s-P\'osa property",
            "Recent results on the Erdős-Pósa property",
        ),
        (
            r"Schr{\"o}dinger operators on $\mathbb{R}^4$",
            r"Schrödinger operators on $\mathbb{R}^4$",
        ),
        (
            r"From dyadic $\Lambda_{\alpha}$ to $\Lambda_{\alpha}$",
            r"From dyadic $\Lambda_{\alpha}$ to $\Lambda_{\alpha}$",
        ),
        (
            r"\lambda-calculus and \textit{co}-induction",
            r"\lambda-calculus and \textit{co}-induction",
        ),
    ],
)
def test_tex_accents_in_titles_are_decoded_math_and_commands_kept(tex, plain):
    oai = OAI.read_text().replace(
        "<title>A Kochen-Specker system has at least 22 vectors (extended abstract)</title>",
        f"<title>{_xml_escape(tex)}</title>",
    )
    record = json.loads(kaggle("A. B"))
    record["title"] = tex
    feed = API.read_text()
    start = feed.index("<title>", feed.index("<entry>")) + len("<title>")
    feed = feed[:start] + _xml_escape(tex) + feed[feed.index("</title>", start) :]
    assert first(oai.encode(), "arxiv-oai").title == plain
    assert first(json.dumps(record).encode() + b"\n", "kaggle").title == plain
    assert first(feed.encode(), "arxiv-api").title == plain


@pytest.mark.parametrize(
    ("make", "fmt"),
    [
        (lambda a: oai_raw(a), "arxiv-oai"),
        (lambda a: kaggle(a), "kaggle"),
        (lambda a: rss(a), "arxiv-rss"),
    ],
)
@pytest.mark.parametrize(
    ("authors", "names"),
    [
        ("PHENIX Collaboration, A. Adare, et al", ("PHENIX Collaboration", "A. Adare")),
        ("PHENIX Collaboration: A. Adare, et al.", ("PHENIX Collaboration", "A. Adare")),
        ("CDF Collaboration: T. Aaltonen et al", ("CDF Collaboration", "T. Aaltonen")),
        ("The BABAR Collaboration, B. Aubert, et al", ("The BABAR Collaboration", "B. Aubert")),
        ("F. Aharonian et al.", ("F. Aharonian",)),
        ("A. Gal, B. Al and C. Bet", ("A. Gal", "B. Al", "C. Bet")),
    ],
)
def test_et_al_is_not_an_author_and_a_collaboration_prefix_is_one(make, fmt, authors, names):
    assert first(make(authors), fmt).authors == names


def test_kaggle_parsed_et_al_is_dropped():
    parsed = [["Collaboration", "The CDF", ""], ["Aaltonen", "T.", ""], ["al.", "et", ""]]
    assert first(kaggle("x", parsed), "kaggle").authors == ("The CDF Collaboration", "T. Aaltonen")
