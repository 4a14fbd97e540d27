"""What a question asks for, read from its wording: the kind of answer (an amount, a date, a person, a
name...), whether a question phrase asks for it or a topic word only hints, and for a name, the noun it is
asked by ("which board") and the head words such a name ends with."""

from __future__ import annotations

import re

from qa.text import normalise, stem

# Things only a name of their own answers: "which council is she from?" is not answered by the board
# she chairs, "which city?" by no name at all.
_INSTANCES = ("council", "school", "university", "college", "hospital", "party", "city", "town", "county",
              "country", "village", "constituency")

# After a noun that heads its phrase comes a function word or the end, not another noun ("which school
# outcomes" asks for outcomes).
_HEAD_ENDS = (r"\s+(?:is|was|are|were|did|does|do|has|had|would|will|could|can|should|of|in|at|for|from|on|that"
              r"|which|who|they|he|she|it|i|you|we|my|your|his|her|their|the|a|an)\b|\s*[?.!,]|\s*$")

# A day, month or year asked for ("what exact date", "the launch date"): no time limit answers these.
_CALENDAR = r"(?:(?:exact|precise|specific|calendar) )?(?:year|date|month|day)"
_NAMED_DATE = r"(?:publication|launch|release|closing|start|end) date"
ASKS_CALENDAR = re.compile(rf"\b(?:what|which|the)\s+{_CALENDAR}\b|\b{_NAMED_DATE}\b", re.I)

_ASKS = (
    ("age", re.compile(r"\bhow old\b|\b(at )?what age\b|\bwhat (is|was) the (\w+ )?age\b", re.I)),
    ("percent", re.compile(r"\b(?:what|which) (\w+ )?(?:margin|rate|proportion|fraction|share of)\b(?!.*\b(?:allowance|pay|paid|salary|wage|fee)s?\b)|\b(?:percent|per cent|percentage)|%|\bhow much\b.*\b(grow|grew|grown|risen|increased|expanded|bigger)\b|\bby how much\b"
                 r"|\bnumber of\b.*\b(?:gone|go|going|went) (?:up|down)\b|\bnumber of\b.*\b(?:grow|grew|grown|risen|rose|fallen|fell|dropped|increased|decreased)\b", re.I)),
    ("duration", re.compile(r"\bhow long\b|\bover how many (years|months)\b|\b(?:over|within|in) what (period|time|timeframe|timescale|time frame|time scale|time limit)\b|\bhow many (years|months)\b|\bwhat (timeframe|timescale|time frame|time scale|time limit|period)\b|\bhow soon\b", re.I)),
    ("date", re.compile(rf"\b{_NAMED_DATE}\b|\bthe date\b|\bdeadline\b|\bwhen\b|\bwhat {_CALENDAR}\b|\bwhich (?:{_CALENDAR}|financial year)\b|\bsince when\b|\bsince what year\b|\bby when\b", re.I)),
    ("count", re.compile(r"\bhow many\b|\bnumber of\b|\bhow big\b", re.I)),
    ("money", re.compile(r"\bhow much\b|\bwhat ((?:exact|precise|specific|total|overall) )?(sum|amount|budget)\b|\bwhat (total |annual |yearly )?(investment|funding)\b"
                         r"|\bwhat (is|was|are|were|will|would)( be)? the ((?!(?:of|for|to|on|in)\b)[\w-]+ ){0,4}(cost|price|budget|salary|wage|revenue|allowance|fee|pay|value|worth)s?\b"
                         r"|\bwhat (is|was|are|were|will|would) (\w+ ){1,3}(paid|earn|earned|earning)\b"
                         r"|\bwhat\b.*\b(would|will|could|did|does|it) cost\b"
                         # "what did the review estimate the running cost would be?": what the amount is
                         r"|\bwhat\b.*\bthe ((?!(?:of|for|to|on|in)\b)[\w-]+ ){0,4}(cost|price|budget|salary|wage|fee|allowance)s?\b"
                         r".*(?:\b(?:would|will|could) be\b|\b(?:is|was|are|were)\W*$)", re.I)),
    ("person", re.compile(r"\bwho\b|\bwhose\b|\bwhich ([\w'’-]+ )?(minister|person|secretary|official|commissioner|councillor|journalist|reporter|writer|author)\b|\bbyline\b"
                          # "which LGA Children and Young People Board chair responded?": the title's holder
                          r"|^\s*which ((?!(?:does|did|do|is|was|are|were|has|had|will|would)\b)[\w'’-]+ ){0,6}?"
                          r"(chair|chairman|chairwoman|president|chief executive|director)"
                          r"(?=\s+(?:\w+ed|said|says|is|was|did|does|spoke|told|wrote)\b|\W*$)"
                          r"|\b(?:what(?: is|['’]?s) the )?name (of )?the (person|minister|man|woman)\b", re.I)),
    ("place", re.compile(r"\b(which|what are the) (\w+ )?(local )?(areas|places|local authorities|authorities|councils|regions|towns|cities|counties)\b|\bwhere (exactly )?(are|is) (the|they)\b.*\b(areas|hubs|pilots?)\b", re.I)),
    ("name", re.compile(r"\bcalled\b|\bname of\b|\bname the\b|\bwhat is the name\b|\bstand for\b|\bwhich part of\b|\bwhich ([\w-]+ ){0,2}(act|law|group|body|department|organisation|association|charity|newspaper|paper|programmes?|schemes?|strategy|board|framework|service|compan(y|ies)|providers?|firms?|businesses)\b|\bwhat ((is|are|was|were) the )?((?!(?:does|did|do|is|was|are|were|has|had|will|would|could|can|should)\b)[\w-]+ ){0,2}(law|act|charity|group|newspaper|body|strategy|service|schemes?|programmes?)\b"
                         rf"|\b(which|what) (\w+ )?({'|'.join(_INSTANCES)})(?={_HEAD_ENDS})", re.I)),
)
# Topic words that hint at a kind when no question phrase names one ("is the funding enough?").
_TOPICS = (
    ("money", re.compile(r"\b(cost|costs|costing|money|cash|funding|budget|spend|spending|spent|price|pounds|quid|worth)\b", re.I)),
)
# "who is Josh MacAlister?", also with a word of emphasis ("who even is ...") and an afterthought that
# starts with "like" ("... like what did he do before all this"): what the documents say the person is.
WHO_IS = re.compile(r"\s*who(?:\s+(?:even|exactly|actually|really))?(?: is| was)\s+"
                    r"(?!the\b|a\b|an\b|in\b|on\b|at\b|behind\b)(\w+(?:\s+\w+)?)(?:\W*$|\W+like\b)", re.I)

# What a name asked for is a name of: "which body ...?" is answered by a "... Board" or an "... Association".
BODY_HEADS = frozenset({"board", "group", "association", "authority", "department", "society", "cooperative", "body",
                     "council", "commission", "agency", "service", "trust", "charity"})
_SCHEMES = frozenset({"programme", "scheme", "pilot", "service", "project", "initiative"})
_PLANS = frozenset({"strategy", "plan", "framework", "paper"})
# A place: a name ending in one of these, or one of pycountry's place names (``names_a_place``).
PLACES = frozenset({"city", "town", "county", "borough", "village", "shire"})
COMPANIES = frozenset({"ltd", "limited", "plc", "group", "company", "partnership", "care", "services", "homes"})
CATEGORY_HEADS = {
    "body": BODY_HEADS, "organisation": BODY_HEADS, "organization": BODY_HEADS, "group": BODY_HEADS,
    "board": frozenset({"board"}), "department": frozenset({"department"}), "charity": BODY_HEADS,
    "scheme": _SCHEMES, "programme": _SCHEMES, "program": _SCHEMES, "service": _SCHEMES,
    "strategy": _PLANS, "plan": _PLANS, "framework": _PLANS, "response": _PLANS, "document": _PLANS | {"report"},
    "law": frozenset({"act"}), "act": frozenset({"act"}), "legislation": frozenset({"act"}),
    "company": COMPANIES, "provider": COMPANIES, "firm": COMPANIES, "business": COMPANIES,
    "council": frozenset({"council", "borough"}), "school": frozenset({"school", "academy", "college"}),
    "university": frozenset({"university", "college"}), "college": frozenset({"college"}),
    "hospital": frozenset({"hospital"}), "party": frozenset({"party"}),
    **{place: PLACES for place in ("city", "town", "county", "country", "village", "constituency")},
}
# Categories whose answer must be a name of that category: a company, a council, a school, a place.
NAMED_INSTANCES = frozenset({COMPANIES, PLACES} | {CATEGORY_HEADS[i] for i in ("council", "school", "university",
                                                                                "college", "hospital", "party")})
INSTANCES_ONLY = NAMED_INSTANCES - {COMPANIES}


_ASKING = re.compile(r"\s*(?:what|which|who|whose|when|where|why|how|is|are|was|were|did|does|do|has|have|had|will"
                     r"|would|could|can|should)(?:['’]?s)?\b", re.I)


def last_sentence(question: str) -> str:
    """Of several sentences the last that asks: "did they get care leavers to help? whats that group
    called"; but "how much did josh want?? like for real" asks in its first."""
    sentences = re.split(r"(?<=[?!.])\s+(?=\S)", question.strip())
    return next((s for s in reversed(sentences) if _ASKING.match(s)), sentences[-1])


def asked_kind(question: str) -> str:
    """What the answer must contain: age, percent, duration, date, count, money, person, place, name, a
    profile (what a named person is), or general."""
    return asked(question)[0]


def asked(question: str) -> tuple[str, bool]:
    """The kind, and whether a question phrase asks for it ("how much ...?") rather than a topic word hinting.

    The main clause decides, earliest phrase first: "Who was minister when the report came out?" asks
    for a person, "What was his job, as noted when the review began?" for neither a person nor a date.
    """
    kind, explicit, _ = _asking(question)
    return kind, explicit


def asking_phrase(question: str) -> str:
    """The question phrase that asks for the kind ("within what timescale", "which journalist"): its words
    say what kind of answer is wanted, not what the answer is about."""
    return _asking(question)[2]


def _asking(question: str) -> tuple[str, bool, str]:
    question = last_sentence(question)
    if WHO_IS.match(question):
        return "profile", True, ""  # "who is Josh MacAlister?" asks what the documents say he is
    if re.search(r"\bcalled\W*$", question, re.I):
        return "name", True, "called"  # "what is the governments plan after the review called"
    if re.match(r"\s*how (does|did|do|would|is|was)\b.*\b(describe|characteri[sz]e|portray|put it)\b", question, re.I):
        return "general", True, ""  # "how does the report describe the number of children in care?": in words
    head = re.split(r"(?<=\S)\s+(?:when|while|after|as noted)\s|,\s*as\s", question, maxsplit=1, flags=re.I)[0]
    for text in (head, question):
        found = [(m.start(), order, kind, m.group(0)) for order, (kind, pattern) in enumerate(_ASKS)
                 for m in [pattern.search(text)] if m]
        if found:
            _, _, kind, phrase = min(found)
            return kind, True, phrase
        if re.match(r"\s*(what|which|why|how|where|is|are|did|does|do|would|could|can)\b", text, re.I):
            break
    for kind, pattern in _TOPICS:
        if pattern.search(question):
            return kind, False, ""
    return "general", False, ""


def asked_category(question: str) -> frozenset[str]:
    """Head words the name asked for may end with (or be followed by), from the question's noun for it."""
    noun = asked_noun(question)
    return CATEGORY_HEADS.get(noun, frozenset())


def asked_noun(question: str) -> str:
    """The question's noun for the thing whose name it asks ("group" in "what was the group called?"), before
    what it is called and what is said of it: "the new thing called that is meant to stop companies ..."
    asks no company's name."""
    named = re.split(r"\bcalled\b|\b(?:that|which|who)\s+(?:is|was|are|were|will|would|has|had|did|does)\b",
                     normalise(question), maxsplit=1)[0]
    # the noun a "which" asks by comes first: "besides Social Workers in Schools, which programme ...?"
    asked_by = re.search(r"\b(?:which|what)\s+((?:[a-z]+\s+){0,2}[a-z]+)", named)
    for word in re.findall(r"[a-z]+(?:-[a-z]+)*", f"{asked_by.group(1) if asked_by else ''} {named}"):  # "school-based" is no head noun
        for form in (stem(word), word):
            if form in CATEGORY_HEADS:
                return form
    return ""
