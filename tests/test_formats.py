"""PDF, HTML, DOCX and Markdown read from fixtures made on the spot (tests/fixtures.py)."""

import re
from pathlib import Path

import pytest

from qa.index import split_document
from qa.ingest import UnreadableFile, join_pages, load_corpus, load_document
from qa.schema import Document
from tests import fixtures


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fixtures")
    return {**fixtures.make_all(folder), "scan": fixtures.make_scanned_pdf(folder / "scan.pdf")}


@pytest.fixture(scope="module")
def report(made) -> Document:
    return load_document(made["pdf"])


def test_pdf_keeps_page_numbers_on_text_and_chunks(made, report):
    from pypdf import PdfReader

    assert len(report.page_starts) == len(fixtures.PDF_PAGES)
    assert report.page_at(report.text.index(fixtures.PAGE_3_FACT)) == 3
    printed = [" ".join(page.extract_text().split()) for page in PdfReader(made["pdf"]).pages]
    chunks = split_document(report, 150)
    assert len(chunks) > len(printed)
    for chunk in chunks:
        assert report.text[chunk.start:chunk.end] == chunk.text
        opening = " ".join(chunk.text.replace(" | ", " ").split())[:30]
        assert opening in printed[chunk.page - 1], (chunk.page, opening)
    fact = next(c for c in chunks if fixtures.PAGE_3_FACT in c.text)
    assert (fact.page, fact.section) == (3, "Chapter 2: Kinship care")


def test_pdf_running_header_and_footer_are_not_indexed(report):
    assert fixtures.RUNNING_HEADER not in report.text
    assert not re.search(r"Page \d+ of \d+", report.text)
    for heading, _ in fixtures.PDF_PAGES:  # the page's own heading is text, not furniture
        assert heading in report.text


def test_pdf_hyphenated_line_break_is_joined(report):
    head, tail = fixtures.HYPHENATED
    assert head[:-1] + tail in report.text and head not in report.text


def test_pdf_table_stays_whole_in_one_chunk(report):
    table = "\n".join(" | ".join(row) for row in fixtures.TABLE_ROWS)
    assert table in report.text
    assert sum(table in chunk.text for chunk in split_document(report, 500)) == 1
    assert sum(table in chunk.text for chunk in split_document(report, 200)) == 1  # fits on its own


def test_pdf_metadata_comes_from_its_sidecar(report):
    assert (report.title, report.kind, report.date) == (fixtures.PDF_TITLE, "review", "2022-05-23")
    assert report.outlet == "Independent Review of Children's Social Care" and report.url.endswith(".pdf")


def test_scanned_pdf_is_skipped_with_a_clear_message(made):
    with pytest.raises(UnreadableFile, match=r"no text layer \(scanned\?\); run OCR first"):
        load_document(made["scan"])
    skipped = {}
    docs = list(load_corpus(made["scan"].parent, on_skip=lambda path, why: skipped.setdefault(path.name, why)))
    assert "scan.pdf" in skipped and "scan" not in {d.doc_id for d in docs}


def test_html_main_content_only_with_metadata_from_the_page(made):
    page = load_document(made["html"])
    assert fixtures.HTML_FACT in page.text
    for junk in fixtures.HTML_BOILERPLATE:
        assert junk.lower() not in page.text.lower(), junk
    assert {k: getattr(page, k) for k in fixtures.HTML_META} == fixtures.HTML_META
    assert page.outlet == "Care News"


def test_docx_text_tables_and_headings(made):
    brief = load_document(made["docx"])
    assert fixtures.DOCX_FACT in brief.text and brief.title == fixtures.DOCX_HEADINGS[0]
    assert "Support asked for | Share of carers\nLegal advice | 62%\nRespite | 48%" in brief.text
    assert [title for _, title in brief.sections] == fixtures.DOCX_HEADINGS
    fact = next(c for c in split_document(brief) if fixtures.DOCX_FACT in c.text)
    assert fact.section == "What carers told us" and fact.page is None


def test_markdown_headings_become_chunk_sections(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("---\nkind: review\n---\n# Review notes\n\nIntro line about the review.\n\n"
                    "## Family **help**\n\nFamily help would cost £2 billion to set up.\n\n"
                    "### Costs ###\n\nThe review asked for £2.6 billion over five years.\n", encoding="utf-8")
    doc = load_document(path)
    assert "#" not in doc.text and doc.kind == "review"
    assert [title for _, title in doc.sections] == ["Review notes", "Family help", "Costs"]
    sections = {c.text.split("\n")[0]: c.section for c in split_document(doc)}
    assert sections == {"Review notes": "Review notes", "Family help": "Family help", "Costs": "Costs"}


def test_pages_join_sentences_that_run_on():
    text, starts = join_pages(["It ends mid", "sentence here. A word broken across pa-", "ges joins.", "", "New page."])
    assert text == "It ends mid sentence here. A word broken across pages joins.\n\nNew page."
    doc = Document("d", "d", text, page_starts=tuple(starts))
    assert [doc.page_at(text.index(w)) for w in ("It", "sentence", "pages", "New")] == [1, 2, 2, 5]


def test_documents_round_trip_with_sections(report):
    assert Document.from_dict(report.to_dict()) == report
