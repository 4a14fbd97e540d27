"""The `qa` command: index, ask, serve, eval, add, list, remove. Every answer comes from Pipeline.ask()."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from qa.settings import Settings

EXIT_USAGE = 2
EXIT_NO_INDEX = 3


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
        )
    except ValueError as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_USAGE
    return args.run(args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Answers questions about the Independent Review of "
                                     "Children's Social Care, quoting the passages it relied on. Works offline.")
    parser.add_argument("--index-dir", type=Path, help="index folder (env QA_INDEX_DIR; default ./index)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or update the index from the corpus folder")
    p.add_argument("--corpus", type=Path, help="folder of .txt/.md/.html files (env QA_CORPUS_DIR; default ./corpus)")
    p.add_argument("--rebuild", action="store_true", help="start from an empty index")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=cmd_index)

    p = sub.add_parser("ask", help="answer a question, with numbered citations")
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    p.add_argument("--json", action="store_true", help="print JSON (one object per line with -)")
    p.add_argument("-k", "--top-k", type=int, help="how many passages to cite (default 3)")
    p.set_defaults(run=cmd_ask)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--question-log", help="append asked questions to this file (off unless set)")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("eval", help="score the answers against a question/answer dataset")
    p.add_argument("--dataset", type=Path, action="append", help="JSONL dataset (repeatable; default evals/cases.jsonl)")
    p.add_argument("--out", type=Path, help="folder for report.json, report.md and report.html")
    p.add_argument("--baseline", action="store_true", help="also run the naive dense top-k pipeline, side by side")
    p.add_argument("--check", action="store_true", help="exit 1 when a metric is below evals/thresholds.toml")
    p.add_argument("--thresholds", type=Path, help="thresholds file (default evals/thresholds.toml)")
    p.add_argument("--ragas-jsonl", type=Path, help="also write question/answer/contexts/ground_truth for RAGAS")
    p.set_defaults(run=cmd_eval)
    return parser


def cmd_index(args, settings: Settings) -> int:
    from qa.index import IndexUnavailable, build_index

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
        if report.embedded == 0 and report.deleted == 0:
            print("Nothing changed: 0 chunks embedded.")
    return 0


def cmd_ask(args, settings: Settings) -> int:
    from qa.answer import EmptyQuestion, Pipeline
    from qa.index import IndexUnavailable

    if args.top_k is not None and args.top_k < 1:
        print("qa: -k must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if args.question != "-" and not args.question.strip():
        print("qa: please type a question: it was empty.", file=sys.stderr)
        return EXIT_USAGE
    try:
        pipeline = Pipeline(settings)
    except IndexUnavailable as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_NO_INDEX
    if args.question == "-":
        status = 0
        for line in sys.stdin:
            try:
                answer = pipeline.ask(line.rstrip("\n"))
            except EmptyQuestion as err:
                status = EXIT_USAGE
                print(json.dumps({"question": line.rstrip("\n"), "error": str(err)}) if args.json
                      else f"qa: {err}", flush=True)
                continue
            print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else render_text(answer), flush=True)
        return status
    try:
        answer = pipeline.ask(args.question)
    except EmptyQuestion as err:
        print(f"qa: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else render_text(answer))
    return 0


def render_text(answer) -> str:
    lines = [*(f"Note: {n}" for n in answer.notices), answer.answer, ""]
    for c in answer.citations:
        where = ", ".join(x for x in (c.outlet, c.date, f"p. {c.page}" if c.page else "") if x)
        lines.append(f"[{c.n}] {c.title}" + (f" ({where})" if where else ""))
        lines.append(f"    “{c.quote}”")
        lines.append(f"    {c.doc_id}, characters {c.start}-{c.end}, score {c.score:.2f}")
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


if __name__ == "__main__":
    sys.exit(main())
