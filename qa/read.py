"""Evidence -> Draft: the reading stage, one seam with two readers behind it.

A reader gets what retrieval found for one question (``Evidence``) and writes a ``Draft``: statements, each
naming the sources it rests on. The extractive reader here lifts the sentence that answers and states its
figure; ``qa.generate`` has a language model write the statements. Every draft then goes through the same
verifier (``qa.verify``) before it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from qa.attribution import Attribution
from qa.candidates import described, of_category
from qa.clauses import SEQUEL_WORDS
from qa.figures import QUALIFIER, Figure
from qa.index import LoadedIndex
from qa.query import MEASURE_NOUNS, PROPOSES, Query
from qa.schema import Span
from qa.scored import ScoredSentence
from qa.spans import QUOTE_LIMIT, balanced_span, flat, headline_end, respanned
from qa.text import content_words, normalise, numbers_in, sentence_spans

# Calibrated on the tuning sets (see README, "Evaluation").
FIGURE_GAP = 0.20  # how much better the passage about the question must be than the one with a figure
RUNNER_UP = 0.8  # a nearby sentence this close to the best is shown with it (an answer often spans two)
BODY_MARGIN = 0.1  # how much better a named body must bear on a who-question to beat a person
RESTATES = 0.6  # the share of a headline's words a body sentence must state to stand in for it


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
        self.attribution = Attribution(index)

    def read(self, evidence: Evidence) -> Draft:
        query, scored, ranked, top_k = evidence.query, evidence.scored, evidence.ranked, evidence.top_k
        if not query.asks_headline:
            scored = self.without_headlines(scored)
            ranked = [s for s in ranked if not self.is_headline(s)]
        if query.said_by:  # "what did Claire Coutinho say about ...?": only what she said answers
            nearest, heard = scored, self.attribution.attributed(query, scored)
            ranked = [s for s, _ in self.attribution.attributed(query, ranked)]
            # Of what they said, the passage bearing on the question: not one that only names them.
            heard = [(s, told) for s, told in heard if s.evidence >= self.abstain_below] or heard
            if query.said_about:  # all are theirs: weighed as evidence is, by how much they say of the rest
                heard = sorted(heard, key=lambda pair: -pair[0].weighed(pair[1]))
            scored = [s for s, _ in heard]
            if not scored:
                return self.abstain(query, nearest, top_k)
        if query.asks_view and not query.said_by:
            # "why does he reckon ...?": what someone is reported to say or think, where any passage says so
            scored = [s for s in scored if self.attribution.voiced(s)] or scored
            ranked = [s for s in ranked if self.attribution.voiced(s)] or ranked
        if not scored:  # nothing retrieved
            return self.abstain(query, scored, top_k)
        if query.unknown():
            return self.abstain(query, scored, top_k, unknown=query.unknown())
        unknown_measures = [t.surface for t in query.terms if not t.known and t.alternatives & MEASURE_NOUNS]
        if unknown_measures:  # "what is the average salary?" when no document speaks of a salary
            return self.abstain(query, scored, top_k, unknown=unknown_measures)
        if query.asks_author:
            # Headlines included: they say best which article is meant, and only the byline is cited.
            return self.author(query, evidence.scored) or self.abstain(query, scored, top_k)
        if query.profile_of:
            described_in = [s for s in scored if described(query.profile_of, s.text) and s.evidence >= self.abstain_below]
            if described_in:  # "who is Josh MacAlister?": where the documents say what he is
                return self.quote(query, described_in[0], described_in, top_k)
        if (query.wants_figure or query.demands.roles or query.demands.affiliation) and not ranked:
            return self.abstain(query, scored, top_k, missing_figure=True, missing_name=query.kind in ("name", "person"))
        if query.kind == "person" and ranked and ranked[0].figure.kind == "person":
            body = next((r for r in ranked if r.figure.kind != "person"), None)
            if body is not None and body.evidence > ranked[0].evidence + BODY_MARGIN:
                # "who's in charge of making it happen?": a board the documents clearly name, not a person
                # whose sentence barely bears on the question.
                ranked = [body] + [r for r in ranked if r is not body]
        best, pool = self.choose(query, scored, ranked)
        if best.evidence < self.abstain_below:
            return self.abstain(query, scored, top_k)
        if query.subject and not query.subject.alternatives & self.attribution.about_words(best):
            # "Did the government accept it?" is not answered by what the review recommends.
            return self.abstain(query, scored, top_k)
        if query.yes_no and query.demands.given and not query.demands.given & set(numbers_in(best.text)):
            # "Can they stay till 21 now?" is not answered by a sentence that says nothing of 21.
            return self.abstain(query, scored, top_k)
        if query.sequel and not SEQUEL_WORDS[query.sequel].search(best.text):
            # "What job did he get after the review?" is not answered by who he was when it began.
            return self.abstain(query, scored, top_k)
        if query.asks_outcome and PROPOSES.search(best.text):
            # "Did the windfall tax happen in the end?" is not answered by the call for one.
            return self.abstain(query, scored, top_k)
        top = scored[0]
        if (query.wants_figure and top.evidence - best.evidence > FIGURE_GAP
                and all(r.text != top.text for r in ranked)):
            # The passage plainly about the question has no figure, or not one that answers it ("£25m for
            # recruiting them" to "how much more are they getting?"); a figure from a passage that barely
            # bears on the question would answer another one.
            return self.abstain(query, scored, top_k, missing_figure=True)
        return self.quote(query, best, pool, top_k)

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

    def author(self, query: Query, scored: list[ScoredSentence]) -> Draft | None:
        """'Who wrote the article about X?': the byline of the document that best matches X, of the outlet
        the question names if it names one ("the CYP Now piece"); None when no well-matched document has one."""
        named = {d.doc_id for d in self.index.documents.values() if d.outlet and d.outlet in query.outlets}
        for sentence in [s for s in scored if s.passage.chunk.doc_id in named] if named else scored:
            doc = self.index.documents[sentence.passage.chunk.doc_id]
            if not doc.author:
                break  # the article best matched names no author: another's byline is not its author
            at = doc.text.find(doc.author)
            # Similarity alone: "wrote" and "article" are words no passage uses, so coverage means nothing here.
            if at < 0 or (sentence.dense < self.abstain_below and not named):  # naming the outlet says which
                break
            chunk = next((c for c in self.index.chunks if c.doc_id == doc.doc_id and c.start <= at < c.end),
                         sentence.passage.chunk)
            byline = ScoredSentence(replace(sentence.passage, chunk=chunk), Span(at, at + len(doc.author)),
                                    doc.author, sentence.dense, sentence.coverage, sentence.score,
                                    Figure("person", 0, len(doc.author), doc.author))
            # One citation: the byline, shown under the article's title. The sentence that matched the
            # question only chose the article; quoting it too would cite one article twice.
            statement = Statement(f"{doc.author} wrote it [1]: “{doc.title}”.", (1,))
            return Draft((statement,), (byline,), figure=doc.author)
        return None

    def quote(self, query: Query, best: ScoredSentence, pool: list[ScoredSentence], top_k: int) -> Draft:
        """The best sentence, led by its figure; sentences of other articles stating the same figure, or the
        next sentence when the answer runs on, beside it. Each article is cited once: a second sentence of
        the same article is taken into its citation when near enough (a passage of at most QUOTE_LIMIT
        characters), and otherwise left out. A dated "today" also cites its article's dateline, a quotation
        the sentence naming its speaker."""
        best = self.balanced(best, query)
        if best.figure_at is None:
            best = self.completed(best)
        if best.figure_at is not None:
            return self.stated_elsewhere(best, query)
        chosen = [best]
        statements = [Statement(f"{flat(best.text)} [1]", (1,))]
        if best.figure is not None:
            value = normalise(best.figure.text)
            for other in pool:
                if len(chosen) >= top_k:
                    break
                if other.figure is None or normalise(other.figure.text) != value:
                    continue
                # Another sentence of an article already cited adds nothing a reader can check elsewhere.
                if all(other.passage.chunk.doc_id != c.passage.chunk.doc_id for c in chosen):
                    chosen.append(self.completed(self.balanced(other, query)))
        else:
            # Near: under 400 characters between the two, whichever comes first.
            runner_up = next((o for o in pool[1:3] if o.passage.chunk.doc_id == best.passage.chunk.doc_id
                              and max(o.span.start - best.span.end, best.span.start - o.span.end) < 400
                              and o.score >= RUNNER_UP * best.score), None)
            joined = self.joined(best, runner_up) if runner_up is not None else None
            introduced = self.introduced(best)
            if joined is not None:  # the answer runs on: quote the passage holding both, in its order
                chosen, statements = [joined], [Statement(f"{flat(joined.text)} [1]", (1,))]
            elif introduced is not None:
                # A lead-in too long to quote with what it introduces names who spoke and states nothing:
                # the start of their words is cited too, as the article's second passage.
                said = self.balanced(introduced, query)
                chosen, statements = [best, said], [*statements, Statement(f"{flat(said.text)} [2]", (2,))]
            return Draft(tuple(statements), tuple(chosen))
        stating = next((c for c in chosen if not c.text.rstrip().endswith(":")), chosen[0])
        if stating is not chosen[0]:  # a lead-in too long to quote with what it introduces states nothing
            chosen = [stating] + [c for c in chosen if c is not stating]
            statements = [Statement(f"{flat(stating.text)} [1]", (1,))]
        # "over two years" is how long, not more than two
        lead = best.figure.text if best.figure.kind in ("duration", "date") else qualified(best.figure, best.text)
        statements.insert(0, Statement(f"{lead[0].upper()}{lead[1:]}.", (1,)))
        if len(chosen) > 1:
            others = tuple(range(2, len(chosen) + 1))
            statements.append(Statement("Also stated in " + ", ".join(f"[{n}]" for n in others) + ".", others,
                                        claim=False))
        return Draft(tuple(statements), tuple(chosen), figure=lead)

    def stated_elsewhere(self, best: ScoredSentence, query: Query) -> Draft:
        """The answer when the article states its figure outside the sentence (``figure_at``): the dateline
        that turns its "today" into a date, or the sentence naming who speaks in a quotation. That is no
        second passage but a fact of the first: quoted with it when the two fit one passage, else cited
        apart, the one article cited twice, so that it reads as what it is."""
        lead = best.figure.text
        text = self.index.documents[best.passage.chunk.doc_id].text
        stated = self.balanced(replace(best, span=best.figure_at, text=text[best.figure_at.start:best.figure_at.end],
                                       figure_at=None, figure=None), query)  # "X said: “...": X, not half a quote
        both = self.joined(stated, replace(best, figure_at=None, figure=None)) if best.figure.kind == "person" else None
        if both is not None:  # who speaks, and what they say, in one passage of the article
            return Draft((Statement(f"{lead}.", (1,)), Statement(f"{flat(both.text)} [1]", (1,))), (both,), figure=lead)
        where = {"date": f"The article saying so is dated {lead} [2].", "person": f"[2] names {lead} as the speaker."
                 }.get(best.figure.kind, f"[2] names the speaker, of {lead}.")  # a body they speak for
        statements = (Statement(f"{lead}.", (2,)), Statement(f"{flat(best.text)} [1]", (1,)),
                      Statement(where, (2,), claim=False))
        return Draft(statements, (best, stated), figure=lead)

    def abstain(self, query: Query, scored: list[ScoredSentence], top_k: int, **why) -> Draft:
        draft = abstention(scored, top_k, **why)
        return replace(draft, sources=tuple(self.balanced(s, query) for s in draft.sources))

    def without_headlines(self, scored: list[ScoredSentence]) -> list[ScoredSentence]:
        """``scored`` without headlines: a headline names what an article reports but is no passage that
        states it. Where the article's body says what its headline says (the opening sentence usually
        does), that sentence stands in for the headline, as well matched to the question as it was."""
        body = [s for s in scored if not self.is_headline(s)]
        for headline in (s for s in scored if self.is_headline(s)):
            stand_in = self.restating(headline, body)
            if stand_in is not None and headline.score > stand_in.score:
                body[body.index(stand_in)] = replace(stand_in, dense=max(stand_in.dense, headline.dense),
                                                     coverage=max(stand_in.coverage, headline.coverage),
                                                     score=headline.score)
        return sorted(body, key=lambda s: -s.score)

    def restating(self, headline: ScoredSentence, body: list[ScoredSentence]) -> ScoredSentence | None:
        """The sentence of ``body`` from the headline's article that says most of what the headline says
        (RESTATES of its words, weighted by rarity), if any does."""
        words = set(content_words(headline.text))
        weight = {w: self.index.vocabulary.idf(w) for w in words}
        total = sum(weight.values()) or 1.0
        best, share = None, RESTATES
        for sentence in body:
            if sentence.passage.chunk.doc_id == headline.passage.chunk.doc_id:
                found = sum(weight[w] for w in words & set(content_words(sentence.text))) / total
                if found >= share:
                    best, share = sentence, found
        return best

    def is_headline(self, sentence: ScoredSentence) -> bool:
        doc = self.index.documents[sentence.passage.chunk.doc_id]
        return sentence.span.start < headline_end(doc.title, doc.text)

    def balanced(self, sentence: ScoredSentence, query: Query) -> ScoredSentence:
        """``sentence`` with its span moved so that no quotation mark in it is left unpaired. Where it must
        be cut, the part kept is the one holding the figure the answer states, else for a who-question the
        part outside the quotation (the speaker), else the one bearing most on the question, else the longer."""
        text = self.index.documents[sentence.passage.chunk.doc_id].text
        figure = sentence.figure if sentence.figure_at is None else None  # such a figure lies elsewhere
        keep = Span(sentence.span.start + figure.start, sentence.span.start + figure.end) if figure else None

        def worth(side: Span, outside: bool) -> tuple:
            words = set(content_words(text[side.start:side.end]))
            return (keep is not None and side.start <= keep.start and keep.end <= side.end,
                    outside and query.kind == "person",  # who said it stands outside the quotation
                    sum(t.weight for t in query.terms if t.alternatives & words), side.end - side.start)

        return respanned(sentence, balanced_span(text, sentence.span, worth), text)

    def completed(self, sentence: ScoredSentence) -> ScoredSentence:
        """A lead-in ("Jenny Coles, President of ..., said:") together with the sentence it introduces:
        alone it names who spoke but states nothing. Unchanged when the two would not fit one quote."""
        introduced = self.introduced(sentence)
        return (self.joined(sentence, introduced) or sentence) if introduced is not None else sentence

    def introduced(self, sentence: ScoredSentence) -> ScoredSentence | None:
        """The sentence a lead-in ("Zahawi said:") introduces, or None when ``sentence`` is no lead-in."""
        if not sentence.text.rstrip().endswith(":"):
            return None
        text = self.index.documents[sentence.passage.chunk.doc_id].text
        following = sentence_spans(text, sentence.span.end, min(len(text), sentence.span.end + QUOTE_LIMIT))
        if not following:
            return None
        return replace(sentence, span=following[0], text=text[following[0].start:following[0].end])

    def joined(self, first: ScoredSentence, second: ScoredSentence) -> ScoredSentence | None:
        """One citation of the same article holding both sentences, when that is a passage of at most
        QUOTE_LIMIT characters with its quotation marks paired; else None."""
        text = self.index.documents[first.passage.chunk.doc_id].text
        both = Span(min(first.span.start, second.span.start), max(first.span.end, second.span.end))
        span = balanced_span(text, both)
        if not (span.start <= both.start and both.end <= span.end) or span.end - span.start > QUOTE_LIMIT:
            return None
        return respanned(first, span, text)


def qualified(figure: Figure, sentence: str) -> str:
    """The figure with the words the sentence qualifies it by ("more than 80"), as the sentence writes it."""
    at = figure.start if sentence[figure.start:figure.end] == figure.text else sentence.find(figure.text)
    qualifier = QUALIFIER.search(sentence[:at]) if at > 0 else None
    return flat(sentence[qualifier.start():at + len(figure.text)]) if qualifier else figure.text


def abstention(scored: list[ScoredSentence], top_k: int, missing_figure: bool = False,
               unknown: list[str] = (), missing_name: bool = False) -> Draft:
    """Saying the documents don't answer, with the nearest passage of each of the nearest documents, so
    the reader sees the spread and no article is listed twice, to check that for themselves."""
    if unknown:
        words = ", ".join(f"“{w}”" for w in unknown[:3])
        text = (f"These documents don't say: they never mention {words}. "
                "The closest passages are below so you can check.")
    elif missing_name:
        text = "These documents don't name them. The closest passages are below so you can check."
    elif missing_figure:
        text = "These documents don't give that figure. The closest passages are below so you can check."
    else:
        text = "These documents don't say. The closest passages are below so you can check."
    nearest, seen_docs = [], set()
    for sentence in scored:
        if len(nearest) < top_k and sentence.passage.chunk.doc_id not in seen_docs:
            nearest.append(sentence)
            seen_docs.add(sentence.passage.chunk.doc_id)
    return Draft((Statement(text),), tuple(nearest), abstained=True)
