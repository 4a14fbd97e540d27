"""The `qa` command: index, ask, serve, eval, add, list, remove. Every answer comes from Pipeline.ask()."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from pathlib import Path

from qa.settings import Settings

EXIT_USAGE = 2
EXIT_NO_INDEX = 3
# Terminal escape sequences (CSI such as ESC[2J, OSC such as a window title), then any other control
# character but newline and tab: a document's text must not drive the reader's terminal.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        settings = Settings.from_env(
            corpus_dir=getattr(args, "corpus", None),
            index_dir=args.index_dir,
            top_k=getattr(args, "top_k", None),
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
            question_log=getattr(args, "question_log", None),
            prefer_kind=getattr(args, "prefer", None),
            chroma_url=args.chroma_url,
            llm=getattr(args, "llm", None),
            llm_base_url=getattr(args, "llm_base_url", None),
        )
    except ValueError as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_USAGE
    from qa.llm import ModelUnavailable
    from qa.store import IndexUnavailable

    try:
        return args.run(args, settings)
    except ModelUnavailable as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_USAGE
    except IndexUnavailable as err:  # from wherever it was met: one line, the documented code, no traceback
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_NO_INDEX
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly. Point stdout at nothing so that the flush at
        # exit does not raise the same error again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Answers questions about the Independent Review of "
                                     "Children's Social Care, quoting the passages it relied on. Works offline.")
    parser.add_argument("--index-dir", type=Path, help="index folder (env QA_INDEX_DIR; default ./index)")
    parser.add_argument("--chroma-url", help="keep the vectors on this Chroma server, e.g. http://127.0.0.1:8000 "
                        "(env QA_CHROMA_URL; default: embedded Chroma in the index folder)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or update the index from the corpus folder")
    p.add_argument("--corpus", type=Path, help="folder of .pdf/.docx/.html/.md/.txt files (env QA_CORPUS_DIR; default ./corpus)")
    p.add_argument("--rebuild", action="store_true", help="start from an empty index (recovers a broken one)")
    p.add_argument("--check", action="store_true", help="report the state of each piece of the index; change nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=cmd_index)

    p = sub.add_parser("ask", help="answer a question, with numbered citations")
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    p.add_argument("--json", action="store_true", help="print JSON (one object per line with -)")
    p.add_argument("-k", "--top-k", type=int, help="how many passages to cite (default 3)")
    p.add_argument("--prefer", choices=("review", "coverage"),
                   help="rank passages from the review's own reports (or from press coverage) first (env QA_PREFER_KIND)")
    _model_options(p)
    p.set_defaults(run=cmd_ask)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--question-log", help="append asked questions to this file (off unless set)")
    _model_options(p)
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("eval", help="score the answers against a question/answer dataset")
    p.add_argument("--dataset", type=Path, action="append", help="JSONL dataset (repeatable; default evals/cases.jsonl)")
    p.add_argument("--out", type=Path, help="folder for report.json, report.md and report.html")
    p.add_argument("--baseline", action="store_true", help="also run the naive dense top-k pipeline, side by side")
    p.add_argument("--check", action="store_true", help="exit 1 when a metric is below evals/thresholds.toml")
    p.add_argument("--thresholds", type=Path, help="thresholds file (default evals/thresholds.toml)")
    p.add_argument("--ragas-jsonl", type=Path, help="also write question/answer/contexts/ground_truth for RAGAS")
    p.add_argument("--fresh", type=Path, help="the split never tuned on, scored beside (default evals/fresh.jsonl)")
    p.add_argument("--no-fresh", action="store_true", help="do not score the fresh split")
    p.add_argument("--no-invariance", action="store_true", help="skip the invariance (perturbation) suite")
    p.add_argument("--seed", type=int, default=0, help="seed of the invariance perturbations (default 0)")
    _model_options(p, "also answer the tuning set with this model, side by side with the extractive reader")
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("add", help="copy documents into the corpus folder and index them")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help=".pdf/.docx/.html/.md/.txt files or folders; a NAME.meta.toml beside a file comes with it")
    p.add_argument("--link", action="store_true", help="symlink the files instead of copying them")
    p.add_argument("--corpus", type=Path, help="corpus folder (env QA_CORPUS_DIR; default ./corpus)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=cmd_add)

    p = sub.add_parser("list", help="show the indexed documents, their metadata and chunk counts")
    p.add_argument("--corpus", type=Path, help="corpus folder, to name files not indexed yet (default ./corpus)")
    p.add_argument("--json", action="store_true", help="print the documents as JSON")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("remove", help="take a document out of the corpus folder and its chunks out of the index")
    p.add_argument("doc_id", metavar="DOC_ID", help="the document id, as `qa list` shows it")
    p.add_argument("--corpus", type=Path, help="corpus folder (env QA_CORPUS_DIR; default ./corpus)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=cmd_remove)
    return parser


def _model_options(parser: argparse.ArgumentParser, purpose: str = "write answers with this language model") -> None:
    parser.add_argument("--llm", metavar="SPEC", help=f"{purpose}: none (default), openai:MODEL, ollama:MODEL, "
                        "gguf:PATH or smollm2; every sentence is checked against its sources (env QA_LLM; "
                        "needs pip install '.[llm]')")
    parser.add_argument("--llm-base-url", metavar="URL",
                        help="the model server, e.g. http://127.0.0.1:8080/v1 (env QA_LLM_BASE_URL)")


def cmd_index(args, settings: Settings) -> int:
    from qa.index import IndexUnavailable, build_index

    if args.check:
        from qa.repair import check_index

        pieces = check_index(settings)
        for piece in pieces:
            print(json.dumps(piece.to_dict()) if args.json else piece.line())
        return 0 if all(p.ok for p in pieces) else EXIT_NO_INDEX
    try:
        report = build_index(settings, rebuild=args.rebuild, progress=sys.stderr.isatty(),
                             on_skip=lambda path, why: print(f"skipped {path}: {why}", file=sys.stderr))
    except (FileNotFoundError, IndexUnavailable) as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_NO_INDEX if isinstance(err, IndexUnavailable) else EXIT_USAGE
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(f"{report.documents} documents, {report.chunks} chunks: embedded {report.embedded}, "
              f"unchanged {report.skipped}, removed {report.deleted} ({report.seconds:.1f} s)")
        if report.repaired:
            print(f"Repaired {report.repaired} chunks whose vector or record an interrupted run had left alone.")
        if report.embedded == 0 and report.deleted == 0:
            print("Nothing changed: 0 chunks embedded.")
    return 0


def cmd_ask(args, settings: Settings) -> int:
    from qa.answer import EmptyQuestion, Pipeline
    from qa.index import IndexUnavailable

    if args.top_k is not None and args.top_k < 1:
        print("qa: -k must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    question = readable(args.question)
    if question != "-" and not question.strip():
        print("qa: please type a question: it was empty.", file=sys.stderr)
        return EXIT_USAGE
    try:
        pipeline = Pipeline(settings)
    except IndexUnavailable as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_NO_INDEX
    if question == "-":
        status = 0
        # Bytes, decoded line by line with replacement: one line that is not UTF-8 must not end the stream.
        for raw in sys.stdin.buffer:
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            try:
                answer = pipeline.ask(line)
            except EmptyQuestion as err:
                status = EXIT_USAGE
                print(json.dumps({"question": line, "error": str(err)}, ensure_ascii=False) if args.json
                      else f"qa: {err}", flush=True)
                continue
            print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else safe_text(render_text(answer)),
                  flush=True)
        return status
    try:
        answer = pipeline.ask(question)
    except EmptyQuestion as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else safe_text(render_text(answer)))
    return 0


def readable(text: str) -> str:
    """A command-line argument as text: bytes that are not UTF-8 reach Python as lone surrogates, which the
    tokenizer refuses; they become U+FFFD, as on stdin."""
    try:
        raw = text.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a byte (passed by a caller, not argv)
        raw = text.encode("utf-8", errors="surrogatepass")
    return raw.decode("utf-8", errors="replace")


def safe_text(text: str) -> str:
    """Text for a terminal: escape sequences and control characters from a document are dropped."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def render_text(answer) -> str:
    from qa.safety import support_for

    panel = support_for(answer.question)
    lines = [*([panel.to_text(), ""] if panel else []), *(f"Note: {n}" for n in answer.notices), answer.answer, ""]
    for c in answer.citations:
        where = ", ".join(x for x in ("review" if c.kind == "review" else "", c.outlet, c.date,
                                      f"p. {c.page}" if c.page else "", c.section) if x)
        lines.append(f"[{c.n}] {c.title}" + (f" ({where})" if where else ""))
        lines.append(f"    “{c.quote}”")
        lines.append(f"    {c.doc_id}, characters {c.start}-{c.end}, score {c.score:.2f}" + (f", {c.url}" if c.url else ""))
    return "\n".join(lines)


def cmd_serve(args, settings: Settings) -> int:
    from qa.index import IndexUnavailable
    from qa.ui import serve

    try:
        serve(settings)
    except IndexUnavailable as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_NO_INDEX
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from qa.evals import run_cli

    return run_cli(args, settings)


def cmd_add(args, settings: Settings) -> int:
    from qa.index import IndexUnavailable
    from qa.manage import CorpusError, add_documents

    try:
        result = add_documents(settings, args.paths, link=args.link, progress=sys.stderr.isatty())
    except (CorpusError, IndexUnavailable) as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_NO_INDEX if isinstance(err, IndexUnavailable) else EXIT_USAGE
    rejected = dict(result.rejected)
    for path, why in result.index.skipped_files:
        if Path(path).name not in rejected:
            print(f"skipped {path}: {why}", file=sys.stderr)
    for name, why in result.rejected:
        print(f"qa: not added {name}: {why}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        for name in result.added:
            print(f"added {name}")
        for name in result.unchanged:
            print(f"already in the corpus: {name}")
        if result.ignored:
            print(f"ignored (unsupported type): {', '.join(result.ignored)}")
        print(_index_summary(result.index))
    return 1 if result.rejected else 0


def cmd_list(args, settings: Settings) -> int:
    from qa.index import IndexUnavailable
    from qa.manage import list_documents, unindexed_files

    try:
        rows = list_documents(settings)
    except IndexUnavailable as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_NO_INDEX
    print(json.dumps(rows, ensure_ascii=False) if args.json else render_documents(rows))
    pending = unindexed_files(settings, rows)
    if pending:
        print(f"not in the index: {', '.join(p.name for p in pending)} (run `qa index`; it says why a file "
              "cannot be read)", file=sys.stderr)
    return 0


def render_documents(rows: list[dict]) -> str:
    columns = ("doc_id", "title", "kind", "outlet", "date", "pages", "chunks")
    cells = [[_clip("-" if row[c] in (None, "") else str(row[c])) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in [list(columns), *cells]]
    lines.append(f"{len(rows)} documents, {sum(row['chunks'] for row in rows)} chunks")
    return "\n".join(lines)


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_remove(args, settings: Settings) -> int:
    from qa.index import IndexUnavailable
    from qa.manage import CorpusError, remove_document

    try:
        result = remove_document(settings, args.doc_id,
                                 on_skip=lambda path, why: print(f"skipped {path}: {why}", file=sys.stderr))
    except (CorpusError, IndexUnavailable) as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_NO_INDEX if isinstance(err, IndexUnavailable) else EXIT_USAGE
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        for path in result.removed_files:
            print(f"removed {path}")
        print(_index_summary(result.index))
    return 0


def _index_summary(report) -> str:
    return (f"index: {report.documents} documents, {report.chunks} chunks: embedded {report.embedded}, "
            f"unchanged {report.skipped}, removed {report.deleted} ({report.seconds:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
