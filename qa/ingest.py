"""Corpus files -> cleaned Documents with metadata.

Cleaning removes the page furniture that scraped articles carry (navigation, newsletter and subscription
blocks, phone-booking lines, photo captions, link text and calls to action, related-links footers) by rules that hold for any news page,
so a user's own scraped page benefits too. PDFs and Word files are laid out from their own structure
instead (qa/layout.py) and not cleaned. Citation offsets point into the cleaned text.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping

from qa.schema import Document

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".meta.toml"
METADATA_KEYS = ("title", "outlet", "author", "date", "kind", "url")
KINDS = ("coverage", "review")


class UnreadableFile(Exception):
    """A corpus file that cannot be turned into text; the message says why."""


@dataclass
class RawText:
    """What a reader gets out of one file, before cleaning. Paged formats give one string per page."""

    pages: list[str]
    metadata: dict = field(default_factory=dict)
    paged: bool = False
    # Set by readers that lay the text out from the document's own structure (PDF, DOCX): the rules for
    # scraped web pages would only damage it (e.g. drop a repeated table cell).
    laid_out: bool = False
    # (0-based page, heading) in reading order; found again in the cleaned text to give chunks a section.
    headings: list[tuple[int, str]] = field(default_factory=list)


# --- boilerplate rules ---------------------------------------------------------------------------

_NAV_LINES = {
    "menu", "search", "menu search", "share", "share this", "share this article", "subscribe", "latest",
    "related topics", "related articles", "related stories", "related content", "video features",
    "newsletter", "newsletter signup", "newsletter signups", "newsletter sign-up", "sign up", "sign in",
    "log in", "login", "register", "advertisement", "advert", "skip to content", "skip to main content",
    "back to top", "read more", "most read", "most popular", "you may also like", "more from this section",
    "print", "email", "tweet", "comments", "cookie settings", "accept cookies", "home",
}
_BOILERPLATE_LINE = [
    re.compile(p, re.I)
    for p in (
        r"^[\W_]*$",  # punctuation only ("?", "|", "...")
        r"\bcall us on\b.*\d{3}",  # phone-booking lines
        r"^(?:tel|telephone|phone|call)[:.]?\s*\+?[\d ()-]{7,}$",
        r"^[\w&' -]{1,40}\bvacancies$",  # "Winchester Vacancies": job-board navigation
        r"\b(?:newsletter|subscri(?:be|bing|ption)|unsubscribe|privacy policy|cookie policy)\b",
        r"\bwe respect your privacy\b",
        r"^from [£$€]\s?\d+(?:\.\d+)?\s*/\s*(?:month|year|week|issue)\b",  # subscription prices
        r"^(?:[\w&' ]{1,40}\s)?(?:digital |print )?(?:membership|magazine)$",  # offer headings
        r"^(?:[^.!?]{0,200}[.!?]?\s)?(?:picture|photo|photograph|image|credit)s?\s*(?::|by)\s*\S[^.]{0,60}$",  # captions
        r"^(?:advertisement|sponsored|promoted)\b",
        # Link text and calls to action: a short line that sends the reader elsewhere ("Read the full
        # report here", "Click here to download", "Read more: ..."); without its link it says nothing.
        r"^(?=.{0,200}$)(?:please\s+)?(?:click|tap|read|download|view|see|watch|listen|find|access|visit|"
        r"continue|learn|explore|discover|get|go)\b[^.!?]*(?:\bhere|\bonline|\b(?:read|find out|learn|see) more)"
        r"(?:\s*\([^)]{0,40}\))?\W*$",  # "(PDF, 2MB)"
        r"^(?=.{0,200}$)[^.!?]*\b(?:click|tap) here\b",
        r"^(?:read|see|find out|learn) more\b\W*(?:[:|»›>-].*)?$",
        r"^(?=.{0,200}$)[^.!?]*\b(?:is|are|can be)\s+(?:available|found|read|downloaded|viewed|watched)"
        r"(?:\s+in full|\s+online)?\s+here\W*$",
    )
]
# A marker like these in the second half of a page starts its footer; everything after it is dropped.
_FOOTER_MARKERS = {
    "share", "share this", "share this article", "related topics", "related articles", "related stories",
    "video features", "most read", "most popular", "you may also like", "more from this section", "latest",
}
_FOOTER_MARKER_RE = re.compile(r"^(?:[\w&' ]{1,40}\s)?(?:digital |print )?membership$", re.I)


def _is_boilerplate(line: str) -> bool:
    key = line.strip().lower().rstrip(":")
    return key in _NAV_LINES or any(p.search(line.strip()) for p in _BOILERPLATE_LINE)


def _is_footer_marker(line: str) -> bool:
    key = line.strip().lower().rstrip(":")
    return key in _FOOTER_MARKERS or bool(_FOOTER_MARKER_RE.match(line.strip()))


def clean_text(raw: str) -> str:
    """Article text without page furniture: one paragraph per kept line, separated by blank lines."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\ufeff", "")
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    total = sum(len(line) for line in lines) or 1
    kept: list[str] = []
    seen: set[str] = set()
    consumed = 0
    for line in lines:
        consumed += len(line)
        if consumed > total * 0.5 and _is_footer_marker(line):
            break
        if _is_boilerplate(line):
            continue
        key = re.sub(r"\W+", " ", line.lower()).strip()
        if key in seen:  # repeated captions, repeated sign-up blocks
            continue
        seen.add(key)
        kept.append(re.sub(r"[ \t]+", " ", line))
    return "\n\n".join(kept)


# --- readers -------------------------------------------------------------------------------------


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise UnreadableFile("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableFile(f"not UTF-8 text ({err.reason} at byte {err.start})") from None


def read_text(path: Path) -> RawText:
    return RawText([_decode(path)])


def read_markdown(path: Path) -> RawText:
    text = _decode(path)
    metadata: dict = {}
    front = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if front:  # YAML-style front matter with simple "key: value" lines
        for line in front.group(1).splitlines():
            key, _, value = line.partition(":")
            if key.strip() in METADATA_KEYS and value.strip():
                metadata[key.strip()] = value.strip().strip("\"'")
        text = text[front.end():]
    heading = re.search(r"^#\s+(.+)$", text, re.M)
    if heading and "title" not in metadata:
        metadata["title"] = heading.group(1).strip()
    # Markdown markup is not part of what a reader quotes: drop heading hashes, emphasis and link targets.
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"^\s*[-*+]\s+", "• ", text, flags=re.M)
    text = re.sub(r"^(#{1,6}\s+.*?)\s+#+\s*$", r"\1", text, flags=re.M)  # closing hashes: "## Costs ##"
    headings = [(0, " ".join(h.split())) for h in re.findall(r"^#{1,6}\s+(.+)$", text, re.M)]
    text = re.sub(r"^#{1,6}\s+", "", text, flags=re.M)
    return RawText([text], metadata, headings=headings)


def read_html(path: Path) -> RawText:
    import trafilatura

    html = _decode(path)
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=True)
    meta = trafilatura.extract_metadata(html)
    metadata = {}
    if meta is not None:
        for key, value in (("title", meta.title), ("author", meta.author), ("date", meta.date),
                           ("outlet", meta.sitename), ("url", meta.url)):
            if value:
                metadata[key] = value
    if not text:  # pages with no article structure: keep the visible text
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
        text = re.sub(r"<br\s*/?>|</p>|</div>|</h\d>|</li>", "\n", text, flags=re.I)
        text = re.sub(r"<[^>]+>", " ", text)
        import html as html_lib

        text = html_lib.unescape(text)
    return RawText([text], metadata)


def read_pdf(path: Path) -> RawText:
    from qa import layout  # here, not at the top: qa.layout builds on this module's RawText

    return layout.read_pdf(path)


def read_docx(path: Path) -> RawText:
    from qa import layout

    return layout.read_docx(path)


READERS: dict[str, Callable[[Path], RawText]] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
}


# --- metadata ------------------------------------------------------------------------------------

_DATE_LINE = re.compile(
    r"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(?:(?P<d1>\d{1,2})\s+(?P<m1>[a-z]+),?\s+(?P<y1>\d{4})|(?P<m2>[a-z]+)\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4}))$",
    re.I,
)
_MONTH_NUMBERS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_BYLINE = re.compile(r"^(?:[Bb]y\s+)?([A-Z][a-z]+(?:[ -][A-Z][a-z'’-]+){1,2})$")


def _date_from_line(line: str) -> str:
    m = _DATE_LINE.match(line.strip())
    if not m:
        return ""
    month = _MONTH_NUMBERS.get((m.group("m1") or m.group("m2")).lower())
    if not month:
        return ""
    day, year = int(m.group("d1") or m.group("d2")), int(m.group("y1") or m.group("y2"))
    return f"{year:04d}-{month:02d}-{day:02d}"


def infer_metadata(text: str) -> dict:
    """Title, author and date where the cleaned text itself shows them (headline, byline, dateline)."""
    paragraphs = text.split("\n\n")
    found: dict = {}
    first = paragraphs[0] if paragraphs else ""
    if first and len(first) <= 200 and not re.search(r"[.!?]$", first):
        found["title"] = first
    elif first:
        words = first.split()
        found["title"] = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
    for para in paragraphs[1:4] + paragraphs[-1:]:
        if "date" not in found and _date_from_line(para):
            found["date"] = _date_from_line(para)
        elif "author" not in found and _BYLINE.match(para) and len(para.split()) <= 4:
            found["author"] = _BYLINE.match(para).group(1)
    return found


def sidecar_of(path: Path) -> Path | None:
    """The metadata file beside ``path``: NAME.EXT.meta.toml, or NAME.meta.toml."""
    for sidecar in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_suffix(SIDECAR_SUFFIX)):
        if sidecar.exists():
            return sidecar
    return None


def read_sidecar(path: Path) -> dict:
    sidecar = sidecar_of(path)
    if sidecar is None:
        return {}
    try:
        data = tomllib.loads(sidecar.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UnreadableFile(f"metadata file {sidecar.name} is not valid TOML: {err}") from None
    unknown = set(data) - set(METADATA_KEYS)
    if unknown:
        raise UnreadableFile(f"metadata file {sidecar.name} has unknown keys: {', '.join(sorted(unknown))}")
    if data.get("kind", "coverage") not in KINDS:
        raise UnreadableFile(f"metadata file {sidecar.name}: kind must be one of {', '.join(KINDS)}")
    return {k: str(v) for k, v in data.items()}


# --- loading -------------------------------------------------------------------------------------


def doc_id_for(path: Path) -> str:
    """The file stem: it names the document in every citation, so a quote traces back to its file."""
    return path.name[: -len(SIDECAR_SUFFIX)] if path.name.endswith(SIDECAR_SUFFIX) else path.stem


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(
        p for p in corpus_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
        and not p.name.endswith(SIDECAR_SUFFIX)
    )


def load_document(path: Path) -> Document:
    """One file -> one cleaned Document. Raises UnreadableFile with a reason a user can act on."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(f"unsupported file type '{path.suffix or path.name}' (supported: {', '.join(sorted(READERS))})")
    try:
        raw = reader(path)
    except UnreadableFile:
        raise
    except OSError as err:
        raise UnreadableFile(f"cannot be read: {err.strerror or err}") from None
    except Exception as err:  # a parser failing on a corrupt file must not stop the other files
        raise UnreadableFile(f"cannot be parsed: {type(err).__name__}: {err}") from None
    text, page_starts = join_pages(raw.pages if raw.laid_out else [clean_text(page) for page in raw.pages])
    if not text.strip():
        raise UnreadableFile("no text left after cleaning (empty file, or only page furniture)")
    metadata = {**infer_metadata(text), **raw.metadata, **read_sidecar(path)}
    if metadata.get("kind", "coverage") not in KINDS:
        raise UnreadableFile(f"kind '{metadata['kind']}' must be one of {', '.join(KINDS)}")
    page_starts = page_starts if raw.paged else []
    return Document(
        doc_id=doc_id_for(path),
        title=metadata.get("title", doc_id_for(path)),
        text=text,
        kind=metadata.get("kind", "coverage"),
        outlet=metadata.get("outlet", ""),
        author=metadata.get("author", ""),
        date=metadata.get("date", ""),
        url=metadata.get("url", ""),
        source_path=str(path),
        page_starts=tuple(page_starts),
        sections=locate_headings(text, raw.headings, page_starts),
    )


# A sentence runs on across a line or page break when its last word is hyphenated or it is left unfinished
# and the next part starts in lower case; qa/layout.py joins wrapped lines by the same rules.
HYPHENATED_END = re.compile(r"[^\W\d_][-\u00ad]$")
_UNFINISHED = re.compile(r"[^.!?:;\"”’)\]|]$")


def runs_on(before: str, after: str) -> bool:
    """Whether ``after`` continues the sentence ``before`` left unfinished."""
    return bool(_UNFINISHED.search(before)) and after[:1].islower()


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """The pages as one text, and the offset where each page starts. Pages are separated by a blank line,
    except that a sentence running on to the next page is joined with a space (or, when its last word was
    hyphenated, made whole), so it stays one quotable sentence."""
    parts: list[str] = []
    starts, length = [], 0
    for page in pages:
        if parts and page:
            tail = parts[-1][-2:]  # only the end matters; searching the whole text would cost O(n^2)
            if HYPHENATED_END.search(tail) and page[0].islower():
                parts[-1] = parts[-1][:-1]
                length -= 1
            else:
                parts.append(" " if runs_on(tail, page) else "\n\n")
                length += len(parts[-1])
        starts.append(length)
        if page:
            parts.append(page)
            length += len(page)
    return "".join(parts), starts


def locate_headings(text: str, headings: list[tuple[int, str]], page_starts: list[int]) -> tuple[tuple[int, str], ...]:
    """(offset, heading) for each heading that starts a line of ``text`` on its page (anywhere after the
    previous heading when there are no pages). Headings not found, e.g. dropped as page furniture, are left out."""
    found, cursor = [], 0
    for page, heading in headings:
        if page_starts and page >= len(page_starts):
            continue
        low = max(cursor, page_starts[page] if page_starts else 0)
        high = page_starts[page + 1] if page + 1 < len(page_starts) else len(text)
        match = re.compile(r"(?m)^" + re.escape(heading) + r"(?=\s|$)").search(text, low, high)
        if match:
            found.append((match.start(), heading))
            cursor = match.end()
    return tuple(found)


def load_corpus(corpus_dir: Path, on_skip: Callable[[Path, str], None] | None = None,
                established: Mapping[str, str] | None = None) -> Iterator[Document]:
    """Every readable document under ``corpus_dir``; unreadable files are reported and skipped.

    Files sharing a stem share a document id, so only one of them can be indexed: the one ``established``
    (doc id -> source path, from the current index) names, else the first. Without that, a ``.md`` dropped
    beside an indexed ``.txt`` of the same stem would sort first and silently replace it."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    established = established or {}
    files = corpus_files(corpus_dir)
    group_at: dict[str, int] = {}
    for i, path in enumerate(files):
        group_at.setdefault(doc_id_for(path), i)
    # Each group keeps its place in the listing; inside it the established file comes first.
    files.sort(key=lambda p: (group_at[doc_id_for(p)], str(p) != established.get(doc_id_for(p))))
    seen: dict[str, Path] = {}
    for path in files:
        doc_id = doc_id_for(path)
        if doc_id in seen:
            kept = "the indexed " if str(seen[doc_id]) == established.get(doc_id) else ""
            (on_skip or _warn_skip)(path, f"same document id '{doc_id}' as {kept}{seen[doc_id]}, which is kept; "
                                          "rename one of them")
            continue
        try:
            doc = load_document(path)
        except UnreadableFile as err:
            (on_skip or _warn_skip)(path, str(err))
            continue
        seen[doc_id] = path
        yield doc


def _warn_skip(path: Path, reason: str) -> None:
    log.warning("skipped %s: %s", path, reason)
