"""The web app's rendering (qa/render.py), privacy settings and question log, without a browser (see test_browser*.py)."""

import builtins
import json
import os
import re
from dataclasses import replace

import pytest

from qa import render, safety, ui
from qa.schema import Answer, Citation, Document
from qa.settings import Settings

XSS = '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1"> [a](javascript:alert(1)) ${x} {{y}}'
FIGURE_QUESTION = "how much cash did the care review guy say they need"
UNANSWERABLE = "What is the capital of France?"


def _xss_answer():
    text = f"Intro line\nBefore. {XSS} After.\nNext paragraph."
    start = text.index("Before.")
    end = text.index(" After.") + len(" After.")
    doc = Document("evil", f"Title {XSS}", text, outlet=f"Outlet {XSS}", date="2023-02-02")
    citation = Citation(1, "evil", doc.title, text[start:end], start, end, 0.9, outlet=doc.outlet, date=doc.date)
    answer = Answer(f"q {XSS}", f"£1. {citation.quote} [1]", False, (citation,), figure="£1")
    return answer, {"evil": doc}


def _no_live_markup(page: str) -> None:
    """No tag from the text survives, nor a markdown link or template a later renderer could act on."""
    assert "<script" not in page and "<img" not in page
    assert "](javascript:" not in page and "${x}" not in page and "{{y}}" not in page


def test_esc_makes_text_inert():
    out = render.esc(XSS)
    assert "&lt;script&gt;" in out and "&lt;img" in out
    _no_live_markup(out)


@pytest.mark.parametrize("details", [False, True])
def test_document_text_is_escaped_everywhere(details):
    answer, documents = _xss_answer()
    page = "".join([
        render.render_answer(answer, details),
        render.render_sources(answer, documents, details),
        *(m["content"] for m in render.render_messages([render.Turn(answer.question, answer)], details)),
    ])
    _no_live_markup(page)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page


def test_source_card_highlights_the_quote_in_its_paragraph_and_in_the_whole_document():
    answer, documents = _xss_answer()
    html = render.render_sources(answer, documents, details=False)
    assert "id='qa-source-1'" in html
    assert html.count("<mark class='qa-quote'>") == 1 and html.count("<mark class='qa-target'>") == 1
    assert "Next paragraph" in html.split("<details")[1]  # the whole document is behind "Open"
    assert "Next paragraph" not in html.split("<details")[0]  # the card shows the quote's own paragraph
    assert "2 February 2023" in html


def test_every_marker_in_an_answer_has_its_source_card(pipeline):
    answer = pipeline.ask(FIGURE_QUESTION)
    html = render.render_sources(answer, pipeline.index.documents, details=False)
    for n in {int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)}:
        assert f"id='qa-source-{n}'" in html
        assert pipeline.index.documents[answer.citations[n - 1].doc_id].text[
            answer.citations[n - 1].start:answer.citations[n - 1].end] == answer.citations[n - 1].quote


def test_details_mode_shows_ids_and_scores_and_plain_mode_does_not(pipeline):
    answer = pipeline.ask(FIGURE_QUESTION)
    plain, details = render.render_answer(answer, False), render.render_answer(answer, True)
    doc_id = answer.citations[0].doc_id
    assert doc_id in details and "score" in details and render.esc(answer.citations[0].quote) in details
    assert doc_id not in plain and "score" not in plain


def test_details_mode_shows_how_a_typed_question_was_read(pipeline):
    answer = pipeline.ask("ok so how much did MacAlister call for to trnasform the ssytem")
    details, plain = render.render_answer(answer, True), render.render_answer(answer, False)
    assert "how much did MacAlister call for to transform the system" in details and "Understood as" in details
    assert "Understood as" not in plain
    assert "Understood as" not in render.render_answer(pipeline.ask(FIGURE_QUESTION), True)


def test_an_unanswerable_question_says_so_and_shows_the_nearest_passages(pipeline):
    answer = pipeline.ask(UNANSWERABLE)
    assert answer.abstained
    html = render.render_answer(answer, details=False)
    assert "These documents don" in html and "Closest passages" in html and render.esc(render.ABSTAIN_HINT) in html
    assert "Closest passages" in render.render_sources(answer, pipeline.index.documents, False)


def test_distress_shows_the_panel_first_then_any_answer(pipeline):
    turn = ui.answer_turn(pipeline, "I want to run away, how much money is there for kinship carers?")
    assert turn.support is not None and turn.answer is not None
    messages = render.render_messages([turn], details=False)
    assert [m["role"] for m in messages] == ["user", "assistant", "assistant"]
    assert "qa-support" in messages[1]["content"] and "0800 1111" in messages[1]["content"]
    assert "qa-answer" in messages[2]["content"]


def test_distress_without_an_answer_shows_only_the_panel(pipeline):
    # Distress that is not a disclosure of harm: the panel alone, no cold "these documents don't say".
    turn = ui.answer_turn(pipeline, "I want to run away")
    assert turn.support is not None and turn.answer is None
    assert len(render.render_messages([turn], details=False)) == 2
    assert render.render_panel(turn, pipeline.index.documents, False) == render.render_support(turn.support)


def test_the_side_panel_puts_support_above_the_sources(pipeline):
    turn = ui.answer_turn(pipeline, "I want to run away, how much money is there for kinship carers?")
    panel = render.render_panel(turn, pipeline.index.documents, False)
    assert panel.index("qa-support") < panel.index("qa-source-1")
    assert render.render_panel(None, pipeline.index.documents, False) == render.EMPTY_SOURCES


def test_a_disclosure_shows_the_panel_and_its_note_and_no_article(pipeline):
    question = "my foster carer hits me, how much money is going to kinship carers"
    turn = ui.answer_turn(pipeline, question)
    assert turn.support is not None and turn.support.disclosure and turn.answer is None
    note = turn.support.disclosure_note
    messages = render.render_messages([turn], details=False)
    assert len(messages) == 2 and "qa-answer" not in messages[1]["content"]
    assert "class='qa-disclosure'" in messages[1]["content"] and render.esc(note) in messages[1]["content"]
    assert render.esc(note) in render.render_panel(turn, pipeline.index.documents, False)
    assert pipeline.ask(question).citations == ()  # the pipeline quotes no article either


def test_a_panel_that_is_not_a_disclosure_has_no_note():
    panel = safety.support_for("I want to run away from my foster home")  # distress, not harm disclosed
    assert "qa-disclosure" not in render.render_support(panel) and not render.is_disclosure(panel)


def test_the_chat_shows_a_long_question_cut_where_answering_cut_it(pipeline):
    question = "how much money is going to kinship carers   " * 600
    turn = ui.answer_turn(pipeline, question)
    shown = render.render_messages([turn], False)[0]["content"]
    limit = pipeline.settings.max_question_chars
    assert shown == render.esc(" ".join(question.split())[:limit]) + "…"
    assert any(f"first {limit}" in n for n in turn.answer.notices)
    assert render.shown_question("short  question ", limit) == "short question"


@pytest.mark.parametrize("question, other", [
    ("كم من المال سيذهب إلى مقدمي الرعاية؟", True), ("Скільки грошей?", True), ("儿童保育多少钱", True),
    ("how much for kinship carers?", False), ("£2.6 billion?", False), ("2023?", False),
    ("كم المال for kinship carers", False),
])
def test_a_question_with_no_english_letters_is_told_the_articles_are_in_english(pipeline, question, other):
    assert ui.in_another_language(question) is other
    if other:
        turn = ui.answer_turn(pipeline, question)
        assert turn.answer is None and turn.note == ui.NOT_ENGLISH
        assert render.esc(ui.NOT_ENGLISH) in render.render_messages([turn], False)[1]["content"]


def test_details_show_how_the_question_was_understood_when_it_differs():
    answer, _ = _xss_answer()
    read = replace(answer, understood_as="how much money for <kinship> carers")
    same = replace(answer, understood_as=answer.question.upper())
    assert "Understood as: how much money for &lt;kinship&gt; carers" in render.render_answer(read, True)
    assert "Understood as" not in render.render_answer(read, False)
    assert "Understood as" not in render.render_answer(same, True)
    assert "Understood as" not in render.render_answer(answer, True)


def test_the_first_reply_of_each_question_is_marked_for_scrolling(pipeline):
    turns = [ui.answer_turn(pipeline, "I want to run away, how much money is there for kinship carers?"),
             ui.answer_turn(pipeline, FIGURE_QUESTION)]
    contents = [m["content"] for m in render.render_messages(turns, False) if m["role"] == "assistant"]
    assert [c.startswith("<div class='qa-first'>") for c in contents] == [True, False, True]
    assert "qa-support" in contents[0]


def test_ordinary_questions_show_no_panel(pipeline):
    assert ui.answer_turn(pipeline, FIGURE_QUESTION).support is None


def test_questions_are_written_nowhere_by_default(pipeline, monkeypatch, tmp_path):
    writes = []
    real_open = builtins.open

    def watching_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            writes.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watching_open)
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({}, question_log="")
    ui.respond(pipeline, settings, "a private question about kinship carers", [], False)
    assert writes == [] and list(tmp_path.iterdir()) == []


def test_questions_are_logged_only_to_the_file_the_operator_names(pipeline, tmp_path):
    log = tmp_path / "questions.jsonl"
    settings = Settings.from_env({}, question_log=str(log))
    messages, turns, sources, box = ui.respond(pipeline, settings, FIGURE_QUESTION, [], False)
    ui.respond(pipeline, settings, "my dad hits me", turns, False)
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [r["question"] for r in records] == [FIGURE_QUESTION, "my dad hits me"]
    assert records[0]["answered"] and not records[0]["support_shown"] and records[1]["support_shown"]
    assert box == "" and len(turns) == 1 and "qa-source-1" in sources


def test_launch_is_local_private_and_offline_by_default():
    options = ui.launch_options(Settings.from_env({}))
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["share"] is False and options["run_history"] is False and options["footer_links"] == []
    assert options["enable_monitoring"] is False and options["mcp_server"] is False
    fonts = options["theme"]._font + options["theme"]._font_mono
    assert not any(type(f).__name__ == "GoogleFont" for f in fonts)
    assert ui.launch_options(Settings.from_env({}, host="0.0.0.0"))["server_name"] == "0.0.0.0"


def test_analytics_are_off(pipeline):
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    app = ui.build_app(pipeline, Settings.from_env({}))
    assert app.analytics_enabled is False


def test_the_served_app_follows_index_generations_and_answers_several_at_once(settings, monkeypatch):
    import gradio as gr

    from qa.live import LivePipeline

    built = {}

    def capture(pipeline, app_settings):
        built["pipeline"] = pipeline
        built["app"] = app = original(pipeline, app_settings)
        return app

    original = ui.build_app
    monkeypatch.setattr(ui, "build_app", capture)
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **options: built.update(options=options))
    ui.serve(replace(settings, workers=3))
    assert isinstance(built["pipeline"], LivePipeline)
    assert built["options"]["max_threads"] == 3
    # Off the queue: the page posts each question to /gradio_api/run/<api_name> and reads the reply.
    assert {fn.queue for fn in asking(built["app"])} == {False}


def asking(app):
    """The events that answer a question: the box, the Ask button and each example."""
    return [fn for fn in app.fns.values() if fn.fn is not None and fn.fn.__name__ == "ask"]


def test_the_load_benchmark_reads_the_app_it_measures(pipeline, settings):
    """benchmarks/load.py asks the real app over loopback; a change of the app's outputs must not break it."""
    from urllib.parse import urlparse

    from benchmarks import load
    from tests.browser import serve

    app, url = serve(pipeline, replace(settings, workers=2))
    try:
        figures = load.measure(urlparse(url).port, clients=2, per_client=2, time_limit=60)
    finally:
        app.close()
    assert figures["questions"] == 4 and figures["errors"] == 0 and figures["different"] == 0


def test_the_chat_is_made_visible_by_the_first_answer_then_only_given_its_messages(pipeline):
    """A component returned as an update makes Gradio rebuild the chat's config for the session on every
    event; only the first answer of a session (the chat starts hidden) needs one."""
    import gradio as gr

    app = ui.build_app(pipeline, Settings.from_env({}))
    ask = asking(app)[0].fn
    chat, turns, *_ = ask(FIGURE_QUESTION, [], False)
    assert isinstance(chat, gr.Chatbot) and chat.visible is True and len(turns) == 1
    again, turns, *_ = ask(UNANSWERABLE, turns, False)
    assert isinstance(again, list) and len(turns) == 2
    assert again[:len(chat.value)] == render.render_messages(turns[:1], False)
    assert again == render.render_messages(turns, False)


def test_gradio_keeps_no_event_history_for_the_monitoring_page_it_does_not_show():
    assert os.environ["GRADIO_ANALYTICS_MAX_EVENTS"] == "1"
    assert int(os.environ["GRADIO_ANALYTICS_CACHE_FREQUENCY"]) > 10**12
