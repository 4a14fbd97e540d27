"""PDF and Word files, laid out from their own structure instead of cleaned like a scraped page.

Such a file says where its pages, lines, columns and tables are, so the reader can use that: running
headers and footers dropped, wrapped lines and hyphenated words joined, text columns read one at a time,
tables kept as one block with a row a line. The rules for scraped web pages would only damage this text
(e.g. drop a table cell that repeats), so qa/ingest.py takes it as it comes from here.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from qa.ingest import HYPHENATED_END, RawText, UnreadableFile, runs_on


# --- Word ----------------------------------------------------------------------------------------


def read_docx(path: Path) -> RawText:
    import docx
    from docx.table import Table

    document = docx.Document(str(path))
    blocks, headings = [], []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = []
            for row in item.rows:
                cells = row.cells  # a merged cell comes back once per grid column it spans
                texts = [" ".join(c.text.split()) for i, c in enumerate(cells) if i == 0 or c is not cells[i - 1]]
                if any(texts):
                    rows.append(" | ".join(texts))
            if rows:
                blocks.append("\n".join(rows))
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        blocks.append(text)
        style = item.style.name if item.style is not None else ""
        if style == "Title" or style.startswith("Heading"):
            headings.append((0, text))
    props = document.core_properties
    metadata = {"title": props.title.strip()} if props.title and props.title.strip() else {}
    if props.author and props.author != "python-docx":  # python-docx's own placeholder, not a person
        metadata["author"] = props.author.strip()
    return RawText(["\n\n".join(blocks)], metadata, laid_out=True, headings=headings)


# --- PDF -----------------------------------------------------------------------------------------

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
# A table cell in layout-mode text: words separated by at most two spaces; wider gaps separate cells.
_CELL = re.compile(r"\S+(?: {1,2}\S+)*")
_BULLET = re.compile(r"^(?:[•·▪◦‣*–-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
# Titles that authoring tools write into the PDF's info in place of a real one.
_JUNK_TITLE = re.compile(r"^(?:microsoft word|untitled)\b|\.(?:docx?|pdf|indd|pptx?|qxd)$", re.I)


def read_pdf(path: Path) -> RawText:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise UnreadableFile("the PDF is password-protected; save an unprotected copy and add that")
    pages = [_pdf_page_lines(page) for page in reader.pages]
    if not any(line.strip() for lines in pages for line in lines):
        raise UnreadableFile("this PDF has no text layer (scanned?); run OCR first (for example "
                             "`ocrmypdf scanned.pdf searchable.pdf`) and add the searchable copy")
    pages = strip_running_lines(pages)
    return RawText([layout_page(lines) for lines in pages], _pdf_metadata(reader), paged=True, laid_out=True,
                   headings=_pdf_bookmarks(reader))


def _pdf_page_lines(page) -> list[str]:
    """The page's lines in layout mode (column gaps kept, so tables show), or in plain mode when the page
    is set in text columns, which layout mode would interleave line by line."""
    try:
        lines = page.extract_text(extraction_mode="layout").translate(_LIGATURES).splitlines()
    except Exception:  # layout mode is stricter about odd fonts; plain mode still reads most of them
        lines = None
    if lines is None or _set_in_text_columns(lines):
        lines = page.extract_text().translate(_LIGATURES).splitlines()
    return lines


def _set_in_text_columns(lines: list[str]) -> bool:
    """Most lines are "table rows" whose cells are as long as lines of prose: columns of running text."""
    rows = [cells for cells in _table_rows(lines) if cells]
    cells = [cell for row in rows for cell in row]
    filled = sum(1 for line in lines if line.strip())
    return bool(rows) and len(rows) >= 0.5 * filled and sum(map(len, cells)) / len(cells) > 30


def strip_running_lines(pages: list[list[str]], zone: int = 3) -> list[list[str]]:
    """Drop running headers and footers: lines among the first or last ``zone`` lines of a page whose text,
    numbers masked ("Page 3" == "Page 4"), recurs there on 3 pages or more (2 in documents under 5 pages)."""
    if len(pages) < 2:
        return pages

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split()).lower())

    def edge_rows(lines: list[str]) -> set[int]:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        return set(filled[:zone] + filled[-zone:])

    edges = [edge_rows(lines) for lines in pages]
    counts = Counter(k for lines, rows in zip(pages, edges) for k in {key(lines[i]) for i in rows})
    needed = 2 if len(pages) < 5 else 3
    return [[line for i, line in enumerate(lines) if i not in rows or counts[key(line)] < needed]
            for lines, rows in zip(pages, edges)]


def _table_rows(lines: list[str]) -> list[list[str] | None]:
    """For each line, its cells when it is a table row, else None. A row has two or more cells and lines
    up, cell for cell, with a neighbouring row (left, right or centre edges within 2 characters), which
    justified prose with its wide word gaps does not."""
    spans = [[m.span() for m in _CELL.finditer(line)] for line in lines]

    def aligned(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
        return len(a) == len(b) >= 2 and all(
            min(abs(x0 - y0), abs(x1 - y1), abs(x0 + x1 - y0 - y1) // 2) <= 2 for (x0, x1), (y0, y1) in zip(a, b))

    filled = [i for i, line in enumerate(lines) if line.strip()]
    is_row = set()
    for i, j in zip(filled, filled[1:]):
        # A bulleted list lines up too, but its first "column" is only the bullets.
        if aligned(spans[i], spans[j]) and not _BULLET.match(lines[i][slice(*spans[i][0])] + " "):
            is_row.update((i, j))
    return [[" ".join(lines[i][a:b].split()) for a, b in spans[i]] if i in is_row else None
            for i in range(len(lines))]


def layout_page(lines: list[str]) -> str:
    """One page's lines -> blocks separated by blank lines: paragraphs with their wrapped lines joined and
    hyphenated words made whole, and tables with one row a line and cells split by " | "."""
    rows = _table_rows(lines)
    prose = [(line, " ".join(line.split())) for line, cells in zip(lines, rows) if cells is None and line.strip()]
    full_width = max((len(text) for _, text in prose), default=0)
    margin = min((len(line) - len(line.lstrip()) for line, _ in prose), default=0)
    blocks: list[list[str]] = []
    kind = ""  # of the block being built: "para", "table", "gap" (a paragraph, then blank lines) or ""
    previous = ""  # the last prose line: a short one ended its paragraph
    for line, cells in zip(lines, rows):
        text = " ".join(line.split())
        if cells is not None:
            if kind != "table":
                blocks.append([])
            blocks[-1].append(" | ".join(cells))
            kind = "table"
            continue
        if not text:
            kind = "gap" if kind == "para" else kind  # table rows are often spaced apart by blank lines too
            continue
        if kind in ("para", "gap") and HYPHENATED_END.search(previous) and text[0].islower():
            blocks[-1][-1] = blocks[-1][-1][:-1] + text
        elif kind in ("para", "gap") and runs_on(previous, text):  # whatever the spacing or indent
            blocks[-1][-1] += " " + text
        elif kind == "para" and not (
            len(previous) < 0.7 * full_width  # the line before ended short: a heading or a paragraph's end
            or len(line) - len(line.lstrip()) > margin + 1  # an indented first line
            or _BULLET.match(text)
        ):
            blocks[-1][-1] += " " + text
        else:
            blocks.append([text])
        kind = "para"
        previous = text
    return "\n\n".join("\n".join(block) for block in blocks).replace("\u00ad", "")


def _pdf_metadata(reader) -> dict:
    info = reader.metadata
    if info is None:
        return {}
    found = {}
    if info.title and info.title.strip() and not _JUNK_TITLE.search(info.title.strip()):
        found["title"] = " ".join(info.title.split())
    if info.author and info.author.strip():
        found["author"] = " ".join(info.author.split())
    try:
        if info.creation_date:
            found["date"] = info.creation_date.date().isoformat()
    except ValueError:  # a malformed date string in the PDF's info dictionary
        pass
    return found


def _pdf_bookmarks(reader) -> list[tuple[int, str]]:
    """(0-based page, title) of every bookmark, in page order; none when the outline is missing or broken."""
    found: list[tuple[int, str]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                page = reader.get_destination_page_number(item)
                if page is not None and page >= 0 and item.title and item.title.strip():
                    found.append((page, " ".join(item.title.split())))

    try:
        walk(reader.outline)
    except Exception:  # bookmarks only name sections; a broken outline must not cost the text
        return []
    return sorted(found, key=lambda pair: pair[0])
