"""Sentence spans, word tokens, figures and the normalisation shared by answering and evaluation."""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from qa.schema import Span

# --- sentences -----------------------------------------------------------------------------------

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "cllr", "no", "vs", "etc", "e.g", "i.e", "p", "pp"}
_SENTENCE_END = re.compile(r"[.!?]+[”\"’')\]]*\s+(?=[“\"‘'(\[£$€A-Z0-9•])")
_LEADING_JUNK = re.compile(r"^[\s•·\-–*]+")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of ``text[start:end]`` as absolute offsets, whitespace and bullets trimmed.

    Line breaks always end a sentence (headings, bullets and bylines stand alone in web text).
    """
    end = len(text) if end is None else end
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start = start + line.start()
        piece = line.group()
        cut = 0
        for m in _SENTENCE_END.finditer(piece):
            word = re.search(r"([\w.]+)[.!?]*[”\"’')\]]*\s+$", piece[cut:m.end()])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
            _add_trimmed(spans, text, line_start + cut, line_start + m.end())
            cut = m.end()
        _add_trimmed(spans, text, line_start + cut, line_start + len(piece))
    return spans


def sentence_before(text: str, start: int, reach: int = 600) -> str:
    """The sentence ending before ``start`` (within ``reach`` characters), or "" at a document's start."""
    before = sentence_spans(text, max(0, start - reach), start)
    return text[before[-1].start:before[-1].end] if before else ""


def _add_trimmed(spans: list[Span], text: str, a: int, b: int) -> None:
    lead = _LEADING_JUNK.match(text, a, b)
    if lead:
        a = lead.end()
    while b > a and text[b - 1].isspace():
        b -= 1
    if b - a >= 2 and re.search(r"\w", text[a:b]):
        spans.append(Span(a, b))


# --- words ---------------------------------------------------------------------------------------

# Function words, and (the last lines) question words: they shape what is asked, not what the answer is
# about, so they are not searched for.
STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be been being but by can could did do does
    doing down during each few for from further had has have having he her here hers him his how i if in into is
    it its itself just me more most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours yeah
    gonna wanna whats hows im ive dont doesnt didnt lot lots thing things stuff like get got going really much
    many tell told say said says know anyone someone anything something everything anybody somebody everybody
    guy guys people getting gets whos theres thats
    actually exactly approximately roughly around anymore already ever kind type sort name named called
    describe described describes characterise characterised according coverage quoted quote cited cite
    mention mentioned mentions propose proposed proposes suggest total sum amount value figure number
    period timeframe percentage date day time size large big much give find among talk talked
    organisation organization body group person one used""".split()
)
# A decimal is one word: "2.6" in "£2.6bn" is one figure, not the numbers 2 and 6.
_WORD = re.compile(r"\d+\.\d+%?|[a-z0-9%]+(?:['’][a-z]+)?")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The verb a regular inflected form is of, by lemminflect's dictionary ('moved', 'moving', 'moves' ->
    'move'), else a light stem: enough to meet 'carers'/'carer', 'funding'/'funded', 'hubs'/'hub'. Stripping
    suffixes alone made 'moved' 'mov' but 'move' 'move', so the two never met. Irregular forms ('led',
    'said') stay apart from their verb, as everyday words ("say") are weaker evidence than their forms."""
    from lemminflect import getAllLemmas

    word = word.replace("’", "'").split("'")[0]
    verb = next(iter(getAllLemmas(word).get("VERB", ())), "")
    if verb == word or (verb and word in _regular_forms(verb)):
        return verb  # a verb's base form is its own stem too: "exceed", not "exce", as "exceeded" gives
    return _light_stem(word)


def _regular_forms(verb: str) -> set[str]:
    """'move': moves, moved, moving; 'stop': stopped, stopping; 'carry': carries, carried."""
    forms = {verb + ending for ending in ("s", "es", "d", "ed", "ing")}
    forms |= {verb[:-1] + ending for ending in ("ing", "ies", "ied")}
    return forms | {verb + verb[-1] + ending for ending in ("ed", "ing")}


def _light_stem(word: str) -> str:
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not word.endswith(("ss", "us", "is")):
            word = word[: -len(suffix)] + repl
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]  # "getting" -> "gett" -> "get"
            return word
    return word


def content_words(text: str) -> list[str]:
    """Lower-cased, stemmed words without stopwords; the tokens of BM25 and of lexical overlap."""
    return list(_content_words(text))


@lru_cache(maxsize=50_000)
def _content_words(text: str) -> tuple[str, ...]:
    # Answering a question reads the same retrieved sentences several times over (scoring, candidate
    # rules); without this cache, tokenising them was half the time of a warm question.
    return tuple(stem(w) for w in surface_words(text))


def surface_words(text: str) -> list[str]:
    """Lower-cased words without stopwords, as written (``content_words`` stems these)."""
    words = (re.sub(r"'s$", "", w).replace("'", "") for w in _WORD.findall(normalise(text)))
    return [w for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


# --- normalisation -------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
NUMBER_WORDS = list(_TENS) + list(_UNITS)
# "one" is left alone: "no one", "one of the", "once-in-a-generation" are not figures.
_NUMBER_WORD = re.compile(
    r"\b(?:(?P<tens>" + "|".join(_TENS) + r")(?:[\s-](?P<unit>" + "|".join(_UNITS) + r"))?"
    r"|(?P<single>" + "|".join(_UNITS) + r"))(?:(?<=teen)s)?\b"  # "under-sixteens" are under 16
)
# A scale typed short ("£2.6bn", "45 mil", "30 grand"): one table for figures and for questions as typed.
SCALES = {"bn": "billion", "bil": "billion", "bill": "billion", "b": "billion", "m": "million", "mn": "million",
          "mil": "million", "mill": "million", "mils": "million", "k": "thousand", "grand": "thousand"}


def _number_word(m: re.Match) -> str:
    if m.group("single"):
        return str(_UNITS[m.group("single")])
    return str(_TENS[m.group("tens")] + (_UNITS[m.group("unit")] if m.group("unit") else 0))


def normalise(text: str) -> str:
    """Fold the forms one figure takes: '£2.6bn' == '£2.6 billion', '30,000' == '30000', 'five' == '5'.

    Lower case, straight quotes, collapsed whitespace. Used on both sides of every comparison.
    """
    text = text.lower()
    text = text.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "}))
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"(?<=\w)£", " £", text)
    text = re.sub(r"(\d(?:\.\d+)?)\s?(bn|bil|mn|mil|b|m|k)\b", lambda m: f"{m.group(1)} {SCALES[m.group(2)]}", text)
    text = _NUMBER_WORD.sub(_number_word, text)
    # "30k" and "30 thousand" are the documents' "30,000"
    text = re.sub(r"\b(\d+(?:\.\d+)?) thousand\b", lambda m: format(float(m.group(1)) * 1000, ".15g"), text)
    text = re.sub(r"(\d)\s?(?:per cent|percent)\b", r"\1%", text)
    return re.sub(r"\s+", " ", text).strip()


# --- numbers -------------------------------------------------------------------------------------


def numbers_in(text: str) -> list[str]:
    """The numeric values a text states, normalised ('£2.6bn' -> '2.6', 'five' -> '5')."""
    return re.findall(r"\d+(?:\.\d+)?", normalise(re.sub(r"\[\d+\]", " ", text)))


# A figure as stated: its number, with the currency before it and the scale or percent sign after it.
_FIGURE_TOKEN = re.compile(r"([£$€])?\s?(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])(\s(?:billion|million|thousand)\b|%)?")


def _figure_tokens(text: str) -> list[tuple[str, str, str]]:
    folded = normalise(re.sub(r"\[\d+\]", " ", text))
    return [(currency, number, scale.strip()) for currency, number, scale in _FIGURE_TOKEN.findall(folded)]


def unsupported_numbers(answer: str, quotes: list[str]) -> list[str]:
    """Figures in ``answer`` that none of ``quotes`` states: the same number, and the same currency and scale
    or percent sign where the answer gives one ("£2.6 million" is not "£2.6 billion"; "2.6%" is neither).
    Each must be empty for a trustworthy answer."""
    supported = [token for quote in quotes for token in _figure_tokens(quote)]
    missing = []
    for currency, number, scale in _figure_tokens(answer):
        if not any(n == number and (not currency or c == currency) and (not scale or s == scale)
                   for c, n, s in supported):
            missing.append(f"{currency}{number}{scale if scale == '%' else (' ' + scale if scale else '')}")
    return missing


def month_and_year(iso_date: str) -> str:
    """ "February 2023" for "2023-02-02"; empty for a date not given in full."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso_date):
        return ""
    return datetime.date.fromisoformat(iso_date).strftime("%B %Y")
