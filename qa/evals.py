"""The evaluation suite: score answers against a JSONL dataset, compare with a naive pipeline, report.

Metrics are pure functions of plain per-case results (no model inside the metric code), so any dataset
in the same format can be scored, and the same results render as JSON, Markdown and HTML.
"""

from __future__ import annotations

import json
import sys
import time
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from qa.answer import NO_MODEL_ASKED, Pipeline
from qa.index import LoadedIndex
from qa.schema import Answer, Citation
from qa.settings import PROJECT_ROOT, Settings
from qa.text import normalise, numbers_in, sentence_spans, unsupported_numbers
from qa.verify import unsupported_answer_names

DEFAULT_DATASET = PROJECT_ROOT / "evals" / "cases.jsonl"
# Written blind and never tuned on: the honest measure of how well the rules generalise.
DEFAULT_FRESH = PROJECT_ROOT / "evals" / "fresh.jsonl"
DEFAULT_THRESHOLDS = PROJECT_ROOT / "evals" / "thresholds.toml"
PERSONAS = ("young person", "practitioner", "evaluator")


class DatasetError(ValueError):
    """A dataset line that does not follow the format; the message names the file and line."""


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    expect: tuple[str, ...]
    answerable: bool
    sources: tuple[str, ...]
    persona: str
    tags: tuple[str, ...] = ()


def load_cases(*paths: Path) -> list[Case]:
    cases, seen = [], set()
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise DatasetError(f"{path}: cannot be read ({err})") from None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(line)
                case = Case(
                    id=str(row["id"]), question=str(row["question"]), expect=tuple(row.get("expect") or ()),
                    answerable=bool(row["answerable"]), sources=tuple(row.get("sources") or ()),
                    persona=str(row.get("persona", "evaluator")), tags=tuple(row.get("tags") or ()),
                )
            except json.JSONDecodeError as err:
                raise DatasetError(f"{where}: not JSON ({err.msg})") from None
            except (KeyError, TypeError) as err:
                raise DatasetError(f"{where}: missing or malformed field {err}") from None
            if case.answerable and not case.expect:
                raise DatasetError(f"{where}: an answerable case needs at least one expect string")
            if case.id in seen:
                raise DatasetError(f"{where}: duplicate id {case.id!r}")
            seen.add(case.id)
            cases.append(case)
    if not cases:
        raise DatasetError("the dataset has no cases")
    return cases


def lint_cases(cases: list[Case], documents: dict[str, str]) -> list[str]:
    """Problems in the dataset itself: unknown source ids, expected strings no source states."""
    problems = []
    normalised = {doc_id: normalise(text) for doc_id, text in documents.items()}
    for case in cases:
        unknown = [s for s in case.sources if s not in documents]
        if unknown:
            problems.append(f"{case.id}: unknown source ids {unknown}")
        if case.answerable and not case.sources:
            problems.append(f"{case.id}: answerable but no sources")
        for expected in case.expect:
            if not any(normalise(expected) in normalised.get(s, "") for s in case.sources):
                problems.append(f"{case.id}: {expected!r} is in none of its sources")
    return problems


# --- scoring one case ----------------------------------------------------------------------------


def matches(text: str, expected: tuple[str, ...]) -> str | None:
    """The first expected string that ``text`` contains after normalisation, else None."""
    folded = normalise(text)
    return next((e for e in expected if normalise(e) in folded), None)


def score_answer(case: Case, answer: Answer) -> dict:
    """Per-case result: plain values only, so metrics and reports need nothing else."""
    quotes = [c.quote for c in answer.citations]
    stated = [] if answer.abstained else numbers_in(answer.answer)
    unsupported = [] if answer.abstained else unsupported_numbers(answer.answer, quotes)
    hit = matches(answer.answer, case.expect) if case.answerable and not answer.abstained else None
    correct = (hit is not None) if case.answerable else answer.abstained
    cited = case.answerable and not answer.abstained and any(
        c.doc_id in case.sources and matches(c.quote, case.expect) for c in answer.citations
    )
    rank = next((i for i, doc in enumerate(answer.retrieved, start=1) if doc in case.sources), None)
    shown = " ".join(f"{c.title}. {c.quote}" for c in answer.citations)
    names = [] if answer.abstained else unsupported_answer_names(answer.answer, shown)
    asked = answer.reader == "generative" or (bool(answer.fallback) and answer.fallback != NO_MODEL_ASKED)
    return {
        "id": case.id, "question": case.question, "persona": case.persona, "tags": list(case.tags),
        "answerable": case.answerable, "expect": list(case.expect), "sources": list(case.sources),
        "answer": answer.answer, "abstained": answer.abstained,
        "citations": [c.to_dict() for c in answer.citations],
        "answer_correct": correct, "citation_correct": bool(cited), "first_relevant_rank": rank,
        "numbers_stated": len(stated), "unsupported_numbers": unsupported,
        "latency_ms": answer.timings_ms.get("total", 0.0),
        "unsupported_names": names, "reader": answer.reader, "model_asked": asked,
        "fallback": answer.fallback, "dropped": [list(d) for d in answer.dropped],
        "kept_statements": len(sentence_spans(answer.answer)) if answer.reader == "generative" else 0,
    }


# --- metrics -------------------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 2)


def compute_metrics(results: list[dict]) -> dict:
    answerable = [r for r in results if r["answerable"]]
    unanswerable = [r for r in results if not r["answerable"]]
    abstained = [r for r in results if r["abstained"]]
    ranked = [r for r in answerable if r["sources"]]
    latencies = [r["latency_ms"] for r in results]
    asked = [r for r in results if r["model_asked"]]
    return {
        "cases": len(results),
        "answer_accuracy": _ratio(sum(r["answer_correct"] for r in results), len(results)),
        "answerable_accuracy": _ratio(sum(r["answer_correct"] for r in answerable), len(answerable)),
        "citation_accuracy": _ratio(sum(r["citation_correct"] for r in answerable), len(answerable)),
        "hit_at_1": _ratio(sum(r["first_relevant_rank"] == 1 for r in ranked), len(ranked)),
        "hit_at_5": _ratio(sum((r["first_relevant_rank"] or 99) <= 5 for r in ranked), len(ranked)),
        "mrr": round(sum(1 / r["first_relevant_rank"] for r in ranked if r["first_relevant_rank"]) / len(ranked), 4)
        if ranked else None,
        "abstention_precision": _ratio(sum(not r["answerable"] for r in abstained), len(abstained)),
        "abstention_recall": _ratio(sum(r["abstained"] for r in unanswerable), len(unanswerable)),
        "false_abstention_rate": _ratio(sum(r["abstained"] for r in answerable), len(answerable)),
        "unsupported_number_rate": _ratio(sum(len(r["unsupported_numbers"]) for r in results),
                                          sum(r["numbers_stated"] for r in results)) or 0.0,
        "unsupported_name_answers": sum(bool(r["unsupported_names"]) for r in results),
        # Of the statements a language model wrote, the share the verifier dropped; of the questions it was
        # asked, the share answered by the extractive reader instead. None when no model was asked.
        "drop_rate": _ratio(sum(len(r["dropped"]) for r in asked),
                            sum(len(r["dropped"]) + r["kept_statements"] for r in asked)),
        "fallback_rate": _ratio(sum(r["reader"] != "generative" for r in asked), len(asked)),
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
    }


def breakdown(results: list[dict]) -> dict:
    """Metrics overall, per persona and per tag."""
    personas = sorted({r["persona"] for r in results}, key=lambda p: (p not in PERSONAS, p))
    tags = sorted({t for r in results for t in r["tags"]})
    return {
        "overall": compute_metrics(results),
        "by_persona": {p: compute_metrics([r for r in results if r["persona"] == p]) for p in personas},
        "by_tag": {t: compute_metrics([r for r in results if t in r["tags"]]) for t in tags},
    }


# --- the naive baseline --------------------------------------------------------------------------


class NaivePipeline:
    """What a LangChain tutorial gives: dense top-k from the vector store, the first chunk as the answer,
    no abstention. Runs on the same index as the real pipeline, for a fair comparison."""

    def __init__(self, settings: Settings, index: LoadedIndex) -> None:
        from langchain_chroma import Chroma

        from qa.embed import SentencePoolingEmbeddings
        from qa.index import COLLECTION, chroma_client

        self.settings = settings
        self.index = index
        self.store = Chroma(collection_name=COLLECTION, client=chroma_client(index.paths.chroma),
                            embedding_function=SentencePoolingEmbeddings(settings.threads))

    def ask(self, question: str) -> Answer:
        started = time.perf_counter()
        docs = self.store.similarity_search_with_relevance_scores(question, k=self.settings.top_k)
        citations = tuple(
            Citation(n=n, doc_id=d.metadata["doc_id"], title=d.metadata.get("title", ""), quote=d.page_content,
                     start=d.metadata["start"], end=d.metadata["end"], score=round(score, 4))
            for n, (d, score) in enumerate(docs, start=1)
        )
        text = f"{citations[0].quote} [1]" if citations else ""
        return Answer(question=question, answer=text, abstained=False, citations=citations,
                      timings_ms={"total": round((time.perf_counter() - started) * 1000, 2)},
                      retrieved=tuple(dict.fromkeys(c.doc_id for c in citations)))


# --- running -------------------------------------------------------------------------------------


def run_suite(ask, cases: list[Case], progress: bool = True, label: str = "ours") -> list[dict]:
    from tqdm import tqdm

    results = []
    for case in tqdm(cases, desc=f"eval ({label})", unit="q", disable=not progress, leave=False):
        results.append(score_answer(case, ask(case.question)))
    return results


def check_thresholds(metrics: dict, thresholds: dict, label: str = "", skip_missing: bool = False) -> list[str]:
    """Lines naming every metric outside its bound; empty when all hold. A metric that does not apply (None:
    a split with no unanswerable case, a perturbation that changed no question) fails unless ``skip_missing``."""
    failures = []
    prefix = f"{label}: " if label else ""
    for section, outside, word in (("min", lambda v, b: v < b, "below the minimum"),
                                   ("max", lambda v, b: v > b, "above the maximum")):
        for name, bound in thresholds.get(section, {}).items():
            value = metrics.get(name)
            if value is None and skip_missing:
                continue
            if value is None or outside(value, bound):
                failures.append(f"{prefix}{name} = {value} is {word} {bound}")
    return failures


def all_threshold_failures(report: dict, thresholds: dict) -> list[str]:
    """The tuning set against [min]/[max], the fresh split against [fresh.*], invariance against [invariance.*]."""
    failures = check_thresholds(report["ours"]["overall"], thresholds)
    if "fresh" in report:
        failures += check_thresholds(report["fresh"]["overall"], thresholds.get("fresh", {}), "fresh", True)
    if "llm" in report:
        # Whatever the model: no figure or name outside the cited passages, and no answer where the
        # extractive reader would say the documents don't.
        llm, ours = report["llm"]["overall"], report["ours"]["overall"]
        failures += check_thresholds(llm, {"max": {"unsupported_number_rate": 0.0, "unsupported_name_answers": 0},
                                           "min": {"abstention_recall": ours["abstention_recall"] or 0.0}},
                                     report["llm"]["spec"], True)
    if "invariance" in report:
        rates = {name: row["rate"] for name, row in report["invariance"].items()}
        failures += check_thresholds(rates, thresholds.get("invariance", {}), "invariance", True)
    return failures


GAP_METRICS = ("answer_accuracy", "citation_accuracy", "abstention_recall", "false_abstention_rate")


def gap(tuned: dict, fresh: dict) -> dict:
    """How much better the tuning set scores than the fresh split (positive: the rules fit the suite)."""
    return {k: round(tuned[k] - fresh[k], 4) for k in GAP_METRICS if tuned.get(k) is not None and fresh.get(k) is not None}


def ragas_rows(results: list[dict]) -> list[dict]:
    return [
        {"question": r["question"], "answer": r["answer"], "contexts": [c["quote"] for c in r["citations"]],
         "ground_truth": r["expect"][0] if r["expect"] else "The documents do not say."}
        for r in results
    ]


def run_cli(args, settings: Settings) -> int:
    from qa.index import IndexUnavailable

    datasets = args.dataset or [DEFAULT_DATASET]
    fresh_path = None if args.no_fresh else (args.fresh or (DEFAULT_FRESH if DEFAULT_FRESH.exists() else None))
    try:
        cases = load_cases(*datasets)
        fresh_cases = load_cases(fresh_path) if fresh_path else []
        # The extractive reader always answers the sets below; a configured model answers beside it.
        pipeline = Pipeline(replace(settings, llm="none"))
        generative = Pipeline(settings, index=pipeline.index) if settings.llm not in ("", "none") else None
    except DatasetError as err:
        print(f"qa eval: {err}", file=sys.stderr)
        return 2
    except IndexUnavailable as err:
        print(f"qa eval: {err}", file=sys.stderr)
        return 3
    progress = sys.stderr.isatty()
    texts = {d: doc.text for d, doc in pipeline.index.documents.items()}
    report = {
        "datasets": [str(d) for d in datasets],
        "settings": {"top_k": settings.top_k, "candidates": settings.candidates,
                     "abstain_below": settings.abstain_below, "index_dir": str(settings.index_dir),
                     "llm": settings.llm},
        "lint": lint_cases(cases + fresh_cases, texts),
    }
    results = run_suite(pipeline.ask, cases, progress)
    report["ours"] = {**breakdown(results), "cases": results}
    if fresh_cases:
        fresh = run_suite(pipeline.ask, fresh_cases, progress, label="fresh")
        report["fresh_dataset"] = str(fresh_path)
        report["fresh"] = {**breakdown(fresh), "cases": fresh}
        report["gap"] = gap(report["ours"]["overall"], report["fresh"]["overall"])
    if not args.no_invariance:
        from qa.invariance import run_invariance

        report["invariance"] = run_invariance(lambda case, q: score_answer(case, pipeline.ask(q)), cases, results,
                                              seed=args.seed)
    if generative is not None:
        llm = run_suite(generative.ask, cases, progress, label=settings.llm)
        report["llm"] = {**breakdown(llm), "cases": llm, "spec": settings.llm}
    if args.baseline:
        naive = NaivePipeline(settings, pipeline.index)
        baseline = run_suite(naive.ask, cases, progress, label="baseline")
        report["baseline"] = {**breakdown(baseline), "cases": baseline}
    thresholds_path = args.thresholds or DEFAULT_THRESHOLDS
    thresholds = tomllib.loads(thresholds_path.read_text()) if thresholds_path.exists() else {}
    report["threshold_failures"] = all_threshold_failures(report, thresholds)
    report["thresholds"] = thresholds

    from qa.reports import write_reports

    if args.out:
        written = write_reports(report, args.out)
        print("wrote " + ", ".join(str(p) for p in written), file=sys.stderr)
    if args.ragas_jsonl:
        args.ragas_jsonl.parent.mkdir(parents=True, exist_ok=True)
        args.ragas_jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                            for r in ragas_rows(results)), encoding="utf-8")
    from qa.reports import invariance_table, summary_table

    print(summary_table(report))
    if report.get("invariance"):
        print("\nInvariance (share of right answers kept):\n" + invariance_table(report))
    for line in report["lint"]:
        print(f"dataset: {line}", file=sys.stderr)
    if args.check and report["threshold_failures"]:
        for line in report["threshold_failures"]:
            print(f"FAIL {line}", file=sys.stderr)
        return 1
    return 0
