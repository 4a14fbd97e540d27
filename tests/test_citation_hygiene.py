"""Citations are passages a reader can check: no page furniture, no headline standing in for a passage, one
citation per article, and no quotation mark left unpaired. Asserted on the real index, over every question
of the tuning suite and the dev set (never the held-out fresh split)."""

from __future__ import annotations

import re

import pytest

from qa.evals import load_cases
from qa.ingest import clean_text
from qa.spans import QUOTE_LIMIT, balanced_span, headline_end, quotation_marks
from qa.schema import Span
from tests.conftest import ROOT

SUITES = [ROOT / "evals" / name for name in ("cases.jsonl", "dev.jsonl", "dev2.jsonl", "dev3.jsonl", "dev4.jsonl",
                                                      "dev5.jsonl", "dev6.jsonl", "dev7.jsonl", "dev8.jsonl",
                                                      "dev9.jsonl")]
ASKS_HEADLINE = re.compile(r"\b(headlines?|headlined|titled?)\b", re.I)
DATELINE = re.compile(r"(?:\w+day,? )?(?:\d{1,2} \w+|\w+ \d{1,2}),? \d{4}")


@pytest.fixture(scope="module")
def answers(pipeline):
    return [(case, pipeline.ask(case.question)) for case in load_cases(*SUITES)]


def unpaired(text: str) -> list[int]:
    """Offsets of the double quotation marks of ``text`` left unpaired, read as news copy is written: a
    quotation running over paragraphs reopens each one and closes only in the last."""
    left, open_at = [], None
    for at, direction in quotation_marks(text):
        starts_paragraph = not text[text.rfind("\n", 0, at) + 1:at].strip()
        if open_at is not None and re.search(r"\n\s*\n", text[open_at:at]) and not (direction > 0 and starts_paragraph):
            left.append(open_at)  # a paragraph ended it without closing or reopening it
            open_at = None
        if direction > 0:
            if open_at is not None and not starts_paragraph:
                left.append(at)
            open_at = at if open_at is None or starts_paragraph else open_at
        elif open_at is None:
            left.append(at)
        else:
            open_at = None
    return left + ([open_at] if open_at is not None else [])


def test_every_citation_is_verbatim(pipeline, answers):
    for case, answer in answers:
        for c in answer.citations:
            assert pipeline.index.document_text(c.doc_id)[c.start:c.end] == c.quote, case.id


def test_no_citation_leaves_a_quotation_mark_unpaired(pipeline, answers):
    checked = 0
    for case, answer in answers:
        for c in answer.citations:
            text = pipeline.index.document_text(c.doc_id)
            # A mark the article itself leaves unpaired (a typo in the source) cannot be paired by a quote.
            own = set(unpaired(text))
            left = [c.start + at for at in unpaired(c.quote) if c.start + at not in own]
            assert not left, (case.id, c.quote)
            checked += bool(quotation_marks(c.quote))
    assert checked > 20  # quotations are common in the suite's citations: the check is not vacuous


def test_no_answer_cites_one_article_twice(answers):
    dated = led = 0
    for case, answer in answers:
        # The three exceptions: an article's dateline, cited beside its sentence saying "today"; the
        # sentence naming who speaks, cited beside a quotation too far from it to quote the two as one; and a
        # lead-in ("X said:") too long to quote with the words it introduces, cited with their start.
        datelines = [c for c in answer.citations if DATELINE.fullmatch(c.quote)
                     or f"[{c.n}] names {answer.figure} as the speaker." in answer.answer
                     or f"[{c.n}] names the speaker, of {answer.figure}." in answer.answer]
        dated += bool(datelines)
        led_in = [c for c in answer.citations if c.n > 1 and answer.citations[c.n - 2].quote.rstrip().endswith(":")
                  and answer.citations[c.n - 2].doc_id == c.doc_id and answer.citations[c.n - 2].end < c.start]
        led += bool(led_in)
        ids = [c.doc_id for c in answer.citations if c not in datelines + led_in]
        assert len(ids) == len(set(ids)), (case.id, ids)
    assert dated < len(answers) / 50  # the exceptions stay rare
    assert led < len(answers) / 20  # a quotation's speaker is mostly named within a quotable passage


def test_no_headline_is_cited_unless_the_question_asks_for_it(pipeline, answers):
    for case, answer in answers:
        if ASKS_HEADLINE.search(case.question):
            continue
        for c in answer.citations:
            doc = pipeline.index.documents[c.doc_id]
            assert c.start >= headline_end(doc.title, doc.text), (case.id, c.quote)


def test_headlines_of_the_seeds_are_found(pipeline):
    ends = {doc_id: headline_end(d.title, d.text) for doc_id, d in pipeline.index.documents.items()}
    texts = {doc_id: pipeline.index.document_text(doc_id) for doc_id in ends}
    assert texts["004_0e57e4176ae4edaa"][:ends["004_0e57e4176ae4edaa"]].startswith("Care Review response:")
    assert texts["001_7d838c9a240800e0"][:ends["001_7d838c9a240800e0"]] == (
        "“Fundamental shift” needed for children’s social care")
    assert ends["003_c72cb608ef573adf"] == 0  # it opens with its first sentence, not a headline


def test_a_question_about_the_headline_may_cite_it(pipeline):
    answer = pipeline.ask("What was the headline of the article saying MacAlister publishes his long awaited "
                          "final report?")
    doc = pipeline.index.documents["000_774ab4eb27a3c628"]
    assert any(c.doc_id == doc.doc_id and c.start < headline_end(doc.title, doc.text) for c in answer.citations)


def test_a_headline_gives_way_to_the_body_sentence_saying_the_same(pipeline):
    answer = pipeline.ask("was the review guy happy with the governments plan, what did he say")
    cited = answer.citations[0]
    doc = pipeline.index.documents[cited.doc_id]
    assert cited.doc_id == "004_0e57e4176ae4edaa" and cited.start >= headline_end(doc.title, doc.text)
    assert "further and faster" in cited.quote and "further and faster" in answer.answer


def test_a_quotation_over_several_sentences_is_quoted_whole(pipeline):
    answer = pipeline.ask("What did MacAlister launch at the start of the review to seek advice and challenge?")
    [cited] = answer.citations
    assert cited.quote.startswith('Mr MacAlister said: "This review will listen deeply')
    assert cited.quote.endswith('launching a Call for Advice."')


def test_a_quotation_too_long_to_quote_whole_is_cut_at_its_mark(pipeline):
    # Her quotation runs over three paragraphs (about 1,000 characters): the citation keeps who spoke.
    answer = pipeline.ask("Who was Children's Commissioner for England when the final report was published?")
    cited = answer.citations[0]
    assert "Rachel de Souza" in answer.answer and "Rachel de Souza" in cited.quote
    assert len(cited.quote) <= QUOTE_LIMIT and not unpaired(cited.quote)


def test_who_wrote_cites_the_byline_once(pipeline):
    answer = pipeline.ask("who wrote the article about the review starting")
    assert answer.answer.startswith("Adam Carey wrote it [1]")
    assert [c.quote for c in answer.citations] == ["Adam Carey"]


def test_a_dated_today_cites_its_sentence_and_the_dateline_only(pipeline):
    answer = pipeline.ask("In what year did the government publish its implementation strategy responding to the review?")
    sentence, dateline = answer.citations
    assert "2023" in answer.answer and "published today (2 February)" in sentence.quote
    assert dateline.quote == "Thursday, February 2, 2023" and dateline.doc_id == sentence.doc_id


def test_figures_stated_twice_in_one_article_are_cited_once(pipeline):
    # 004 gives £2.6bn twice ("called for £2.6bn funding", "the £2.6bn investment he had proposed").
    answer = pipeline.ask("How much funding did MacAlister's review call for over five years?")
    ids = [c.doc_id for c in answer.citations]
    assert len(ids) == len(set(ids)) and not answer.abstained


def test_abstentions_show_one_passage_per_article(pipeline):
    answer = pipeline.ask("What is the capital of France?")
    assert answer.abstained
    ids = [c.doc_id for c in answer.citations]
    assert len(ids) == len(set(ids)) == pipeline.settings.top_k


def test_balanced_span_takes_a_quotation_in_whole_or_cuts_it_at_its_mark():
    short = 'Intro line.\n\nShe said: "First part. Second part." Then more.\n\nEnd.'
    whole = balanced_span(short, Span(short.index("She"), short.index("First part.") + 11))
    assert short[whole.start:whole.end] == 'She said: "First part. Second part."'
    speech = "\n\n".join(f"“Paragraph {i} of a long speech that goes on and on about the review." for i in range(12))
    text = "The minister said: " + speech + "”\n\nAfter."
    opening = Span(0, text.index("review.") + 7)
    cut = balanced_span(text, opening)  # by default the longer side of the mark
    assert text[cut.start:cut.end] == "Paragraph 0 of a long speech that goes on and on about the review."
    cut = balanced_span(text, opening, worth=lambda side, outside: outside)  # who spoke, for a who-question
    assert text[cut.start:cut.end] == "The minister said:"
    inner = text.index("“Paragraph 3")
    cut = balanced_span(text, Span(inner, text.index("review.", inner) + 7))
    assert text[cut.start:cut.end].startswith("Paragraph 3") and not unpaired(text[cut.start:cut.end])


def test_seed_furniture_is_gone_from_the_index(pipeline):
    text = pipeline.index.document_text("000_774ab4eb27a3c628")
    assert "Read the Executive Summary" not in text and "full report here" not in text
    assert text.rstrip().endswith("coming months.”")


@pytest.mark.parametrize("line", [
    "Read the Executive Summary to the report here and the full report here",
    "Click here to download the full report",
    "For more information, click here.",
    "Read more: Care review calls for £2.6bn",
    "Find out more",
    "The full report is available here.",
    "Download the report here (PDF, 2MB)",
    "Watch the minister's speech online",
])
def test_link_text_and_calls_to_action_are_cleaned(line):
    page = f"Council backs care plan\n\nThe council agreed a £4m plan for kinship carers.\n\n{line}\n\nIt starts in May."
    assert clean_text(page) == ("Council backs care plan\n\nThe council agreed a £4m plan for kinship carers."
                                "\n\nIt starts in May.")


@pytest.mark.parametrize("line", [
    "“We are here to help,” she said.",
    "The report calls for more help here.",
    "Read the report, he said, and you will see why we need more.",
    "Find a way to keep children with their families, the review urged councils here and across England.",
])
def test_sentences_that_only_look_like_calls_to_action_are_kept(line):
    assert line in clean_text(f"Title\n\n{line}\n\nEnd of story.")
