"""Passages -> Answer: pick the sentence that answers, state its figure, cite it verbatim, or abstain.

No language model: the answer is built from cited sentences, so every figure it states stands in a quote.
``Pipeline.ask()`` is the one entry point that the CLI, the web app and the evaluation all call.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from qa.candidates import CandidateFinder, ScoredSentence, coverage, described, of_category
from qa.embed import load_model
from qa.figures import Figure, figures_of
from qa.index import LoadedIndex
from qa.query import MEASURE_NOUNS, Query
from qa.retrieve import HybridRetriever
from qa.safety import support_for
from qa.schema import Answer, Citation, Span
from qa.settings import Settings
from qa.text import content_words, normalise, unsupported_numbers
from qa.understand import Understander

# Calibrated on evals/cases.jsonl (see README, "Evaluation"): how a sentence is ranked (similarity to the
# question, weighted share of its terms, rank of its passage) and when the answer step gives up.
SCORE_WEIGHTS = (0.5, 0.4, 0.1)
FIGURE_GAP = 0.25  # how much better the passage about the question must be than the one with a figure
RUNNER_UP = 0.8  # a nearby sentence this close to the best is shown with it (an answer often spans two)
BODY_MARGIN = 0.1  # how much better a named body must bear on a who-question to beat a person
PASSAGES_READ = 12  # passages whose sentences are scored; the answer is looked for among their best


class Pipeline:
    """Retrieve, score sentences, answer or abstain.

    >>> pipeline = Pipeline(Settings.from_env())
    >>> pipeline.ask("How much did MacAlister call for to transform the system?").answer
    '£2.6 billion. Leading the review, Josh MacAlister called for £2.6 billion over five years ... [1]'
    """

    def __init__(self, settings: Settings, index: LoadedIndex | None = None) -> None:
        self.settings = settings
        self.index = index or LoadedIndex(settings.index_dir)
        self.retriever = HybridRetriever(self.index, settings.candidates, settings.threads, settings.prefer_kind)
        self.finder = CandidateFinder(self.index)
        self.understander = Understander.from_documents(self.index.vocabulary,
                                                        [d.text for d in self.index.documents.values()])
        load_model(settings.threads)  # once, here, so that no question pays for it

    # The steps, in the order they run.

    def ask(self, question: str, top_k: int | None = None) -> Answer:
        top_k = top_k or self.settings.top_k
        question, notices = self.check_question(question)
        support = support_for(question)
        if support is not None and support.disclosure:
            # Someone telling us they are being harmed gets the support panel and this note; an article
            # quote would read as the answer to what they said.
            return Answer(question=question, answer=support.disclosure_note, abstained=True, notices=tuple(notices),
                          support=support.reason)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        query = self.understander.understand(question)
        lexical_terms = sorted({a for t in query.terms for a in t.alternatives})
        retrieval = self.retriever.search(query.rewritten, limit=max(PASSAGES_READ, top_k), lexical_terms=lexical_terms)
        timings["retrieve"] = _ms(started)
        timings["embed"] = retrieval.embed_ms  # included in "retrieve"
        mark = time.perf_counter()
        roles = sorted(query.roles())
        if roles:  # "who was the minister ...?": also read where the documents name a minister at all
            retrieval = replace(retrieval, passages=self.retriever.lexical_passages(roles, PASSAGES_READ,
                                                                                  retrieval.passages))
        scored = self.score_sentences(query, retrieval.passages, retrieval.query_vector)
        ranked = self.finder.rank(query, scored)
        named = [r for r in ranked if of_category(query.category, r.text, r.figure)] if query.category else ranked
        if query.explicit and query.kind != "general" and not named:
            # What was asked for (a figure, a named minister) may stand in a passage ranked lower: look further.
            retrieval = replace(self.retriever.search(query.rewritten, self.settings.candidates, lexical_terms,
                                                      retrieval.query_vector), embed_ms=retrieval.embed_ms)
            scored = self.score_sentences(query, retrieval.passages, retrieval.query_vector)
            ranked = self.finder.rank(query, scored)
        timings["rerank"] = _ms(mark)
        mark = time.perf_counter()
        answer = self.compose(query, scored, ranked, top_k)
        timings["answer"] = _ms(mark)
        timings["total"] = _ms(started)
        retrieved = tuple(dict.fromkeys(p.chunk.doc_id for p in retrieval.passages))
        return replace(answer, question=query.original, understood_as=query.question, timings_ms=timings,
                       notices=tuple(notices) + answer.notices, retrieved=retrieved,
                       support=support.reason if support else "")

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

    def score_sentences(self, query: Query, passages, query_vector: np.ndarray) -> list[ScoredSentence]:
        scored: dict[tuple[str, int], ScoredSentence] = {}
        for passage in passages:
            chunk = passage.chunk
            first, count = self.index.sentence_rows[self.index.chunk_row[chunk.chunk_id]]
            dense = self.index.sentence_vectors[first:first + count] @ query_vector
            spans = chunk.sentences or (Span(chunk.start, chunk.end),)
            text_of = self.index.document_text(chunk.doc_id)
            context = set(content_words(chunk.text)) | set(content_words(chunk.title))
            prior = 1.0 / (1 + passage.rank)
            # A near-tie goes to the preferred kind; evidence, and so abstaining, is left as it was.
            kind = self.index.documents[chunk.doc_id].kind
            preferred = 0.05 if self.settings.prefer_kind and kind == self.settings.prefer_kind else 0.0
            for span, similarity in zip(spans, dense.tolist()):
                text = text_of[span.start:span.end]
                covered = coverage(query, set(content_words(text)), context)
                score = (SCORE_WEIGHTS[0] * similarity + SCORE_WEIGHTS[1] * covered + SCORE_WEIGHTS[2] * prior
                         + preferred)
                key = (chunk.doc_id, span.start)
                if key not in scored or scored[key].score < score:
                    scored[key] = ScoredSentence(passage, span, text, similarity, covered, score)
        return sorted(scored.values(), key=lambda s: -s.score)

    def compose(self, query: Query, scored: list[ScoredSentence], ranked: list[ScoredSentence], top_k: int) -> Answer:
        if not scored:
            return self.abstain(query.question, scored, top_k)
        if query.unknown():
            return self.abstain(query.question, scored, top_k, unknown=query.unknown())
        unknown_measures = [t.surface for t in query.terms if not t.known and t.alternatives & MEASURE_NOUNS]
        if unknown_measures:  # "what is the average salary?" when no document speaks of a salary
            return self.abstain(query.question, scored, top_k, unknown=unknown_measures)
        if query.asks_author:
            return self.answer_author(query, scored, top_k)
        if query.profile_of:
            described_in = [s for s in scored if described(query.profile_of, s.text) and s.evidence >= self.settings.abstain_below]
            if described_in:  # "who is Josh MacAlister?": where the documents say what he is
                return self.answer_with(query.question, described_in[0], described_in, top_k)
        if query.wants_figure and not ranked:
            return self.abstain(query.question, scored, top_k, missing_figure=True)
        if query.kind == "person" and ranked and ranked[0].figure.kind == "person":
            body = next((r for r in ranked if r.figure.kind != "person"), None)
            if body is not None and body.evidence > ranked[0].evidence + BODY_MARGIN:
                # "who's in charge of making it happen?": a board the documents clearly name, not a person
                # whose sentence barely bears on the question.
                ranked = [body] + [r for r in ranked if r is not body]
        # A question that only hints at a kind takes a figure sentence when it is about as good as the best.
        names_person = (bool(ranked) and query.kind == "person" and ranked[0].figure.kind == "person"
                        and ranked[0].evidence >= self.settings.abstain_below)
        names_category = (bool(ranked) and bool(query.category) and ranked[0].evidence >= self.settings.abstain_below
                          and of_category(query.category, ranked[0].text, ranked[0].figure))
        if ranked and (query.wants_figure or names_person or names_category
                       or ranked[0].score >= scored[0].score - 0.05):
            best, pool = ranked[0], ranked
        else:
            best, pool = scored[0], scored
        if best.evidence < self.settings.abstain_below:
            return self.abstain(query.question, scored, top_k)
        top = scored[0]
        if (query.wants_figure and top.evidence - best.evidence > FIGURE_GAP and figures_of(query.kind, top.text)
                and all(r.text != top.text for r in ranked)):
            # The passage plainly about the question has a figure, but not one that answers it ("£25m for
            # recruiting them" to "how much more are they getting?"); a figure from a passage that barely
            # bears on the question would answer another one.
            return self.abstain(query.question, scored, top_k, missing_figure=True)
        return self.answer_with(query.question, best, pool, top_k)

    def answer_author(self, query: Query, scored: list[ScoredSentence], top_k: int) -> Answer:
        """'Who wrote the article about X?': the byline of the document that best matches X."""
        for sentence in scored:
            doc = self.index.documents[sentence.passage.chunk.doc_id]
            if not doc.author:
                continue
            at = doc.text.find(doc.author)
            # Similarity alone: "wrote" and "article" are words no passage uses, so coverage means nothing here.
            if at < 0 or sentence.dense < self.settings.abstain_below:
                break
            byline = Span(at, at + len(doc.author))
            chunk = next((c for c in self.index.chunks if c.doc_id == doc.doc_id and c.start <= at < c.end),
                         sentence.passage.chunk)
            passage = replace(sentence.passage, chunk=chunk)
            cited = ScoredSentence(passage, byline, doc.author, sentence.dense, sentence.coverage, sentence.score,
                                   Figure("person", 0, len(doc.author), doc.author))
            citations = (self.cite(1, cited), self.cite(2, sentence))
            text = f"{doc.author} wrote it [1]: “{doc.title}”, which says: {sentence.text} [2]"
            return Answer(question=query.question, answer=text, abstained=False, citations=citations,
                          figure=doc.author)
        return self.abstain(query.question, scored, top_k)

    # Building the answer.

    def answer_with(self, question, best: ScoredSentence, pool: list[ScoredSentence], top_k: int) -> Answer:
        chosen = [best]
        if best.dateline is not None:
            dateline = best.figure.text
            chosen.append(replace(best, span=best.dateline, text=dateline, dateline=None))
            citations = tuple(self.cite(n, s) for n, s in enumerate(chosen, start=1))
            text = f"{dateline}. {best.text} [1] The article saying so is dated {dateline} [2]."
            return Answer(question=question, answer=text, abstained=False, citations=citations, figure=dateline)
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
        citations = tuple(self.cite(n, s) for n, s in enumerate(chosen, start=1))
        lead = best.figure.text if best.figure is not None else ""
        text = f"{best.text} [1]"
        if best.figure is None and len(chosen) > 1:
            text += f" {chosen[1].text} [2]"
        if lead:
            text = f"{lead[0].upper()}{lead[1:]}. {text}"
        if best.figure is not None and len(citations) > 1:
            text += " Also stated in " + ", ".join(f"[{c.n}]" for c in citations[1:]) + "."
        if unsupported_numbers(text, [c.quote for c in citations]):
            # Unreachable by construction; kept so that no later change can state an unsupported figure.
            return self.abstain(question, pool, top_k)
        return Answer(question=question, answer=text, abstained=False, citations=citations, figure=lead)

    def abstain(self, question, scored: list[ScoredSentence], top_k: int, missing_figure: bool = False,
                unknown: list[str] = ()) -> Answer:
        if unknown:
            words = ", ".join(f"“{w}”" for w in unknown[:3])
            text = (f"These documents don't say: they never mention {words}. "
                    "The closest passages are below so you can check.")
        elif missing_figure:
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
            url=doc.url,
            section=doc.section_at(sentence.span.start),
        )


class EmptyQuestion(ValueError):
    """The question was empty or only whitespace."""


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
