"""Question -> Answer, in the order the stages run: understand -> retrieve -> read -> verify -> render.

``Pipeline.ask()`` is the one entry point that the CLI, the web app and the evaluation all call, whichever
reader is configured: the extractive one (the default, and the fallback) or a language model (``--llm``).
Every draft passes the same verifier, so no figure or name is shown that its cited passages do not state.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace

import numpy as np

from qa.candidates import CandidateFinder, of_category
from qa.embed import load_model
from qa.generate import GenerativeReader
from qa.index import LoadedIndex
from qa.llm import chat_model, in_process
from qa.query import Query
from qa.read import Evidence, ExtractiveReader, Reader, ReaderFailed, abstention
from qa.retrieve import HybridRetriever
from qa.safety import support_for
from qa.schema import Answer, Citation, Span
from qa.scored import ScoredSentence, coverage
from qa.settings import Settings
from qa.text import content_words, month_and_year
from qa.understand import Understander
from qa.verify import Verdict, Verifier

# Calibrated on evals/cases.jsonl (see README, "Evaluation"): how a sentence is ranked (similarity to the
# question, weighted share of its terms, rank of its passage).
SCORE_WEIGHTS = (0.5, 0.4, 0.1)
# The reply to a greeting or filler alone ("hi", "ok so"): what can be asked, in the users' own words.
NOTHING_ASKED = ("Ask me anything about the Independent Review of Children's Social Care and the news about it, "
                 "for example “what is kinship care?” or “how much money did the review ask for?”")
# A line that does not end a sentence and is only a few words long is a heading, a list's lead-in ("New
# proposals include:") or a dateline: it names a topic but states nothing, so a sentence saying something
# about the same words should win. Only the ranking changes; evidence, and so abstaining, is left as it was.
HEADING_PENALTY = 0.1
HEADING_WORDS = 7
# A sentence that only restates the question ("A National Children's Social Care Framework is also set to be
# organised" for "what is the framework for") tells nothing new: where the answer is words rather than a
# figure, one saying something besides the question's own words should win. Ranking only, as above.
RESTATEMENT_PENALTY = 0.1
NEW_WORDS_MIN = 3
_SENTENCE_END = re.compile(r"[.!?…\"”’')]$")
PASSAGES_READ = 12  # passages whose sentences are scored; the answer is looked for among their best
SENTENCE_NEAREST = 3  # also scored: the chunks holding the sentences nearest the question, where others lack them
NO_MODEL_ASKED = "the documents don't answer this, so no model was asked"


@dataclass(frozen=True)
class ReadResult:
    """What the read and verify stages made of the evidence."""

    verdict: Verdict
    fallback: str = ""  # why the configured reader's answer was not the one shown; empty when it was
    notice: str = ""


class Pipeline:
    """Understand the question, retrieve passages, read an answer from them, verify it, render it.

    >>> pipeline = Pipeline(Settings.from_env())
    >>> pipeline.ask("How much did MacAlister call for to transform the system?").answer
    '£2.6 billion. Leading the review, Josh MacAlister called for £2.6 billion over five years ... [1]'
    """

    def __init__(self, settings: Settings, index: LoadedIndex | None = None, reader: Reader | None = None) -> None:
        self.settings = settings
        self.index = index or LoadedIndex(settings.index_dir)
        self.retriever = HybridRetriever(self.index, settings.candidates, settings.threads, settings.prefer_kind)
        self.finder = CandidateFinder(self.index)
        documents = list(self.index.documents.values())
        self.understander = Understander.from_documents(self.index.vocabulary, [d.text for d in documents],
                                                        [d.outlet for d in documents])
        self.extractive = ExtractiveReader(self.index, settings.abstain_below)
        model = None if reader else chat_model(settings)
        self.reader = reader or (GenerativeReader(model, self.index, settings.llm_passages, settings.llm_timeout,
                                                  serial=in_process(settings.llm), workers=settings.workers)
                                 if model else self.extractive)
        self.verifier = Verifier(lambda doc_id: self.index.documents[doc_id].title)
        load_model(settings.threads)  # once, here, so that no question pays for it

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
        if query.nothing_asked:  # "hi": saying the documents never mention "hi" would answer what was not asked
            return Answer(question=question, answer=NOTHING_ASKED, abstained=True, notices=tuple(notices),
                          support=support.reason if support else "")
        evidence, retrieved = self.retrieve(query, top_k, timings)
        mark = time.perf_counter()
        result = self.read(evidence)
        timings["answer"] = _ms(mark)
        timings["total"] = _ms(started)
        answer = self.render(query, result)
        return replace(answer, timings_ms=timings, notices=tuple(notices) + answer.notices, retrieved=retrieved,
                       support=support.reason if support else "")

    # The steps, in the order they run.

    def retrieve(self, query: Query, top_k: int, timings: dict[str, float]) -> tuple[Evidence, tuple[str, ...]]:
        """The passages about the question, their sentences scored, and those holding a figure or name of
        the asked kind; with the documents retrieved, in rank order."""
        started = time.perf_counter()
        lexical_terms = sorted({a for t in query.terms for a in t.alternatives})
        retrieval = self.retriever.search(query.rewritten, limit=max(PASSAGES_READ, top_k), lexical_terms=lexical_terms)
        timings["retrieve"] = _ms(started)
        timings["embed"] = retrieval.embed_ms  # included in "retrieve"
        mark = time.perf_counter()
        retrieval = replace(retrieval, passages=self.retriever.sentence_passages(
            retrieval.query_vector, SENTENCE_NEAREST, retrieval.passages))
        roles = sorted(query.titles)
        if roles:  # "who was the minister ...?": also read where the documents name a minister at all
            retrieval = replace(retrieval, passages=self.retriever.lexical_passages(roles, PASSAGES_READ,
                                                                                  retrieval.passages))
        scored = self.score_sentences(query, retrieval.passages, retrieval.query_vector)
        ranked = self.finder.rank(query, scored)
        named = [r for r in ranked if of_category(query.category, r.text, r.figure)] if query.category else ranked
        if query.explicit and query.kind != "general" and not named:
            # What was asked for (a figure, a named minister) may stand in a passage ranked lower: look further,
            # and for a count, in the chunks holding the sentences nearest the question that state a number
            # (what a count counts stands beside it, so one found far from the question's passages is checked).
            retrieval = replace(self.retriever.search(query.rewritten, self.settings.candidates, lexical_terms,
                                                      retrieval.query_vector), embed_ms=retrieval.embed_ms)
            numeric = query.kind == "count" and bool(query.demands.counted)
            if numeric:
                passages = self.retriever.sentence_passages(retrieval.query_vector, SENTENCE_NEAREST,
                                                            retrieval.passages, numeric=True)
                # and where the documents use the counted word at all: "more than 80 proposals"
                passages = self.retriever.lexical_passages(sorted(query.demands.counted), PASSAGES_READ, passages)
                retrieval = replace(retrieval, passages=passages)
            scored = self.score_sentences(query, retrieval.passages, retrieval.query_vector)
            ranked = self.finder.rank(query, scored, numeric)
        timings["rerank"] = _ms(mark)
        retrieved = tuple(dict.fromkeys(p.chunk.doc_id for p in retrieval.passages))
        return Evidence(query, scored, ranked, top_k), retrieved

    def read(self, evidence: Evidence) -> ReadResult:
        """The configured reader's draft, verified; the extractive answer when that reader fails, when
        nothing it wrote holds, or when the evidence says the documents don't answer."""
        extractive = self.verifier.check(self.extractive.read(evidence))
        if not extractive.draft.statements:  # unreachable by construction; kept so that none ever shows
            extractive = Verdict(abstention(evidence.scored, evidence.top_k), extractive.dropped)
        if self.reader is self.extractive:
            return ReadResult(extractive)
        if extractive.draft.abstained or not extractive.draft.statements:
            # The evidence is too weak to answer: a model writing an answer anyway would contradict it.
            return ReadResult(extractive, fallback=NO_MODEL_ASKED)
        try:
            verdict = self.verifier.check(self.reader.read(evidence))
        except ReaderFailed as err:
            return ReadResult(extractive, fallback=str(err),
                           notice="The language model did not answer, so this answer is quoted from the documents.")
        if not verdict.draft.statements:
            return ReadResult(replace(extractive, dropped=verdict.dropped),
                           fallback="no sentence the model wrote was supported by the passages it cited",
                           notice="The language model's answer could not be checked against the documents, "
                                  "so this answer is quoted from them.")
        return ReadResult(verdict)

    def render(self, query: Query, result: ReadResult) -> Answer:
        draft = result.verdict.draft
        citations = tuple(self.cite(n, s) for n, s in enumerate(draft.sources, start=1))
        return Answer(question=query.original, answer=draft.text, abstained=draft.abstained, citations=citations,
                      figure=draft.figure, understood_as=query.question,
                      notices=(result.notice,) if result.notice else (), reader=draft.reader,
                      verified=result.verdict.verified, fallback=result.fallback,
                      dropped=tuple((d.text, d.reason) for d in result.verdict.dropped))

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
        asked = {word for t in query.terms for word in t.alternatives | {t.word}}
        for passage in passages:
            chunk = passage.chunk
            first, count = self.index.sentence_rows[self.index.chunk_row[chunk.chunk_id]]
            dense = self.index.sentence_vectors[first:first + count] @ query_vector
            spans = chunk.sentences or (Span(chunk.start, chunk.end),)
            text_of = self.index.document_text(chunk.doc_id)
            # "in the Feb 2023 thing", "the CYP Now piece": the month its article is dated and the outlet
            # that published it are said of all its sentences
            doc = self.index.documents[chunk.doc_id]
            context = set(content_words(f"{chunk.text} {chunk.title} {month_and_year(doc.date)} {doc.outlet}"))
            prior = 1.0 / (1 + passage.rank)
            # A near-tie goes to the preferred kind; evidence, and so abstaining, is left as it was.
            preferred = 0.05 if self.settings.prefer_kind and doc.kind == self.settings.prefer_kind else 0.0
            for span, similarity in zip(spans, dense.tolist()):
                text = text_of[span.start:span.end]
                words = set(content_words(text))
                speaker = self.index.speaker_at(chunk.doc_id, span.start)
                # A quoted sentence says what its speaker said, though it does not name them; who they are
                # ("Chair of the LGA ... Board") is said of it as its passage is.
                spoken = words | set(content_words(speaker.name)) if speaker else words
                covered = coverage(query, spoken, context | set(content_words(speaker.title)) if speaker else context)
                restates = query.kind == "general" and len(words - asked) < NEW_WORDS_MIN
                score = (SCORE_WEIGHTS[0] * similarity + SCORE_WEIGHTS[1] * covered + SCORE_WEIGHTS[2] * prior
                         + preferred - (HEADING_PENALTY if is_heading(text) else 0.0)
                         - (RESTATEMENT_PENALTY if restates else 0.0))
                key = (chunk.doc_id, span.start)
                if key not in scored or scored[key].score < score:
                    scored[key] = ScoredSentence(passage, span, text, similarity, covered, score)
        return self.finder.on_event(query, sorted(scored.values(), key=lambda s: -s.score))

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


def is_heading(text: str) -> bool:
    text = text.strip()
    return text.endswith(":") or (not _SENTENCE_END.search(text) and len(text.split()) < HEADING_WORDS)


class EmptyQuestion(ValueError):
    """The question was empty or only whitespace."""


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
