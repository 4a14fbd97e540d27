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
from qa.query import Query, analyse
from qa.retrieve import HybridRetriever
from qa.schema import Answer, Citation, Passage, Span
from qa.settings import Settings
from qa.embed import load_model
from qa.figures import Figure, clause_around, figures_of, role_window, title_of
from qa.text import content_words, normalise, numbers_in, sentence_spans, stem, unsupported_numbers

# --- selection rules -----------------------------------------------------------------------------

# Nouns that name one particular amount. When a question names one, the figure must be about it:
# "how much is the allowance rise?" is not answered by "£25m for recruitment" in the same sentence.
# Verbs that carry no subject of their own ("what did they want", "how would it end").
_LIGHT_VERBS = {"want", "need", "mak", "make", "keep", "stay", "come", "put", "end", "use", "happen", "go", "take"}
_MEASURE_NOUNS = {"allowance", "salary", "wage", "pay", "tax", "fee", "rent", "pension", "grant", "bonus",
                  "income", "profit", "debt", "loan", "fine", "cost", "budget", "margin", "revenue", "age"}
_ASKS_INCREASE = re.compile(r"\bhow much (more|extra|higher)\b|\bby how much\b", re.I)
_INCREASE = re.compile(r"\b(increase[sd]?|rise|rising|more|extra|additional|further|boost|uplift|higher)\b", re.I)
_PER_UNIT = re.compile(r"\b(each|per|every|apiece|average)\b|\ba (year|month|week|head)\b", re.I)


def _counted_noun(query: Query) -> set[str] | None:
    """The stemmed noun after "how many" (with its alternatives), e.g. {"child", "children"} for "kids"."""
    m = re.search(r"\bhow many\s+(?:more\s+|new\s+|extra\s+|of the\s+)?([a-z'-]+)", query.question, re.I)
    if not m:
        return None
    word = content_words(m.group(1))
    term = next((t for t in query.terms if word and t.word == word[0]), None)
    return set(term.alternatives) if term else None


# Words that make a count one of newcomers (a flow) rather than of all there are (a stock).
_NEWCOMERS = {"new", "more", "extra", "additional", "further", "recruit", "recruiting", "want", "wanted"}

# Words that make a role another one: the shadow minister is not the minister.
_ROLE_NOUNS = {"commissioner", "minister", "secretary", "chair", "president", "chief", "director", "founder"}
_QUALIFIED_ROLE = re.compile(rf"\b(shadow|former|deputy|acting|assistant)\s+(?:\S+\s+)?(?:{'|'.join(_ROLE_NOUNS)})", re.I)

def _role_words(query: Query) -> set[str]:
    """The titles a who-question names ("minister", "chair")."""
    return {t.word for t in query.terms if t.word in _ROLE_NOUNS} if query.kind == "person" else set()


_ASKS_YEAR = re.compile(r"\b(what|which|in what|since what|since which) year\b|\bwhat year\b", re.I)
_RELATIVE_DAY = re.compile(r"\b(today|yesterday|this week|this morning)\b", re.I)

_ASKS_AUTHOR = re.compile(r"\bwho (wrote|authored|reported|penned)\b|\bauthor\b|\bjournalist\b|\breporter\b", re.I)


# --- scoring -------------------------------------------------------------------------------------

# Calibrated on evals/cases.jsonl (see README, "Evaluation"): how a sentence is ranked (similarity to the
# question, weighted share of its terms, rank of its passage), how much a figure's own clause matching the
# question counts, and how evidence for the abstain threshold is formed.
SCORE_WEIGHTS = (0.5, 0.4, 0.1)
BOND_WEIGHT = 0.2
EVIDENCE_DENSE = 0.5
FIGURE_GAP = 0.25  # how much better the passage about the question must be than the one with a figure
RUNNER_UP = 0.8  # a nearby sentence this close to the best is shown with it (an answer often spans two)
BODY_MARGIN = 0.1  # how much better a named body must bear on a who-question to beat a person
TITLE_WEIGHT = 1.0  # the title a name carries, on top of the words around it
TOPIC_CREDIT = 1.0  # a who-question's "when the review started" is matched in full by the launch story
PERSON_WEIGHTS = (0.3, 0.6, 0.05)  # a named person: similarity, title and event beside the name, passage rank
CATEGORY_BOND = 1.0  # a name of the kind asked for ("which board") outranks any other name
LEAD_CHARS = 600  # a document's title and opening lines say what event it reports
ANCHOR_DF = 7  # "rarer" words: used in at most this many chunks
PASSAGES_READ = 12  # passages whose sentences are scored; the answer is looked for among their best


@dataclass(frozen=True)
class ScoredSentence:
    passage: Passage
    span: Span
    text: str
    dense: float
    coverage: float  # weighted share of the question's terms found here (half credit from context)
    score: float
    figure: Figure | None = None
    dateline: Span | None = None  # where the document states the date its "today" means, cited too

    @property
    def evidence(self) -> float:
        """How strongly this sentence bears on the question, 0..1; compared with the abstain threshold."""
        return EVIDENCE_DENSE * self.dense + (1 - EVIDENCE_DENSE) * self.coverage


def coverage(query: Query, words: set[str], context: set[str], context_credit: float = 0.5) -> float:
    total = sum(t.weight for t in query.terms)
    if not total:
        return 0.0
    found = 0.0
    for term in query.terms:
        if term.alternatives & words:
            found += term.weight
        elif term.alternatives & context:
            found += context_credit * term.weight
    return found / total


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
        self._topics: dict[str, set[str]] = {}
        load_model(settings.threads)  # once, here, so that no question pays for it

    # The steps, in the order they run.

    def ask(self, question: str, top_k: int | None = None) -> Answer:
        top_k = top_k or self.settings.top_k
        question, notices = self.check_question(question)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        query = analyse(question, self.index.vocabulary)
        lexical_terms = sorted({a for t in query.terms for a in t.alternatives})
        retrieval = self.retriever.search(query.rewritten, limit=max(PASSAGES_READ, top_k), lexical_terms=lexical_terms)
        timings["retrieve"] = _ms(started)
        timings["embed"] = retrieval.embed_ms  # included in "retrieve"
        mark = time.perf_counter()
        roles = sorted(_role_words(query))
        if roles:  # "who was the minister ...?": also read where the documents name a minister at all
            retrieval = replace(retrieval, passages=self.retriever.lexical_passages(roles, PASSAGES_READ,
                                                                                  retrieval.passages))
        scored = self.score_sentences(query, retrieval.passages, retrieval.query_vector)
        ranked = self.rank_candidates(query, scored)
        named = [r for r in ranked if self.of_category(query.category, r.text, r.figure)] if query.category else ranked
        if query.explicit and query.kind != "general" and not named:
            # What was asked for (a figure, a named minister) may stand in a passage ranked lower: look further.
            retrieval = replace(self.retriever.search(query.rewritten, self.settings.candidates, lexical_terms,
                                                      retrieval.query_vector), embed_ms=retrieval.embed_ms)
            scored = self.score_sentences(query, retrieval.passages, retrieval.query_vector)
            ranked = self.rank_candidates(query, scored)
        timings["rerank"] = _ms(mark)
        mark = time.perf_counter()
        answer = self.compose(query, scored, ranked, top_k)
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

    def rank_candidates(self, query: Query, scored: list[ScoredSentence]) -> list[ScoredSentence]:
        """The best sentences that hold a figure (or name) of the asked kind about the asked subject, each
        with that figure, best first."""
        candidates = []
        given = set(numbers_in(query.question))
        pool = scored[:12]
        roles = _role_words(query)
        if roles:  # a sentence naming someone by the title asked for is worth judging however it ranks
            pool += [s for s in scored[12:] if set(content_words(s.text)) & roles]
        if query.kind != "general":
            for sentence in pool:
                figure, bond = self.bound_figure(query, sentence.text, sentence.passage.chunk.doc_id)
                if figure is None and query.kind == "date":
                    sentence, figure, bond = self.dated(query, sentence)
                if figure is not None and query.wants_figure and self.off_subject(query, sentence, scored):
                    continue
                if figure is not None:
                    # A person's name answers "who" better than the name of a body.
                    person = 0.15 if query.kind == "person" and figure.kind == "person" else 0.0
                    if figure.kind == "person":  # judged by what is said of the person, not by their quote
                        score = PERSON_WEIGHTS[0] * sentence.dense + PERSON_WEIGHTS[1] * bond + PERSON_WEIGHTS[2] / (1 + sentence.passage.rank)
                    else:
                        score = sentence.score + BOND_WEIGHT * bond
                    candidates.append((score + person, replace(sentence, figure=figure)))
        if given and any(given <= set(numbers_in(c.text)) for _, c in candidates):
            # "Over what period would the £253 million be spent?": the answer stands beside the £253 million.
            candidates = [(score, c) for score, c in candidates if given <= set(numbers_in(c.text))]
        return [sentence for _, sentence in sorted(candidates, key=lambda pair: -pair[0])]

    def compose(self, query: Query, scored: list[ScoredSentence], ranked: list[ScoredSentence], top_k: int) -> Answer:
        if not scored:
            return self.abstain(query.question, scored, top_k)
        if query.unknown_names():
            return self.abstain(query.question, scored, top_k, unknown=query.unknown_names())
        unknown_measures = [t.surface for t in query.terms if not t.known and t.alternatives & _MEASURE_NOUNS]
        if unknown_measures:  # "what is the average salary?" when no document speaks of a salary
            return self.abstain(query.question, scored, top_k, unknown=unknown_measures)
        if query.kind == "person" and _ASKS_AUTHOR.search(query.question):
            return self.answer_author(query, scored, top_k)
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
                          and self.of_category(query.category, ranked[0].text, ranked[0].figure))
        if ranked and (query.wants_figure or names_person or names_category
                       or ranked[0].score >= scored[0].score - 0.05):
            best, pool = ranked[0], ranked
        else:
            best, pool = scored[0], scored
        if best.evidence < self.settings.abstain_below:
            return self.abstain(query.question, scored, top_k, unknown=query.unknown())
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

    def off_subject(self, query: Query, candidate: ScoredSentence, scored: list[ScoredSentence]) -> bool:
        """True when the figure's sentence lacks some of the question's rarer words and another of the
        best sentences has them all but no figure of the asked kind: the documents speak of what was asked
        without giving the figure, and this figure is of something else ("how much does the
        implementation board get?" answered by a sum for family hubs)."""
        frequency = self.index.vocabulary.document_frequency
        own = self.subject_words(candidate)
        missing = [t.alternatives for t in query.terms if t.known and not t.alternatives & own
                   and not t.alternatives & _MEASURE_NOUNS and t.word not in _LIGHT_VERBS
                   and frequency.get(t.word, 0) <= ANCHOR_DF]
        if not missing:
            return False
        for other in scored[:5]:
            if other.score < candidate.score - 0.05 or other.text == candidate.text:
                continue
            words = self.subject_words(other)
            if all(m & words for m in missing) and not figures_of(query.kind, other.text):
                return True
        return False

    def subject_words(self, sentence: ScoredSentence) -> set[str]:
        """Words that say what a sentence is about: its own, the sentence before it ("This is backed by
        £200m" is about what that one names) and its document's title."""
        doc = self.index.documents[sentence.passage.chunk.doc_id]
        before = sentence_spans(doc.text, max(0, sentence.span.start - 600), sentence.span.start)
        text = (doc.text[before[-1].start:before[-1].end] + " " if before else "") + sentence.text
        return set(content_words(text)) | set(content_words(doc.title))

    def topic_words(self, doc_id: str) -> set[str]:
        """The words of a document's title and opening lines: what event it reports."""
        if doc_id not in self._topics:
            doc = self.index.documents[doc_id]
            self._topics[doc_id] = set(content_words(doc.title)) | set(content_words(doc.text[:LEAD_CHARS]))
        return self._topics[doc_id]

    def dated(self, query: Query, sentence: ScoredSentence) -> tuple[ScoredSentence, Figure | None, float]:
        """A sentence that says "today" dates an event by its document's dateline ("published today
        (2 February)" in an article dated "Thursday, February 2, 2023"): that dateline is the figure."""
        doc = self.index.documents[sentence.passage.chunk.doc_id]
        if not doc.date or not _RELATIVE_DAY.search(sentence.text):
            return sentence, None, 0.0
        year = doc.date[:4]
        head = doc.text[:LEAD_CHARS]
        dateline = next((f for f in figures_of("date", head) if year in f.text), None)
        if dateline is None:
            return sentence, None, 0.0
        bond = coverage(query, set(content_words(sentence.text)), set())
        return (replace(sentence, dateline=Span(dateline.start, dateline.end)),
                Figure("date", dateline.start, dateline.end, dateline.text), bond)

    @staticmethod
    def of_category(heads: frozenset[str], sentence: str, figure: Figure) -> bool:
        """The name ends with one of ``heads`` or is followed by one ("the Social Workers in Schools ...
        programmes", "an 'Experts by Experience' Group")."""
        def words(text: str) -> list[str]:  # not content_words: "group" and "body" are stopwords there
            return [stem(w) for w in re.findall(r"[a-z]+", text.lower())]

        last = words(figure.text)[-1:]
        following = [w for w in words(sentence[figure.end:figure.end + 30]) if w not in {"the", "a", "an"}][:1]
        return bool(heads & set(last + following))

    def bound_figure(self, query: Query, sentence: str, doc_id: str | None = None) -> tuple[Figure | None, float]:
        """The figure of the asked kind that the question's own words point to, with the weighted share
        of the question's terms found in its clause; (None, 0) when there is none."""
        figures = figures_of(query.kind, sentence)
        given = set(numbers_in(query.question))
        figures = [f for f in figures if not set(numbers_in(f.text)) & given]  # not the figure asked about
        if query.kind == "date" and _ASKS_YEAR.search(query.question):
            figures = [f for f in figures if re.search(r"\d{4}", f.text)]
        asked = query.words() | {a for t in query.terms for a in t.alternatives}
        if query.kind in ("person", "name"):  # "who chaired the Independent Review?" is not "Independent Review"
            figures = [f for f in figures if not set(content_words(f.text)) <= query.words()]
        if not figures:
            return None, 0.0
        measures = [t.alternatives & _MEASURE_NOUNS for t in query.terms if t.alternatives & _MEASURE_NOUNS]
        counted = _counted_noun(query) if query.kind == "count" else None
        per_unit = bool(_PER_UNIT.search(query.question))
        increase = query.kind == "money" and bool(_ASKS_INCREASE.search(query.question))
        roles = [{t.word} | t.alternatives & _ROLE_NOUNS | t.alternatives & {"led", "lead"}
                 for t in query.terms if t.word in _ROLE_NOUNS] if query.kind == "person" else []
        best, best_bond = None, -1.0
        for figure in figures:
            clause_text = role_window(sentence, figure) if figure.kind == "person" else clause_around(sentence, figure)
            clause = set(content_words(clause_text))
            if any(not m & clause for m in measures):
                continue  # the question names an amount (a salary, a tax) this figure is not about
            if counted and not counted & set(content_words(sentence[figure.end:figure.end + 40])[:2]):
                continue  # "how many social workers" is not answered by "hundreds of schools"
            if counted and _NEWCOMERS & set(re.findall(r"[a-z]+", sentence[figure.end:figure.end + 40].lower())[:3]) \
                    and not _NEWCOMERS & set(re.findall(r"[a-z]+", query.question.lower())):
                continue  # "how many foster carers are there?" is not answered by "thousands of new foster carers"
            if increase and not _INCREASE.search(" ".join(sentence[:figure.start].split()[-3:])
                                                    + " " + " ".join(sentence[figure.end:].split()[:1])):
                continue  # "how much more are they getting?" asks for a rise, not "£25m for their recruitment"
            if per_unit and not _PER_UNIT.search(clause_text):
                continue  # "how much does each area get" is not answered by the size of a shared pot
            if roles and figure.kind == "person":
                title = set(content_words(title_of(sentence, figure)))
                if any(not role & title for role in roles):
                    continue  # "who was the commissioner?" is not answered by a name without that title
            elif any(not role & clause for role in roles):
                continue
            if figure.kind == "person":
                if {q.lower() for q in _QUALIFIED_ROLE.findall(clause_text)} - asked:
                    continue  # "who is the children's minister?" is not answered by the shadow minister
                # Who a person is stands next to the name; when they spoke, in what the document reports.
                bond = coverage(query, clause, self.topic_words(doc_id) if doc_id else set(), TOPIC_CREDIT)
                # The title itself ("Chair of the Independent Review ...") says most about who is meant.
                bond += TITLE_WEIGHT * coverage(query, set(content_words(title_of(sentence, figure))), set())
            else:
                bond = coverage(query, clause, set())
            if figure.kind == "date" and bond == 0:
                continue  # "what year did the government answer?" is not "the murders ... in 2020"
            if query.category and self.of_category(query.category, sentence, figure):
                bond += CATEGORY_BOND  # "which body": the "... Board", not a person's name beside it
            if bond > best_bond:
                best, best_bond = figure, bond
        return best, max(best_bond, 0.0)

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
