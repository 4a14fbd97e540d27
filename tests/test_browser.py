"""The web app in a real browser (fixtures and helpers: tests/browser.py).

Every tab's requests may only reach this machine; any other host fails the test.
"""

import pytest

from qa.safety import SupportPanel
from qa.ui import EMPTY_HINT, EXAMPLES, NOT_ENGLISH
from tests.browser import (  # noqa: F401  (fixtures are found by name)
    app_url, ask, browser_context, expect, open_app, page, phone, pytestmark, shot, xss_url,
)


def test_the_page_renders_from_this_machine_alone(page, app_url):
    open_app(page, app_url)
    expect(page.get_by_role("heading", name="Ask about the review of children's social care")).to_be_visible()
    for text in EXAMPLES:
        expect(page.get_by_role("button", name=text)).to_be_visible()
    expect(page.locator("#qa-details")).to_be_visible()
    assert "system-ui" in page.locator(".gradio-container").evaluate("e => getComputedStyle(e).fontFamily")
    shot(page, "00-start")


def test_a_figure_question_shows_the_answer_and_its_citation(page, app_url):
    open_app(page, app_url)
    ask(page, "how much cash did the care review guy say they need")
    answer = page.locator(".qa-answer").last
    expect(answer).to_contain_text("£2.6")
    expect(answer).to_contain_text("[1]")
    expect(answer).to_contain_text("Sources:")
    card = page.locator("#qa-source-1")
    expect(card).to_be_visible()
    expect(card.locator("mark.qa-quote")).to_contain_text("£2.6")
    shot(page, "01-answer")


def test_pressing_ask_sends_the_request_the_load_benchmark_sends(page, app_url):
    """benchmarks/load.py measures the web app by sending what the page sends: it must stay the page's request."""
    import json
    from urllib.parse import urlparse

    from benchmarks import load

    open_app(page, app_url)
    with page.expect_request(lambda r: r.method == "POST" and "/gradio_api/" in r.url) as sent:
        ask(page, "Who led the review?")
    body = json.loads(sent.value.post_data)
    _, expected = load.page_client(urlparse(app_url).port)
    assert urlparse(sent.value.url).path == "/gradio_api/run/predict"
    assert body["data"] == ["Who led the review?", None, False]
    assert {k: body[k] for k in ("fn_index", "trigger_id")} == {k: expected[k] for k in ("fn_index", "trigger_id")}


def test_plain_language_mode_explains_care_words_on_the_spot(page, app_url):
    open_app(page, app_url)
    ask(page, "how much money is going to kinship carers")
    answer = page.locator(".qa-answer").last
    expect(answer).to_contain_text("£9m")
    expect(answer.locator("abbr").filter(has_text="kinship carers")).to_be_visible()
    expect(answer.locator(".qa-words")).to_contain_text("Kinship carer: A relative or family friend")
    shot(page, "07-plain-words")  # the README picture: docs/app.png is a copy


def test_opening_a_source_shows_the_whole_document_scrolled_to_the_highlight(page, app_url):
    open_app(page, app_url)
    ask(page, "What is the estimated cost of setting up the proposed Family Help service?")
    card = page.locator("#qa-source-1")
    card.locator("details.qa-doc summary").click()
    mark = card.locator("mark.qa-target")
    expect(mark).to_be_visible()
    expect(mark).to_contain_text("£2 billion")
    expect(mark).to_be_in_viewport()
    inside = mark.evaluate("""m => { const box = m.closest('.qa-doc-text').getBoundingClientRect();
                                     const r = m.getBoundingClientRect();
                                     return r.top >= box.top - 1 && r.bottom <= box.bottom + 1; }""")
    assert inside, "the highlight is not scrolled into the document view"
    shot(page, "02-source-open")


def test_an_unanswerable_question_gets_the_honest_message(page, app_url):
    open_app(page, app_url)
    ask(page, "What is the capital of France?")
    answer = page.locator(".qa-answer").last
    expect(answer).to_contain_text("These documents don")
    expect(answer).to_contain_text("Closest passages")
    expect(page.locator("#qa-sources")).to_contain_text("Closest passages")
    shot(page, "03-unanswerable")


def test_a_distress_message_shows_the_support_panel_first(page, app_url):
    open_app(page, app_url)
    ask(page, "I want to run away from my foster home")
    panel = page.locator(".qa-support").last
    for number in ("0800 1111", "116 123", "0808 800 5792", "999"):
        expect(panel).to_contain_text(number)
    expect(panel).to_contain_text("Coram Voice")
    expect(page.locator("#qa-sources .qa-support")).to_be_in_viewport()  # the side panel leads with it too
    shot(page, "04-support")


def test_example_buttons_ask_their_question(page, app_url):
    open_app(page, app_url)
    page.get_by_role("button", name=EXAMPLES[1]).click()
    expect(page.locator(".qa-answer").last).to_contain_text("£2 billion")


def test_the_details_switch_shows_ids_and_scores(page, app_url):
    open_app(page, app_url)
    ask(page, "how much cash did the care review guy say they need")
    expect(page.locator(".qa-answer").last).not_to_contain_text("score")
    page.locator("#qa-details input").check()
    expect(page.locator(".qa-answer").last).to_contain_text("score")
    expect(page.locator(".qa-answer").last).to_contain_text("document 0")
    expect(page.locator("#qa-source-1")).to_contain_text("characters")
    shot(page, "05-details")


def test_markup_in_documents_and_questions_runs_nothing(page, xss_url):
    open_app(page, xss_url)
    ask(page, "What did the council say about its new guide for kinship carers?")
    ask(page, '<img src=x onerror="window.__xss=1"> <script>window.__xss=1</script> kinship guide?')
    sources = page.locator("#qa-sources")
    expect(sources).to_contain_text("<script>window.__xss=1</script>")  # shown as text
    sources.locator("details.qa-doc summary").first.click()
    expect(page.locator(".qa-doc-text").first).to_contain_text('<img src=x onerror="window.__xss=1">')
    page.locator("#qa-details input").check()
    expect(page.locator(".qa-answer").last).to_contain_text("score")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#qa-sources img, .qa-answer img, #qa-chat script").count() == 0
    shot(page, "06-xss-inert")


# --- what a young person may type -------------------------------------------------------------------


def _user_bubbles(page):
    return page.locator("#qa-chat [data-testid='user']")


def test_a_very_long_question_is_shown_as_it_was_used(page, app_url):
    open_app(page, app_url)
    question = ("how much money is going to kinship carers " * 500)[:20_000]
    ask(page, question)
    shown = _user_bubbles(page).last.inner_text().strip()
    assert len(shown) == 2001 and shown.endswith("…"), f"{len(shown)} characters shown"
    assert shown[:-1] == " ".join(question.split())[:2000]
    expect(page.locator(".qa-answer").last.locator(".qa-notice")).to_contain_text("only the first 2000")


@pytest.mark.parametrize("typed", ["", "   \n  "])
def test_an_empty_question_gets_a_short_hint_and_nothing_else(page, app_url, typed):
    open_app(page, app_url)
    page.locator("#qa-question textarea").fill(typed)
    page.locator("#qa-ask").click()
    expect(page.locator("#qa-hint")).to_contain_text(EMPTY_HINT)
    assert page.locator(".qa-first").count() == 0
    ask(page, EXAMPLES[2])  # a real question clears the hint
    expect(page.locator("#qa-hint")).not_to_contain_text(EMPTY_HINT)


def test_a_question_with_no_english_words_is_told_the_articles_are_in_english(page, app_url):
    open_app(page, app_url)
    ask(page, "كم من المال سيذهب إلى مقدمي الرعاية من الأقارب؟")
    reply = page.locator(".qa-first").last
    expect(reply).to_contain_text(NOT_ENGLISH)
    expect(reply).not_to_contain_text("These documents don")
    assert page.locator(".qa-answer").count() == 0


@pytest.mark.xfail(not hasattr(SupportPanel, "disclosure"), strict=False,
                   reason="waits for qa.safety's SupportPanel.disclosure / disclosure_note (answer pipeline work)")
def test_a_disclosure_shows_the_panel_and_the_short_line_never_an_article_quote(page, app_url):
    open_app(page, app_url)
    ask(page, "my foster carer hits me")
    panel = page.locator("#qa-chat .qa-support").last
    expect(panel).to_contain_text("0800 1111")
    expect(panel.locator(".qa-disclosure")).to_contain_text("can't help with this. The services above can.")
    assert page.locator("#qa-chat .qa-answer, #qa-sources .qa-source").count() == 0
    shot(page, "09-disclosure")
