"""Figures in text: amounts, percentages, dates, durations, counts, and the names that answer "who" and
"which": people, bodies and programmes, places. Also the clause a figure stands in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.text import NUMBER_WORDS, content_words, normalise

MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_NUM = r"\d[\d,]*(?:\.\d+)?"
_WORDNUM = "|".join(NUMBER_WORDS + ["hundreds", "thousands", "millions", "dozens"])
# When a thing is only promised, the documents date it relatively: "in the coming months".
PROMISED_DATE = r"(?:in|within) the coming (?:few )?(?:weeks|months|years)|later this (?:year|month)"
_FIGURE_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("age", re.compile(rf"\b(?:aged|age of)\s\d{{1,3}}\b|\b(?:\d{{1,3}}|{_WORDNUM})[\s-]years?[\s-]old\b", re.I)),
    ("money", re.compile(rf"[£$€]\s?{_NUM}(?:\s?(?:bn|m|k|billion|million|thousand)\b)?", re.I)),
    ("percent", re.compile(rf"{_NUM}\s?(?:%|per cent\b|percent\b)", re.I)),
    ("date", re.compile(
        rf"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s)?(?:\d{{1,2}}\s(?:{MONTHS})(?:\s\d{{4}})?"
        rf"|(?:{MONTHS})\s\d{{1,2}}(?:,\s\d{{4}})?|(?:{MONTHS})\s\d{{4}}|\d{{4}}/\d{{2}}|(?:19|20)\d{{2}}"
        rf"|{PROMISED_DATE})\b", re.I)),
    ("duration", re.compile(
        rf"\b(?:{_NUM}|{_WORDNUM}|a|the next|next|the last|last)\s(?:\w+\s)?(?:years?|months?|weeks?|days?|decades?)\b",
        re.I)),
    ("count", re.compile(rf"(?<![\w£$€.,]){_NUM}(?![\w%]|\.\d)|\b(?:{_WORDNUM})(?:-(?:{_WORDNUM}))?\b", re.I)),
)


@dataclass(frozen=True)
class Figure:
    kind: str  # money, percent, date, duration, count
    start: int  # offsets relative to the text searched
    end: int
    text: str


def find_figures(text: str) -> list[Figure]:
    """Figures in ``text``, earlier patterns winning where matches overlap (money before count, ...)."""
    taken: list[Figure] = []
    for kind, pattern in _FIGURE_PATTERNS:
        for m in pattern.finditer(text):
            if not any(m.start() < f.end and f.start < m.end() for f in taken):
                taken.append(Figure(kind, m.start(), m.end(), m.group()))
    return sorted(taken, key=lambda f: f.start)


# Words in capitalised runs that are titles or sentence openers, never part of a person's name.
_TITLE_WORDS = set(
    """the a an this that these those however following welcoming responding commenting leading chair chief
    president secretary minister commissioner education children children's children’s social care review
    independent government department local association board council society services england english
    national family families help authority authorities cllr dame sir mr mrs ms dr lord lady baroness
    shadow executive director directors of and for in on at to by with from frontline times act equality
    february march april may june july august september october november december january
    monday tuesday wednesday thursday friday saturday sunday picture conservative labour treasury whitehall
    implementation strategy framework hubs hub cooperatives regional experts experience call advice group
    general election white paper competition markets authority homes calls new plans""".split()
)
_CONNECTORS = {"of", "for", "in", "by", "and", "the", "on", "to"}
_ROLE_WORDS = {"president", "chair", "chief", "executive", "secretary", "minister", "commissioner", "director",
               "mr", "mrs", "ms", "dr", "cllr", "dame", "sir", "education", "shadow"}
TITLE_NOUNS = {"president", "chair", "chief", "executive", "secretary", "minister", "commissioner", "director"}
_CAPITALISED_RUN = re.compile(r"(?:[A-Z][\w'’-]+)(?:\s+(?:(?:de|van|von|da|du|le|la)\s+)?[A-Z][\w'’-]+)*")
_NAMED_RUN = re.compile(r"[A-Z][\w'’-]+(?:\s+(?:(?:of|for|in|by|and|on|the)\s+)*[A-Z][\w'’-]+)*")
_SENTENCE_OPENERS = {"the", "a", "an", "this", "that", "it", "he", "she", "they", "we", "however", "following",
                     "welcoming", "responding", "commenting", "leading", "since", "through", "as", "also",
                     "in", "at", "to", "from", "for", "by", "with", "after", "despite", "while", "when", "our",
                     "under", "before", "during", "between", "against", "according", "if", "but", "and", "so"}


def people_in(text: str) -> list[Figure]:
    """Personal names: capitalised runs with the title and body words taken off their front."""
    names = []
    for m in _CAPITALISED_RUN.finditer(text):
        words = m.group().split()
        while words and (words[0].lower() in _TITLE_WORDS or words[0].lower() in _SENTENCE_OPENERS):
            words = words[1:]  # "Under Josh MacAlister, ...": a sentence's first word is no part of a name
        if words:
            words[-1] = re.sub(r"['’]s$", "", words[-1])
        if 2 <= len(words) <= 4 and not any(w.lower() in _TITLE_WORDS - {"de", "le", "la"} for w in words[1:]):
            name = " ".join(words)
            begin = text.find(name, m.start())
            names.append(Figure("person", begin, begin + len(name), name))
    return names


def named_things_in(text: str) -> list[Figure]:
    """Names of bodies, programmes, laws and places: capitalised runs (with 'of', 'for', ... inside)
    and short quoted phrases."""
    found = []
    for m in _NAMED_RUN.finditer(text):
        words = m.group().split()
        start = m.start()
        while words and (words[0].lower() in _SENTENCE_OPENERS | _CONNECTORS | _ROLE_WORDS):
            start = text.find(words[1], start + len(words[0])) if len(words) > 1 else m.end()
            words = words[1:]
        while words and words[-1].lower() in _CONNECTORS:
            words = words[:-1]
        if words:
            words[-1] = re.sub(r"['’]s$", "", words[-1])
        # One capitalised word is a name only inside a sentence: at the start of one, or of a quotation
        # ('She added: "Supporting ...'), a capital says nothing.
        opens_sentence = text[:start].rstrip()[-1:] in ("", ".", "!", "?", ":", '"', "“", "‘", "(")
        single = (len(words) == 1 and not opens_sentence and len(words[0]) > 3
                  and words[0].lower() not in _TITLE_WORDS)
        if len(words) >= 2 or single:
            name = " ".join(words)
            begin = text.find(name, start)
            if begin >= 0:
                found.extend(_coordinated(Figure("name", begin, begin + len(name), name), text))
    return found


def _coordinated(figure: Figure, text: str) -> list[Figure]:
    """ "the Social Workers in Schools and Designated Safeguarding Lead Supervision programmes": two names
    sharing a plural head, not one (the "and" of "Competition and Markets Authority" is inside a name)."""
    if " and " not in figure.text or not re.match(r"\s+[a-z]+s\b", text[figure.end:]):
        return [figure]
    parts, at = [], figure.start
    for part in figure.text.split(" and "):
        if len(part.split()) >= 2 or part.lower() not in _TITLE_WORDS:
            parts.append(Figure("name", at, at + len(part), part))
        at += len(part) + len(" and ")
    return parts


def places_in(text: str) -> list[Figure]:
    """Place names: capitalised names that are neither bodies nor people."""
    people = {w for f in people_in(text) for w in f.text.split()}
    return [f for f in named_things_in(text)
            if not set(f.text.lower().split()) & _TITLE_WORDS and not set(f.text.split()) & people
            and not re.match(r"['’]s\b", text[f.end:f.end + 2])]


def figures_of(kind: str, text: str) -> list[Figure]:
    if kind == "place":
        return places_in(text)
    if kind == "person":
        return people_in(text) or [f for f in named_things_in(text) if " " in f.text]
    if kind == "name":
        return named_things_in(text)
    found = find_figures(text)
    figures = [f for f in found if f.kind == kind]
    if kind == "date":
        durations = [f for f in found if f.kind == "duration"]
        figures += [f for f in durations if re.search(r"\d{4}", f.text)]
        # "by when?" is answered by a time limit: "within the next six months"
        figures += [Figure("date", m.start(), f.end, text[m.start():f.end]) for f in durations
                    for m in [re.search(r"\bwithin\s+$", text[:f.start])] if m]
    return figures


# Words before a figure that say how exact it is: "more than 80" is not 80, nor "roughly £2 billion" £2 billion.
QUALIFIER = re.compile(r"\b(more than|fewer than|less than|at least|up to|over|under|about|around|roughly|"
                       r"approximately|almost|nearly|approaching|above|below|some)\s+$", re.I)
# Figures that are no exact number themselves: "thousands", "dozens".
APPROXIMATE = re.compile(r"\b(hundreds|thousands|millions|dozens)\b", re.I)

_CLAUSE_BREAK = re.compile(r"[,;:]|\s[–-]\s|\band\b|\bbut\b|\bwhile\b|\bas well as\b|\bas well\b")


def clause_around(sentence: str, figure: Figure) -> str:
    """The clause that holds a figure: cut at commas, semicolons, dashes and conjunctions. A figure in
    a parenthesis ("(up from 80,000 today)") belongs to the clause before it."""
    before = sentence[: figure.start]
    in_parenthesis = before.rfind("(") > before.rfind(")")
    cuts = list(_CLAUSE_BREAK.finditer(before[: before.rfind("(")] if in_parenthesis else before))
    left = cuts[-1].end() if cuts else 0
    after = sentence[figure.end:]
    nxt = re.search(r"\)", after) if in_parenthesis else _CLAUSE_BREAK.search(after)
    right = figure.end + (nxt.end() if nxt and in_parenthesis else nxt.start() if nxt else len(after))
    return sentence[left:right]


_QUOTED = re.compile(r"“[^”]*”?|\"[^\"]*\"?")


def role_window(sentence: str, figure: Figure, reach: int = 70) -> str:
    """The words around a name that say who the person is ("Cllr Judith Blake, Chair of the ... Board"),
    without what they are quoted as saying: a speaker's words are not a description of the speaker."""
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group()), sentence)
    return unquoted[max(0, figure.start - reach):figure.end + reach]


def title_of(sentence: str, figure: Figure, reach: int = 90) -> str:
    """The title a name carries: the words before it in its clause ("children's minister Claire
    Coutinho") and an apposition after it (", Chair of the Local Government Association's ... Board,").
    Not what follows as the sentence goes on ("MacAlister has warned ministers")."""
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group()), sentence)
    before = unquoted[max(0, figure.start - reach):figure.start]
    segments = re.split(r"[;:.]|\bsaid\b(?!\s*$)", before)[-1].split(",")
    before = segments[-1]
    if len(segments) > 1 and not set(re.findall(r"[a-z]+", before.lower())) & TITLE_NOUNS:
        before = segments[-2] + before  # "Chair of the ... Board, Cllr Anntoinette Bramble"
    after = re.match(r"\s*,([^,;:.]*)", unquoted[figure.end:figure.end + reach])
    return before + " " + (after.group(1) if after else "")


# --- what a figure is of --------------------------------------------------------------------------

# A count compared with the one before it ("100,000 children in care (up from 80,000 today)"): group 1 is
# that one, whose following words say what both count.
_COMPARED = re.compile(r"(\d[\d,.]*(?:\s*(?:million|billion|m|bn|k))?)[^\d]{0,40}?\b(?:(?:up|down|rising|falling)\s+)?"
                       r"from\s*$", re.I)


def counted_text(sentence: str, figure: Figure) -> str:
    """The words after a count, naming what it counts; for a count compared with the one before it, the
    words after that one, which it leaves unsaid."""
    compared = _COMPARED.search(sentence[:figure.start])
    at = compared.end(1) if compared else figure.end
    return sentence[at:at + 40]


@lru_cache(maxsize=20_000)
def counted_words(sentence: str) -> frozenset[str]:
    """What the numbers of a sentence count: the first two content words within 40 characters after each
    ("more than 80 proposals for reform": proposal, reform). Number words count too ("eighty")."""
    folded = normalise(sentence)
    return frozenset(word for m in re.finditer(r"\d[\d,.]*", folded)
                     for word in content_words(folded[m.end():m.end() + 40])[:2])


# A duration that is the period of a sum stated just before it: "£2.6 billion over five years", "£2.6bn of
# new funding over five years".
_SUM_OVER = re.compile(r"[£$€]\s?\d[\d,.]*\s*(?:bn|m|k|billion|million|thousand)?[\s,]+(?:\w+\s+){0,3}"
                       r"(?:over|across|for)\s+(?:the\s+)?(?:next\s+)?$", re.I)


def is_period_of_a_sum(sentence: str, figure: Figure) -> bool:
    return bool(_SUM_OVER.search(sentence[:figure.start]))
