"""What the web app shows, as HTML: chat messages, the support panel and the sources panel.

Every piece of text that reaches the page (questions, answers, document text, metadata) goes through ``esc()``,
so a document holding ``<script>`` shows it as text. The rendering reads the ``Answer`` record and never decides
anything the pipeline decides; fields it does not know are ignored, fields it knows but which are missing (an
older pipeline) are read with ``getattr`` defaults.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from qa.plain import PlainAnswer, plain_answer
from qa.safety import SupportPanel
from qa.schema import Answer, Citation, Document

ABSTAIN_HINT = "You could try asking in a different way, or ask about something else in the review."
EMPTY_SOURCES = "<p class='qa-empty'>Ask a question. The passages the answer comes from will show here.</p>"
QUOTE_MARKS = "“”\"'‘’"
# Longest stretch of a paragraph shown around a quote in a source card.
CONTEXT_CHARS = 320
ELLIPSIS = "…"


@dataclass(frozen=True)
class Turn:
    """One question and what the app showed for it.

    ``shown`` is the question as the chat shows it (cut to what was used for answering); ``note`` is a short
    reply of the app's own (the articles are in English, the question was empty) given instead of an answer.
    """

    question: str
    answer: Answer | None = None
    support: SupportPanel | None = None
    note: str = ""
    shown: str = ""


def shown_question(question: str, limit: int) -> str:
    """The question as it was used: spaces as the pipeline folds them, cut at ``limit`` characters, then "…"."""
    folded = " ".join(str(question or "").split())
    return folded if len(folded) <= limit else folded[:limit] + ELLIPSIS


def is_disclosure(panel: SupportPanel | None) -> bool:
    """The message tells of harm to the person themselves: the panel is shown and no article is quoted."""
    return panel is not None and panel.disclosure


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
    """The calm support panel; for a disclosure, the line saying the articles can't help goes under it."""
    contacts = "".join(
        f"<li><strong>{esc(c.name)}</strong>: <a href='tel:{esc(c.dial)}'>{esc(c.number)}</a>"
        f"<br><span>{esc(c.about)}</span></li>"
        for c in panel.contacts
    )
    note = panel.disclosure_note if is_disclosure(panel) else ""
    note_html = f"<p class='qa-disclosure'>{esc(note)}</p>" if note else ""
    return (
        f"<div class='qa-support' role='note'><p class='qa-support-heading'>{esc(panel.heading)}</p>"
        f"<p>{esc(panel.intro)}</p><ul>{contacts}</ul><p>{esc(panel.closing)}</p>{note_html}</div>"
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
    if details:
        body = _understood_as(answer) + f"<p class='qa-text'>{esc_answer(answer.answer)}</p>"
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
    return f"<div class='qa-answer'>{notices}{body}{sources}{_how_written(answer) if details else ''}{timing}</div>"


def _how_written(answer: Answer) -> str:
    """Details mode: which reader wrote the answer, and what the verifier took out of a model's draft."""
    if answer.reader == "generative":
        line = "Written by a language model; every sentence checked against the passage it cites."
    elif answer.fallback:
        line = f"Quoted from the documents: {answer.fallback}."
    else:
        return ""
    if answer.dropped:  # counted, never shown: a dropped sentence may state a figure no document gives
        count = len(answer.dropped)
        line += (f" {count} sentence{'s' if count > 1 else ''} the model wrote {'were' if count > 1 else 'was'} "
                 "taken out: the passages cited did not state them (qa ask --json lists them).")
    return f"<p class='qa-meta qa-reader'>{esc(line)}</p>"


def _understood_as(answer: Answer) -> str:
    """How the pipeline read the question, when it says and that differs from what was asked."""
    understood = answer.understood_as.strip()
    if not understood or " ".join(understood.split()).lower() == " ".join(answer.question.split()).lower():
        return ""
    return f"<p class='qa-meta qa-understood'>Understood as: {esc(understood)}</p>"


def _citation_line(c: Citation, details: bool, nearest: bool) -> str:
    """One source under an answer. Plain mode names it (the answer already says what it says), except for the
    nearest passages of an unanswered question, whose words are the only thing to show."""
    line = f"<span class='qa-n'>[{c.n}]</span> {esc(c.title or c.doc_id)}{_meta(c.outlet, c.date)}"
    if details:
        line += f"<blockquote>{esc(c.quote)}</blockquote><span class='qa-meta'>{esc(_where(c))}</span>"
    elif nearest:
        line += f"<br>“{esc(_shorten(c.quote.strip(QUOTE_MARKS), 160))}”"
    return line


def _where(c: Citation) -> str:
    """Where a quote stands, for practitioners: document id, character offsets, page, score."""
    page = f", page {c.page}" if c.page else ""
    return f"document {c.doc_id}, characters {c.start}–{c.end}{page}, score {c.score:.2f}"


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
    """The sources panel for the latest question: the support panel first when one was shown, then its sources."""
    if turn is None:
        return EMPTY_SOURCES
    support = render_support(turn.support) if turn.support is not None else ""
    if support and turn.answer is None:
        return support
    return support + render_sources(turn.answer, documents, details)


def render_sources(answer: Answer | None, documents: dict[str, Document], details: bool) -> str:
    """The sources panel: each cited quote highlighted in its paragraph, and the whole document one click away."""
    if answer is None or not answer.citations:
        return EMPTY_SOURCES
    heading = "Closest passages" if answer.abstained else "Sources"
    cards = [_source_card(c, documents.get(c.doc_id), details) for c in answer.citations]
    return f"<div class='qa-sources'><h2>{heading}</h2>{''.join(cards)}</div>"


def _source_card(c: Citation, doc: Document | None, details: bool) -> str:
    meta = f"{c.outlet or 'Outlet not named'}, {_readable_date(c.date) or 'date not given'}"
    if details:
        meta += f" · {_where(c)}"
    card = (f"<article class='qa-source' id='qa-source-{c.n}'><h3><span class='qa-n'>[{c.n}]</span> "
            f"{esc(c.title or c.doc_id)}</h3><p class='qa-meta'>{esc(meta)}</p>")
    if doc is None or doc.text[c.start:c.end] != c.quote:  # never highlight a span that is not the quote
        return card + f"<blockquote class='qa-context'><mark>{esc(c.quote)}</mark></blockquote></article>"
    whole = f"{esc(doc.text[:c.start])}<mark class='qa-target'>{esc(c.quote)}</mark>{esc(doc.text[c.end:])}"
    return card + (
        f"<blockquote class='qa-context'>{_in_paragraph(doc.text, c)}</blockquote>"
        f"<details class='qa-doc'><summary>Open the whole article at this quote</summary>"
        f"<div class='qa-doc-text' tabindex='0' role='region' aria-label='Whole article: {esc(c.title or c.doc_id)}'>"
        f"{whole}</div></details></article>"
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
    """The chat history in Gradio's message format.

    The first reply of each turn carries the class ``qa-first``: after an answer the page scrolls to the start
    of the newest one (see qa/data/ui.js), so a phone shows its first line, or the support panel's heading.
    """
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": esc(turn.shown or turn.question)})
        replies = []
        if turn.support is not None:
            replies.append(render_support(turn.support))
        if turn.note:
            replies.append(f"<div class='qa-note'><p>{esc(turn.note)}</p></div>")
        if turn.answer is not None:
            replies.append(render_answer(turn.answer, details))
        for i, reply in enumerate(replies):
            content = f"<div class='qa-first'>{reply}</div>" if i == 0 else reply
            messages.append({"role": "assistant", "content": content})
    return messages
