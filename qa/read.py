"""Evidence -> Draft: the reading stage, one seam with two readers behind it.

A reader gets what retrieval found for one question (``Evidence``) and writes a ``Draft``: statements, each
naming the sources it rests on. The extractive reader here lifts the sentence that answers and states its
figure; ``qa.generate`` has a language model write the statements. Every draft then goes through the same
verifier (``qa.verify``) before it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from qa.candidates import ScoredSentence, described, of_category
from qa.figures import Figure, figures_of
from qa.index import LoadedIndex
from qa.query import MEASURE_NOUNS, Query
from qa.schema import Span
from qa.text import normalise

# Calibrated on evals/cases.jsonl (see README, "Evaluation").
FIGURE_GAP = 0.25  # how much better the passage about the question must be than the one with a figure
RUNNER_UP = 0.8  # a nearby sentence this close to the best is shown with it (an answer often spans two)
BODY_MARGIN = 0.1  # how much better a named body must bear on a who-question to beat a person


@dataclass(frozen=True)
class Evidence:
    """What retrieval found for one question, as every reader sees it."""

    query: Query
    scored: list[ScoredSentence]  # the sentences of the retrieved passages, best first
    ranked: list[ScoredSentence]  # those holding a figure or name of the asked kind, best first
    top_k: int  # how many sources to show


@dataclass(frozen=True)
class Statement:
    """One sentence of an answer as shown (with any markers it carries) and the sources it rests on."""

    text: str
    cites: tuple[int, ...] = ()  # 1-based positions in Draft.sources
    # False for a pointer ("Also stated in [2]."): it says where, not what, so its own words need no support.
    claim: bool = True


@dataclass(frozen=True)
class Draft:
    statements: tuple[Statement, ...]
    sources: tuple[ScoredSentence, ...]  # what the statements cite; for an abstention, the nearest passages
    abstained: bool = False
    figure: str = ""  # the figure or name the answer leads with
    reader: str = "extractive"

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.statements)


class Reader(Protocol):
    name: str

    def read(self, evidence: Evidence) -> Draft: ...


class ReaderFailed(RuntimeError):
    """A reader could not write a draft (a model server down, a timeout); the message says which."""


class ExtractiveReader:
    """Picks the sentence that answers, states its figure and cites it verbatim, or abstains."""

    name = "extractive"

    def __init__(self, index: LoadedIndex, abstain_below: float) -> None:
        self.index = index
        self.abstain_below = abstain_below

    def read(self, evidence: Evidence) -> Draft:
        query, scored, ranked, top_k = evidence.query, evidence.scored, evidence.ranked, evidence.top_k
        if not scored:
            return abstention(scored, top_k)
        if query.unknown():
            return abstention(scored, top_k, unknown=query.unknown())
        unknown_measures = [t.surface for t in query.terms if not t.known and t.alternatives & MEASURE_NOUNS]
        if unknown_measures:  # "what is the average salary?" when no document speaks of a salary
            return abstention(scored, top_k, unknown=unknown_measures)
        if query.asks_author:
            return self.author(scored, top_k)
        if query.profile_of:
            described_in = [s for s in scored if described(query.profile_of, s.text) and s.evidence >= self.abstain_below]
            if described_in:  # "who is Josh MacAlister?": where the documents say what he is
                return self.quote(described_in[0], described_in, top_k)
        if query.wants_figure and not ranked:
            return abstention(scored, top_k, missing_figure=True)
        if query.kind == "person" and ranked and ranked[0].figure.kind == "person":
            body = next((r for r in ranked if r.figure.kind != "person"), None)
            if body is not None and body.evidence > ranked[0].evidence + BODY_MARGIN:
                # "who's in charge of making it happen?": a board the documents clearly name, not a person
                # whose sentence barely bears on the question.
                ranked = [body] + [r for r in ranked if r is not body]
        best, pool = self.choose(query, scored, ranked)
        if best.evidence < self.abstain_below:
            return abstention(scored, top_k)
        top = scored[0]
        if (query.wants_figure and top.evidence - best.evidence > FIGURE_GAP and figures_of(query.kind, top.text)
                and all(r.text != top.text for r in ranked)):
            # The passage plainly about the question has a figure, but not one that answers it ("£25m for
            # recruiting them" to "how much more are they getting?"); a figure from a passage that barely
            # bears on the question would answer another one.
            return abstention(scored, top_k, missing_figure=True)
        return self.quote(best, pool, top_k)

    def choose(self, query: Query, scored: list[ScoredSentence],
               ranked: list[ScoredSentence]) -> tuple[ScoredSentence, list[ScoredSentence]]:
        """The sentence to answer with, and the pool its companions come from. A question that only hints
        at a kind takes a figure sentence when it is about as good as the best."""
        lead = ranked[0] if ranked else None
        names_person = (lead is not None and query.kind == "person" and lead.figure.kind == "person"
                        and lead.evidence >= self.abstain_below)
        names_category = (lead is not None and bool(query.category) and lead.evidence >= self.abstain_below
                          and of_category(query.category, lead.text, lead.figure))
        if lead is not None and (query.wants_figure or names_person or names_category
                                 or lead.score >= scored[0].score - 0.05):
            return lead, ranked
        return scored[0], scored

    def author(self, scored: list[ScoredSentence], top_k: int) -> Draft:
        """'Who wrote the article about X?': the byline of the document that best matches X."""
        for sentence in scored:
            doc = self.index.documents[sentence.passage.chunk.doc_id]
            if not doc.author:
                continue
            at = doc.text.find(doc.author)
            # Similarity alone: "wrote" and "article" are words no passage uses, so coverage means nothing here.
            if at < 0 or sentence.dense < self.abstain_below:
                break
            chunk = next((c for c in self.index.chunks if c.doc_id == doc.doc_id and c.start <= at < c.end),
                         sentence.passage.chunk)
            byline = ScoredSentence(replace(sentence.passage, chunk=chunk), Span(at, at + len(doc.author)),
                                    doc.author, sentence.dense, sentence.coverage, sentence.score,
                                    Figure("person", 0, len(doc.author), doc.author))
            statement = Statement(f"{doc.author} wrote it [1]: “{doc.title}”, which says: {sentence.text} [2]",
                                  (1, 2))
            return Draft((statement,), (byline, sentence), figure=doc.author)
        return abstention(scored, top_k)

    def quote(self, best: ScoredSentence, pool: list[ScoredSentence], top_k: int) -> Draft:
        """The best sentence, led by its figure; sentences stating the same figure, or the next sentence
        when the answer runs on, beside it."""
        if best.dateline is not None:
            dateline = best.figure.text
            sources = (best, replace(best, span=best.dateline, text=dateline, dateline=None))
            statements = (Statement(f"{dateline}.", (2,)), Statement(f"{best.text} [1]", (1,)),
                          Statement(f"The article saying so is dated {dateline} [2].", (2,), claim=False))
            return Draft(statements, sources, figure=dateline)
        chosen = [best]
        if best.figure is not None:
            value = normalise(best.figure.text)
            for other in pool:
                if len(chosen) >= top_k:
                    break
                if other.figure is None or normalise(other.figure.text) != value:
                    continue
                if all((other.passage.chunk.doc_id, other.span) != (c.passage.chunk.doc_id, c.span) for c in chosen):
                    chosen.append(other)
        else:
            runner_up = next((o for o in pool[1:3] if o.passage.chunk.doc_id == best.passage.chunk.doc_id
                              and abs(o.span.start - best.span.end) < 400 and o.score >= RUNNER_UP * best.score), None)
            if runner_up is not None:
                chosen.append(runner_up)
        statements = [Statement(f"{best.text} [1]", (1,))]
        if best.figure is None:
            if len(chosen) > 1:
                statements.append(Statement(f"{chosen[1].text} [2]", (2,)))
            return Draft(tuple(statements), tuple(chosen))
        lead = best.figure.text
        statements.insert(0, Statement(f"{lead[0].upper()}{lead[1:]}.", (1,)))
        if len(chosen) > 1:
            others = tuple(range(2, len(chosen) + 1))
            statements.append(Statement("Also stated in " + ", ".join(f"[{n}]" for n in others) + ".", others,
                                        claim=False))
        return Draft(tuple(statements), tuple(chosen), figure=lead)


def abstention(scored: list[ScoredSentence], top_k: int, missing_figure: bool = False,
               unknown: list[str] = ()) -> Draft:
    """Saying the documents don't answer, with the nearest passages (one per document first, so the
    reader sees the spread) to check that for themselves."""
    if unknown:
        words = ", ".join(f"“{w}”" for w in unknown[:3])
        text = (f"These documents don't say: they never mention {words}. "
                "The closest passages are below so you can check.")
    elif missing_figure:
        text = "These documents don't give that figure. The closest passages are below so you can check."
    else:
        text = "These documents don't say. The closest passages are below so you can check."
    nearest, seen_docs = [], set()
    for sentence in scored:
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
    return Draft((Statement(text),), tuple(nearest), abstained=True)
