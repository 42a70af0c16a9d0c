"""The pasted text of a HF papers listing page, and a single HF paper web page."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from papertriage import ids
from papertriage.errors import InputError
from papertriage.models import SKIPPED, Paper
from papertriage.sources import hf_page
from papertriage.text import title_key

FIXTURES = Path(__file__).parent / "fixtures" / "hf_page"
PAGE_FILE = FIXTURES / "papers_page_text_2025-12-15_first28.txt"
PAGE = PAGE_FILE.read_bytes()
HTML = (FIXTURES / "paper_2509.24002_prettified.html").read_bytes()
HEADING = PAGE[: PAGE.index(b"Dec 15\n") + 7]
TODAY = date(2026, 11, 27)

DYNAMIC_LRP = "Always Keep Your Promises: DynamicLRP, A Model-Agnostic Solution To Layer-Wise Relevance Propagation"
LAYERWISE_Q = "Layer-Wise Quantization: A Pragmatic and Effective Method for Quantizing LLMs Beyond Integer Bit-Levels"
GRPO = "On GRPO Collapse in Search-R1: The Lazy Likelihood-Displacement Death Spiral"
BRAIN_ROT = 'LLMs Can Get "Brain Rot"!'
P_MOD = "p-MoD: Building Mixture-of-Depths MLLMs via Progressive Ratio Decay"
UNCERTAINTY = "Uncertainty-guided Perturbation for Image Super-Resolution Diffusion Model"


def parse(data: bytes = PAGE, **kw: object) -> list[Paper]:
    kw.setdefault("today", TODAY)
    return list(hf_page.parse(data, "page.txt", **kw))  # type: ignore[arg-type]


def by_title(papers: list[Paper]) -> dict[str, Paper]:
    return {p.title or "": p for p in papers}


def block_starts(text: str) -> list[int]:
    """Offsets where a blank-line-separated block begins."""
    return [m.end() for m in re.finditer(r"\n\n", text)]


def split_before(line: str) -> tuple[bytes, bytes]:
    """The page split at the block boundary just before the block starting with line."""
    text = PAGE.decode()
    at = text.index("\n\n" + line) + 2
    return text[:at].encode(), text[at:].encode()


# ---- the whole fixture ---------------------------------------------------------------


def test_all_28_papers() -> None:
    papers = parse()
    assert len(papers) == 28
    assert len({p.id for p in papers}) == 28
    assert {p.source for p in papers} == {"hf-page"}
    assert {p.origin for p in papers} == {"page.txt"}
    assert all(ids.is_provisional(p.id) and p.authors == () for p in papers)


@pytest.mark.parametrize(
    ("index", "title"),
    [
        (0, "Delving into Masked Autoencoders for Multi-Label Thorax Disease Classification"),
        (1, DYNAMIC_LRP),
        (3, GRPO),
        (
            7,
            "Transformers Don't Need LayerNorm at Inference Time: Scaling LayerNorm Removal "
            "to GPT-2 XL and the Implications for Mechanistic Interpretability",
        ),
        (22, "Void in Language Models"),
        (26, BRAIN_ROT),
        (27, P_MOD),
    ],
)
def test_titles_in_page_order(index: int, title: str) -> None:
    assert parse()[index].title == title


@pytest.mark.parametrize(
    ("title", "start"),
    [
        (DYNAMIC_LRP, "Layer-wise Relevance Propagation (LRP) provides principled attribution"),
        (GRPO, "Tool-integrated (TI) reinforcement learning (RL) enables large language models"),
        ("Void in Language Models", "Despite advances in transformer-based language models (LMs)"),
        (BRAIN_ROT, "We propose and test the LLM Brain Rot Hypothesis"),
    ],
)
def test_abstract_start(title: str, start: str) -> None:
    abstract = by_title(parse())[title].abstract or ""
    assert abstract.startswith(start)
    assert len(abstract) > 1000


@pytest.mark.parametrize(
    ("title", "published", "upvotes", "shown"),
    [
        (DYNAMIC_LRP, "2025-12-07", None, "Dec 7"),
        (
            "Delving into Masked Autoencoders for Multi-Label Thorax Disease Classification",
            "2022-10-23",
            None,
            "Oct 23, 2022",
        ),
        (
            "OctoThinker: Mid-training Incentivizes Reinforcement Learning Scaling",
            "2025-06-25",
            1,
            "Jun 25 1",
        ),
        (
            "Degradation-Guided One-Step Image Super-Resolution with Diffusion Priors",
            "2024-09-25",
            5,
            "Sep 25, 2024 5",
        ),
        ("The Curse of Depth in Large Language Models", "2025-02-09", 5, "Feb 9 5"),
        (P_MOD, "2024-12-05", 2, "Dec 5, 2024 2"),
        (GRPO, None, None, None),
        (BRAIN_ROT, None, None, None),
    ],
)
def test_dates_and_upvotes(
    title: str, published: str | None, upvotes: int | None, shown: str | None
) -> None:
    paper = by_title(parse())[title]
    assert paper.published == published
    assert paper.hf_upvotes == upvotes
    assert paper.raw["date"] == shown
    assert paper.raw["upvotes"] == upvotes


def test_raw_byline() -> None:
    paper = by_title(parse())["Void in Language Models"]
    assert paper.raw["byline"] == "• 1 authors"
    assert paper.raw["authors_count"] == 1
    assert paper.raw["title"] == "Void in Language Models"
    assert paper.hf_organization is None
    assert by_title(parse())[GRPO].raw["byline"] is None


# ---- resolving dates without a year -----------------------------------------------


@pytest.mark.parametrize(
    ("kw", "title", "published"),
    [
        # heading 'Dec 15' -> the latest Dec 15 not after today
        ({"today": date(2025, 12, 15)}, DYNAMIC_LRP, "2025-12-07"),
        ({"today": date(2027, 1, 3)}, DYNAMIC_LRP, "2026-12-07"),
        # Dec 15 2024 is the latest one before today, but the page shows 'Oct 15, 2024'
        # with a year, so the page year is later than 2024
        ({"today": date(2025, 12, 10)}, DYNAMIC_LRP, "2025-12-07"),
        # an explicit page date wins; yearless dates after it belong to the year before
        (
            {"page_date": date(2025, 6, 1)},
            "OctoThinker: Mid-training Incentivizes Reinforcement Learning Scaling",
            "2024-06-25",
        ),
        ({"page_date": date(2025, 6, 1)}, "Void in Language Models", "2025-05-20"),
        (
            {"page_date": date(2025, 6, 1)},
            "Wider and Deeper LLM Networks are Fairer LLM Evaluators",
            "2023-08-03",
        ),
    ],
)
def test_yearless_dates(kw: dict[str, date], title: str, published: str) -> None:
    assert by_title(parse(**kw))[title].published == published


@pytest.mark.parametrize(
    ("today", "published"),
    [(date(2025, 12, 10), "2024-12-07"), (date(2025, 12, 20), "2025-12-07")],
)
def test_heading_date_without_explicit_years(today: date, published: str) -> None:
    text = (
        "Daily Papers\n\nDec 15\n\nA Title\n\n"
        + "An abstract sentence. " * 10
        + "\n\n  • 2 authors\n·\nDec 7\n"
    )
    assert parse(text.encode(), today=today)[0].published == published


def test_heading_date_with_year() -> None:
    text = (
        "Daily Papers\n\nDec 15, 2023\n\nA Title\n\n"
        + "An abstract sentence. " * 10
        + "\n\n  • 2 authors\n·\nDec 20\n"
    )
    assert parse(text.encode())[0].published == "2022-12-20"


# ---- provisional ids -------------------------------------------------------------


def test_ids_are_stable_and_from_the_title() -> None:
    first, again = parse(), parse(today=date(2025, 12, 20))
    assert [p.id for p in first] == [p.id for p in again]
    for paper in first:
        assert paper.id == ids.provisional_id(title_key(paper.title))


@pytest.mark.parametrize(
    "variant",
    [
        LAYERWISE_Q.upper(),
        LAYERWISE_Q.replace("Layer-Wise", "Layerwise").replace("Bit-Levels", "BitLevels"),
        LAYERWISE_Q.replace("A Pragmatic and", "A Pragmatic\n  and"),
    ],
    ids=["case", "hyphenation", "wrapped"],
)
def test_title_variants_keep_the_id(variant: str) -> None:
    original = by_title(parse())[LAYERWISE_Q]
    changed = parse(PAGE.decode().replace(LAYERWISE_Q, variant).encode())
    assert len(changed) == 28
    assert changed[2].id == original.id
    assert changed[2].published == "2024-06-25"


# ---- partial pastes ---------------------------------------------------------------


# yearless dates in the second half resolve against today (2026-11-27), as it has no heading
SECOND_HALF_DATES = {
    "Peri-LN: Revisiting Layer Normalization in the Transformer Architecture": "2026-02-04",
    "Drop-Muon: Update Less, Converge Faster": "2026-10-02",
    "LUQ: Layerwise Ultra-Low Bit Quantization for Multimodal Large Language Models": "2026-09-28",
    "You Only Scan Once: Efficient Multi-dimension Sequential Modeling with LightNet": "2024-05-31",
}


@pytest.mark.parametrize(
    ("line", "first_total", "total"),
    [
        (UNCERTAINTY, 6, 28),  # before a title: a clean split
        ("Diffusion-based image super-resolution methods", 6, 27),  # before an abstract
        ("  \u2022 4 authors\n\u00b7\nMar 24", 7, 28),  # before a byline ('Mar 24' is no page date)
    ],
    ids=["title", "abstract", "byline"],
)
def test_page_split_in_two(line: str, first_total: int, total: int) -> None:
    head, tail = split_before(line)
    first, second = parse(head), parse(tail)
    assert len(first) == first_total
    assert len(first) + len(second) == total
    titles = [p.title for p in first + second]
    assert len(set(titles)) == len(titles)
    found = {t: p.published for t, p in by_title(second).items() if t in SECOND_HALF_DATES}
    assert found == SECOND_HALF_DATES


def test_split_at_every_block_boundary() -> None:
    text = PAGE.decode()
    for at in block_starts(text):
        head, tail = text[:at].encode(), text[at:].encode()
        assert count(head) + count(tail) in (27, 28), at


def count(data: bytes) -> int:
    try:
        return len(parse(data))
    except InputError:
        return 0


def test_crlf_line_endings() -> None:
    crlf = parse(PAGE.replace(b"\n", b"\r\n"))
    plain = parse()
    assert [(p.id, p.title, p.abstract, p.published, p.hf_upvotes) for p in crlf] == [
        (p.id, p.title, p.abstract, p.published, p.hf_upvotes) for p in plain
    ]


@pytest.mark.parametrize(
    ("cut_after", "expected", "last_published", "last_byline"),
    [
        ("Dec 5, 2024 2", 28, "2024-12-05", "• 6 authors"),  # the whole page
        (P_MOD, 27, None, None),  # a trailing title alone is dropped
        ("processed by the transformer decoder.", 28, None, None),  # mid-abstract
        ("  • 6 authors\n·", 28, None, "• 6 authors"),  # mid-byline
        ("  • 6 authors", 28, None, "• 6 authors"),
    ],
    ids=["whole", "title", "abstract", "after-dot", "after-authors"],
)
def test_page_cut_mid_paper(
    cut_after: str, expected: int, last_published: str | None, last_byline: str | None
) -> None:
    text = PAGE.decode()
    at = text.rindex(cut_after) + len(cut_after)
    papers = parse(text[:at].encode())
    assert len(papers) == expected
    last = papers[-1]
    if expected == 28:
        assert last.title == P_MOD
        assert last.published == last_published
        assert last.raw["byline"] == last_byline
    else:
        assert last.title == BRAIN_ROT


def test_organization_byline_and_spread_out_lines() -> None:
    abstract = "We study things. " * 10
    text = (
        f"First Paper Title\n\n{abstract}\n\nNVIDIA\n·\nMar 3 12\n\n"
        f"Second Paper Title\n\n{abstract}\n\n  • 3 authors\n\n·\n\nFeb 1, 2024\n"
    )
    first, second = parse(text.encode(), page_date=date(2025, 5, 1))
    assert (first.hf_organization, first.hf_upvotes, first.published) == (
        "NVIDIA",
        12,
        "2025-03-03",
    )
    assert first.raw["byline"] == "NVIDIA"
    assert first.raw["authors_count"] is None
    assert (second.hf_organization, second.hf_upvotes, second.published) == (
        None,
        None,
        "2024-02-01",
    )
    assert second.raw["authors_count"] == 3


# ---- sniffing and bad input -------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PAGE[:4096], True),
        (HEADING, True),
        (split_before(UNCERTAINTY)[1][:4096], True),  # no heading
        (PAGE.replace(b"\n", b"\r\n")[:4096], True),
        (b'[{"paper": {"id": "2509.24002", "title": "Daily Papers"}}]', False),
        (b'{"id": "0704.0001", "title": "x"}\n{"id": "0704.0002", "title": "y"}\n', False),
        (
            b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Daily Papers</title></feed>',
            False,
        ),
        (HTML[:4096], False),
        (b"Some notes.\n\nNothing to see here, Dec 15 or otherwise.\n", False),
        (b"", False),
    ],
    ids=[
        "page",
        "heading",
        "second-half",
        "crlf",
        "json",
        "jsonl",
        "xml",
        "html",
        "prose",
        "empty",
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert hf_page.sniff(head) is expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \n\n\r\n",
        b"hello world",
        b"\x00\xff\xfe\x80garbage\x00",
        HEADING,
        b'[{"paper": {"id": "2509.24002"}}]',
        b"A Title Without Its Abstract\n\n  \xe2\x80\xa2 3 authors\n\xc2\xb7\nDec 7\n",
    ],
    ids=["empty", "blank", "word", "binary", "heading-only", "json", "title-only"],
)
def test_no_papers_is_an_input_error(data: bytes) -> None:
    with pytest.raises(InputError) as exc:
        parse(data)
    assert exc.value.origin == "page.txt"
    assert exc.value.detail == "no papers found in pasted page text"


# ---- a single paper's web page ------------------------------------------------------


def test_parse_html_paper_page() -> None:
    (paper,) = hf_page.parse_html(HTML, "paper.html")
    assert paper.id == "2509.24002"
    assert (
        paper.title == "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"
    )
    assert (paper.abstract or "").startswith(
        "MCP standardizes how LLMs interact with external systems"
    )
    assert len(paper.authors) == 15
    assert paper.authors[:2] == ("Zijian Wu", "Xiangyan Liu")
    assert paper.authors[-1] == "Michael Qizhe Shieh"
    assert paper.hf_upvotes == 118
    assert paper.published == "2025-09-28"
    assert paper.hf_featured == "2025-10-01"
    assert paper.github_repo == "https://github.com/eval-sys/mcpmark"
    assert paper.hf_organization == "National University of Singapore"
    assert (paper.source, paper.origin) == ("hf-page", "paper.html")


def test_parse_html_from_markup_alone() -> None:
    stripped = re.sub(rb"data-props='[^']*'", b"", HTML)
    (paper,) = hf_page.parse_html(stripped, "paper.html")
    assert paper.id == "2509.24002"
    assert (
        paper.title == "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"
    )
    abstract = paper.abstract or ""
    assert abstract.startswith(
        "MCP standardizes how LLMs interact with external systems, forming the foundation"
    )
    assert abstract.endswith("highlighting the stress-testing nature of MCPMark.")


def test_parse_html_without_an_id() -> None:
    with pytest.raises(InputError):
        list(
            hf_page.parse_html(
                b"<html><head><title>Nothing</title></head><body><h1>Hi</h1></body></html>",
                "x.html",
            )
        )


def _page_rows(cli, db):
    out = cli("list", "-n", "0", "-f", "json", "--db", db)
    assert out.exit_code == 0, out.stderr
    return {r["title"]: r for r in json.loads(out.stdout)}


@pytest.mark.parametrize("cut_first", [False, True])
def test_a_truncated_paste_never_shortens_an_abstract(cli, tmp_path, cut_first):
    """The first 20 kB of the real page end inside the 12th paper's abstract: that paper
    is reported skipped, and a good abstract already stored is kept whole."""
    page = PAGE
    cut = tmp_path / "cut.txt"
    cut.write_bytes(page[:20000])
    db = tmp_path / "s.db"
    order = [cut, PAGE_FILE] if cut_first else [PAGE_FILE, cut]
    results = [cli("import", path, "--db", db) for path in order]
    assert all(r.exit_code == 0 for r in results), [r.output for r in results]
    on_cut = results[0] if cut_first else results[1]
    assert "read 12, new " in on_cut.stderr and "skipped 1" in on_cut.stderr
    assert "warning:" in on_cut.stderr and "cut off" in on_cut.stderr
    rows = _page_rows(cli, db)
    assert len(rows) == 28
    whole = {p.title: p.abstract for p in hf_page.parse(page, "page.txt")}
    assert {t: r["abstract"] for t, r in rows.items()} == whole
    assert max(len(a) for a in whole.values()) > 1400


def test_a_paste_that_ends_cleanly_skips_nothing():
    papers = list(hf_page.parse(PAGE, "page.txt"))
    assert len(papers) == 28 and not any(SKIPPED in p.raw for p in papers)


def test_a_cut_off_last_paper_is_marked():
    page = PAGE
    for size in (20000, 25000, 35000, 45000):  # each ends inside an abstract
        papers = list(hf_page.parse(page[:size], "page.txt"))
        assert SKIPPED in papers[-1].raw and not any(SKIPPED in p.raw for p in papers[:-1])
