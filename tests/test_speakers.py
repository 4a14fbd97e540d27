"""Who says each paragraph, read from the conventions of news copy (qa/speakers.py)."""

import pytest

from qa.speakers import speakers_of
from qa.verify import unsupported_names

ARTICLE = """Review launched

The review will be led by Josh MacAlister, a former teacher.
Anne Longfield, Children's Commissioner for England, said: “The system needs reform.
“I hear from older children in care who are moved around.”
The review starts in the spring.
“It must be bold,” she added.
Mr MacAlister said: "This review will listen deeply."
“We owe it to them,” said Claire Coutinho.
However, the Independent Children's Homes Association said it was “stunned”.
"""


def test_each_quoting_paragraph_gets_its_speaker_and_where_they_are_named():
    found = {ARTICLE[p.start:p.end][:20]: (who.name, ARTICLE[who.named_at.start:who.named_at.end])
             for p, who in speakers_of(ARTICLE)}
    assert found == {
        "Anne Longfield, Chil": ("Anne Longfield", "Anne Longfield"),
        "“I hear from older c": ("Anne Longfield", "Anne Longfield"),  # the quotation runs on
        "“It must be bold,” s": ("Anne Longfield", "Anne Longfield"),  # "she added": the last speaker
        "Mr MacAlister said: ": ("Josh MacAlister", "Josh MacAlister"),  # a surname: the person named before
        "“We owe it to them,”": ("Claire Coutinho", "Claire Coutinho"),
        "However, the Indepen": ("Independent Children's Homes Association",) * 2,
    }


def test_narration_ends_a_quotation():
    paragraphs = [ARTICLE[p.start:p.end] for p, _ in speakers_of(ARTICLE)]
    assert "The review starts in the spring." not in paragraphs
    assert not any(p.startswith("The review will be led") for p in paragraphs)


def test_a_quoted_sentence_answers_what_its_speaker_said(pipeline):
    """The sentence is three paragraphs after "Dame Rachel de Souza said:" and does not name her."""
    answer = pipeline.ask("wat did rachel de souza say there shud be no tolerance for")
    assert not answer.abstained and "anything less than excellent" in answer.citations[0].quote


@pytest.mark.parametrize("question, speaker", [
    ("who said the system needs urgent reform", "Anne Longfield"),  # a quotation running on, no name in it
    ("who said kids tell them they feel let down by services", "Rachel de Souza"),
    ("who said the new direction being set is very welcome", "Josh MacAlister"),  # "he added"
    ("who described the review as a once in a generation opportunity", "Anne Longfield"),
    ("who warned ministers they need to go further and faster", "Josh MacAlister"),  # ministers: spoken to
    # words spoken anywhere in a who-question, not just after "who"
    ("someone talked about kids feeling let down by services, who was it", "Rachel de Souza"),
    ("who was talking about the new direction being very welcome", "Josh MacAlister"),
    # a title named: who held it, however they spoke ("talked" is no "who said?")
    ("who was the childrens minister that talked about the reforms", "Claire Coutinho"),
])
def test_who_said_it_is_answered_by_the_speaker_and_where_they_are_named(pipeline, question, speaker):
    answer = pipeline.ask(question)
    assert answer.answer.startswith(f"{speaker}.")
    assert any(speaker in c.quote for c in answer.citations)  # the name stands in a cited passage
    assert unsupported_names(answer.answer, " ".join(c.quote for c in answer.citations)) == []


def test_which_body_was_talking_about_it_is_the_body_its_speaker_speaks_for(pipeline):
    answer = pipeline.ask("which charity was talkin abt kids gettin groomed into county lines")
    assert answer.answer.startswith("Children’s Society")
    assert "Mark Russell" in answer.citations[1].quote and "names the speaker, of Children’s Society" in answer.answer


def test_a_colon_before_a_quotation_makes_the_last_person_named_its_speaker():
    text = ("The Department said Education Secretary Gavin Williamson would give a speech today saying: “We must act.\n"
            "“This review will not shy away from problems.”\n")
    assert [who.name for _, who in speakers_of(text)] == ["Gavin Williamson", "Gavin Williamson"]


def test_a_speaker_carries_the_title_they_are_named_with():
    titles = {who.name: who.title for _, who in speakers_of(ARTICLE)}
    assert titles["Anne Longfield"] == "Children's Commissioner for England"
