"""The Query: what the understand stage (``qa/understand.py``) makes of a question, once, for retrieval and
reading to use. Nothing downstream reads the question text again: every demand it makes is a field here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from qa.asking import CATEGORY_HEADS

# Nouns that name one particular amount. When a question names one, the figure must be about it:
# "how much is the allowance rise?" is not answered by "£25m for recruitment" in the same sentence.
MEASURE_NOUNS = frozenset({"allowance", "salary", "wage", "pay", "tax", "fee", "rent", "pension", "grant", "bonus",
                           "income", "profit", "debt", "loan", "fine", "cost", "budget", "margin", "revenue", "age"})
# A sentence or clause that proposes rather than states: "called for £2.6bn", "the £2.6bn he had proposed".
PROPOSES = re.compile(r"\b(recommend\w*|call(s|ed|ing)? for|suggest\w*|propos\w*|should|could|would|urg(e|es|ed|ing)"
                      r"|want\w*)\b", re.I)
# Titles a who-question may name.
ROLE_NOUNS = frozenset({"commissioner", "minister", "secretary", "chair", "president", "chief", "director", "founder"})
# Words that make a count one of newcomers (a flow) rather than of all there are (a stock).
NEWCOMER_WORDS = frozenset({"new", "more", "extra", "additional", "further", "recruit", "recruiting", "want", "wanted"})


@dataclass(frozen=True)
class Term:
    word: str  # the stemmed question word
    alternatives: frozenset[str]  # stemmed words that count as a match, the word itself included
    weight: float
    surface: str = ""  # the word as the question was read
    known: bool = True  # the documents use this word or one of its alternatives
    # A specific thing the question is about (a place, a person, an organisation, a rare word) that the
    # documents never mention: the documents cannot answer the question.
    specific: bool = False
    # Alternatives that are only words of a longer name it stands for ("regional", "care", "cooperative"
    # for "RCCs"): each says less than the term does.
    parts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Demands:
    """What the question demands of a figure."""

    given: frozenset[str] = frozenset()  # numbers the question states itself
    year: bool = False  # "what year": a date must carry a year
    weekday: bool = False  # "on what day of the week": a date must name the day
    calendar: bool = False  # "what date": a day, month or year, not a time limit ("within a decade")
    measures: tuple[frozenset[str], ...] = ()  # amounts it names: a salary, a tax
    counted: frozenset[str] | None = None  # what "how many" counts
    per_unit: bool = False  # "each", "per", "a year"
    period: str = ""  # "a week", "per year", "monthly": the figure must be for that period, if for one
    exact: bool = False  # "the exact number": "thousands" or "more than 80" does not give it
    stock: bool = False  # "how many are there now", not how many new ones
    future: bool = False  # "how many will there be by 2032?": only then does a forecast answer
    increase: bool = False  # "how much more"
    roles: tuple[frozenset[str], ...] = ()  # titles a who-question names, with what may stand for them
    # "how much ... is for fixing children's homes": the terms of what the sum must be for
    purpose: tuple[Term, ...] = ()
    committed: bool = False  # "how much are they putting in?": a sum committed, not one called for
    # "grown since 2010": (since, 2010); a figure "since 2017" is another one
    years: tuple[tuple[str, str], ...] = ()
    past: bool = False  # "when did they reply?": a date already passed, not "later this year"
    each_one: frozenset[str] = frozenset()  # "for one kid": the unit a sum must be given per ("per child")
    affiliation: tuple[Term, ...] = ()  # "who from the LGA ...?": the body the person's title must name


@dataclass(frozen=True)
class Query:
    question: str  # as read: normalised, what every rule looks at
    kind: str  # age, percent, duration, date, count, money, person, place, name, profile or general
    terms: tuple[Term, ...]
    rewritten: str  # the question with everyday words replaced by the documents' words (for retrieval)
    # The question demands a figure of its kind ("how much ...?"); otherwise a figure is preferred only.
    wants_figure: bool = False
    category_noun: str = ""  # for a name, the question's word for what it names ("group"): a Group before a Board
    explicit: bool = False  # a question phrase asks for the kind ("who ...?"), not just a topic word
    demands: Demands = field(default_factory=Demands)
    asks_author: bool = False  # "who wrote the article about X?"
    asks_speaker: bool = False  # "who said X?": the speaker of a quotation answers, named where it starts
    asks_headline: bool = False  # "what was the article's headline?": then a headline may be cited
    profile_of: str = ""  # "who is X?": the X
    # "when the review launched", "responding to the final report": the event the question sets its time
    # by, as the terms naming it; an answer comes from a document that reports that event
    event: tuple[Term, ...] = ()
    # "what did Claire Coutinho say about ...?": the name of whoever's words are asked for, as terms; an
    # answer is something they said
    said_by: tuple[Term, ...] = ()
    said_about: tuple[Term, ...] = ()  # the rest of such a question: what they said it of
    # pairs of those written side by side after "about" ("care leavers"): one word alone is something else
    said_about_pairs: tuple[tuple[Term, Term], ...] = ()
    # "how long is the £200m for?": the question is about a sum, so the period a sum is over answers it
    asks_of_sum: bool = False
    yes_no: bool = False  # "can they stay till 21?", "did the government accept it?"
    subject: Term | None = None  # who or what a yes-no question asks about: "did the government accept it?"
    asks_view: bool = False  # "why does he reckon ...?": only what someone says or thinks answers
    asks_outcome: bool = False  # "did they actually do the windfall tax in the end?": whether it came about
    sequel: str = ""  # "what job did he get after the review?": "after" (or "before"), what a person did then
    # "how much does Family Help cost?": the documents' names of programmes and bodies the question names; a
    # figure is of one of them only where the document names it
    things: tuple[str, ...] = ()
    titles: frozenset[str] = frozenset()  # "who was the minister ...?": the titles a who-question names
    outlets: tuple[str, ...] = ()  # "the CYP Now piece": the outlets the question names, as the documents do
    original: str = ""  # as typed, for display
    nothing_asked: bool = False  # a greeting, a filler or an aside alone ("hi", "ok so"): no question yet
    changes: tuple[tuple[str, str], ...] = ()  # (typed, read as) replacements

    @property
    def category(self) -> frozenset[str]:
        """What the name asked for is a name of: the head words it may end with ("which board")."""
        return CATEGORY_HEADS.get(self.category_noun, frozenset())

    def words(self) -> set[str]:
        return {t.word for t in self.terms}

    def asked_words(self) -> frozenset[str]:
        """The question's words and their alternatives."""
        return frozenset(self.words() | {a for t in self.terms for a in t.alternatives})

    def unknown(self) -> list[str]:
        """Specific things the question asks about that no document mentions."""
        return [t.surface or t.word for t in self.terms if not t.known and t.specific]


@dataclass(frozen=True)
class Vocabulary:
    """How many chunks use each (stemmed) word: rare words weigh more."""

    document_frequency: dict[str, int]
    total: int

    def idf(self, word: str) -> float:
        return math.log(1 + self.total / (1 + self.document_frequency.get(word, 0)))

    def knows(self, word: str) -> bool:
        return word in self.document_frequency
