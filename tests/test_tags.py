"""tag, untag, tags, note, mark, open through the CLI, on real listings."""

import json
import sys
import webbrowser

import pytest

HF = "hf_daily/2025-10-30.json"
HF_PAGE = "hf_page/papers_page_text_2025-12-15_first28.txt"
ATOM_V2 = "userdata/idlist_1111.2011v2_2016-10-09.xml"
VIDEO_THINKER = "2510.23473"  # first item of the HF day, 51 upvotes


@pytest.fixture
def store(cli, fixture_path):
    result = cli("import", fixture_path(HF))
    assert result.exit_code == 0, result.output
    return cli


def shown(cli_json, pid):
    return cli_json("show", pid, "--json")


@pytest.mark.parametrize(
    "form",
    [
        "2510.23473",
        "arXiv:2510.23473v1",
        "https://arxiv.org/abs/2510.23473",
        "https://huggingface.co/papers/2510.23473",
        "https://arxiv.org/pdf/2510.23473v2",
    ],
)
def test_tag_by_each_id_form(store, cli_json, form):
    result = store("tag", form, "later")
    assert result.exit_code == 0, result.output
    assert "Tagged 1 paper with later (1 new)" in result.stderr
    paper = shown(cli_json, VIDEO_THINKER)
    assert paper["tags"] == ["later"] and paper["title"].startswith("Video-Thinker")


def test_several_ids_and_tags_and_counts(store, cli_json):
    result = store("tag", VIDEO_THINKER, "arXiv:2510.25772", "later", "video")
    assert result.exit_code == 0 and "Tagged 2 papers with later, video (4 new)" in result.stderr
    again = store("tag", VIDEO_THINKER, "later")
    assert "(0 new)" in again.stderr
    assert shown(cli_json, "2510.25772")["tags"] == ["later", "video"]
    assert cli_json("tags", "-f", "json") == [
        {"tag": "later", "papers": 2},
        {"tag": "video", "papers": 2},
    ]
    assert store("tags").stdout == "later\t2\nvideo\t2\n"
    assert store("tags", "https://arxiv.org/abs/2510.25772").stdout == "later\nvideo\n"
    tagged = store("list", "--tag", "video", "-f", "ids").stdout.split()
    assert sorted(tagged) == ["2510.23473", "2510.25772"]


def test_tag_ids_from_stdin(store, cli_json):
    ids = store("list", "-n", "3", "-f", "ids").stdout
    assert len(ids.split()) == 3
    result = store("tag", "-", "later", input=ids)
    assert result.exit_code == 0 and "Tagged 3 papers" in result.stderr
    assert store("list", "--tag", "later", "-f", "ids").stdout == ids
    # the plain table `filter` prints also works: its first column is the id
    table = store("list", "-n", "2").stdout
    assert store("untag", "-", "later", input=table).stderr.strip() == "Removed 2 tags"
    assert store("list", "--tag", "later", "-f", "ids").stdout == ids.split("\n", 2)[2]


def test_unknown_id_changes_nothing(store, cli_json):
    result = store("tag", VIDEO_THINKER, "2501.99999", "later")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no paper 2501.99999 in the store")
    assert shown(cli_json, VIDEO_THINKER)["tags"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((VIDEO_THINKER, "has space"), "bad tag 'has space'"),
        ((VIDEO_THINKER, "later", "2510.25772"), "'2510.25772' looks like a paper id"),
        ((VIDEO_THINKER, "a,b"), "bad tag 'a,b'"),
    ],
)
def test_bad_tags_are_refused(store, args, message):
    result = store("tag", *args)
    assert result.exit_code == 1 and message in result.stderr
    assert store("tags").stdout == ""


def test_tag_needs_an_id_first(store):
    result = store("tag", "later")
    assert result.exit_code == 2 and "give paper IDs" in result.stderr


def test_tag_where_query_tags_every_match(store):
    expected = store("filter", "video", "-n", "100", "-f", "ids").stdout.split()
    assert 0 < len(expected) < 20
    result = store("tag", "--where", "video", "vid")
    assert result.exit_code == 0, result.output
    assert f"{len(expected)} papers match 'video'" in result.stderr
    assert sorted(store("list", "--tag", "vid", "-n", "100", "-f", "ids").stdout.split()) == sorted(
        expected
    )


def test_untag(store, cli_json):
    store("tag", VIDEO_THINKER, "later", "video")
    result = store("untag", "arXiv:2510.23473", "later", "nosuchtag")
    assert result.exit_code == 0 and "Removed 1 tag" in result.stderr
    assert shown(cli_json, VIDEO_THINKER)["tags"] == ["video"]


def test_user_data_survives_a_newer_version(cli, cli_json, fixture_path, tmp_path):
    atom = fixture_path(ATOM_V2).read_text()
    assert cli("import", fixture_path(ATOM_V2)).exit_code == 0
    cli("tag", "1111.2011v2", "physics")
    cli("note", "1111.2011", "read", "section", "3")
    cli("mark", "1111.2011", "read")
    newer = tmp_path / "v3.xml"
    newer.write_text(
        atom.replace("1111.2011v2", "1111.2011v3").replace(
            "<title>Quantum Criticality", "<title>Revised: Quantum Criticality"
        )
    )
    result = cli("import", newer)
    assert "new 0, updated 1" in result.stderr
    paper = shown(cli_json, "1111.2011")
    assert paper["version"] == 3 and paper["title"].startswith("Revised: Quantum Criticality")
    assert paper["tags"] == ["physics"]
    assert [n["text"] for n in paper["notes"]] == ["read section 3"]
    assert [d["decision"] for d in paper["decisions"]] == ["read"]


def test_user_data_follows_a_provisional_merge(cli, cli_json, fixture_path, tmp_path):
    cli("import", fixture_path(HF_PAGE))
    rows = cli_json("list", "-n", "100", "-f", "json")
    prov = next(r["id"] for r in rows if r["title"] == 'LLMs Can Get "Brain Rot"!')
    assert prov.startswith("prov:")
    assert cli("tag", prov, "junk-data").exit_code == 0
    cli("note", prov, "compare with the M2 split")
    cli("mark", prov, "keep")
    # The same paper arrives with its arXiv id (an HF daily item, re-titled and re-keyed).
    item = json.loads(fixture_path(HF).read_text())[0]
    item["paper"].update(id="2510.13928", title='LLMs Can Get "Brain Rot"!')
    item["title"] = item["paper"]["title"]
    real = tmp_path / "brainrot.json"
    real.write_text(json.dumps([item]))
    assert "merged 1" in cli("import", real).stderr
    paper = shown(cli_json, "2510.13928")
    assert paper["tags"] == ["junk-data"] and paper["aliases"] == [prov]
    assert paper["notes"][0]["text"] == "compare with the M2 split"
    assert [d["decision"] for d in paper["decisions"]] == ["keep"]
    assert shown(cli_json, prov)["id"] == "2510.13928"  # the old id still finds it
    assert cli_json("tags", "-f", "json") == [{"tag": "junk-data", "papers": 1}]


def test_note_from_argument_and_stdin(store, cli_json):
    assert store("note", VIDEO_THINKER, "check", "the", "RL", "reward").exit_code == 0
    result = store("note", "arXiv:2510.23473", "-", input="second line\nof a note\n")
    assert result.exit_code == 0 and "Note added to 2510.23473" in result.stderr
    notes = shown(cli_json, VIDEO_THINKER)["notes"]
    assert [n["text"] for n in notes] == ["check the RL reward", "second line\nof a note"]


def test_note_in_editor(store, cli_json, tmp_path, monkeypatch):
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "old = open(path).read()\n"
        "open(path, 'w').write('Ablations look thin.\\n' + old)\n"
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = store("note", VIDEO_THINKER)
    assert result.exit_code == 0, result.output
    assert [n["text"] for n in shown(cli_json, VIDEO_THINKER)["notes"]] == ["Ablations look thin."]
    monkeypatch.setenv("EDITOR", "true")  # the user saves the template unchanged
    result = store("note", VIDEO_THINKER)
    assert result.exit_code == 0 and "Empty note: nothing added." in result.stderr
    assert len(shown(cli_json, VIDEO_THINKER)["notes"]) == 1
    monkeypatch.setenv("EDITOR", "false")
    result = store("note", VIDEO_THINKER)
    assert result.exit_code == 1 and "editor 'false' exited with status 1" in result.stderr


def test_mark_read_unread_skip(store, cli_json):
    assert store("mark", VIDEO_THINKER, "2510.25772", "read").stderr.strip() == (
        "Marked 2 papers read"
    )
    assert sorted(store("list", "--seen", "-f", "ids").stdout.split()) == [
        "2510.23473",
        "2510.25772",
    ]
    assert store("mark", VIDEO_THINKER, "read").stderr.strip() == "Marked 0 papers read"
    store("mark", "2510.25772", "skip")
    assert store("mark", VIDEO_THINKER, "unread").exit_code == 0
    assert store("list", "--seen", "-f", "ids").stdout.split() == ["2510.25772"]
    history = shown(cli_json, VIDEO_THINKER)["decisions"]
    assert [(d["decision"], d["undone"]) for d in history] == [("read", 1)]
    assert [d["decision"] for d in shown(cli_json, "2510.25772")["decisions"]] == ["read", "skip"]


def test_mark_needs_a_state(store):
    result = store("mark", VIDEO_THINKER, "done")
    assert result.exit_code == 2 and "read, unread" in result.stderr


@pytest.mark.parametrize(
    ("flag", "url"),
    [
        (None, "https://arxiv.org/abs/2510.23473"),
        ("--pdf", "https://arxiv.org/pdf/2510.23473"),
        ("--hf", "https://huggingface.co/papers/2510.23473"),
    ],
)
def test_open_uses_webbrowser(store, monkeypatch, flag, url):
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda u, new=0: opened.append(u) or True)
    result = store("open", "arXiv:2510.23473v1", *([flag] if flag else []))
    assert result.exit_code == 0 and opened == [url]
    assert f"Opened {url}" in result.stderr


def test_open_without_a_browser_prints_the_link(store, monkeypatch):
    monkeypatch.setattr(webbrowser, "open", lambda u, new=0: False)
    result = store("open", VIDEO_THINKER)
    assert result.exit_code == 1
    assert result.stdout == "https://arxiv.org/abs/2510.23473\n"


def test_open_provisional_paper_has_no_link(cli, fixture_path):
    cli("import", fixture_path(HF_PAGE))
    prov = cli("list", "-n", "1", "-f", "ids").stdout.strip()
    result = cli("open", prov)
    assert result.exit_code == 1 and "has no arXiv id yet" in result.stderr
