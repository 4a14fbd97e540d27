"""Whether a figure gives what the question demands of it (``Query.demands``): the rules that turn away a
figure of the asked kind that stands near the question's words but is the answer to another question.
"""

from __future__ import annotations

import re

from qa.clauses import period_of
from qa.figures import APPROXIMATE, PROMISED_DATE, QUALIFIER, Figure, counted_text, is_period_of_a_sum
from qa.query import NEWCOMER_WORDS, PROPOSES, Query
from qa.text import content_words, stem
from qa.understand import PER_UNIT, YEAR_AFTER

# What a sentence says a count will be, not what it is: "it is forecast that there will be approaching
# 100,000"; read from where the figure's own words start (after a bracket, a comma or another figure).
_FORECAST = re.compile(r"\b(will|forecasts?|forecasted|projected|predicted|expected to|next (?:year|decade))\b", re.I)
_LEAD_IN = re.compile(r"[(),;:–—]|\d")
_INCREASE = re.compile(r"\b(increase[sd]?|rise|rising|more|extra|additional|further|boost|uplift|higher)\b", re.I)
_EACH = re.compile(r"\b(?:per|each|every|a|an|one)\s+([a-z]+)", re.I)  # "per child": what a sum is for one of
_TIME_LIMIT = re.compile(rf"{PROMISED_DATE}|within\s.+", re.I)


def meets_demands(query: Query, sentence: str, figure: Figure, clause_text: str) -> bool:
    """Whether ``figure``, standing in ``sentence`` within the clause ``clause_text``, is of what the
    question asks: the amount, the thing counted, the period, the time it names."""
    demands = query.demands
    clause = set(content_words(clause_text))
    counted = demands.counted
    if any(not m & clause for m in demands.measures):
        return False  # the question names an amount (a salary, a tax) this figure is not about
    if counted and not counted & set(content_words(counted_text(sentence, figure))[:2]):
        return False  # "how many social workers" is not answered by "hundreds of schools"
    following = re.findall(r"[a-z]+", sentence[figure.end:figure.end + 40].lower())[:3]
    if counted and demands.stock and NEWCOMER_WORDS & set(following):
        return False  # "how many foster carers are there?" is not answered by "thousands of new foster carers"
    if counted and not demands.future and _FORECAST.search(_LEAD_IN.split(sentence[:figure.start])[-1]):
        return False  # "how many are in care?" is not answered by "there will be approaching 100,000"
    beside = " ".join(sentence[:figure.start].split()[-3:] + sentence[figure.end:].split()[:1])
    if demands.increase and not _INCREASE.search(beside):
        return False  # "how much more are they getting?" asks for a rise, not "£25m for their recruitment"
    if demands.exact and (APPROXIMATE.search(figure.text) or QUALIFIER.search(sentence[:figure.start])):
        return False  # "the exact number" is not given by "thousands" or "more than 80"
    if demands.per_unit and not PER_UNIT.search(clause_text):
        return False  # "how much does each area get" is not answered by the size of a shared pot
    if (demands.past or demands.calendar) and _TIME_LIMIT.fullmatch(figure.text):
        # "when did they reply?" is not answered by what they will do "later this year", nor "what date?"
        # by "within a decade"
        return False
    if demands.each_one and not {stem(w) for w in _EACH.findall(clause_text)} & demands.each_one:
        return False  # "how much for one kid in a home?" is not answered by what the whole system costs
    if figure.kind == "duration" and is_period_of_a_sum(sentence, figure) and not query.asks_of_sum:
        return False  # "how long did he spend on the review?" is not answered by "£2.6 billion over five years"
    if demands.period and period_of(clause_text) not in ("", demands.period):
        return False  # "how much a week" is not answered by a sum a year
    if demands.committed and PROPOSES.search(clause_text):
        return False  # "how much is the government putting in?" is not answered by a sum called for
    stated = {(p.lower(), y) for p, y in YEAR_AFTER.findall(clause_text)}
    if any(p in {asked for asked, _ in demands.years} for p, _ in stated) and not stated & set(demands.years):
        return False  # "grown since 2010" is not answered by a rise since 2017
    return True
