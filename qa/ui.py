"""The web app: a Gradio chat on top of Pipeline.ask(). Bound to 127.0.0.1, no share links, no analytics."""

from __future__ import annotations

import html
import os

from qa.answer import EmptyQuestion, Pipeline
from qa.settings import Settings


def render_answer_html(answer) -> str:
    """The answer and its numbered sources; all document text is escaped."""
    parts = [f"<p>{html.escape(answer.answer)}</p>"]
    for c in answer.citations:
        parts.append(
            f"<p><b>[{c.n}]</b> {html.escape(c.title)}<br><mark>{html.escape(c.quote)}</mark>"
            f"<br><small>{html.escape(c.doc_id)}, characters {c.start}-{c.end}</small></p>"
        )
    return "".join(parts)


def build_app(pipeline: Pipeline):
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import gradio as gr

    def respond(message, history):
        try:
            return render_answer_html(pipeline.ask(message))
        except EmptyQuestion as err:
            return html.escape(str(err))

    return gr.ChatInterface(respond, title="Care review questions", analytics_enabled=False)


def serve(settings: Settings) -> None:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    app = build_app(Pipeline(settings))
    app.launch(server_name=settings.host, server_port=settings.port, share=False, show_api=False)
