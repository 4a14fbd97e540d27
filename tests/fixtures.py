"""Fixture documents made on the spot, one per format the corpus reads.

    python -m tests.fixtures OUT_DIR    # writes them all, for trying `qa add` by hand

The PDF is laid out like a report: a running header and a "Page N of M" footer on every page, bookmarks
for its chapters, a table, a word hyphenated across a line break, and one fact that only page 3 states.
"""

from __future__ import annotations

import sys
from pathlib import Path

RUNNING_HEADER = "Independent Review of Children's Social Care - Fixture Report"
PDF_TITLE = "The Case for Change (fixture)"
# Stated on page 3 only; PAGE_3_QUESTION is answered by it and by nothing in the shipped corpus.
PAGE_3_FACT = "In the Tamworth pilot, 1,437 kinship carers received a weekly allowance during 2022."
PAGE_3_QUESTION = "How many kinship carers received a weekly allowance in the Tamworth pilot?"
HYPHENATED = ("authori-", "ties")  # printed split across two lines on page 2
TABLE_ROWS = [
    ("Region", "Children in care", "Spend per child"),
    ("North East", "4,210", "£61,000"),
    ("London", "9,830", "£72,500"),
    ("South West", "5,140", "£58,300"),
]
PDF_PAGES = [
    ("Introduction", [
        "This fixture report stands in for the review's final report. It has five pages, a running header "
        "and a numbered footer, so that the reader can be checked against a document laid out like the real one.",
        "Nothing in it is a finding of the review. Its sentences are written for the tests that read it back.",
    ]),
    ("Chapter 1: Family help", [
        "Most of the money that local authori-\nties spend on children's services goes on crisis work rather "
        "than on early help for families who are starting to struggle.",
        "The table below shows the fixture's invented figures for three regions.",
    ]),
    ("Chapter 2: Kinship care", [
        "Grandparents, aunts, uncles and older siblings raise many children who cannot live with their parents. "
        "The fixture calls them kinship carers, as the review does.",
        PAGE_3_FACT,
        "The fixture says nothing else about the pilot, so a question about it can only be answered here.",
    ]),
    ("Chapter 3: The workforce", [
        "Social workers in the fixture spend a large share of their week on case recording. Agency staff "
        "fill many of the posts that councils cannot recruit to.",
    ]),
    ("Chapter 4: Next steps", [
        "The fixture closes with a short summary of what it has covered, so that the last page has text of "
        "its own beneath the running header.",
    ]),
]
PDF_SIDECAR = (
    'title = "The Case for Change (fixture)"\n'
    'outlet = "Independent Review of Children\'s Social Care"\n'
    'date = "2022-05-23"\n'
    'kind = "review"\n'
    'url = "https://example.org/case-for-change.pdf"\n'
)

HTML_FACT = "The fixture council opened 14 family hubs in the spring, its director said."
HTML_BOILERPLATE = ["We use cookies", "Accept all cookies", "Sign up to our daily newsletter", "Contact us",
                    "Terms and conditions", "Care news home", "Most read"]
HTML_META = {"title": "Fixture council opens family hubs", "author": "Priya Shah", "date": "2023-03-14"}

DOCX_HEADINGS = ["Kinship care briefing", "What carers told us", "What we propose"]
DOCX_FACT = "Carers in the fixture survey waited on average 19 weeks for a court decision."


def make_report_pdf(path: Path) -> Path:
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            self.set_font("Helvetica", "I", 9)
            self.cell(0, 8, RUNNING_HEADER, align="C")
            self.ln(14)

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", "", 9)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Report()
    pdf.set_title(PDF_TITLE)
    pdf.set_author("Fixture Author")
    for number, (heading, paragraphs) in enumerate(PDF_PAGES, start=1):
        pdf.add_page()
        pdf.start_section(heading)
        pdf.set_font("Helvetica", "B", 15)
        pdf.cell(0, 10, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("Helvetica", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        if number == 2:
            with pdf.table() as table:
                for row in TABLE_ROWS:
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
    pdf.output(str(path))
    path.with_name(path.name + ".meta.toml").write_text(PDF_SIDECAR, encoding="utf-8")
    return path


def make_scanned_pdf(path: Path) -> Path:
    """A PDF whose page is only drawn shapes, as a scan is only an image: there is no text to extract."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 170, 250)
    pdf.rect(30, 40, 150, 8, style="F")
    pdf.output(str(path))
    return path


def make_article_html(path: Path) -> Path:
    path.write_text(f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>{HTML_META["title"]} | Care News</title>
<meta property="og:title" content="{HTML_META["title"]}">
<meta property="og:site_name" content="Care News">
<meta name="author" content="{HTML_META["author"]}">
<meta property="article:published_time" content="{HTML_META["date"]}T09:30:00+00:00">
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience on our site.</p>
<button>Accept all cookies</button> <button>Manage settings</button></div>
<header><nav class="menu"><ul><li><a href="/">Care news home</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/contact">Contact us</a></li></ul></nav></header>
<main><article>
<h1>{HTML_META["title"]}</h1>
<p class="byline">By {HTML_META["author"]}</p>
<p>{HTML_FACT} The hubs bring health visitors, debt advice and parenting support under one roof.</p>
<p>Families can walk in without an appointment, and staff can refer them to specialist help on the same day.</p>
<p>The council said it would publish an evaluation of the first year of the hubs next summer.</p>
</article>
<aside class="newsletter"><h3>Sign up to our daily newsletter</h3><p>The best care stories in your inbox.</p>
<form><input type="email"><button>Subscribe</button></form></aside>
<aside class="most-read"><h3>Most read</h3><ul><li><a href="/a">Council tax rises again</a></li></ul></aside>
</main>
<footer><a href="/terms">Terms and conditions</a> <a href="/privacy">Privacy policy</a></footer>
</body></html>
""", encoding="utf-8")
    return path


def make_briefing_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = DOCX_HEADINGS[0]
    document.core_properties.author = "Fixture Charity"
    document.add_heading(DOCX_HEADINGS[0], level=0)
    document.add_paragraph("This briefing summarises what kinship carers told the fixture charity in 2022.")
    document.add_heading(DOCX_HEADINGS[1], level=1)
    document.add_paragraph(DOCX_FACT)
    table = document.add_table(rows=0, cols=2)
    for left, right in (("Support asked for", "Share of carers"), ("Legal advice", "62%"), ("Respite", "48%")):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = left, right
    document.add_heading(DOCX_HEADINGS[2], level=1)
    document.add_paragraph("Every kinship carer should be offered free legal advice before a court hearing.")
    document.save(str(path))
    return path


def make_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "pdf": make_report_pdf(folder / "case_for_change.pdf"),
        "html": make_article_html(folder / "family_hubs.html"),
        "docx": make_briefing_docx(folder / "kinship_briefing.docx"),
    }


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "fixtures")
    for kind, made in make_all(out).items():
        print(f"{kind}: {made}")
