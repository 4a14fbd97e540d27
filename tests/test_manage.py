"""`qa add`, `qa list` and `qa remove`, with the real model and a real Chroma index in tmp folders."""

import json

import pytest

from qa.index import LoadedIndex, build_index, current_paths
from qa.manage import CorpusError, add_documents, list_documents, remove_document
from qa.settings import Settings
from tests import fixtures
from tests.conftest import run_qa


@pytest.fixture()
def small(tmp_path) -> Settings:
    """A one-document corpus with its index built."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("Family help would cost £2 billion to set up, the review said.\n", encoding="utf-8")
    settings = Settings.from_env({}, index_dir=tmp_path / "index", corpus_dir=corpus)
    build_index(settings, progress=False)
    return settings


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_add_copies_files_with_their_sidecar_and_embeds_only_their_chunks(small, tmp_path):
    made = fixtures.make_all(tmp_path / "in")
    sidecar = made["pdf"].with_name("case_for_change.pdf.meta.toml")  # as a shell glob would pass it
    result = add_documents(small, [made["pdf"], sidecar, made["docx"]])
    assert result.added == ("case_for_change.pdf", "kinship_briefing.docx") and not result.rejected
    assert (small.corpus_dir / "case_for_change.pdf.meta.toml").read_text() == fixtures.PDF_SIDECAR
    rows = {row["doc_id"]: row for row in list_documents(small)}
    assert result.index.embedded == rows["case_for_change"]["chunks"] + rows["kinship_briefing"]["chunks"]
    assert rows["case_for_change"] | {"chunks": 0} == {
        "doc_id": "case_for_change", "title": fixtures.PDF_TITLE, "kind": "review",
        "outlet": "Independent Review of Children's Social Care", "date": "2022-05-23", "pages": 5, "chunks": 0,
        "url": "https://example.org/case-for-change.pdf", "file": "case_for_change.pdf"}
    assert rows["note"]["pages"] is None and rows["note"]["chunks"] == 1

    again = add_documents(small, [made["pdf"]])
    assert again.added == () and set(again.unchanged) == {"case_for_change.pdf", "case_for_change.pdf.meta.toml"}
    assert again.index.embedded == 0


def test_add_refuses_a_different_file_of_the_same_name_or_id_and_copies_nothing(small, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "fresh.txt").write_text("A new file that would be fine on its own.", encoding="utf-8")
    (mine / "note.txt").write_text("Not the note already in the corpus.", encoding="utf-8")
    with pytest.raises(CorpusError, match="already exists and differs.*qa remove note"):
        add_documents(small, [mine / "fresh.txt", mine / "note.txt"])
    (mine / "note.txt").unlink()
    (mine / "note.md").write_text("# Another note", encoding="utf-8")
    with pytest.raises(CorpusError, match="document id 'note'"):
        add_documents(small, [mine])
    (mine / "fresh.txt.meta.toml").write_text('kind = "review"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="is a metadata file"):
        add_documents(small, [mine / "fresh.txt.meta.toml"])
    (mine / "slides.pptx").write_bytes(b"PK")
    with pytest.raises(CorpusError, match="unsupported file type"):
        add_documents(small, [mine / "slides.pptx"])
    assert sorted(p.name for p in small.corpus_dir.iterdir()) == ["note.txt"]


def test_linked_files_are_removed_as_links_and_their_chunks_with_them(small, tmp_path):
    made = fixtures.make_all(tmp_path / "in")
    added = add_documents(small, [made["html"]], link=True)
    link = small.corpus_dir / "family_hubs.html"
    assert link.is_symlink() and added.index.embedded == 1

    removed = remove_document(small, "family_hubs")
    assert removed.removed_files == (str(link),) and not link.is_symlink() and made["html"].exists()
    assert (removed.index.deleted, removed.index.embedded) == (1, 0)
    index = LoadedIndex(small.index_dir)
    assert set(index.documents) == {"note"}
    assert {m["doc_id"] for m in index.collection.get(include=["metadatas"])["metadatas"]} == {"note"}
    with pytest.raises(CorpusError, match="qa list"):
        remove_document(small, "family_hubs")


def test_an_unreadable_addition_is_taken_out_again(small, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    scan = fixtures.make_scanned_pdf(folder / "scan.pdf")
    (folder / "readme.rtf").write_text("{\\rtf1 not supported}", encoding="utf-8")
    result = add_documents(small, [folder])
    assert [name for name, _ in result.rejected] == ["scan.pdf"] and "no text layer" in result.rejected[0][1]
    assert result.ignored == (str(folder / "readme.rtf"),) and result.added == ()
    assert not (small.corpus_dir / scan.name).exists()


def test_acceptance_add_ask_remove_through_the_cli(tmp_path, corpus_copy):
    """The issue's acceptance check: add the fixtures, cite page 3 verbatim, remove, re-index embeds nothing."""
    made = fixtures.make_all(tmp_path / "fixtures")
    index_dir = tmp_path / "index"
    env = {"QA_INDEX_DIR": str(index_dir), "QA_CORPUS_DIR": str(corpus_copy)}
    added = run_qa("add", "--json", str(made["pdf"].parent), env=env)
    assert added.returncode == 0, added.stderr
    assert sorted(json.loads(added.stdout)["added"]) == sorted(p.name for p in made.values())

    asked = run_qa("ask", "--json", fixtures.PAGE_3_QUESTION, env=env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    cite = answer["citations"][0]
    assert not answer["abstained"] and "1,437" in answer["answer"]
    assert (cite["doc_id"], cite["page"], cite["kind"], cite["date"]) == ("case_for_change", 3, "review", "2022-05-23")
    texts = {d["doc_id"]: d["text"] for d in _read_jsonl(current_paths(index_dir).documents)}
    assert cite["quote"] == texts["case_for_change"][cite["start"]:cite["end"]] == fixtures.PAGE_3_FACT
    assert "p. 3" in run_qa("ask", fixtures.PAGE_3_QUESTION, env=env).stdout

    chunks = _read_jsonl(current_paths(index_dir).chunks)
    assert not [c for c in chunks if fixtures.RUNNING_HEADER in c["text"] or "Page 2 of" in c["text"]]
    listed = {row["doc_id"]: row for row in json.loads(run_qa("list", "--json", env=env).stdout)}
    pdf_chunks = sum(c["doc_id"] == "case_for_change" for c in chunks)
    assert listed["case_for_change"]["chunks"] == pdf_chunks and listed["case_for_change"]["pages"] == 5

    removed = run_qa("remove", "--json", "case_for_change", env=env)
    assert removed.returncode == 0, removed.stderr
    report = json.loads(removed.stdout)
    assert sorted(report["removed_files"]) == sorted(str(corpus_copy / n) for n in
                                                     ("case_for_change.pdf", "case_for_change.pdf.meta.toml"))
    assert (report["index"]["deleted"], report["index"]["embedded"]) == (pdf_chunks, 0)
    assert not [c for c in _read_jsonl(current_paths(index_dir).chunks) if c["doc_id"] == "case_for_change"]
    reindexed = json.loads(run_qa("index", "--json", env=env).stdout)
    assert (reindexed["embedded"], reindexed["deleted"]) == (0, 0)


def test_files_dropped_into_the_corpus_by_hand_are_indexed_by_qa_index(small):
    fixtures.make_briefing_docx(small.corpus_dir / "briefing.docx")
    report = build_index(small, progress=False)
    rows = {row["doc_id"]: row for row in list_documents(small)}
    assert report.embedded == rows["briefing"]["chunks"] == 3 and rows["briefing"]["title"] == "Kinship care briefing"
