"""The web app: a Gradio chat on top of Pipeline.ask(), the same call the CLI makes.

Private by default: bound to 127.0.0.1, no share link, no analytics, no run history, every asset served by this
server. Questions are written nowhere unless the operator sets ``--question-log``. What the page shows is built
in ``qa/render.py`` (every outside string escaped there); its style and script are ``qa/data/ui.css`` and
``qa/data/ui.js``.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from functools import cache
from importlib import resources

from qa.answer import EmptyQuestion, Pipeline
from qa.render import EMPTY_SOURCES, Turn, is_disclosure, render_messages, render_panel, shown_question
from qa.safety import support_for
from qa.settings import Settings

# Before gradio is imported anywhere: it reads this when it starts.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# Gradio's queue keeps a record of the last 10,000 events (with their session ids) and, after every event,
# summarises them all in a pandas table for its monitoring page, which this app turns off: the cost grew
# with every question served. One record, summarised never.
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))

TITLE = "Ask about the review of children's social care"
INTRO = (
    "Ask a question about England's Independent Review of Children's Social Care. Answers come only from "
    "a small set of news articles about it, and every answer shows the words it comes from."
)
# Mixed on purpose: how a young person might ask, and how a practitioner might.
EXAMPLES = (
    "how much cash did the care review guy say they need",
    "How much would the new Family Help service cost to set up?",
    "how much money is going to kinship carers",
    "When was the Children's Social Care Implementation Strategy published?",
    "How many children could be in care by next decade?",
    "what are regional care cooperatives",
)
EMPTY_HINT = "Type a question in the box first, for example: how much money is going to kinship carers?"
NOT_ENGLISH = "The articles are in English — try asking in English."
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def in_another_language(question: str) -> bool:
    """Letters, but not one of the English alphabet: no word of it can match the English articles."""
    return any(ch.isalpha() for ch in question) and not _LATIN_LETTER.search(question)


def answer_turn(pipeline: Pipeline, question: str) -> Turn:
    """The support panel when the message needs one, then the pipeline's answer when there is one to give.

    A disclosure ("my foster carer hits me") gets the panel and its short note, never an article quote.
    """
    support = support_for(question)
    shown = shown_question(question, pipeline.settings.max_question_chars)
    if is_disclosure(support):
        return Turn(question, support=support, shown=shown)
    if in_another_language(question):
        return Turn(question, support=support, note=NOT_ENGLISH, shown=shown)
    try:
        answer = pipeline.ask(question)
    except EmptyQuestion as err:
        return Turn(question, support=support, note=str(err), shown=shown)
    if support is not None and answer.abstained:
        answer = None  # after a support panel, "these documents don't say" would read as cold
    return Turn(question, answer, support, shown=shown)


def log_question(path: str, turn: Turn) -> None:
    """Append the question as a JSON line, only when the operator set a log file."""
    if not path:
        return
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "question": turn.question,
        "answered": turn.answer is not None and not turn.answer.abstained,
        "support_shown": turn.support is not None,
    }
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")


# --- the app -------------------------------------------------------------------------------------

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"]


def theme(gr):
    """System fonts only (nothing fetched); an Ask button dark enough for white text (5.2:1, WCAG AA)."""
    return gr.themes.Default(font=SYSTEM_FONTS, font_mono=MONO_FONTS).set(
        button_primary_background_fill="#c2410c", button_primary_background_fill_hover="#9a3412",
        button_primary_text_color="#ffffff", button_primary_text_color_hover="#ffffff",
        button_primary_background_fill_dark="#c2410c", button_primary_background_fill_hover_dark="#9a3412",
        button_primary_text_color_dark="#ffffff",
    )


def respond(pipeline: Pipeline, settings: Settings, message: str, turns: list[Turn], details: bool):
    """One question from the page: (chat messages, turns, sources panel, cleared question box)."""
    turn = answer_turn(pipeline, message.strip())
    log_question(settings.question_log, turn)
    turns = [*turns, turn]
    sources = render_panel(turn, pipeline.index.documents, details)
    return render_messages(turns, details), turns, sources, ""


def build_app(pipeline: Pipeline, settings: Settings):
    import gradio as gr

    def ask(message: str, turns: list[Turn], details: bool):
        if not (message or "").strip():  # nothing to answer: say so beside the box, change nothing else
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), f"<p class='qa-hint-line'>{EMPTY_HINT}</p>"
        shown = bool(turns)  # the chat is visible from the first answer of a session on
        messages, turns, panel, cleared = respond(pipeline, settings, message, turns, details)
        # A component returned as an update makes Gradio rebuild the chat's whole config for the session
        # (its JSON schema included), a third of its work per event: only the first answer needs it.
        return (messages if shown else gr.Chatbot(value=messages, visible=True)), turns, panel, cleared, ""

    def redraw(turns: list[Turn], details: bool):
        # The documents of the generation answering now: `qa index` may have moved the server to a new one.
        return (render_messages(turns, details),
                render_panel(turns[-1] if turns else None, pipeline.index.documents, details))

    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        turns = gr.State([])
        gr.Markdown(f"# {TITLE}\n{INTRO}", elem_id="qa-intro")
        # Reading order is the order on a phone: answers, the box, the sources, then the examples.
        with gr.Row(elem_id="qa-layout"):
            with gr.Column(scale=3, min_width=320):
                # Hidden until there is an answer, so that a phone's first screen holds the box and examples.
                chat = gr.Chatbot(
                    label="Answers", elem_id="qa-chat", height=520, render_markdown=False, sanitize_html=True,
                    latex_delimiters=[], allow_tags=False, buttons=["copy"], feedback_options=None,
                    group_consecutive_messages=False, autoscroll=False, visible=False,
                )
                with gr.Row(elem_id="qa-ask-row"):
                    box = gr.Textbox(placeholder="Type a question, for example: how much will Family Help cost?",
                                     label="Your question", show_label=False, scale=5, min_width=200,
                                     elem_id="qa-question", autofocus=True)
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="qa-ask")
                hint = gr.HTML("", elem_id="qa-hint")
                details = gr.Checkbox(label="Details for practitioners: full quotes, scores and document ids",
                                      value=False, elem_id="qa-details")
            with gr.Column(scale=2, min_width=320):
                sources = gr.HTML(EMPTY_SOURCES, elem_id="qa-sources", js_on_load=None)
        with gr.Column(elem_id="qa-examples"):
            gr.Markdown("**New here? Try one of these:**")
            with gr.Row():
                examples = [gr.Button(text, size="sm", variant="secondary") for text in EXAMPLES]

        outputs = [chat, turns, sources, box, hint]
        # Several questions at once, as many as launch(max_threads=settings.workers) lets run; each answer is
        # the same as when asked alone (tests/test_generations.py). Off the queue, the page sends one POST to
        # /gradio_api/run/predict and reads the reply, instead of joining the queue and holding an event
        # stream open. A place in a queue is not worth showing for answers that come in a fraction of a second
        # (or a few seconds from a language model), and the queue's bookkeeping cost as much as the answer.
        events = dict(fn=ask, outputs=outputs, queue=False)
        box.submit(inputs=[box, turns, details], **events)
        send.click(inputs=[box, turns, details], **events)
        for button in examples:
            button.click(inputs=[button, turns, details], **events)
        details.change(redraw, inputs=[turns, details], outputs=[chat, sources])
        chat.clear(lambda: ([], EMPTY_SOURCES), outputs=[turns, sources])
    return app


@cache
def asset(name: str) -> str:
    """The page's own style or script, shipped in qa/data/ and served inline by this server."""
    return resources.files("qa").joinpath(f"data/{name}").read_text(encoding="utf-8")


def launch_options(settings: Settings) -> dict:
    """Everything ``launch()`` is told: local only, nothing shared, nothing recorded, nothing fetched."""
    import gradio as gr

    return dict(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        footer_links=[],
        run_history=False,
        enable_monitoring=False,
        mcp_server=False,
        pwa=False,
        ssr_mode=False,
        max_threads=settings.workers,  # the questions answered at once: every event runs on these threads
        show_error=False,
        theme=theme(gr),
        css=asset("ui.css"),
        js=asset("ui.js"),
    )


def serve(settings: Settings) -> None:
    from qa import api
    from qa.live import LivePipeline  # moves to a new index generation between questions

    pipeline = LivePipeline(settings)
    app = build_app(pipeline, settings)
    # POST /api/ask beside the page, on the same host and port: the JSON of `qa ask --json` (qa/api.py).
    app.launch(**launch_options(settings), app_kwargs={"routes": api.routes(pipeline, settings)})
