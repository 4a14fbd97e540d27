"""What the clauses of a question set, beyond the kind of answer it asks for: the event it sets its time
by, whose words it asks for and about what, what a yes-no question is about and whether it asks if
something came about, and of a sum: whether it is one proposed or one committed, what it is for and over
what period. Read once, by the understand stage (``qa/understand.py``), into the Query.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.figures import MONTHS
from qa.query import Query, Term
from qa.text import content_words, stem

_YES_NO = re.compile(r"\s*(?:did|does|do|has|have|had|will|would|is|are|was|were|can|could|should)\s+(.+)", re.I)


# "did they actually do the windfall tax in the end?", "is it law now?": whether a thing came about.
# "ever" as in "did they ever do it", not "than ever", "the biggest ever", "has it ever been".
_OUTCOME = re.compile(r"\b(in the end|actually|actual|(?<!than\s)(?<!est\s)ever(?!\s+(?:been|since|before)\b)|go(ne)? ahead"
                      r"|went ahead|happen\w*|come out|came out|law|passed|introduced|brought in|implemented|done)\b", re.I)
# Not what is planned, nor whether someone wished or proposed it: a verb of wishing among the question's first
# words, where its own verb stands ("did they want ...?", "did the LGA and the ADCS call for ...?"); a wish
# further on only describes the thing ("did they ever do the white paper the council ppl wanted?").
_NOT_OUTCOME = re.compile(r"\b(gonna|going to|will)\b|^\s*\w+\s+(?:[\w'’]+\s+){0,6}?(say|said|want\w*|recommend\w*"
                          r"|call\w* for|suggest\w*|propos\w*)\b", re.I)


def asks_outcome(question: str) -> bool:
    """Whether a yes-no question asks if something came about, not what was proposed or is planned."""
    return bool(re.match(r"\s*(did|has|have|is|are|was|were)\b", question, re.I) and _OUTCOME.search(question)
                and not _NOT_OUTCOME.search(question))


# "what job did macalister get after the review?", "what role did she hold before becoming minister?": what a
# person did on one side of an event; a passage answers it only by saying when, relative to something.
_SEQUEL = re.compile(r"\b(after|before)\b(?!\s+(?:all\s+)?(?:this|that|it)\b)", re.I)
SEQUEL_WORDS = {
    "after": re.compile(r"\b(after|afterwards|following|since|later|subsequently|went on|now|then)\b", re.I),
    "before": re.compile(r"\b(before|former|formerly|previously|prior|founder|founded|once|used to)\b", re.I),
}


def sequel_of(question: str, terms: list[Term], people: dict[str, frozenset[str]]) -> str:
    """ "after" or "before" when the question asks what a person the documents name did on that side of an
    event, else ""."""
    m = _SEQUEL.search(question)
    named = any((t.surface or t.word).lower() in people for t in terms)
    return m.group(1).lower() if m and named else ""


def asks_yes_no(question: str) -> bool:
    """Whether the question opens with the verb of a yes-no question ("can they stay till 21?")."""
    return bool(_YES_NO.match(question))


def subject_of(question: str, terms: list[Term]) -> Term | None:
    """The term a yes-no question is about: its first content word after the verb that opens it ("did
    the government accept ...?": government; "did they accept ...?": accept, which its answer must hold as
    well). None for other questions, and where that word is a verb form ("would spending ...")."""
    m = _YES_NO.match(question)
    first = content_words(m.group(1))[:1] if m else []
    if not first or re.search(r"(ing|ed)$", (next((t.surface for t in terms if t.word == first[0]), ""))):
        return None  # "would spending all that money ...": a verb, not who acts
    return next((t for t in terms if t.word == first[0] and t.known), None)


# A clause setting the time by an event, not the question's own "when did ...?" nor what someone was
# doing ("when welcoming the proposals").
_EVENT = re.compile(r"\b(?:when(?!\s+(?:did|does|do|will|would|was|is|were|are|can|could|has|have|had|should|might|may|asked|\w+ing"
                    r"|it comes?)\b)"  # "when it comes to where children are placed": as to, no time
                    r"|at the time|following(?!\s+(?:year|month|week|day)s?\b)|responding to|in response to)"
                    r"\s+(.+)$", re.I)


# "what did X say / think", "how did X describe", "what was X's view on": X is whose words are asked for.
_SAYING = ("say|said|think|thought|feel|felt|reckon|make of|warn|warned|describe|described|argue|argued|react"
           "|reacted|respond|responded|comment|commented|mean|meant",
           "view|views|opinion|reaction|response|take|thoughts")
_SAID_BY = re.compile(rf"\b(?:did|does|do|has|have|had)\s+(?P<who>(?:[\w’'-]+\s+){{1,5}}?)(?:{_SAYING[0]})\b"
                      rf"|\b(?:was|is|were|are)\s+(?P<whose>(?:[\w’'-]+\s+){{0,4}}?[\w’'-]+?)['’]?s\s+"
                      rf"(?:{_SAYING[1]})\s+(?:on|of|about|to)\b", re.I)
# "did the February 2023 strategy respond to ...?": a month is written as a name, but says nothing
_CALENDAR = re.compile(rf"{MONTHS}|(?:mon|tues|wednes|thurs|fri|satur|sun)day", re.I)
_DOCUMENTS = frozenset({"strategy", "plan", "report", "review", "framework", "paper", "document", "response", "article"})
_SAYING_WORDS = frozenset(stem(w) for w in re.findall(r"\w+", "|".join(_SAYING)))
# "why does he reckon ...?", "he said ... how many?": someone's words or view, unnamed; a passage that
# says nobody holds it (the article's own closing thought) does not give it.
_VIEW_OF_SOMEONE = re.compile(rf"\b(?:he|she)\s+(?:\w+\s+)?(?:{_SAYING[0]}|says|thinks|reckons|want|wants|wanted"
                              r"|suggest|suggests|suggested|believe|believes|believed|propose|proposed)\b", re.I)


def asks_view(question: str) -> bool:
    """Whether the question asks what someone it does not name says or thinks ("why does he reckon ...?")."""
    return bool(_VIEW_OF_SOMEONE.search(question))


def said_by(question: str, terms: list[Term], names: frozenset[str],
            people: dict[str, frozenset[str]]) -> dict[str, tuple]:
    """The terms naming whoever's words the question asks for, when it names someone the documents write
    as a name, each matching the rest of that person's name too ("josh": MacAlister); and what it asks
    they said it of: "what did Claire Coutinho say about the windfall tax?" (claire, coutinho; windfall,
    tax). Empty for "what did the review say?"."""
    m = _SAID_BY.search(question)
    if not m:
        return {}
    span = re.findall(r"[\w’'-]+", (m.group("who") or m.group("whose")).lower())
    if set(span) & _DOCUMENTS:
        return {}  # "did the Implementation Strategy respond to ...?" asks what a document does, not whose words
    who = tuple(replace(t, alternatives=t.alternatives | people.get((t.surface or t.word).lower(), frozenset()))
                for t in terms if (t.surface or t.word).lower() in set(span) & names and t.known
                and not _CALENDAR.fullmatch(t.surface or t.word))
    if not who:
        return {}
    about = tuple(t for t in terms if t.word not in {stem(w) for w in span} | _SAYING_WORDS)
    # what they said it "about", not when ("in his response to the final report"): two words side by side
    side_by_side = tuple((a, b) for a, b in zip(about, about[1:]) if re.search(
        rf"\b(?:about|on|regarding)\s+(?:[\w'’]+\s+){{0,3}}?{re.escape(a.surface or a.word)}"
        rf"\s+{re.escape(b.surface or b.word)}\b", question, re.I))
    return {"said_by": who, "said_about": about, "said_about_pairs": side_by_side}


def event_of(question: str, terms: list[Term]) -> tuple[Term, ...]:
    """The terms of the event a question sets its time by ("who chaired the board when the review
    launched?": review, launch)."""
    m = _EVENT.search(question)
    if not m or not question[:m.start()].strip():
        return ()
    words = set(content_words(m.group(1)))
    return tuple(t for t in terms if t.word in words and t.known)


# "who from the LGA spoke ...?", "did anyone at the ADCS respond?": the body the person asked for speaks for.
_AFFILIATION = re.compile(r"\b(?:who|someone|anyone|somebody|anybody)\s+(?:\w+\s+)?(?:from|at)\s+(?:the\s+)?"
                          r"(?P<body>.+?)(?=\s+(?:said|says|say|spoke|speak|talked|talk|commented|comment|responded"
                          r"|respond|reacted|react|wrote|was|is|were|did|does|do|has|had|have|when|about|on)\b|[?,.]|$)",
                          re.I)
# "who was the LGA person that said ...?", "the adcs guy": the body before a word for someone from it
_MEMBER_OF = re.compile(r"\bwho\s+(?:is|was|were|are)\s+the\s+(?P<body>.+?)\s+(?:person|people|guy|lady|woman|man"
                        r"|bloke|rep|representative|spokesperson|spokesman|spokeswoman|one)\b", re.I)
# "who is the boss of the Independent Children's Homes Association?", "the person who runs the ...": the body
# after the one who heads it ("that josh guy who runs the review" describes whom a question is about)
_HEAD_OF = re.compile(r"(?:\bwho\b.*?\b(?:boss|head|leader|chief|chief executive|ceo|chair|chairman|chairwoman|president"
                      r"|director)\s+of|(?:^\s*|\bperson\s+|\bone\s+)who\s+(?:runs|heads|chairs))"
                      r"\s+(?:the\s+)?(?P<body>.+?)(?=\s+(?:when|who|that|in|at|on)\b|[?,.]|$)", re.I)


def affiliation_of(question: str, terms: tuple[Term, ...]) -> tuple[Term, ...]:
    """The terms of the body a who-question asks for someone from ("who from the LGA said ...?", "who was
    the LGA person that ...?", "who is the boss of the LGA?": lga)."""
    m = _AFFILIATION.search(question) or _MEMBER_OF.search(question) or _HEAD_OF.search(question)
    if not m:
        return ()
    words = set(content_words(m.group("body")))
    return tuple(t for t in terms if t.word in words and t.known)


_PROPOSED = re.compile(r"\b(want\w*|call\w* for|ask\w* for|propos\w*|recommend\w*|suggest\w*|need\w*)\b", re.I)
_COMMITTED = re.compile(r"\b(put(?:s|ting)? in|putting|spend(?:s|ing)?|spent|promis(?:e|es|ed|ing)|pledg(?:e|es|ed|ing)"
                        r"|commit(?:s|ted|ting)?|giv(?:e|es|ing)|gave|invest(?:s|ed|ing)?|back(?:s|ed|ing)"
                        r"|allocat(?:e|es|ed|ing)|provid(?:e|es|ed|ing))\b", re.I)


def asks_committed(question: str) -> bool:
    """Whether a question asks for a sum committed ("how much is the govt putting in?"), not one proposed
    ("how much did the guy want the govt to spend?")."""
    return bool(_COMMITTED.search(question)) and not _PROPOSED.search(question)


_ONE_OF = re.compile(r"\b(?:one|a single) (?!of\b|in\b)([a-z]+)", re.I)  # "one of them" is a part


def each_one(question: str, terms: tuple[Term, ...]) -> frozenset[str]:
    """What a sum is asked for one of ("how much for one kid?"): that word and its alternatives."""
    one = _ONE_OF.search(question)
    if one is None:
        return frozenset()
    word = stem(one.group(1).lower())
    return next((t.alternatives for t in terms if t.word == word), frozenset({word}))


# "Besides the Care Review, what else ...?", "apart from X, which other ...": X is what the answer is not.
_BESIDES = re.compile(r"\b(?:besides|apart from|other than|aside from|except(?: for)?|as well as)\s+([^,?]+?)\s*(?:,|\?|$)"
                      r"(?=.*\b(?:else|other|also|too)\b)", re.I)


def without_set_aside(question: str) -> str:
    """The question without what a "besides X, what else?" question puts aside: X is not asked about."""
    m = _BESIDES.search(question)
    return question[:m.start(1)] + question[m.end(1):] if m else question


# --- sums ----------------------------------------------------------------------------------------

_PERIOD = re.compile(r"\b(?:a|an|per|each|every|one)\s+(day|week|month|year)\b|\b(daily|weekly|monthly|yearly|annual|annually)\b", re.I)
_PERIOD_OF_ADVERB = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year", "annual": "year",
                     "annually": "year"}


_ONCE = re.compile(r"\b(?:to set up|set-up|setting up|one-off|one off|upfront|up-front|start-up)\b", re.I)


def period_of(text: str) -> str:
    """The period an amount is counted over ("a week", "weekly", "per year", "annually"): day, week, month,
    year, "once" for a cost of setting something up (no running cost), or "" when none is named."""
    m = _PERIOD.search(text)
    if not m:
        return "once" if _ONCE.search(text) else ""
    return m.group(1).lower() if m.group(1) else _PERIOD_OF_ADVERB[m.group(2).lower()]


_PURPOSE = re.compile(r"\bhow much\b.*?\b(?:is|are|was|were|be|been|goes|going|go|went)\s+(?:\w+ed\s+|spent\s+|set aside\s+)?"
                      r"(?:for|on|towards|into|(?<!going\s)to)\s+(.+)$", re.I)  # not "going to cost"
# "how much of it is going to care leavers": the sum itself goes somewhere, when a noun phrase follows
_GOING_TO = re.compile(r"\bhow much\b.*?\b(?:is|are|was|were)\s+going\s+to\s+(.+)$", re.I)
# Determiners and object pronouns: after "going to" they open who gets it ("the kids", "them"); after a
# verb they open its object ("cost the council").
_PHRASE_OPENERS = frozenset({"the", "a", "an", "each", "every", "their", "his", "her", "our", "my", "your", "those",
                             "these", "them", "him", "it", "us", "me"})


def purpose_of(query: Query) -> tuple[Term, ...]:
    """What a sum asked for is for ("how much of the £200m is for fixing children's homes"): the terms
    of that phrase."""
    m = _PURPOSE.search(query.question) if query.kind == "money" else None
    if not m and query.kind == "money":
        m = _GOING_TO.search(query.question)
        m = m if m and names_whom(m.group(1)) else None
    if not m:
        return ()
    words = set(content_words(m.group(1)))
    # each word for itself: "care" in "care placements" is no sum for "care leavers"
    return tuple(replace(t, alternatives=t.alternatives - t.parts) for t in query.terms if t.word in words)


def names_whom(phrase: str) -> bool:
    """Whether the words after "going to" name who or what gets a sum ("the kids", "care leavers") rather
    than say what will happen ("cost", "cost the council", "be spent")."""
    from lemminflect import getAllLemmas

    words = re.findall(r"[\w'’-]+", phrase.lower())
    if not words:
        return False
    return words[0] in _PHRASE_OPENERS or (len(words) > 1 and "NOUN" in getAllLemmas(words[0])
                                        and words[1] not in _PHRASE_OPENERS)


# A sum named ("the £200m", "45 million", "the funding"); "spend" alone may be of time ("spend doing it").
_OF_A_SUM = re.compile(r"[£$€]|\d\s*(?:bn|m|k|billion|million|thousand|mil|grand)\b|\b(?:money|cash|funding|funded|fund"
                       r"|funds|investment|invested|investing|budget|pot|grant|pounds|quid|billion|million|cost|costs)\b",
                       re.I)


def asks_of_sum(question: str) -> bool:
    return bool(_OF_A_SUM.search(question))
