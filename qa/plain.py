"""Plain-language rendering of an Answer: the figure first, the easiest faithful wording, care words explained.

The raw ``Answer`` stays the source of truth. This module only chooses how much of the cited sentence to show
and which glossary words to explain. It never writes a word of its own into a statement, so it cannot change a
figure: every number it displays is in a cited quote (checked again before returning, see ``plain_answer``).

>>> from qa.schema import Answer, Citation
>>> quote = ("MacAlister called for £2.6 billion over five years to transform the system "
...          "and prevent the number of children in care rising above 100,000.")
>>> answer = Answer("q", f"£2.6 billion. {quote} [1]", False, (Citation(1, "d", "t", quote, 0, len(quote), 0.9),),
...                 figure="£2.6 billion")
>>> plain_answer(answer).text
'£2.6 billion. MacAlister called for £2.6 billion over five years to transform the system … [1]'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import textstat

from qa.figures import Figure, clause_around
from qa.schema import Answer
from qa.text import numbers_in, unsupported_numbers

# Cutting fewer words than this off a sentence makes it no easier to read.
MIN_CUT_WORDS = 4
ELLIPSIS = "…"
_MARKER = re.compile(r"\[\d+\]")
_CUT_END = re.compile(r"\s…(?=\s*\[\d+\])")


# --- glossary ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    means: str
    pattern: re.Pattern = field(compare=False, repr=False)


@dataclass(frozen=True)
class TermUse:
    """The first place a glossary word appears in a displayed text: ``text[start:end]``."""

    entry: GlossaryEntry
    start: int
    end: int


def _alias_pattern(alias: str) -> str:
    # Hyphens and spaces interchangeable, either apostrophe, a plural "s" for free.
    words = [re.escape(w).replace("'", "['’]") for w in re.split(r"[\s-]+", alias)]
    pattern = r"[\s\-‐]+".join(words) + "(?:s|es)?"
    # Acronyms (LA, RCC) match in capitals only, so "la" inside a sentence is left alone.
    return rf"\b{pattern}\b" if alias[:2].isupper() else rf"\b(?i:{pattern})\b"


@cache
def glossary() -> tuple[GlossaryEntry, ...]:
    """The shipped glossary (qa/data/glossary.toml), read once."""
    raw = tomllib.loads(resources.files("qa").joinpath("data/glossary.toml").read_text(encoding="utf-8"))
    entries = []
    for item in raw["entry"]:
        aliases = sorted([item["term"], *item.get("also", ())], key=len, reverse=True)
        pattern = re.compile("|".join(_alias_pattern(a) for a in aliases))
        entries.append(GlossaryEntry(item["term"], item["means"], pattern))
    return tuple(entries)


def find_terms(text: str) -> tuple[TermUse, ...]:
    """The first use of each glossary word in ``text``, in reading order; longer words win overlaps."""
    found: list[TermUse] = []
    for entry in sorted(glossary(), key=lambda e: -len(e.term)):
        for m in entry.pattern.finditer(text):
            if not any(m.start() < u.end and u.start < m.end() for u in found):
                found.append(TermUse(entry, m.start(), m.end()))
                break
    return tuple(sorted(found, key=lambda u: u.start))


# --- reading grade -------------------------------------------------------------------------------


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade of what a reader reads: citation markers left out.

    textstat ends sentences only at . ! and ?; a cut statement closing with "…" before its marker ends there
    for the reader too, so it is counted as a sentence end.
    """
    text = _CUT_END.sub(".", text)
    return float(textstat.flesch_kincaid_grade(_MARKER.sub("", text)))


# --- rendering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlainAnswer:
    """What plain-language mode shows for an answer: ``text`` with [n] markers, then ``terms`` explained."""

    text: str
    terms: tuple[TermUse, ...] = ()
    # The first cited sentence was cut after the clause that holds the figure.
    trimmed: bool = False

    def explanations(self) -> list[str]:
        return [f"{u.entry.term[0].upper()}{u.entry.term[1:]}: {u.entry.means}" for u in self.terms]

    def displayed(self) -> str:
        """Everything shown for the answer, as plain text: the statement, then the explanations."""
        return " ".join([self.text, *self.explanations()])


def plain_answer(answer: Answer) -> PlainAnswer:
    """The easiest faithful wording of ``answer``, with the glossary words it uses.

    When the answer leads with a number, amount or date, its first cited sentence may be cut after the clause
    that holds it (marked with "…"). Whichever of the raw and the cut wording has the lower reading grade is
    shown, and nothing else in the raw answer is changed: so the plain text never reads harder than the raw
    answer, and every figure in it stands in a cited quote.
    """
    candidates = [(answer.answer, False)]
    # Names are left whole: the words after a name ("…, Children's Commissioner for England") are the evidence.
    if not answer.abstained and answer.citations and numbers_in(answer.figure):
        quote = answer.citations[0].quote
        cut = cut_after_figure(quote, answer.figure)
        if cut and quote in answer.answer:
            candidates.append((answer.answer.replace(quote, cut, 1), True))
    quotes = [c.quote for c in answer.citations]
    faithful = [c for c in candidates if not unsupported_numbers(c[0], quotes)] or candidates[:1]
    # On a tie the raw answer wins: a cut is made only when it reads strictly easier.
    text, trimmed = min(faithful, key=lambda c: (reading_grade(c[0]), c[1]))
    return PlainAnswer(text, find_terms(text), trimmed)


def cut_after_figure(quote: str, figure: str) -> str:
    """``quote`` up to the end of the clause that holds ``figure``, then "…".

    Only the tail is cut: the start of the sentence carries its subject and its frame ("By next decade it is
    forecast that ..."), which a figure cannot be read without. "" when little would be cut.
    """
    at = quote.find(figure)
    if at < 0:
        return ""
    clause = clause_around(quote, Figure("", at, at + len(figure), figure))
    left = quote.find(clause)
    end = left + len(clause)
    if not 0 <= left <= at or len(re.findall(r"\w+", quote[end:])) < MIN_CUT_WORDS:
        return ""
    return quote[:end].rstrip(" ,;:–—-") + f" {ELLIPSIS}"
