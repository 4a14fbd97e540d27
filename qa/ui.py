"""The web app: a Gradio chat on top of Pipeline.ask(), the same call the CLI makes.

Private by default: bound to 127.0.0.1, no share link, no analytics, no run history, every asset served by this
server. Questions are written nowhere unless the operator sets ``--question-log``. Every piece of text that
reaches the page (questions, answers, document text, metadata) goes through ``esc()``, so a document holding
``<script>`` shows it as text.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from qa.answer import EmptyQuestion, Pipeline
from qa.plain import PlainAnswer, plain_answer
from qa.safety import SupportPanel, support_for
from qa.schema import Answer, Citation, Document
from qa.settings import Settings

# Before gradio is imported anywhere: it reads this when it starts.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

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
ABSTAIN_HINT = "You could try asking in a different way, or ask about something else in the review."
EMPTY_SOURCES = "<p class='qa-empty'>Ask a question. The passages the answer comes from will show here.</p>"
QUOTE_MARKS = "“”\"'‘’"
# Longest stretch of a paragraph shown around a quote in a source card.
CONTEXT_CHARS = 320


@dataclass(frozen=True)
class Turn:
    """One question and what the app showed for it."""

    question: str
    answer: Answer | None = None
    support: SupportPanel | None = None
    error: str = ""


def answer_turn(pipeline: Pipeline, question: str) -> Turn:
    """The support panel when the message needs one, then the pipeline's answer when there is one to give."""
    support = support_for(question)
    try:
        answer = pipeline.ask(question)
    except EmptyQuestion as err:
        return Turn(question, support=support, error=str(err))
    if support is not None and answer.abstained and not support.disclosure:
        answer = None  # after a support panel, "these documents don't say" would read as cold
    return Turn(question, answer, support)


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


# --- HTML: every string from outside goes through esc() -----------------------------------------

# After html.escape: characters that could still start a link, maths or a template, as entities, so the
# text stays inert even if a later change turns markdown rendering on.
_SYNTAX = str.maketrans({c: f"&#{ord(c)};" for c in "$`{}[]()\\"})
_MARKER_HTML = re.compile(r"&#91;(\d+)&#93;")


def esc(text: str) -> str:
    """Text as inert HTML: tags, attributes, markdown and template syntax all shown as written."""
    return html.escape(str(text), quote=True).translate(_SYNTAX)


def esc_answer(text: str) -> str:
    """Escaped answer text with its [n] markers styled."""
    return _MARKER_HTML.sub(r"<span class='qa-n'>[\1]</span>", esc(text))


def render_support(panel: SupportPanel) -> str:
    contacts = "".join(
        f"<li><strong>{esc(c.name)}</strong>: <a href='tel:{esc(c.dial)}'>{esc(c.number)}</a>"
        f"<br><span>{esc(c.about)}</span></li>"
        for c in panel.contacts
    )
    return (
        f"<div class='qa-support' role='note'><p class='qa-support-heading'>{esc(panel.heading)}</p>"
        f"<p>{esc(panel.intro)}</p><ul>{contacts}</ul><p>{esc(panel.closing)}</p></div>"
    )


def render_plain(plain: PlainAnswer) -> str:
    """The plain answer with its glossary words marked where they appear and explained just under it."""
    parts, at = [], 0
    for use in plain.terms:
        parts += [esc_answer(plain.text[at:use.start]),
                  f"<abbr title='{esc(use.entry.means)}'>{esc(plain.text[use.start:use.end])}</abbr>"]
        at = use.end
    parts.append(esc_answer(plain.text[at:]))
    out = f"<p class='qa-text'>{''.join(parts)}</p>"
    if plain.terms:
        words = "".join(f"<li><strong>{esc(u.entry.term[0].upper() + u.entry.term[1:])}</strong>: "
                        f"{esc(u.entry.means)}</li>" for u in plain.terms)
        out += f"<div class='qa-words'><p>What these words mean:</p><ul>{words}</ul></div>"
    return out


def render_answer(answer: Answer, details: bool) -> str:
    """The chat message for an answer: plain words by default, everything a practitioner checks in details."""
    notices = "".join(f"<p class='qa-notice'>{esc(n)}</p>" for n in answer.notices)
    if answer.support and answer.abstained and not answer.citations:
        # A disclosure: the panel above it, then only the pipeline's note that the services there can help.
        return f"<div class='qa-answer'><p class='qa-text'>{esc(answer.answer)}</p></div>"
    if details:
        body = f"<p class='qa-text'>{esc_answer(answer.answer)}</p>"
        if answer.understood_as and answer.understood_as != answer.question:  # how a typed question was read
            body = f"<p class='qa-meta qa-understood'>Understood as: {esc(answer.understood_as)}</p>" + body
    else:
        body = render_plain(plain_answer(answer))
        if answer.abstained:
            body += f"<p class='qa-hint'>{esc(ABSTAIN_HINT)}</p>"
    label = "Closest passages (they do not answer the question):" if answer.abstained else "Sources:"
    items = "".join(f"<li>{_citation_line(c, details, answer.abstained)}</li>" for c in answer.citations)
    sources = f"<div class='qa-brief'><p>{label}</p><ul>{items}</ul></div>" if items else ""
    timing = ""
    if details and answer.timings_ms.get("total") is not None:
        timing = f"<p class='qa-meta'>Answered in {esc(answer.timings_ms['total'])} ms</p>"
    return f"<div class='qa-answer'>{notices}{body}{sources}{timing}</div>"


def _citation_line(c: Citation, details: bool, nearest: bool) -> str:
    """One source under an answer. Plain mode names it (the answer already says what it says), except for the
    nearest passages of an unanswered question, whose words are the only thing to show."""
    line = f"<span class='qa-n'>[{c.n}]</span> {esc(c.title or c.doc_id)}{_meta(c.outlet, c.date)}"
    if details:
        where = f", page {c.page}" if c.page else ""
        line += (f"<blockquote>{esc(c.quote)}</blockquote><span class='qa-meta'>document {esc(c.doc_id)}, "
                 f"characters {c.start}–{c.end}{where}, score {c.score:.2f}</span>")
    elif nearest:
        line += f"<br>“{esc(_shorten(c.quote.strip(QUOTE_MARKS), 160))}”"
    return line


def _meta(outlet: str, when: str) -> str:
    bits = [b for b in (outlet, _readable_date(when)) if b]
    return f" <span class='qa-meta'>({esc(', '.join(bits))})</span>" if bits else ""


def _readable_date(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def render_panel(turn: Turn | None, documents: dict[str, Document], details: bool) -> str:
    """The side panel for the latest question: the support panel first when one was shown, then its sources."""
    if turn is None:
        return EMPTY_SOURCES
    support = render_support(turn.support) if turn.support is not None else ""
    if support and turn.answer is None:
        return support
    return support + render_sources(turn.answer, documents, details)


def render_sources(answer: Answer | None, documents: dict[str, Document], details: bool) -> str:
    """The side panel: each cited quote highlighted in its paragraph, and the whole document one click away."""
    if answer is None or not answer.citations:
        return EMPTY_SOURCES
    heading = "Closest passages" if answer.abstained else "Sources"
    cards = [_source_card(c, documents.get(c.doc_id), details) for c in answer.citations]
    return f"<div class='qa-sources'><h2>{heading}</h2>{''.join(cards)}</div>"


def _source_card(c: Citation, doc: Document | None, details: bool) -> str:
    meta = f"{c.outlet or 'Outlet not named'}, {_readable_date(c.date) or 'date not given'}"
    if details:
        where = f", page {c.page}" if c.page else ""
        meta += f" · document {c.doc_id}, characters {c.start}–{c.end}{where}, score {c.score:.2f}"
    card = (f"<article class='qa-source' id='qa-source-{c.n}'><h3><span class='qa-n'>[{c.n}]</span> "
            f"{esc(c.title or c.doc_id)}</h3><p class='qa-meta'>{esc(meta)}</p>")
    if doc is None or doc.text[c.start:c.end] != c.quote:  # never highlight a span that is not the quote
        return card + f"<blockquote class='qa-context'><mark>{esc(c.quote)}</mark></blockquote></article>"
    whole = f"{esc(doc.text[:c.start])}<mark class='qa-target'>{esc(c.quote)}</mark>{esc(doc.text[c.end:])}"
    return card + (
        f"<blockquote class='qa-context'>{_in_paragraph(doc.text, c)}</blockquote>"
        f"<details class='qa-doc'><summary>Open the whole article at this quote</summary>"
        f"<div class='qa-doc-text' tabindex='0'>{whole}</div></details></article>"
    )


def _in_paragraph(text: str, c: Citation) -> str:
    """The quote marked inside its paragraph, cut to about CONTEXT_CHARS around the quote."""
    para_start = text.rfind("\n", 0, c.start) + 1
    para_end = text.find("\n", c.end)
    para_end = len(text) if para_end < 0 else para_end
    start = max(para_start, c.start - CONTEXT_CHARS // 2)
    end = min(para_end, c.end + CONTEXT_CHARS // 2)
    if start > para_start:  # cut between words, not inside one
        space = text.find(" ", start, c.start)
        start = space + 1 if space >= 0 else c.start
    if end < para_end:
        space = text.rfind(" ", c.end, end)
        end = space if space >= 0 else c.end
    before = ("… " if start > para_start else "") + text[start:c.start]
    after = text[c.end:end] + (" …" if end < para_end else "")
    return f"{esc(before)}<mark class='qa-quote'>{esc(c.quote)}</mark>{esc(after)}"


def render_messages(turns: list[Turn], details: bool) -> list[dict]:
    """The chat history in Gradio's message format."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": esc(turn.question)})
        if turn.support is not None:
            messages.append({"role": "assistant", "content": render_support(turn.support)})
        if turn.error:
            messages.append({"role": "assistant", "content": f"<p>{esc(turn.error)}</p>"})
        if turn.answer is not None:
            messages.append({"role": "assistant", "content": render_answer(turn.answer, details)})
    return messages


# --- the app -------------------------------------------------------------------------------------

CSS = """
.qa-n { font-weight: 600; white-space: nowrap; }
.qa-meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
.qa-words, .qa-brief { margin-top: 0.6em; font-size: 0.95em; }
.qa-words ul, .qa-brief ul { margin: 0.2em 0 0 1.2em; padding: 0; }
.qa-words p, .qa-brief p { margin: 0; font-weight: 600; }
.qa-support { border-left: 6px solid #2b7a78; padding: 0.6em 1em; background: rgba(43, 122, 120, 0.08); }
.qa-support-heading { font-weight: 700; font-size: 1.1em; }
.qa-support ul { margin-left: 1.2em; }
.qa-source { border-top: 1px solid var(--border-color-primary); padding: 0.6em 0; }
.qa-source h3 { font-size: 1em; margin: 0; }
.qa-context { margin: 0.4em 0; padding-left: 0.8em; border-left: 3px solid var(--border-color-primary); }
mark.qa-quote, mark.qa-target { background: #ffe066; color: #111; padding: 0 2px; }
.qa-doc-text { white-space: pre-wrap; max-height: 22rem; overflow-y: auto; padding: 0.6em;
               border: 1px solid var(--border-color-primary); font-size: 0.92em; }
.qa-doc summary { cursor: pointer; font-weight: 600; }
abbr[title] { text-decoration: underline dotted; cursor: help; }
"""
# Opening a whole document scrolls its highlighted quote into view.
JS = """
() => {
  document.addEventListener("toggle", (event) => {
    const box = event.target;
    if (box instanceof HTMLDetailsElement && box.open && box.classList.contains("qa-doc")) {
      box.querySelector("mark.qa-target")?.scrollIntoView({ block: "center" });
    }
  }, true);
}
"""
SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"]


def respond(pipeline: Pipeline, settings: Settings, message: str, turns: list[Turn], details: bool):
    """One question from the page: (chat messages, turns, sources panel, cleared question box)."""
    turn = answer_turn(pipeline, message.strip())
    log_question(settings.question_log, turn)
    turns = [*turns, turn]
    sources = render_panel(turn, pipeline.index.documents, details)
    return render_messages(turns, details), turns, sources, ""


def build_app(pipeline: Pipeline, settings: Settings):
    import gradio as gr

    documents = pipeline.index.documents

    def ask(message: str, turns: list[Turn], details: bool):
        if not (message or "").strip():
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return respond(pipeline, settings, message, turns, details)

    def redraw(turns: list[Turn], details: bool):
        return render_messages(turns, details), render_panel(turns[-1] if turns else None, documents, details)

    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        turns = gr.State([])
        gr.Markdown(f"# {TITLE}\n{INTRO}")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    label="Answers", elem_id="qa-chat", height=520, render_markdown=False, sanitize_html=True,
                    latex_delimiters=[], allow_tags=False, buttons=["copy"], feedback_options=None,
                    group_consecutive_messages=False,
                )
                with gr.Row():
                    box = gr.Textbox(placeholder="Type a question, for example: how much will Family Help cost?",
                                     show_label=False, scale=5, elem_id="qa-question", autofocus=True)
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-ask")
                details = gr.Checkbox(label="Details for practitioners: full quotes, scores and document ids",
                                      value=False, elem_id="qa-details")
                gr.Markdown("**New here? Try one of these:**")
                with gr.Row(elem_id="qa-examples"):
                    examples = [gr.Button(text, size="sm", variant="secondary") for text in EXAMPLES]
            with gr.Column(scale=2):
                sources = gr.HTML(EMPTY_SOURCES, elem_id="qa-sources", js_on_load=None)

        outputs = [chat, turns, sources, box]
        events = dict(fn=ask, outputs=outputs, concurrency_limit=settings.workers, concurrency_id="ask")
        box.submit(inputs=[box, turns, details], **events)
        send.click(inputs=[box, turns, details], **events)
        for button in examples:
            button.click(inputs=[button, turns, details], **events)
        details.change(redraw, inputs=[turns, details], outputs=[chat, sources])
        chat.clear(lambda: ([], EMPTY_SOURCES), outputs=[turns, sources])
    return app


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
        show_error=False,
        theme=gr.themes.Default(font=SYSTEM_FONTS, font_mono=MONO_FONTS),
        css=CSS,
        js=JS,
    )


def serve(settings: Settings) -> None:
    from qa.live import LivePipeline  # moves to a new index generation between questions

    app = build_app(LivePipeline(settings), settings)
    app.launch(**launch_options(settings))
