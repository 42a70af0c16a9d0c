import json

import pytest

from papertriage.errors import InputError
from papertriage.sources import hf


def parse(fixture_path, rel):
    return list(hf.parse(fixture_path(rel).read_bytes(), rel))


def test_daily_2025_fields(fixture_path):
    papers = parse(fixture_path, "hf_daily/2025-10-30.json")
    assert len(papers) == 20
    p = papers[0]
    assert p.id == "2510.23473" and p.version is None
    assert p.title == 'Video-Thinker: Sparking "Thinking with Videos" via Reinforcement Learning'
    assert p.abstract.startswith(
        'Recent advances in image reasoning methods, particularly "Thinking with Images"'
    )
    assert (
        p.authors[0] == "Shijian Wang" and p.authors[-1] == "Xuelian Cheng" and len(p.authors) == 9
    )
    assert p.published == "2025-10-27"
    assert p.hf_featured == "2025-10-30"
    assert p.hf_upvotes == 51 and p.hf_comments == 1
    assert p.github_repo == "https://github.com/shijian2001/Video-Thinker" and p.github_stars == 35
    assert p.ai_keywords[0] == "Thinking with Images"
    assert p.ai_summary.startswith("Video-Thinker, a multimodal large language model")
    assert p.source == "hf-daily" and p.raw["paper"]["id"] == "2510.23473"


def test_daily_2024_raw_wire_has_no_submitted_on_daily(fixture_path):
    papers = parse(fixture_path, "hf_daily/2024-03-21_raw.json")
    assert len(papers) == 18
    assert all(p.hf_featured == "2024-03-21" for p in papers)  # from item.publishedAt
    assert all(p.github_stars is None for p in papers)


def test_daily_latex_item_title_uses_paper_title(fixture_path):
    papers = parse(fixture_path, "hf_daily/2024-05-27.json")
    assert not any("\\textsc" in (p.title or "") for p in papers)


def test_search_results(fixture_path):
    papers = parse(fixture_path, "hf_search/search_diffusion_3results.json")
    assert [p.source for p in papers] == ["hf-search"] * 3
    assert all(p.hf_featured is None for p in papers)
    ids = [p.id for p in papers]
    assert "2006.11239" in ids  # Denoising Diffusion Probabilistic Models


def test_single_paper(fixture_path):
    (p,) = parse(fixture_path, "hf_paper/paper_2608.09888.json")
    assert p.id == "2608.09888" and p.source == "hf-paper"
    assert p.title == "BDH-CQ: In-Context Learning with Recurrent Latent Reasoning"
    assert p.authors[0] == "Björn Engdahl"
    assert p.hf_upvotes == 782 and p.project_url.startswith("https://pathway.com/")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<!DOCTYPE html><html>503</html>", "not valid JSON"),
        (b'[{"paper": {"id": "x', "not valid JSON"),
        (b'{"error": "Invalid date"}', "Invalid date"),
        (b'{"foo": 1}', "not a Hugging Face papers listing"),
        (json.dumps([{"paper": {"id": "nonsense", "authors": []}}]).encode(), "no arXiv id"),
    ],
)
def test_bad_payloads(payload, message):
    with pytest.raises(InputError, match=message) as info:
        list(hf.parse(payload, "resp.json"))
    assert "resp.json" in str(info.value)


def test_missing_optional_fields_are_none():
    item = {"paper": {"id": "2501.00001", "authors": [], "title": None, "summary": None}}
    (p,) = hf.parse(json.dumps([item]).encode(), "x")
    assert p.title is None and p.hf_upvotes is None and p.authors == ()
