"""Question -> Query, once per question: normalise how it was typed (``qa/normalise.py``), then read what it
asks for: the kind of answer, the weighted terms with their alternatives, the names and measures it is about,
the asked title or period. Retrieval and reading use only the Query this builds.

Young people ask in their own words ("the care review guy", "how much cash", "kids"); the documents use
policy words. A shipped table (qa/data/synonyms.toml) maps one to the other, so both lexical matching
and the embedding see the words the documents use.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from qa.asking import (ASKS_CALENDAR, INSTANCES_ONLY, NAMED_INSTANCES, WHO_IS, asked, asked_category, asked_noun,
                       asking_phrase, last_sentence)
from qa.clauses import (affiliation_of, asks_committed, asks_of_sum, asks_outcome, asks_view, asks_yes_no, each_one,
                        event_of, period_of, purpose_of, said_by, sequel_of, subject_of, without_set_aside)
from qa.figures import people_in
from qa.english import place_names, zipf
from qa.normalise import QuestionNormaliser, Reading, as_read
from qa.query import MEASURE_NOUNS, NEWCOMER_WORDS, ROLE_NOUNS, Demands, Query, Term, Vocabulary
from qa.speakers import SPEECH_VERBS
from qa.text import content_words, normalise, numbers_in, stem, surface_words

SYNONYMS_FILE = Path(__file__).with_name("data") / "synonyms.toml"
# A question word the documents never use, and which is no specific thing, still counts for a little:
# about as much as a word half the passages use, so that one unfamiliar word does not sink the evidence.
UNKNOWN_COMMON_WEIGHT = 1.1
# A noun only, used less often than this in English (wordfreq's Zipf scale: "prescriptions" 3.4, "title"
# 4.9), is a specific thing when the documents never use it.
RARE_NOUN_ZIPF = 4.0
# Known words this common (about a third of the passages or more: "review", "care") say nothing of what a
# question is about: where they are all it has besides a noun no document uses, that noun is its topic.
COMMON_WEIGHT = 1.5

_ASKS_AUTHOR = re.compile(r"\bwho (wrote|authored|reported|penned)\b|\bauthor\b|\bjournalist\b|\breporter\b|\bbyline\b"
                          r"|\bwritten by\b", re.I)
_ASKS_SPEAKER = re.compile(r"\bwho(?:\s+\w+){0,2}?\s+(?:said|says|say|warned|warns|described|describes|"
                           r"claimed|argued|told|added|commented|insisted)\b|\bwhose words\b|\bwho(?:se)? quote", re.I)
# Words spoken anywhere in a who-question ("who was talking about X?", "someone said X, who was that?"): the
# speaker of the quotation that says X answers it, unless the question names a title ("who was the minister
# that talked about the plan?" asks who held it).
_MENTIONS_SAYING = re.compile(rf"\b(?:{SPEECH_VERBS}|say|talk(?:s|ed|ing)?|spoke|speak(?:s|ing)?|mention(?:s|ed|ing)?"
                              r"|quoted?)\b", re.I)
# The words said, given after "said" ("the commissioner that said we owe it to England's children"): whose
# quotation it is answers, among the holders of the title named; "talked about the plan" gives no words.
_QUOTES_WORDS = re.compile(r"\b(?:said|says|say)\s+(?:that\s+)?(?!about\b|of\b|on\b|to\b|something\b|anything\b"
                           r"|stuff\b|this\b|it\b|so\b)\w+", re.I)
_ASKS_HEADLINE = re.compile(r"\b(headlines?|titles?|titled)\b", re.I)
_ASKS_EXACT = re.compile(r"\b(exact|exactly|precise|precisely)\b", re.I)
_ASKS_YEAR = re.compile(r"\b(what|which|in what|since what|since which) year\b|\bwhat year\b|\b(month|day|date),? and (the )?year\b", re.I)
_ASKS_WEEKDAY = re.compile(r"\bday of the week\b|\bweekday\b", re.I)
_ASKS_INCREASE = re.compile(r"\bhow much (more|extra|higher)\b|\bby how much\b", re.I)
YEAR_AFTER = re.compile(r"\b(since|from|in|by|before|after|until)\s+((?:19|20)\d\d)\b", re.I)
# "per child", but not "per the government" (according to it)
PER_UNIT = re.compile(r"\b(each|per(?!\s+(?:the|a|an|their|his|her|its|this|that)\b)|every|apiece|average)\b|\ba (year|month|week|head)\b", re.I)
# "according to the final report", "in the words of the DfE": the source the question names, to its clause end
_ACCORDING_TO = re.compile(r"\b(?:according to|as per|in the words of)\s+[^,?.;!]+", re.I)
SOURCE_WEIGHT = 0.5  # what the source's own words weigh: they say where to look more than what is asked
# A question in the future or a modal ("how many could be in care?") asks what may be: a forecast answers it
_ASKS_FUTURE = re.compile(r"\b(will|would|could|might|may|going to|gonna|forecast\w*|project\w*|predict\w*|expected"
                          r"|future|by (?:19|20)\d\d|next (?:year|decade)|in \w+ years?(?: time)?)\b", re.I)
_ASKS_STOCK = re.compile(r"\b(are there|is there|currently|now|in total|altogether|registered|exist|today)\b", re.I)

# "Who are the <noun phrase>": the phrase read up to its first linking word, so that "who was the chair of
# the board" asks for a chair and "who are the big care companies" for companies.
_WHO_ARE_THE = re.compile(r"^\s*who\s+(?:is|are|was|were)\s+(?:the\s+)?((?:(?!(?:of|for|in|at|on|that|who|which|with)\b)[\w'-]+\s*){1,4})", re.I)


class Understander:
    """Builds the Query for each question, against one index's words.

    >>> understander = Understander.from_documents(index.vocabulary, [d.text for d in index.documents.values()])
    >>> understander.understand("wat r they doin abt foster carers money").question
    'what are they doing about foster carers money'
    """

    def __init__(self, vocabulary: Vocabulary, normaliser: QuestionNormaliser,
                 people: dict[str, frozenset[str]] | None = None, things: frozenset[str] = frozenset(),
                 outlets: frozenset[str] = frozenset()) -> None:
        self.vocabulary = vocabulary
        self.normaliser = normaliser
        self.people = people or {}
        self.things = things
        self.outlets = outlets

    @classmethod
    def from_documents(cls, vocabulary: Vocabulary, texts, outlets=()) -> Understander:
        words, phrases = synonym_table()
        texts = list(texts)
        people: dict[str, set[str]] = {}
        for figure in (f for text in texts for f in people_in(text)):
            parts = figure.text.lower().split()
            for part in parts:
                people.setdefault(part, set()).update(stem(p) for p in parts)
        return cls(vocabulary, QuestionNormaliser.from_texts(texts, words),
                   {word: frozenset(whole) for word, whole in people.items()}, names_of_things(texts),
                   frozenset(o for o in outlets if o))

    def understand(self, question: str) -> Query:
        query = analyse(self.normaliser.normalise(question), self.vocabulary, frozenset(self.normaliser.names),
                        self.people)
        asked = f" {normalise(query.question)} "
        return replace(query, things=tuple(t for t in self.things if f" {t} " in asked),
                       outlets=tuple(sorted(o for o in self.outlets if names_outlet(o, query.original, query.question))))


def names_outlet(outlet: str, *readings: str) -> bool:
    """Whether a question (as typed or as read) names the outlet by its name or by the short name in its
    brackets ("Children & Young People Now (CYP Now)")."""
    asked = f" {' '.join(normalise(r) for r in readings)} ".replace("&", "and")
    names = [normalise(n).replace("&", "and").strip() for n in re.split(r"[()]", outlet)]
    return any(n and re.search(rf"\b{re.escape(n)}\b", asked) for n in names)


# The review, its report and the government's answer to it are what every document is about.
_WHOLE_SUBJECT = frozenset({"review", "report", "strategy"})


def names_of_things(texts: list[str]) -> frozenset[str]:
    """The documents' names of programmes, bodies and plans ("family help", "social workers in schools"),
    normalised, of two words or more; not people's names, nor a name most documents use (what every one is
    about says nothing of which figure is meant)."""
    from qa.figures import named_things_in

    people = {normalise(f.text) for text in texts for f in people_in(text)}
    seen: dict[str, int] = {}
    for text in texts:
        for name in {normalise(f.text).strip(" '") for f in named_things_in(text)}:
            seen[name] = seen.get(name, 0) + 1
    return frozenset(name for name, count in seen.items()
                     if " " in name and name not in people and count <= max(1, len(texts) // 2)
                     and not set(name.split()) & _WHOLE_SUBJECT)


def analyse(reading: Reading | str, vocabulary: Vocabulary, names: frozenset[str] = frozenset(),
            people: dict[str, frozenset[str]] | None = None) -> Query:
    """The Query of a question as read, ``names`` the words the documents write as names, ``people`` each
    word of a person's name with the (stemmed) words of their whole name. A plain string is taken as
    already normalised."""
    if isinstance(reading, str):
        reading = Reading(reading, reading)
    question = spoken_digits(reading.text)
    asked_about = without_set_aside(question)
    rewritten, matched = rewrite(asked_about)
    surfaces = {stem(w): w for w in surface_words(asked_about)}
    # "within what timescale", "the byline": words that say what kind of answer is wanted name no thing
    author_cue = _ASKS_AUTHOR.search(question)
    asking = {stem(w) for w in re.findall(r"[a-z]+", f"{asking_phrase(question)} {author_cue and author_cue.group(0)}".lower())}
    alternatives: dict[str, set[str]] = {word: {word} for word in surfaces}
    parts: dict[str, set[str]] = {}
    for phrase, replacements in matched:
        replacement_words = {w for r in replacements for w in content_words(r)}
        for word in content_words(phrase):
            if not replacement_words:  # filler such as "guy" or "thing": nothing to look for
                alternatives.pop(word, None)
            elif word in alternatives:
                alternatives[word] |= replacement_words
                parts.setdefault(word, set()).update(
                    w for r in replacements if len(content_words(r)) > 1 for w in content_words(r))
    terms = []
    for word, alts in alternatives.items():
        if not any(vocabulary.knows(a) for a in alts):
            # "moral" and "financial" where the documents write "morally urgent and financially unavoidable"
            alts = alts | {form for form in adverb_and_adjective(word) if vocabulary.knows(form)}
        known = [a for a in alts if vocabulary.knows(a)]
        surface = surfaces.get(word, word)
        # A year no document gives ("after the election in 2024") is a time they do not cover; other
        # numbers are the asker's own (a sum, an age) and never count against the documents.
        year = bool(re.fullmatch(r"(19|20)\d\d", word)
                    and re.search(rf"(?<![£$€\d,.]){word}(?![\d,.]\d)", question))  # "in 2024", not "£2000"
        is_known = bool(known) or (any(ch.isdigit() for ch in word) and not year)
        specific = not is_known and (year or (is_specific(surface, question) and word not in asking))
        if known:
            weight = max(vocabulary.idf(a) for a in known)
        else:
            weight = vocabulary.idf(word) if specific or is_known else UNKNOWN_COMMON_WEIGHT
        terms.append(Term(word, frozenset(alts), weight, surface, is_known, specific,
                          frozenset(alts & parts.get(word, set()) - {word})))
    source = _ACCORDING_TO.search(question)
    if source:  # "according to the final report": where to look, which says less of what is asked
        elsewhere = set(content_words(f"{question[:source.start()]} {question[source.end():]}"))
        terms = [replace(t, weight=t.weight * SOURCE_WEIGHT)
                 if t.word in set(content_words(source.group(0))) - elsewhere else t for t in terms]
    if all(t.weight < COMMON_WEIGHT for t in terms if t.known):
        # "what did the review say about adoption": nothing the question asks about is in the documents
        terms = [replace(t, specific=True) if not t.known and is_noun(t.surface) and t.word not in asking else t
                 for t in terms]
    kind, explicit = asked(question)
    last = last_sentence(question)
    who_are = _WHO_ARE_THE.match(last) if kind == "person" else None
    # "Who are the big care companies?", "which fifteen providers ...?": their names, or that none are given.
    # ("who was the council leader?" still asks for a person: a council's name answers only "which council".)
    wants_names = bool(who_are and asked_category(who_are.group(1)) not in INSTANCES_ONLY | {frozenset()}) or (
        kind == "name" and explicit and asked_category(rewritten) in NAMED_INSTANCES)
    if wants_names:
        kind = "name"
    profile = WHO_IS.match(last) if kind == "profile" else None
    noun = asked_noun(rewrite(last)[0]) if kind == "name" else ""  # read in the documents' words
    query = Query(
        question=question, kind=kind, terms=tuple(terms), rewritten=rewritten,
        wants_figure=explicit and kind in ("age", "percent", "duration", "date", "count", "place", "money")
        or wants_names,
        category_noun=noun, explicit=explicit,
        asks_author=kind == "person" and bool(_ASKS_AUTHOR.search(question)),
        asks_speaker=kind == "person" and bool(_ASKS_SPEAKER.search(question)),
        asks_headline=bool(_ASKS_HEADLINE.search(question)),
        profile_of=profile.group(1) if profile else "", original=reading.original, changes=reading.changes,
        nothing_asked=reading.nothing_asked,
        event=event_of(question, terms), **said_by(question, terms, names, people or {}), subject=subject_of(last, terms),
        yes_no=asks_yes_no(last), asks_of_sum=asks_of_sum(question),
        asks_outcome=asks_outcome(last), asks_view=asks_view(question),
        sequel=sequel_of(question, terms, people or {}) if kind in ("general", "profile", "person") else "",
        titles=asked_titles(kind, terms, question),
    )
    if (kind == "person" or query.category) and not query.asks_speaker and _MENTIONS_SAYING.search(question) \
            and (not query.titles or _QUOTES_WORDS.search(question)):
        query = replace(query, asks_speaker=True)  # "which charity was talking about X?": whose words say X
    return _with_demands(query)


_ASKS_PAST = re.compile(r"\bwhen (?:did|was|were|had|has|have)\b|\bwhat (?:day|date|month|year) (?:did|was|were)\b"
                        r"|\bwhat (?:was|were) the (?:\w+ )?(?:deadline|date|day|month|year)s?\b", re.I)
_FUTURE = re.compile(r"\b(?:would|will|going to|gonna|shall)\b|'d\b", re.I)


def asked_titles(kind: str, terms: list[Term], question: str) -> frozenset[str]:
    """The titles a who-question names ("minister", "chair"). A title in the plural names no one person: in
    "who warned ministers ..." the ministers are who was spoken to; but "who chairs" is a verb."""
    if kind != "person":
        return frozenset()
    return frozenset(t.word for t in terms if t.word in ROLE_NOUNS and (
        not t.surface.lower().endswith("s") or re.search(rf"\bwho\s+{re.escape(t.surface)}\b", question, re.I)))


def _with_demands(query: Query) -> Query:
    question = query.question
    question_words = set(re.findall(r"[a-z]+", question.lower()))
    counted = _counted_noun(query) if query.kind == "count" else None
    titles = query.titles
    demands = Demands(
        given=frozenset(numbers_in(question)),
        year=query.kind == "date" and bool(_ASKS_YEAR.search(question)),
        weekday=query.kind == "date" and bool(_ASKS_WEEKDAY.search(question)),
        calendar=query.kind == "date" and bool(ASKS_CALENDAR.search(question)),
        measures=tuple(t.alternatives & MEASURE_NOUNS for t in query.terms
                       if t.alternatives & MEASURE_NOUNS and not _used_as_verb(t.surface or t.word, question)),
        counted=frozenset(counted) if counted else None,
        per_unit=bool(PER_UNIT.search(question)),
        period=period_of(question),
        exact=bool(_ASKS_EXACT.search(question)),
        stock=bool(_ASKS_STOCK.search(question)) and not NEWCOMER_WORDS & question_words,
        future=bool(_ASKS_FUTURE.search(question)),
        increase=query.kind == "money" and bool(_ASKS_INCREASE.search(question)),
        roles=tuple(frozenset({t.word} | t.alternatives & ROLE_NOUNS | t.alternatives & {"led", "lead"})
                    for t in query.terms if t.word in titles),
        purpose=purpose_of(query),
        committed=query.kind == "money" and asks_committed(question),
        years=tuple((p.lower(), year) for p, year in YEAR_AFTER.findall(question)),
        each_one=each_one(question, query.terms) if query.kind == "money" else frozenset(),
        affiliation=affiliation_of(question, query.terms) if query.kind == "person" else (),
        # "when did Zahawi say he'd set out his plans?" asks when the plans would come, not when he spoke
        past=query.kind == "date" and bool(_ASKS_PAST.search(question)) and not _FUTURE.search(question),
    )
    return replace(query, demands=demands)


# "what would it cost", "how much will they pay": the word says what is asked (an amount), not which one.
_VERB_BEFORE = r"(?:would|will|could|can|might|may|should|does|do|did|to|it|they|this|that)"


def _used_as_verb(word: str, question: str) -> bool:
    return bool(re.search(rf"\b{_VERB_BEFORE}\s+{re.escape(word)}\b", question, re.I))


def _counted_noun(query: Query) -> set[str] | None:
    """The stemmed noun after "how many" or "what is the number of" (with its alternatives), e.g.
    {"child", "children"} for "kids"; "above what number ... the number of children" counts no children."""
    m = re.search(r"\b(?:how many|(?:what|give|state)(?: is| was| are| were)? the (?:total |overall |current )?number of)\s+(?:more\s+|new\s+|extra\s+|of (?:the|them|those|these)\s+)?([a-z'-]+)", query.question, re.I)
    if not m:
        return None
    word = content_words(m.group(1))
    term = next((t for t in query.terms if word and t.word == word[0]), None)
    return set(term.alternatives) if term else None


def adverb_and_adjective(word: str) -> set[str]:
    """The adverb of an adjective ending as most do ("moral" -> "morally", "urgent" -> "urgently"), or the
    adjective of such an adverb; "family" and "early" are no adverbs of "fami" or "ear"."""
    if word.endswith("ly") and word[:-2].endswith(_ADVERB_BASES):
        return {word[:-2]}
    return {word + "ly"} if word.endswith(_ADVERB_BASES) else set()


_ADVERB_BASES = ("al", "ent", "ant", "ive", "ous", "ful", "less", "ic", "ate")


def is_specific(word: str, question: str) -> bool:
    """A word the documents lack names a specific thing, so that they cannot answer: a proper name (written
    with a capital inside the question, or unknown to an English lexicon: "Scotland", "Ofsted") or a rare
    noun ("orthodontist"). Common words ("title", "happens"), and tokens that are no word at all (an
    uncorrectable typo), never make the documents unable to answer."""
    from lemminflect import getAllLemmas

    frequency = zipf(word)
    if frequency < 1.0:
        return False
    capitalised_inside = re.search(rf"(?<=\w)[\s,]+{re.escape(word.capitalize())}\b", question)
    lemmas = getAllLemmas(word)
    # A thing, not "envisage" or "dire"; but not the kind of thing a which-question asks the answer to
    # name ("which regulator's report", "which LGA councillor"): the documents may name one without the word.
    asked_for = re.search(rf"\bwhich\s+(?:[\w'’-]+\s+)?{re.escape(word)}\b", question, re.I)
    rare_noun = frequency < RARE_NOUN_ZIPF and set(lemmas) == {"NOUN"} and not asked_for
    # Which title it is: "the prime minister", "the health secretary" are people the documents never name.
    names_a_title = re.search(rf"\b{re.escape(word)}\s+({'|'.join(ROLE_NOUNS)})s?\b", question, re.I)
    return bool(capitalised_inside) or not lemmas or rare_noun or bool(names_a_title) or names_a_place(word)


def is_noun(word: str) -> bool:
    """An English noun ("adoption"), not a token no lexicon knows (an uncorrectable typo) nor a filler."""
    from lemminflect import getAllLemmas

    return zipf(word) >= 1.0 and set(getAllLemmas(word)) == {"NOUN"}


def names_a_place(word: str) -> bool:
    """A country or a UK nation, region or council area typed in lower case ("wales", "kent"), unless
    the word is also an English word of its own ("bath", "turkey") or a form of a far commoner one
    ("reading" of "read"); "wales" is a form of the rare "wale", so it is a place."""
    from lemminflect import getAllLemmas

    if word.lower() not in place_names():
        return False
    lemmas = {lemma for forms in getAllLemmas(word.lower()).values() for lemma in forms}
    return all(lemma != word.lower() and zipf(lemma) < zipf(word) - 1.0 for lemma in lemmas)


@lru_cache(maxsize=1)
def synonym_table() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    data = tomllib.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    phrases = data.get("phrases", {})
    return data.get("words", {}), {**phrases, **{as_read(k): v for k, v in phrases.items() if as_read(k) not in phrases}}


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


# A digit typed for a word ("want the govt 2 spend", "acording 2 the report", "4 me"): it counts nothing when
# what follows is no counted thing (a plural noun, a unit, a scale), so it is read as "to" or "for".
_LONE_DIGIT = re.compile(r"(?<=[a-z] )([24]) ([a-z]+)(?: ([a-z]+))?", re.I)
_COUNT_FOLLOWERS = frozenset("""million billion thousand hundred k m bn year month week day hour minute percent per
    of or and to more times x""".split())
_NOT_PLURAL = frozenset("this is was has us his its as does yes".split())


def spoken_digits(question: str) -> str:
    """The question with each "2" or "4" that stands for "to" or "for" written as the word; every other
    number stays as typed."""
    from lemminflect import getAllLemmas

    def counts(word: str) -> bool:
        lower = word.lower()
        plural = lower.endswith("s") and not lower.endswith("ss") and lower not in _NOT_PLURAL
        return lower in _COUNT_FOLLOWERS or plural

    def read(m: re.Match) -> str:
        digit, word, after = m.group(1), m.group(2), m.group(3)
        adjective = set(getAllLemmas(word.lower())) == {"ADJ"}
        if counts(word) or (adjective and after and counts(after)):  # "2 areas", "2 new areas"
            return m.group(0)
        return f"{'to' if digit == '2' else 'for'} {word}" + (f" {after}" if after else "")
    return _LONE_DIGIT.sub(read, question)
