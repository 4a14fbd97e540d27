"""Question -> what it asks for: the answer kind, the weighted terms to look for, a rewrite for embedding.

Young people ask in their own words ("the care review guy", "how much cash", "kids"); the documents use
policy words. A shipped table (qa/data/synonyms.toml) maps one to the other, so both lexical matching
and the embedding see the words the documents use.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qa.text import content_words, normalise, stem, surface_words

SYNONYMS_FILE = Path(__file__).with_name("data") / "synonyms.toml"

_ASKS = (
    ("age", re.compile(r"\bhow old\b|\b(at )?what age\b", re.I)),
    ("percent", re.compile(r"\bwhat (\w+ )?margin\b|\b(percent|per cent|percentage|%)|\bhow much\b.*\b(grow|grew|grown|risen|increased|expanded|bigger)\b|\bby how much\b", re.I)),
    ("duration", re.compile(r"\bhow long\b|\bover how many (years|months)\b|\bover what (period|time|timeframe)\b|\bhow many (years|months)\b|\bwhat (timeframe|period)\b|\bhow soon\b", re.I)),
    ("date", re.compile(r"\b(publication|launch|release) date\b|\bthe date\b|\bwhen\b|\bwhat (year|date|month|day)\b|\bwhich (year|date|month|day|financial year)\b|\bsince when\b|\bsince what year\b|\bby when\b", re.I)),
    ("count", re.compile(r"\bhow many\b|\bnumber of\b|\bhow big\b", re.I)),
    ("money", re.compile(r"\bhow much\b|\bwhat (sum|amount|budget)\b|\bwhat (total |annual |yearly )?(investment|funding)\b"
                         r"|\bwhat (is|was|are|were|would be) the (\w+ )?(cost|price|budget|salary|wage|revenue)\b", re.I)),
    ("person", re.compile(r"\bwho\b|\bwhos\b|\bwhose\b|\bwhich (minister|person|secretary|official|commissioner|education secretary)\b|\bname (of )?the (person|minister)\b", re.I)),
    ("place", re.compile(r"\bwhich (\w+ )?(local )?(areas|places|local authorities|authorities|councils|regions|towns|cities|counties)\b|\bwhere (exactly )?(are|is) (the|they)\b.*\b(areas|hubs|pilots?)\b", re.I)),
    ("name", re.compile(r"\bcalled\b|\bname of\b|\bname the\b|\bwhat is the name\b|\bstand for\b|\bwhich part of\b|\bwhich (act|law|group|body|department|organisation|association|charity|newspaper|paper|programmes?|schemes?|strategy|board|framework|service)\b|\bwhat (law|act|charity|group|newspaper|body|strategy|service|scheme)\b", re.I)),
)


# Topic words that hint at a kind when no question phrase names one ("is the funding enough?").
_TOPICS = (
    ("money", re.compile(r"\b(cost|costs|costing|money|cash|funding|budget|spend|spending|spent|price|pounds|quid|worth)\b", re.I)),
)


def asked_kind(question: str) -> str:
    """What the answer must contain: age, percent, duration, date, count, money, person, place, name, a
    profile (what a named person is), or general."""
    return _asked(question)[0]


WHO_IS = re.compile(r"\s*who(?:'s|s| is| was)\s+(?!the\b|a\b|an\b|in\b|on\b|at\b|behind\b)(\w+(?:\s+\w+)?)\W*$", re.I)


def _asked(question: str) -> tuple[str, bool]:
    """The kind, and whether a question phrase asks for it ("how much ...?") rather than a topic word hinting.

    The main clause decides, earliest phrase first: "Who was minister when the report came out?" asks
    for a person, "What was his job, as noted when the review began?" for neither a person nor a date.
    """
    # Of several sentences the last asks: "did they get care leavers to help? whats that group called"
    question = re.split(r"(?<=[?!.])\s+(?=\S)", question.strip())[-1]
    if WHO_IS.match(question):
        return "profile", True  # "who is Josh MacAlister?" asks what the documents say he is
    if re.search(r"\bcalled\W*$", question, re.I):
        return "name", True  # "whats the governments plan after the review called"
    if re.match(r"\s*how (does|did|do|would|is|was)\b.*\b(describe|characteri[sz]e|portray|put it)\b", question, re.I):
        return "general", True  # "how does the report describe the number of children in care?": in words
    head = re.split(r"(?<=\S)\s+(?:when|while|after|as noted)\s|,\s*as\s", question, maxsplit=1, flags=re.I)[0]
    for text in (head, question):
        found = [(m.start(), order, kind) for order, (kind, pattern) in enumerate(_ASKS)
                 for m in [pattern.search(text)] if m]
        if found:
            return min(found)[2], True
        if re.match(r"\s*(what|which|why|how|where|whats|is|are|did|does|do|would|could|can)\b", text, re.I):
            break
    for kind, pattern in _TOPICS:
        if pattern.search(question):
            return kind, False
    return "general", False


# What a name asked for is a name of: "which body ...?" is answered by a "... Board" or an "... Association".
_BODIES = frozenset({"board", "group", "association", "authority", "department", "society", "cooperative", "body",
                     "council", "commission", "agency", "service", "trust", "charity"})
_SCHEMES = frozenset({"programme", "scheme", "pilot", "service", "project", "initiative"})
_PLANS = frozenset({"strategy", "plan", "framework", "paper"})
CATEGORY_HEADS = {
    "body": _BODIES, "organisation": _BODIES, "organization": _BODIES, "group": _BODIES,
    "board": frozenset({"board"}), "department": frozenset({"department"}), "charity": _BODIES,
    "scheme": _SCHEMES, "programme": _SCHEMES, "program": _SCHEMES, "service": _SCHEMES,
    "strategy": _PLANS, "plan": _PLANS, "framework": _PLANS,
    "law": frozenset({"act"}), "act": frozenset({"act"}), "legislation": frozenset({"act"}),
}


def asked_category(question: str) -> frozenset[str]:
    """Head words the name asked for may end with (or be followed by), from the question's noun for it."""
    for word in re.findall(r"[a-z]+", normalise(question)):
        heads = CATEGORY_HEADS.get(stem(word)) or CATEGORY_HEADS.get(word)
        if heads:
            return heads
    return frozenset()


@dataclass(frozen=True)
class Term:
    word: str  # the stemmed question word
    alternatives: frozenset[str]  # stemmed words that count as a match, the word itself included
    weight: float
    surface: str = ""  # the word as the question wrote it
    known: bool = True  # the documents use this word or one of its alternatives
    name_like: bool = False  # a proper name or a word no English dictionary lists ("Scotland", "prem")


@dataclass(frozen=True)
class Query:
    question: str
    kind: str
    terms: tuple[Term, ...]
    rewritten: str  # the question with everyday words replaced by the documents' words
    # The question demands a figure of its kind ("how much ...?"); otherwise a figure is preferred only.
    wants_figure: bool = False
    category: frozenset[str] = frozenset()  # for a name: what it is a name of (see CATEGORY_HEADS)
    explicit: bool = False  # a question phrase asks for the kind ("who ...?"), not just a topic word

    def words(self) -> set[str]:
        return {t.word for t in self.terms}

    def unknown(self) -> list[str]:
        """Words of the question that no document uses, in any of their forms."""
        return [t.surface or t.word for t in self.terms if not t.known]

    def unknown_names(self) -> list[str]:
        """Names the question asks about that no document mentions: the documents cannot answer it."""
        return [t.surface or t.word for t in self.terms if not t.known and t.name_like]


@lru_cache(maxsize=1)
def synonym_table() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    data = tomllib.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    return data.get("words", {}), data.get("phrases", {})


def rewrite(question: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """The question with known everyday phrases and words followed by the documents' words for them,
    and the (phrase, replacements) pairs that matched."""
    words, phrases = synonym_table()
    text = normalise(question)
    matched = []
    for phrase, replacements in sorted(phrases.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{re.escape(phrase)}\b", text):
            matched.append((phrase, replacements))
            text = re.sub(rf"\b{re.escape(phrase)}\b", " ".join(replacements[:1]) or " ", text)
    extra = []
    for word in re.findall(r"[a-z0-9'-]+", text):
        if word in words:
            matched.append((word, words[word]))
            extra.extend(words[word][:1])
    return (text + (" " + " ".join(extra) if extra else "")).strip(), matched


@dataclass(frozen=True)
class Vocabulary:
    """How many chunks use each word: rare words weigh more; words the documents never use weigh most."""

    document_frequency: dict[str, int]
    total: int

    def idf(self, word: str) -> float:
        return math.log(1 + self.total / (1 + self.document_frequency.get(word, 0)))

    def knows(self, word: str) -> bool:
        return word in self.document_frequency


def analyse(question: str, vocabulary: Vocabulary) -> Query:
    """Weighted terms of the question, each with the alternatives that count as a match.

    A word the documents never use, with no known alternative, weighs the most: a question about
    "Wales" is not answered by a passage about England.
    """
    rewritten, matched = rewrite(question)
    surfaces = {stem(w): w for w in surface_words(question)}
    alternatives: dict[str, set[str]] = {word: {word} for word in surfaces}
    for phrase, replacements in matched:
        replacement_words = {w for r in replacements for w in content_words(r)}
        for word in content_words(phrase):
            if not replacement_words:  # filler such as "guy" or "thing": nothing to look for
                alternatives.pop(word, None)
            elif word in alternatives:
                alternatives[word] |= replacement_words
    terms = []
    for word, alts in alternatives.items():
        known = [a for a in alts if vocabulary.knows(a)]
        weight = max(vocabulary.idf(a) for a in known) if known else vocabulary.idf(word)
        surface = surfaces.get(word, word)
        is_known = bool(known) or any(ch.isdigit() for ch in word)
        terms.append(Term(word, frozenset(alts), weight, surface, is_known, not is_known and _name_like(surface, question)))
    kind, explicit = _asked(question)
    wants_figure = explicit and kind in ("age", "percent", "duration", "date", "count", "place", "money")
    category = asked_category(rewritten) if kind == "name" else frozenset()
    return Query(question, kind, tuple(terms), rewritten, wants_figure, category, explicit)


def _name_like(word: str, question: str) -> bool:
    """A capitalised word inside the question, or one no English word list knows: a name."""
    from lemminflect import getAllLemmas

    capitalised_inside = re.search(rf"(?<=\w)[\s,]+{re.escape(word.capitalize())}\b", question)
    return bool(capitalised_inside) or not getAllLemmas(word)
