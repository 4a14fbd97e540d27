from pathlib import Path

import pytest

from qa.ingest import clean_text, load_corpus, load_document
from tests.conftest import CORPUS

BOILERPLATE = ["Newsletter", "Subscribe", "subscrib", "Menu Search", "01603 251730", "Related Topics",
               "Privacy Policy", "From £15 / month", "Archive of more than 60,000", "Picture: Frontline",
               "Winchester Vacancies", "Baroness Barker's Book Club"]


def test_every_seed_becomes_a_document_named_by_its_file_stem():
    docs = {d.doc_id: d for d in load_corpus(CORPUS)}
    assert sorted(docs) == sorted(p.stem for p in CORPUS.glob("*.txt"))
    assert all(d.kind == "coverage" for d in docs.values())


@pytest.mark.parametrize("doc", list(load_corpus(CORPUS)), ids=lambda d: d.doc_id)
def test_page_furniture_is_removed_and_article_text_kept(doc):
    for phrase in BOILERPLATE:
        assert phrase.lower() not in doc.text.lower(), phrase
    raw = Path(doc.source_path).read_text(encoding="utf-8")
    # Sentences of the article survive word for word.
    assert doc.text.split("\n\n")[1][:60] in " ".join(raw.split())


def test_metadata_read_from_text_and_sidecar():
    docs = {d.doc_id: d for d in load_corpus(CORPUS)}
    cyp = docs["004_0e57e4176ae4edaa"]
    assert cyp.date == "2023-02-02" and cyp.author == "Joe Lepper" and "CYP Now" in cyp.outlet
    assert docs["002_639166400cbc172b"].author == "Adam Carey"
    assert docs["001_7d838c9a240800e0"].title == "“Fundamental shift” needed for children’s social care"


def test_rules_generalise_to_a_users_own_scraped_page(tmp_path):
    page = tmp_path / "my_page.txt"
    page.write_text(
        "Home\n\nCouncil backs care plan\n\nBy Sam Jones\n\nMonday, 3 April 2023\n\n"
        "The council agreed a £4m plan for kinship carers on Monday. It starts in May.\n\n"
        "Photo: Jane Doe\n\nSign up to our newsletter for weekly updates!\n\nCall us on 020 7946 0000\n\n"
        "Councillors said the plan would help 200 families over three years.\n\n"
        "Share\n\nRelated articles\n\nSchool budget rises by £2m\n", encoding="utf-8")
    doc = load_document(page)
    assert doc.title == "Council backs care plan" and doc.author == "Sam Jones" and doc.date == "2023-04-03"
    assert "£4m plan" in doc.text and "200 families" in doc.text
    for junk in ("newsletter", "020 7946", "Photo:", "Share", "Related articles", "School budget", "Home"):
        assert junk not in doc.text


def test_unreadable_files_are_skipped_with_a_warning_naming_them(tmp_path):
    (tmp_path / "good.txt").write_text("Family Help would cost £2 billion to set up.", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 culture".encode("latin-1"))
    (tmp_path / "empty.md").write_text("   \n", encoding="utf-8")
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04")
    skipped = {}
    docs = list(load_corpus(tmp_path, on_skip=lambda p, why: skipped.setdefault(p.name, why)))
    assert [d.doc_id for d in docs] == ["good"]
    assert "binary" in skipped["binary.txt"] and "UTF-8" in skipped["latin1.txt"]
    assert "no text" in skipped["empty.md"] and "unsupported" in skipped["slides.pptx"]


def test_html_and_markdown_are_read(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>Care news</title></head><body><nav>Menu Search</nav><article><h1>Care news</h1>"
        "<p>The strategy is backed by £200m investment over two years, ministers said today.</p>"
        "<p>It includes £9m to improve support for kinship carers across England this year.</p></article>"
        "<footer>Subscribe to our newsletter</footer></body></html>", encoding="utf-8")
    (tmp_path / "notes.md").write_text("# My notes\n\nThe review made **more than 80** proposals.\n", encoding="utf-8")
    docs = {d.doc_id: d for d in load_corpus(tmp_path)}
    assert "£200m investment" in docs["page"].text and "newsletter" not in docs["page"].text.lower()
    assert docs["notes"].title == "My notes" and "more than 80 proposals" in docs["notes"].text


def test_clean_text_drops_repeated_captions_but_keeps_first_occurrence_of_text():
    text = clean_text("Title here\n\nA line of text.\n\nPicture: Frontline\n\nA line of text.\n\nEnd of story.")
    assert text == "Title here\n\nA line of text.\n\nEnd of story."
