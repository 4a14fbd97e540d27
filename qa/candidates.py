"""Which sentences hold what a question asks for: a figure or a name of the asked kind, about the asked
subject. Each rule here turns away a figure that stands near the question's words but answers another
question; what survives is ranked, and the answer step takes the best or abstains.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.asking import BODY_HEADS, INSTANCES_ONLY, PLACES
from qa.demands import meets_demands
from qa.figures import (TITLE_NOUNS, Figure, clause_around, counted_words, figures_of, named_things_in, role_window,
                        title_of)
from qa.index import LoadedIndex
from qa.query import MEASURE_NOUNS, ROLE_NOUNS, Query, Term
from qa.schema import Span
from qa.scored import ScoredSentence, coverage, share
from qa.text import content_words, month_and_year, numbers_in, sentence_before, stem
from qa.understand import names_a_place

# Calibrated on evals/cases.jsonl (see README, "Evaluation").
PART_PENALTY = 0.1  # a sum given as a part of a whole ("a further £45m"), against one given as the whole
_PART_OF = re.compile(r"\b(?:a further|further|part of|also|in addition|additional|included|including|as well)\b", re.I)
BOND_WEIGHT = 0.2  # a figure's own clause matching the question, on top of its sentence's score
TITLE_WEIGHT = 1.0  # the title a name carries, on top of the words around it
TOPIC_CREDIT = 1.0  # a who-question's "when the review started" is matched in full by the launch story
PERSON_WEIGHTS = (0.3, 0.6, 0.05)  # a named person: similarity, title and event beside the name, passage rank
CATEGORY_BOND = 1.0  # a name of the kind asked for ("which board") outranks any other name
NOUN_BOND = 0.2  # and one called what the question calls it ("the group") is preferred to its kin ("a board")
EVENT_REPORTED = 0.75  # of the weight of the event a question sets its time by, a document reporting it names
LEAD_CHARS = 600  # a document's title and opening lines say what event it reports
ANCHOR_DF = 7  # "rarer" words: used in at most this many chunks
PURPOSE_SHARE = 0.5  # of the weight of what a sum is asked to be for, its sentence must name this much
AFFILIATION_SHARE = 0.5  # of the weight of the body someone is asked to be from, their title must name this much
SENTENCES_JUDGED = 12  # the best-scored sentences searched for a figure or name of the asked kind
NUMERIC_NEAREST = 3  # and when none holds the count asked for, this many nearest the question stating a number


# Verbs that carry no subject of their own ("what did they want", "how would it end").
_LIGHT_VERBS = {"want", "need", "mak", "make", "keep", "stay", "come", "put", "end", "use", "happen", "go", "take"}
# Words of a question phrase ("how long", "how soon") that name no subject either.
_ASKING_WORDS = {"long", "soon", "often", "far"}

# Words that make a title another one (the shadow minister is not the minister).
_QUALIFIED_ROLE = re.compile(
    rf"\b(shadow|former|deputy|acting|assistant)\s+(?:\S+\s+)?(?:{'|'.join(ROLE_NOUNS)})", re.I)


_DESCRIBING_NOUNS = TITLE_NOUNS | {"founder", "author", "head", "leader"}


_COORDINATED_NAMES = re.compile(r"^\s+and\s+(?:[A-Z][\w'’-]*\s+(?:(?:of|for|in|by|on|the)\s+)*)+")
_MEASURED = frozenset({"money", "count", "percent", "duration", "age", "date"})  # figures of something
_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)
_RELATIVE_DAY = re.compile(r"\b(today|yesterday|this week|this morning)\b", re.I)


def named_by(query: Query, figure: Figure) -> bool:
    """Whether the question itself names the figure, so that it cannot be the answer: "who chaired the
    Independent Review?" is not answered by "Independent Review", nor "who took over from Zahawi?" by
    Nadhim Zahawi (a person named by any word of their name)."""
    words = set(content_words(figure.text))
    return words <= query.words() or (figure.kind == "person" and bool(words & query.words()))


def described(name: str, sentence: str) -> Figure | None:
    """The name in ``sentence`` when the sentence says what that person is ("Josh MacAlister, the founder
    of ...", "Chair of the Independent Review ... Josh MacAlister")."""
    at = sentence.lower().find(name.lower())
    if at < 0:
        return None
    figure = Figure("person", at, at + len(name), sentence[at:at + len(name)])
    titled = set(re.findall(r"[a-z]+", title_of(sentence, figure).lower())) & _DESCRIBING_NOUNS
    return figure if titled or re.match(r"\s*,\s*(the|a|an)\s", sentence[figure.end:]) else None


def of_category(heads: frozenset[str], sentence: str, figure: Figure) -> bool:
    """The name ends with one of ``heads`` or is followed by one ("the Social Workers in Schools ...
    programmes", "an 'Experts by Experience' Group")."""
    def words(text: str) -> list[str]:  # not content_words: "group" and "body" are stopwords there
        return [stem(w) for w in re.findall(r"[a-z]+", text.lower())]

    last = words(figure.text)[-1:]
    # past the other names of a coordination: "Social Workers in Schools and Designated ... programmes"
    after = _COORDINATED_NAMES.sub(" ", sentence[figure.end:], count=1)
    following = [w for w in words(after[:30]) if w not in {"the", "a", "an"}][:1]
    if heads == PLACES and names_a_place(re.sub(r"(['’]s)?\W*$", "", figure.text.split()[-1])):
        return True
    return bool(heads & set(last + following))


class CandidateFinder:
    """Finds, among scored sentences, those holding a figure or name of the asked kind about the asked
    subject. Keeps what it reads of the documents (topic and subject words), so one finder serves one index."""

    def __init__(self, index: LoadedIndex) -> None:
        self.index = index
        self._topics: dict[str, set[str]] = {}
        self._subjects: dict[tuple[str, int], set[str]] = {}
        self._everywhere: set[str] | None = None  # the topic words every document shares

    def rank(self, query: Query, scored: list[ScoredSentence], numeric: bool = False) -> list[ScoredSentence]:
        """The best sentences that hold a figure (or name) of the asked kind about the asked subject, each
        with that figure, best first; with ``numeric``, the sentences stating a number nearest the question
        are judged too, however they rank."""
        candidates = []
        demands = query.demands
        pool = scored[:SENTENCES_JUDGED]
        if numeric:  # nothing of the kind among the best: the nearest sentences that state a number,
            stating = sorted((s for s in scored[SENTENCES_JUDGED:] if numbers_in(s.text)), key=lambda s: -s.dense)
            # and those that count what is asked ("more than 80 proposals"), however near
            pool += stating[:NUMERIC_NEAREST] + [s for s in stating[NUMERIC_NEAREST:]
                                                 if demands.counted and counted_words(s.text) & demands.counted]
        roles = query.titles
        if roles:  # a sentence naming someone by the title asked for is worth judging however it ranks
            pool += [s for s in scored[SENTENCES_JUDGED:] if set(content_words(s.text)) & roles]
        if query.kind != "general":
            for sentence in pool:
                figure, bond = self.bound_figure(query, sentence.text, sentence.passage.chunk.doc_id)
                if figure is None and query.kind == "date":
                    sentence, figure, bond = self.dated(query, sentence)
                if figure is None and query.asks_speaker:
                    sentence, figure, bond = self.quoted(query, sentence)
                if figure is not None and (query.wants_figure or query.kind == "person") and (
                        self.shares_no_subject_word(query, sentence) or self.off_subject(query, sentence, scored)):
                    continue
                if figure is not None and figure.kind in _MEASURED and not self.names_asked_thing(query, sentence):
                    continue
                if figure is not None:
                    # A person's name answers "who" better than the name of a body.
                    person = 0.15 if query.kind == "person" and figure.kind == "person" else 0.0
                    if figure.kind == "person" and not query.asks_speaker:
                        # judged by what is said of the person, not by their quote; but "who said X?" is
                        # answered by where X is said
                        similarity, described_bond, rank = PERSON_WEIGHTS
                        score = similarity * sentence.dense + described_bond * bond + rank / (1 + sentence.passage.rank)
                    else:
                        score = sentence.score + BOND_WEIGHT * bond
                    candidates.append((score + person, replace(sentence, figure=figure,
                                                               coverage=self.timed_coverage(query, sentence))))
        given = demands.given
        if given and any(given <= set(numbers_in(c.text)) for _, c in candidates):
            # "Over what period would the £253 million be spent?": the answer stands beside the £253 million.
            candidates = [(score, c) for score, c in candidates if given <= set(numbers_in(c.text))]
        if query.kind == "money" and not demands.increase:
            # "How much are they putting in?": "a further £45m", "part of a £12 million investment" are parts
            # of a whole; a sum given as the whole comes first among those about as well matched (a question
            # naming the part, "for foster carers", matches its sentence by far more).
            candidates = [(score - (PART_PENALTY if _PART_OF.search(c.text[:c.figure.start]) else 0.0), c)
                          for score, c in candidates]
        if query.category in INSTANCES_ONLY and query.wants_figure:
            # "Which council is she from?": only a council's name answers; the board she chairs does not.
            candidates = [(score, c) for score, c in candidates if of_category(query.category, c.text, c.figure)]
        if query.category:
            # "What was the group called?": a name of the kind asked for comes before any other name, a
            # person's included, however the two are scored.
            candidates = [(score + (CATEGORY_BOND if of_category(query.category, c.text, c.figure) else 0.0)
                           + (NOUN_BOND if of_category(frozenset({query.category_noun}), c.text, c.figure) else 0.0), c)
                          for score, c in candidates]
        return [sentence for _, sentence in sorted(candidates, key=lambda pair: -pair[0])]

    def names_body(self, body: tuple[Term, ...], words: set[str]) -> bool:
        """Whether ``words`` (a person's title) name the body a question asks someone from: most of its terms,
        by words that say as much as its rarest word ("LGA", or "Local Government Association"), one of them
        more than the head of many names ("association"); "government" alone does not."""
        if share(body, words) < AFFILIATION_SHARE:
            return False
        idf = self.index.vocabulary.idf
        named = {a for t in body for a in t.alternatives}
        telling = {w for w in named - BODY_HEADS - self.everywhere() if self.index.vocabulary.knows(w)}
        return not telling or (bool(telling & words) and sum(idf(w) for w in named & words) >= max(map(idf, telling)))

    def names_asked_thing(self, query: Query, sentence: ScoredSentence) -> bool:
        """Whether the sentence, or the one before it ("... a new 'Family Help' service. The new service,
        estimated to cost roughly £2 billion ..."), has the words of a programme or body the question names: "how
        much does Family Help cost a year?" is not answered by what the whole system costs."""
        if not query.things:
            return True
        text = self.index.documents[sentence.passage.chunk.doc_id].text
        # its words, not the name as written: "schemes that put social workers onsite in schools" are the
        # Social Workers in Schools programme
        window = set(content_words(f"{sentence_before(text, sentence.span.start)} {sentence.text}"))
        return any(set(content_words(thing)) <= window for thing in query.things)

    def shares_no_subject_word(self, query: Query, candidate: ScoredSentence) -> bool:
        """True when the sentence holds none of the question's words but the measure and its numbers: its
        figure answers another question ("how much would the expert social worker role cost?" is not
        answered by "estimated to cost roughly £2 billion to set up", said of another service)."""
        subject = [self.telling(t) for t in query.terms if t.known and not t.alternatives & MEASURE_NOUNS
                   and not t.word.isdigit()]
        return bool(subject) and not any(alternatives & set(content_words(candidate.text)) for alternatives in subject)

    def off_subject(self, query: Query, candidate: ScoredSentence, scored: list[ScoredSentence]) -> bool:
        """True when the figure's sentence lacks some of the question's rarer words and another of the
        best sentences has them all but no figure of the asked kind: the documents speak of what was asked
        without giving the figure, and this figure is of something else ("how much does the
        implementation board get?" answered by a sum for family hubs)."""
        frequency = self.index.vocabulary.document_frequency
        own = self.subject_words(candidate)
        # The event a question sets its time by ("when the plan came out") is not what the figure is of.
        timed_by = {t.word for t in query.event}
        missing = [t.alternatives for t in query.terms if t.known and not self.telling(t) & own and t.word not in timed_by
                   and not t.alternatives & MEASURE_NOUNS and t.word not in _LIGHT_VERBS | _ASKING_WORDS
                   and frequency.get(t.word, 0) <= ANCHOR_DF]
        if not missing:
            return False
        for other in scored[:5]:
            if other.score < candidate.score - 0.05 or other.text == candidate.text:
                continue
            words = self.subject_words(other)
            if all(m & words for m in missing) and not self.names_any(query, other):
                return True
        return False

    def names_any(self, query: Query, sentence: ScoredSentence) -> bool:
        """Whether a sentence holds a figure of the asked kind other than what the question itself names;
        a quotation holds its speaker's name."""
        if any(not named_by(query, f) for f in figures_of(query.kind, sentence.text)):
            return True
        speaker = self.index.speaker_at(sentence.passage.chunk.doc_id, sentence.span.start)
        return (query.kind == "person" and speaker is not None
                and not named_by(query, Figure("person", 0, len(speaker.name), speaker.name)))

    def subject_words(self, sentence: ScoredSentence) -> set[str]:
        """Words that say what a sentence is about: its own, the sentence before it ("This is backed by
        £200m" is about what that one names) and its document's title."""
        key = (sentence.passage.chunk.doc_id, sentence.span.start)
        if key not in self._subjects:  # off_subject compares each figure with the same few best sentences
            doc = self.index.documents[key[0]]
            text = f"{sentence_before(doc.text, sentence.span.start)} {sentence.text}"
            # Who says a quoted sentence, and when its article is dated, are what it is about too.
            speaker = self.index.speaker_at(key[0], sentence.span.start)
            who = doc.text[speaker.named_in.start:speaker.named_in.end] if speaker else ""
            self._subjects[key] = set(content_words(f"{text} {doc.title} {who} {month_and_year(doc.date)}"))
        return self._subjects[key]

    def on_event(self, query: Query, scored: list[ScoredSentence]) -> list[ScoredSentence]:
        """``scored`` without the sentences of documents that do not report the event the question sets
        its time by, when another retrieved document does: Judith Blake chaired the LGA board "when the
        review launched", though the report of the final review names the chair of that time. Only the
        event's words some document does not report count ("review" names every document's event here)."""
        if not query.event or not self.index.documents:
            return scored
        terms = [t for t in query.event if not t.alternatives & self.everywhere()]
        reporting = {s.passage.chunk.doc_id for s in scored
                     if any(t.alternatives & self.topic_words(s.passage.chunk.doc_id) for t in terms)}
        return [s for s in scored if s.passage.chunk.doc_id in reporting] if reporting else scored

    def timed_coverage(self, query: Query, sentence: ScoredSentence) -> float:
        """The sentence's coverage, with the event the question sets its time by ("when the plan came out")
        met in full by a document that reports that event: the sentence need not say it again."""
        if not query.event:
            return sentence.coverage
        topic = self.topic_words(sentence.passage.chunk.doc_id)
        if share(query.event, topic) < EVENT_REPORTED:
            return sentence.coverage
        reported = {a for t in query.event for a in t.alternatives}
        return max(sentence.coverage, coverage(query, set(content_words(sentence.text)) | reported, set()))

    def everywhere(self) -> set[str]:
        """The topic words every document shares ("care", "review"): they tell no document's subject apart."""
        if self._everywhere is None:
            self._everywhere = set.intersection(*(self.topic_words(d) for d in self.index.documents))
        return self._everywhere

    def telling(self, term: Term) -> frozenset[str]:
        """A term's alternatives that tell one subject from another: "RCCs" is met by "Regional" or
        "Cooperatives", not by the "care" of every document's title."""
        return term.alternatives - (term.parts & self.everywhere()) or term.alternatives

    def telling_terms(self, query: Query) -> tuple[Term, ...]:
        """The question's terms, each met only by its telling alternatives."""
        return tuple(replace(t, alternatives=self.telling(t)) for t in query.terms)

    def topic_words(self, doc_id: str) -> set[str]:
        """The words of a document's title and opening lines: what event it reports."""
        if doc_id not in self._topics:
            doc = self.index.documents[doc_id]
            self._topics[doc_id] = set(content_words(doc.title)) | set(content_words(doc.text[:LEAD_CHARS]))
        return self._topics[doc_id]

    def quoted(self, query: Query, sentence: ScoredSentence) -> tuple[ScoredSentence, Figure | None, float]:
        """A quoted sentence that names nobody answers "who said ...?" by its speaker, named elsewhere in
        the document ("“The system needs urgent reform ...”" three paragraphs after "Anne Longfield ...
        said:"): that name is the figure, and the sentence naming them is cited too."""
        doc_id = sentence.passage.chunk.doc_id
        speaker = self.index.speaker_at(doc_id, sentence.span.start)
        if speaker is None or sentence.span.start <= speaker.named_at.start < sentence.span.end:
            return sentence, None, 0.0
        text = self.index.documents[doc_id].text
        naming = speaker.naming
        roles = query.titles
        named_as = set(content_words(text[naming.start:naming.end])) if naming is not None else set()
        if naming is None or (roles and not roles & named_as):
            return sentence, None, 0.0  # "who was the commissioner who said ...": the title must be there
        if query.demands.affiliation and not self.names_body(query.demands.affiliation, named_as):
            return sentence, None, 0.0  # "who from the LGA said ...": the speaker speaks for the LGA
        bond = coverage(query, set(content_words(sentence.text)), set())
        if query.kind == "name":  # "which charity said X?": the body the speaker speaks for, named beside them
            body = next((f for f in named_things_in(text[naming.start:naming.end])
                         if of_category(query.category, text[naming.start:naming.end], f)), None)
            if body is None:
                return sentence, None, 0.0
            return (replace(sentence, figure_at=naming),
                    Figure("name", naming.start + body.start, naming.start + body.end, body.text), bond)
        return (replace(sentence, figure_at=naming),
                Figure("person", speaker.named_at.start, speaker.named_at.end, speaker.name), bond)

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
        return (replace(sentence, figure_at=Span(dateline.start, dateline.end)),
                Figure("date", dateline.start, dateline.end, dateline.text), bond)

    def bound_figure(self, query: Query, sentence: str, doc_id: str | None = None) -> tuple[Figure | None, float]:
        """The figure of the asked kind that the question's own words point to, with the weighted share
        of the question's terms found in its clause; (None, 0) when there is none."""
        demands = query.demands
        figures = figures_of(query.kind, sentence)
        figures = [f for f in figures if not set(numbers_in(f.text)) & demands.given]  # not the figure asked about
        if demands.year:
            figures = [f for f in figures if re.search(r"\d{4}", f.text)]
        if demands.weekday:
            figures = [f for f in figures if _WEEKDAY.search(f.text)]
        if query.kind in ("person", "name"):
            figures = [f for f in figures if not named_by(query, f)]
        if demands.affiliation:  # "who from the LGA ...?" asks for a person, not the LGA
            figures = [f for f in figures if f.kind == "person"]
        if not figures:
            return None, 0.0
        if demands.purpose and share(demands.purpose, set(content_words(sentence))) < PURPOSE_SHARE:
            return None, 0.0  # "how much is for children's homes" is not answered by a sum for kinship carers
        asked, roles = query.asked_words(), demands.roles
        best, best_bond = None, -1.0
        for figure in figures:
            person = figure.kind == "person"
            clause_text = role_window(sentence, figure) if person else clause_around(sentence, figure)
            clause = set(content_words(clause_text))
            title = set(content_words(title_of(sentence, figure))) if person else set()
            if not meets_demands(query, sentence, figure, clause_text):
                continue
            if roles and person:
                if any(not role & title for role in roles):
                    continue  # "who was the commissioner?" is not answered by a name without that title
            elif any(not role & clause for role in roles):
                continue
            if person and demands.affiliation and not self.names_body(demands.affiliation, title | clause):
                continue  # "who from the LGA spoke?" is not answered by the president of another association
            if person and query.asks_speaker:  # "who said X?": the one whose sentence says X
                bond = coverage(query, set(content_words(sentence)), set())
            elif person:
                if {q.lower() for q in _QUALIFIED_ROLE.findall(clause_text)} - asked:
                    continue  # "who is the children's minister?" is not answered by the shadow minister
                # Who a person is stands next to the name; when they spoke, in what the document reports.
                bond = coverage(query, clause, self.topic_words(doc_id) if doc_id else set(), TOPIC_CREDIT)
                # The title itself ("Chair of the Independent Review ...") says most about who is meant.
                bond += TITLE_WEIGHT * share(self.telling_terms(query), title)
            elif demands.given and demands.given <= set(numbers_in(sentence)):
                # "by what year for the 30k kids?": the number asked about ties the sentence to the question
                bond = coverage(query, set(content_words(sentence)), set())
            else:
                bond = coverage(query, clause, set())
            if figure.kind == "date" and bond == 0:
                continue  # "what year did the government answer?" is not "the murders ... in 2020"
            if query.category and of_category(query.category, sentence, figure):
                bond += CATEGORY_BOND  # "which body": the "... Board", not a person's name beside it
            if bond > best_bond:
                best, best_bond = figure, bond
        return best, max(best_bond, 0.0)
