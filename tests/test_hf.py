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


D2024 = "hf_daily_2024/Paper_metadata_download__2024-{}.json"


@pytest.mark.parametrize(
    ("rel", "day", "early", "unnamed"),
    [
        (D2024.format("12-04__e9f25698"), "2024-12-04", 7, {"2024-12-04"}),
        (D2024.format("11-29__38970b48"), "2024-11-29", 1, {"2024-11-29"}),
        # one item, submitted the evening before: without the name, nothing tells
        ("hf_daily/2025-01-21.json", "2025-01-21", 1, {"2025-01-20"}),
    ],
)
def test_2024_items_are_featured_on_the_listing_day_the_file_says(
    fixture_path, rel, day, early, unnamed
):
    """Items without submittedOnDailyAt submitted the evening before (UTC) are in the
    next day's listing: the file's day (its name, or items on two days in a row)."""
    data = fixture_path(rel).read_bytes()
    items = json.loads(data)
    assert sum(it["publishedAt"][:10] != day for it in items) == early  # a day early
    assert all("submittedOnDailyAt" not in it["paper"] for it in items)
    assert {p.hf_featured for p in hf.parse(data, rel)} == {day}
    assert {p.hf_featured for p in hf.parse(data, "/tmp/daily.json")} == unnamed


def test_a_name_the_items_contradict_is_not_the_listing_day(fixture_path):
    rel = D2024.format("12-04__e9f25698")
    papers = list(hf.parse(fixture_path(rel).read_bytes(), "saved-2024-12-09.json"))
    assert {p.hf_featured for p in papers} == {"2024-12-04"}
    one = json.loads(fixture_path(rel).read_bytes())[:1]  # submitted 2024-12-04 only
    got = [p.hf_featured for p in hf.parse_value(one, "saved-2024-12-09.json", "hf-daily")]
    assert got == [one[0]["publishedAt"][:10]]


def test_a_live_fetch_of_a_day_features_its_papers_that_day(fixture_path):
    items = json.loads(fixture_path(D2024.format("12-04__e9f25698")).read_bytes())
    url = "https://huggingface.co/api/daily_papers?limit=50&p=0"
    papers = list(
        hf.parse_value(items, url, "hf-daily", day="2024-12-04", read_at="2024-12-05T07:00:00Z")
    )
    assert {p.hf_featured for p in papers} == {"2024-12-04"}
    assert {p.hf_as_of for p in papers} == {"2024-12-05T07:00:00Z"}
