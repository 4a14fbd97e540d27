"""Passages -> Answer: pick the sentence that answers, state its figure, cite it verbatim, or abstain.

No language model: the answer is built from cited sentences, so every figure it states stands in a quote.
``Pipeline.ask()`` is the one entry point that the CLI, the web app and the evaluation all call.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace

import numpy as np

from qa.index import LoadedIndex
from qa.retrieve import HybridRetriever
from qa.schema import Answer, Citation, Passage, Span
from qa.settings import Settings
from qa.text import Figure, content_words, find_figures, normalise, unsupported_numbers

# --- what the question asks for ------------------------------------------------------------------

_ASKS = (
    ("percent", re.compile(r"\b(percent|per cent|percentage|%)|\bhow much\b.*\b(grow|grew|grown|risen|increased|expanded)\b", re.I)),
    ("duration", re.compile(r"\bhow long\b|\bover how many (years|months)\b|\bover what (period|time)\b|\bhow many (years|months)\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\bwhat (year|date|month|day)\b|\bwhich (year|date|month|day)\b|\bsince when\b", re.I)),
    ("count", re.compile(r"\bhow many\b|\bnumber of\b|\bhow big\b", re.I)),
    ("money", re.compile(r"\bhow much\b|\b(cost|costs|costing|money|cash|funding|funded|fund|budget|invest|invested|investing|investment|spend|spending|spent|price|pounds|quid|billion|million|£)\b", re.I)),
    ("person", re.compile(r"\bwho\b|\bwhose\b|\bwhich (minister|person|secretary|official|commissioner)\b|\bname of\b", re.I)),
)
# Nouns that name one particular amount. When a question names one, the figure must be about it:
# "how much is the allowance rise?" is not answered by "£25m for recruitment" in the same sentence.
_MEASURE_NOUNS = {
    "allowance", "salary", "salaries", "wage", "wages", "pay", "tax", "fee", "fees", "rent", "pension",
    "grant", "bonus", "benefit", "benefits", "income", "profit", "profits", "debt", "loan", "fine",
    "cost", "costs", "budget",
}
# Words in capitalised runs that belong to titles and bodies, not to people's names.
_NOT_NAME = set(
    """the a an this that these those however following welcoming responding commenting leading chair chief
    president secretary minister commissioner education children children's children’s social care review
    independent government department local association board council society services england english
    national family families help authority authorities cllr dame sir mr mrs ms dr lord lady baroness
    shadow executive director directors of and for in on at to by with from frontline times act equality
    february march april may june july august september october november december january
    monday tuesday wednesday thursday friday saturday sunday picture conservative labour treasury whitehall
    implementation strategy framework hubs hub cooperatives regional experts experience call advice group
    general election white paper competition markets authority homes""".split()
)
_CAPITALISED_RUN = re.compile(r"(?:[A-Z][\w'’-]+)(?:\s+(?:(?:de|van|von|da|du|le|la)\s+)?[A-Z][\w'’-]+)*")


def asked_kind(question: str) -> str:
    """What the answer must contain: money, percent, duration, date, count, person, or general."""
    for kind, pattern in _ASKS:
        if pattern.search(question):
            return kind
    return "general"


def people_in(text: str) -> list[Figure]:
    """Personal names: capitalised runs with the title and body words taken off their front."""
    names = []
    for m in _CAPITALISED_RUN.finditer(text):
        words = m.group().split()
        start = m.start()
        while words and words[0].lower() in _NOT_NAME:
            start += len(words[0]) + 1 + (text[start + len(words[0]) + 1:].find(words[1]) if len(words) > 1 else 0)
            words = words[1:]
        if 2 <= len(words) <= 4 and not any(w.lower() in _NOT_NAME - {"de", "le", "la"} for w in words[1:]):
            name = " ".join(words)
            begin = text.find(name, m.start())
            if begin >= 0:
                names.append(Figure("person", begin, begin + len(name), name))
    return names


def figures_of(kind: str, text: str) -> list[Figure]:
    if kind == "person":
        return people_in(text)
    figures = [f for f in find_figures(text) if f.kind == kind]
    if kind == "date":
        figures += [f for f in find_figures(text) if f.kind == "duration" and re.search(r"\d{4}", f.text)]
    return figures


_CLAUSE_BREAK = re.compile(r"[,;:]|\s[–-]\s|\band\b|\bbut\b|\bwhile\b|\bas well as\b|\bas well\b")


def clause_around(sentence: str, figure: Figure) -> str:
    """The clause that holds a figure: cut at commas, semicolons, dashes and conjunctions."""
    before = sentence[: figure.start]
    after = sentence[figure.end:]
    cuts = list(_CLAUSE_BREAK.finditer(before))
    left = cuts[-1].end() if cuts else 0
    nxt = _CLAUSE_BREAK.search(after)
    right = figure.end + (nxt.start() if nxt else len(after))
    return sentence[left:right]


# --- scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredSentence:
    passage: Passage
    span: Span
    text: str
    dense: float
    overlap: float
    score: float
    figure: Figure | None = None

    @property
    def evidence(self) -> float:
        """How strongly this sentence bears on the question, 0..1; compared with the abstain threshold."""
        return 0.6 * self.dense + 0.4 * self.overlap


class Pipeline:
    """Retrieve, score sentences, answer or abstain.

    >>> pipeline = Pipeline(Settings.from_env())
    >>> pipeline.ask("How much did MacAlister call for to transform the system?").answer
    '£2.6 billion. Leading the review, Josh MacAlister called for £2.6 billion over five years ... [1]'
    """

    def __init__(self, settings: Settings, index: LoadedIndex | None = None) -> None:
        self.settings = settings
        self.index = index or LoadedIndex(settings.index_dir)
        self.retriever = HybridRetriever(self.index, settings.candidates, settings.threads)

    # The steps, in the order they run.

    def ask(self, question: str, top_k: int | None = None) -> Answer:
        top_k = top_k or self.settings.top_k
        question, notices = self.check_question(question)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        retrieval = self.retriever.search(question, limit=max(8, top_k))
        timings["retrieve"] = _ms(started)
        mark = time.perf_counter()
        kind = asked_kind(question)
        scored = self.score_sentences(question, retrieval.passages, retrieval.query_vector)
        timings["rerank"] = _ms(mark)
        mark = time.perf_counter()
        answer = self.compose(question, kind, scored, top_k)
        timings["answer"] = _ms(mark)
        timings["total"] = _ms(started)
        retrieved = tuple(dict.fromkeys(p.chunk.doc_id for p in retrieval.passages))
        return replace(answer, timings_ms=timings, notices=tuple(notices) + answer.notices, retrieved=retrieved)

    def check_question(self, question: str) -> tuple[str, list[str]]:
        if question is None or not str(question).strip():
            raise EmptyQuestion("Please type a question: it was empty.")
        question = " ".join(str(question).split())
        notices = []
        limit = self.settings.max_question_chars
        if len(question) > limit:
            question = question[:limit]
            notices.append(f"Your question was longer than {limit} characters, so only the first {limit} were used.")
        return question, notices

    def score_sentences(self, question: str, passages, query_vector: np.ndarray) -> list[ScoredSentence]:
        asked = set(content_words(question))
        scored: dict[tuple[str, int], ScoredSentence] = {}
        for passage in passages:
            first, count = self.index.sentence_rows[self.index.chunk_row[passage.chunk.chunk_id]]
            dense = self.index.sentence_vectors[first:first + count] @ query_vector
            spans = passage.chunk.sentences or (Span(passage.chunk.start, passage.chunk.end),)
            text_of = self.index.document_text(passage.chunk.doc_id)
            for span, similarity in zip(spans, dense.tolist()):
                text = text_of[span.start:span.end]
                words = set(content_words(text))
                overlap = len(asked & words) / len(asked) if asked else 0.0
                prior = 1.0 / (1 + passage.rank)
                score = 0.55 * similarity + 0.35 * overlap + 0.10 * prior
                key = (passage.chunk.doc_id, span.start)
                if key not in scored or scored[key].score < score:
                    scored[key] = ScoredSentence(passage, span, text, similarity, overlap, score)
        return sorted(scored.values(), key=lambda s: -s.score)

    def compose(self, question: str, kind: str, scored: list[ScoredSentence], top_k: int) -> Answer:
        if not scored:
            return self.abstain(question, scored, top_k)
        if kind == "general":
            best = scored[0]
            if best.evidence < self.settings.abstain_below:
                return self.abstain(question, scored, top_k)
            return self.answer_with(question, best, scored, top_k)
        asked = set(content_words(question))
        candidates = []
        for sentence in scored[:12]:
            figure, bond = self.bound_figure(kind, sentence.text, asked)
            if figure is not None:
                candidates.append((sentence.score + 0.2 * bond, replace(sentence, figure=figure)))
        candidates = [sentence for _, sentence in sorted(candidates, key=lambda pair: -pair[0])]
        if not candidates:
            if kind == "person" and scored[0].evidence >= self.settings.abstain_below:
                return self.answer_with(question, scored[0], scored, top_k)  # "who" answered by a body
            return self.abstain(question, scored, top_k, missing_figure=kind != "person")
        best = candidates[0]
        if best.evidence < self.settings.abstain_below:
            return self.abstain(question, scored, top_k)
        return self.answer_with(question, best, candidates, top_k)

    def bound_figure(self, kind: str, sentence: str, asked: set[str]) -> tuple[Figure | None, float]:
        """The figure of the asked kind that the question's own words point to, with the share of the
        question's words found in its clause; (None, 0) when the sentence has no such figure."""
        figures = figures_of(kind, sentence)
        if kind == "person":
            figures = [f for f in figures if not set(content_words(f.text)) <= asked]
        if not figures:
            return None, 0.0
        measures = {w for w in asked if w in {m.rstrip("s") for m in _MEASURE_NOUNS} | _MEASURE_NOUNS}
        best, best_overlap = None, -1
        for figure in figures:
            clause = set(content_words(clause_around(sentence, figure)))
            if measures and not measures & clause:
                continue
            overlap = len(asked & clause)
            if overlap > best_overlap:
                best, best_overlap = figure, overlap
        return best, (best_overlap / len(asked) if best is not None and asked else 0.0)

    # Building the answer.

    def answer_with(self, question, best: ScoredSentence, pool: list[ScoredSentence], top_k: int) -> Answer:
        chosen = [best]
        if best.figure is not None:
            value = _figure_key(best.figure.text)
            for other in pool:
                if len(chosen) >= top_k:
                    break
                if other is best or other.figure is None or _figure_key(other.figure.text) != value:
                    continue
                if all(other.passage.chunk.doc_id != c.passage.chunk.doc_id or other.span != c.span for c in chosen):
                    chosen.append(other)
        citations = tuple(self.cite(n, s) for n, s in enumerate(chosen, start=1))
        lead = best.figure.text if best.figure is not None else ""
        body = f"{best.text} [1]"
        text = f"{_lead_sentence(lead)} {body}" if lead else body
        if len(citations) > 1:
            text += " Also stated in " + ", ".join(f"[{c.n}]" for c in citations[1:]) + "."
        leftover = unsupported_numbers(text, [c.quote for c in citations])
        if leftover:  # unreachable by construction; kept so a future change cannot state an unsupported figure
            return self.abstain(question, pool, top_k)
        return Answer(question=question, answer=text, abstained=False, citations=citations, figure=lead)

    def abstain(self, question, scored: list[ScoredSentence], top_k: int, missing_figure: bool = False) -> Answer:
        if missing_figure:
            text = "These documents don't give that figure. The closest passages are below so you can check."
        else:
            text = "These documents don't say. The closest passages are below so you can check."
        nearest, seen_docs = [], set()
        for sentence in scored:  # one passage per document first, so the reader sees the spread
            if sentence.passage.chunk.doc_id not in seen_docs:
                nearest.append(sentence)
                seen_docs.add(sentence.passage.chunk.doc_id)
            if len(nearest) == top_k:
                break
        for sentence in scored:
            if len(nearest) >= top_k:
                break
            if sentence not in nearest:
                nearest.append(sentence)
        citations = tuple(self.cite(n, s) for n, s in enumerate(nearest, start=1))
        return Answer(question=question, answer=text, abstained=True, citations=citations)

    def cite(self, n: int, sentence: ScoredSentence) -> Citation:
        doc = self.index.documents[sentence.passage.chunk.doc_id]
        return Citation(
            n=n,
            doc_id=doc.doc_id,
            title=doc.title,
            quote=doc.text[sentence.span.start:sentence.span.end],
            start=sentence.span.start,
            end=sentence.span.end,
            score=round(float(sentence.evidence), 4),
            page=doc.page_at(sentence.span.start),
            outlet=doc.outlet,
            date=doc.date,
            kind=doc.kind,
        )


class EmptyQuestion(ValueError):
    """The question was empty or only whitespace."""


def _lead_sentence(figure: str) -> str:
    figure = figure.strip()
    return figure[0].upper() + figure[1:] + "." if figure else ""


def _figure_key(text: str) -> str:
    return normalise(text)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
