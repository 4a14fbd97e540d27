"""Citation spans: what a citation shows must read as a passage on its own.

Not a headline, and no quotation mark left unpaired. Spans stay verbatim (quote == document text[start:end]);
only where they start and end moves. Shared by the extractive reader (``qa.read``) and its tests.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Callable

from qa.schema import Span
from qa.scored import ScoredSentence
from qa.text import sentence_spans

# A cited span that opens or closes a quotation is widened to take in the whole of it up to this length; a
# longer quotation is cut at its mark instead. Long enough for a speaker and a paragraph of what they said.
QUOTE_LIMIT = 600


_STRAIGHT_OPENS = re.compile(r'(?:^|(?<=[\s(\[\u2014\u2013-]))"(?=\S)')


def quotation_marks(text: str) -> list[tuple[int, int]]:
    """(offset, +1 for an opening mark, -1 for a closing one) of every double quotation mark in ``text``.
    A straight mark opens where a word starts after it and none ends before it."""
    opens = {m.start() for m in _STRAIGHT_OPENS.finditer(text)}
    return [(m.start(), 1 if m.group() == "“" or m.start() in opens else -1) for m in re.finditer(r'[“”"]', text)]


@lru_cache(maxsize=64)
def quotations(text: str) -> tuple[tuple[int, ...], ...]:
    """The offsets of the marks of each quotation in ``text``: its opening mark, the mark reopening each
    further paragraph it runs over (the news convention: only the last paragraph closes it), and its
    closing mark. A paragraph that leaves a quotation open with no reopening after it ends it, unclosed;
    a closing mark with nothing open (a typo in the source) belongs to none."""
    found: list[tuple[int, ...]] = []
    marks: list[int] = []

    def left_open(upto: int) -> bool:
        """Whether a paragraph ends the open quotation, unclosed and not reopened, before ``upto``."""
        for gap in re.finditer(r"\n\s*\n\s*", text[marks[-1]:upto]):
            if not text.startswith(("“", '"'), marks[-1] + gap.end()):
                return True
        return False

    for at, direction in quotation_marks(text) + [(len(text), 0)]:
        if marks and left_open(at):
            found.append(tuple(marks))
            marks = []
        if direction > 0:
            marks.append(at)  # opens one, or reopens it in a new paragraph
        elif direction < 0 and marks:
            found.append((*marks, at))
            marks = []
    return tuple(found)


def _unpaired(quotation: tuple[int, ...], span: Span) -> list[int]:
    """The marks of ``quotation`` inside ``span`` when the span holds some of them but not all."""
    inside = [at for at in quotation if span.start <= at < span.end]
    return inside if 0 < len(inside) < len(quotation) else []


def is_balanced(text: str, span: Span) -> bool:
    """Whether every quotation of ``text`` has all of its marks in ``span`` or none of them."""
    return not any(_unpaired(q, span) for q in quotations(text))


def _sentence_around(text: str, at: int) -> Span:
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    spans = sentence_spans(text, start, len(text) if end < 0 else end)
    return next((s for s in spans if s.start <= at < s.end), Span(at, at + 1))


def balanced_span(text: str, span: Span, worth: Callable[[Span, bool], object] | None = None,
                  limit: int = QUOTE_LIMIT) -> Span:
    """``span`` with every quotation it has a mark of taken in whole (from the sentence holding its first
    mark to the one holding its last) when that stays within ``limit`` characters; otherwise cut at the
    unpaired marks, keeping the side of most ``worth`` (given the side, and whether it lies outside the
    quotation), by default the longer."""
    wide = span
    for _ in range(8):  # widening can take in a mark of a further quotation
        crossing = [q for q in quotations(text) if _unpaired(q, wide)]
        if not crossing:
            break
        for quotation in crossing:
            wide = Span(min(wide.start, _sentence_around(text, quotation[0]).start),
                        max(wide.end, _sentence_around(text, quotation[-1]).end))
    if is_balanced(text, wide) and wide.end - wide.start <= max(limit, span.end - span.start):
        return wide
    cut = span
    for _ in range(8):
        unpaired = [(q, at) for q in quotations(text) for at in _unpaired(q, cut)]
        if not unpaired:
            break
        quotation, mark = unpaired[0]
        sides = [(_trimmed(text, cut.start, mark), mark == quotation[0]),
                 (_trimmed(text, mark + 1, cut.end), mark != quotation[0] and text[mark] != "“")]
        sides = [(s, out) for s, out in sides if re.search(r"\w", text[s.start:s.end])]
        if not sides:
            break
        cut = max(sides, key=lambda pair: worth(*pair) if worth else pair[0].end - pair[0].start)[0]
    return cut


def respanned(sentence: ScoredSentence, span: Span, text: str) -> ScoredSentence:
    """``sentence`` citing ``span`` of its document's ``text`` instead, its figure still pointing at itself
    (a figure stated elsewhere, ScoredSentence.figure_at, points into the document, and stays)."""
    if span == sentence.span:
        return sentence
    figure = sentence.figure
    if figure is not None and sentence.figure_at is None:
        shift = sentence.span.start - span.start
        figure = replace(figure, start=figure.start + shift, end=figure.end + shift)
    return replace(sentence, span=span, text=text[span.start:span.end], figure=figure)


def flat(text: str) -> str:
    """A cited passage as one line of an answer (a joined citation may run over a paragraph break)."""
    return " ".join(text.split())


def _trimmed(text: str, start: int, end: int) -> Span:
    piece = text[start:end]
    return Span(start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip()))


@lru_cache(maxsize=256)
def headline_end(title: str, text: str) -> int:
    """Where the document's headline ends: its first line when that is its title, or reads as one (short,
    no sentence ending) with text after it; 0 when it has none. Section headings further down are left
    alone: "Local Government Association pushed for the review" states who did."""
    first = text[:text.find("\n") % (len(text) + 1)].strip()  # up to the first line break, if any
    if not first or len(first) == len(text.strip()):
        return 0
    titled = " ".join(first.split()) == " ".join(title.split())
    if titled or (len(first) <= 200 and len(first.split()) >= 2 and not re.search(r"[.!?:;,…]\W*$", first)):
        return text.find(first) + len(first)
    return 0
