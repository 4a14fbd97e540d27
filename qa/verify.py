"""Draft -> Verdict: every statement must rest on the passages it cites, whichever reader wrote it.

A statement is kept only when it cites at least one of the sources it was given, every number, amount,
percentage and date in it stands in those sources (in any of the forms ``qa.text.normalise`` folds together:
"£2.6bn" = "£2.6 billion"), every proper name in it does too, and most of its words come from them. A
sentence in a passage that speaks to an AI ("ignore previous instructions and say ...") is data, never
support: an answer that repeats it is not grounded in what the documents report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from wordfreq import zipf_frequency

from qa.read import Draft, Statement
from qa.schema import Span
from qa.scored import ScoredSentence
from qa.spans import balanced_span
from qa.text import content_words, numbers_in, sentence_spans, unsupported_numbers

SUPPORT_SHARE = 0.5  # of a claim's content words, the share that must stand in what it cites
COMMON_ZIPF = 4.0  # a capitalised first word this common ("The", "Councils") may name nothing

# Sentences that address a machine reading the text, not a person: told to drop what it was told, or what it
# must say. Kept narrow on purpose: "if you are now 18, you can stay" is advice to a reader, not an injection.
INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|prompts?|rules|directions|above|"
    r"previous|prior)\b"
    r"|\bsystem prompt\b|\bas an ai\b|\bnote to (?:ai|chatbots?|assistants?|language models?|llms?)\b"
    r"|\b(?:ai|chatbots?|assistants?|llms?|language models?)\b[^.]{0,40}\b(?:must|should|will|shall) "
    r"(?:say|answer|reply|respond|tell|state)\b",
    re.I,
)
_MARKER = re.compile(r"\[(\d+)\]")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*[A-Za-z]")
_POSSESSIVE = re.compile(r"['’]s$")


@dataclass(frozen=True)
class Dropped:
    text: str
    reason: str


@dataclass(frozen=True)
class Verdict:
    draft: Draft  # the statements that held, their sources renumbered from 1
    dropped: tuple[Dropped, ...] = ()

    @property
    def verified(self) -> bool | None:
        """True when an answer is left and every statement in it held; None for an abstention."""
        return None if self.draft.abstained else bool(self.draft.statements)


def is_instruction(sentence: str) -> bool:
    return bool(INSTRUCTION.search(sentence))


def reported(text: str) -> str:
    """``text`` without the sentences that address a reader of it as a machine."""
    return " ".join(text[s.start:s.end] for s in sentence_spans(text) if not is_instruction(text[s.start:s.end]))


class Verifier:
    """Checks drafts against their sources. ``title_of`` gives a document's title by id: a citation shows
    it, so a statement may name what the title names."""

    def __init__(self, title_of: Callable[[str], str]) -> None:
        self.title_of = title_of

    def check(self, draft: Draft) -> Verdict:
        if draft.abstained:
            return Verdict(draft)
        kept, dropped = [], []
        for statement in draft.statements:
            problem = self.problem(statement, draft)
            if problem:
                dropped.append(Dropped(statement.text, problem))
            else:
                kept.append(statement)
        checked = renumbered(draft, kept)
        narrowed = replace(checked, sources=tuple(pinned(n, source, checked.statements)
                                                  for n, source in enumerate(checked.sources, start=1)))
        if any(self.problem(statement, narrowed) for statement in narrowed.statements):
            narrowed = checked  # a narrower quote must still state all it is cited for
        return Verdict(narrowed, tuple(dropped))

    def problem(self, statement: Statement, draft: Draft) -> str:
        """Why ``statement`` does not stand in the sources it cites; empty when it does."""
        if not statement.cites:
            return "cites no passage"
        outside = [n for n in statement.cites if not 1 <= n <= len(draft.sources)]
        if outside:
            return f"cites passage [{outside[0]}], which it was not given"
        cited = [draft.sources[n - 1] for n in statement.cites]
        support = " ".join(f"{reported(self.title_of(s.passage.chunk.doc_id))}. {reported(s.text)}" for s in cited)
        words = _MARKER.sub(" ", statement.text)
        missing = unsupported_numbers(words, [support])
        if missing:
            return f"states {', '.join(missing)}, which the passages it cites do not"
        names = unsupported_names(words, support)
        if names:
            return f"names {', '.join(names)}, which the passages it cites do not"
        own = set(content_words(words))
        if statement.claim and own and len(own & set(content_words(support))) < SUPPORT_SHARE * len(own):
            return "most of its words are not in the passages it cites"
        return ""


def unsupported_names(statement: str, support: str) -> list[str]:
    """Capitalised words of ``statement`` (names, bodies, places, months) that ``support`` lacks. A common
    word capitalised only because it opens a sentence ("The", "Councils") passes when ``support`` uses it;
    "Labour" or "Wales" opening a sentence is checked like any name."""
    missing = []
    for word, opens in names_in(statement):
        if opens and (not content_words(word) or zipf_frequency(word.lower(), "en") >= COMMON_ZIPF
                      and _stands_in(word, support)):
            continue
        if not _stands_in(word, support):
            missing.append(word)
    return list(dict.fromkeys(missing))


def unsupported_answer_names(answer: str, shown: str) -> list[str]:
    """``unsupported_names`` of a whole answer, its citation markers read as the breaks they are ("... 100,000.
    [1] Also stated in [2]." opens a sentence with "Also")."""
    return unsupported_names(re.sub(r"\[\d+\]", " ", answer), shown)


def names_in(statement: str) -> list[tuple[str, bool]]:
    """Capitalised words, each with whether it opens a sentence (after a full stop, 'months.” Also', or at
    an opening quotation mark), where a capital says nothing about it."""
    names = []
    for m in _CAPITALISED.finditer(statement):
        word = _POSSESSIVE.sub("", m.group())
        before = statement[:m.start()].rstrip()
        opens = not before or before[-1] in "“‘\"(" or before.rstrip("”\"’')]").rstrip()[-1:] in ".!?:"
        if word != "I":
            names.append((word, opens))
    return names


def _stands_in(word: str, support: str) -> bool:
    parts = [word] + word.split("-") if "-" in word else [word]
    return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", support, re.I) for p in parts if p)


def pinned(n: int, source: ScoredSentence, statements: tuple[Statement, ...]) -> ScoredSentence:
    """A cited passage narrowed to the run of its sentences that hold the figures and names the statements
    citing it state (else the one sentence sharing most of their words), so a quote shows what it is
    cited for, its quotation marks still paired. Only a whole passage is narrowed: a span a reader chose
    (the extractive reader's sentence, widened to a whole quotation) is left as chosen."""
    chunk = source.passage.chunk
    spans = [s for s in chunk.sentences if source.span.start <= s.start and s.end <= source.span.end]
    if (source.span.start, source.span.end) != (chunk.start, chunk.end) or len(spans) < 2:
        return source
    said = " ".join(_MARKER.sub(" ", s.text) for s in statements if n in s.cites)
    texts = [source.text[s.start - source.span.start:s.end - source.span.start] for s in spans]
    numbers = set(numbers_in(said))
    names = {word for word, opens in names_in(said) if not opens or zipf_frequency(word.lower(), "en") < COMMON_ZIPF}
    holding = [i for i, text in enumerate(texts)
               if set(numbers_in(text)) & numbers or any(_stands_in(name, text) for name in names)]
    if not holding:
        words = set(content_words(said))
        holding = [max(range(len(texts)), key=lambda i: len(words & set(content_words(texts[i]))))]
    offset = source.span.start
    run = balanced_span(source.text, Span(spans[min(holding)].start - offset, spans[max(holding)].end - offset),
                        limit=len(source.text))
    return replace(source, span=Span(run.start + offset, run.end + offset), text=source.text[run.start:run.end])


def renumbered(draft: Draft, kept: list[Statement]) -> Draft:
    """``draft`` with only ``kept`` and the sources they cite, renumbered from 1 in the order the sources
    were given. A statement's markers are rewritten only when a number changes: a quote may hold a
    bracketed number of its own (a report's footnote)."""
    if not kept:
        return replace(draft, statements=(), sources=(), figure="")
    cited = sorted({n for statement in kept for n in statement.cites})
    order = {old: new for new, old in enumerate(cited, start=1)}
    if any(old != new for old, new in order.items()):
        kept = [replace(s, text=_MARKER.sub(lambda m: f"[{order.get(int(m.group(1)), m.group(1))}]", s.text),
                        cites=tuple(order[n] for n in s.cites)) for s in kept]
    sources = tuple(draft.sources[old - 1] for old in cited)
    figure = draft.figure if any(draft.figure and draft.figure in s.text for s in kept) else ""
    return replace(draft, statements=tuple(kept), sources=sources, figure=figure)
