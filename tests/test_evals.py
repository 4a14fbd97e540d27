import json

import pytest

from qa.evals import (DEFAULT_DATASET, Case, DatasetError, breakdown, check_thresholds, compute_metrics,
                      lint_cases, load_cases, matches, score_answer)
from qa.ingest import load_corpus
from qa.schema import Answer, Citation
from tests.conftest import CORPUS, run_qa


def test_shipped_dataset_is_consistent_with_the_corpus():
    cases = load_cases(DEFAULT_DATASET)
    documents = {d.doc_id: d.text for d in load_corpus(CORPUS)}
    assert lint_cases(cases, documents) == []
    answerable = [c for c in cases if c.answerable]
    assert len(answerable) >= 80 and len(cases) - len(answerable) >= 15
    assert {c.persona for c in cases} == {"young person", "practitioner", "evaluator"}


def test_the_blind_splits_are_consistent_with_the_corpus_and_apart_from_the_suite():
    documents = {d.doc_id: d.text for d in load_corpus(CORPUS)}
    suite = {c.question.lower() for c in load_cases(DEFAULT_DATASET)}
    for name, minimum, unanswerable in (("fresh.jsonl", 120, 25), ("dev.jsonl", 100, 20), ("dev2.jsonl", 80, 30),
                                         ("dev3.jsonl", 90, 30), ("dev4.jsonl", 100, 40),
                                         ("dev5.jsonl", 100, 40), ("dev6.jsonl", 110, 40),
                                         ("dev7.jsonl", 100, 30), ("dev8.jsonl", 100, 30),
                                         ("dev9.jsonl", 90, 15), ("dev10.jsonl", 90, 30),
                                         ("dev11.jsonl", 90, 40), ("dev12.jsonl", 100, 30),
                                         ("dev13.jsonl", 90, 25), ("dev14.jsonl", 90, 25),
                                         ("dev15.jsonl", 100, 25)):
        cases = load_cases(DEFAULT_DATASET.with_name(name))
        assert lint_cases(cases, documents) == [], name
        assert len(cases) >= minimum and sum(not c.answerable for c in cases) >= unanswerable
        assert sum(c.persona == "young person" for c in cases) >= len(cases) / 2
        if name == "fresh.jsonl":  # the measure of generalisation shares no question with what is tuned on
            assert not {c.question.lower() for c in cases} & suite


def test_lint_catches_typos_and_unknown_sources():
    cases = [Case("a", "q", ("£2.7 billion",), True, ("doc",), "evaluator"),
             Case("b", "q", ("£2.6bn",), True, ("nope",), "evaluator")]
    problems = lint_cases(cases, {"doc": "He called for £2.6 billion over five years."})
    assert any("a:" in p and "£2.7 billion" in p for p in problems)
    assert any("b:" in p and "unknown source" in p for p in problems)


def test_matching_normalises_number_and_currency_forms():
    assert matches("He wants £2.6 billion over 5 years", ("£2.6bn",)) == "£2.6bn"
    assert matches("30000 more children", ("30,000",)) == "30,000"
    assert matches("over five years", ("5 years",)) == "5 years"
    assert matches("“Stunned” said the ICHA", ('"stunned"',)) is not None
    assert matches("£2.6 million", ("£2.6bn",)) is None


def _answer(text, quotes, abstained=False, docs=("d1",)):
    citations = tuple(Citation(n=i + 1, doc_id=docs[i % len(docs)], title="t", quote=q, start=0, end=len(q),
                               score=0.5) for i, q in enumerate(quotes))
    return Answer("q", text, abstained, citations, {"total": 10.0}, retrieved=docs)


def test_metrics_from_plain_results():
    answerable = Case("a", "q", ("£45m",), True, ("d1",), "young person", ("money",))
    unanswerable = Case("u", "q", (), False, (), "practitioner", ("near-miss",))
    results = [
        score_answer(answerable, _answer("£45m. It is £45m [1]", ["A further£45m is invested"])),
        score_answer(answerable, _answer("£46m [1]", ["£45m is invested"], docs=("d2", "d1"))),
        score_answer(unanswerable, _answer("These documents don't say.", ["x"], abstained=True)),
        score_answer(unanswerable, _answer("£9m [1]", ["£9m for kinship carers"])),
    ]
    m = compute_metrics(results)
    assert m["answer_accuracy"] == 0.5 and m["citation_accuracy"] == 0.5
    assert m["abstention_recall"] == 0.5 and m["abstention_precision"] == 1.0
    assert m["unsupported_number_rate"] == 0.25  # of the numbers stated (45, 45, 46, 9), only 46 is unquoted
    assert m["hit_at_1"] == 0.5 and m["hit_at_5"] == 1.0 and m["mrr"] == 0.75
    groups = breakdown(results)
    assert set(groups["by_persona"]) == {"young person", "practitioner"} and "money" in groups["by_tag"]
    assert check_thresholds(m, {"min": {"answer_accuracy": 0.9}, "max": {"unsupported_number_rate": 0}}) == [
        "answer_accuracy = 0.5 is below the minimum 0.9", "unsupported_number_rate = 0.25 is above the maximum 0"]


def test_malformed_dataset_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q", "answerable": true, "expect": ["a"]}\n{not json\n')
    with pytest.raises(DatasetError, match=r"bad.jsonl:2"):
        load_cases(bad)


def test_eval_cli_writes_reports_and_checks(settings, tmp_path):
    dataset = tmp_path / "mine.jsonl"
    rows = [
        {"id": "t1", "question": "How much did MacAlister call for to transform the system?",
         "expect": ["£2.6 billion"], "answerable": True, "sources": ["001_7d838c9a240800e0"],
         "persona": "practitioner", "tags": ["money"]},
        {"id": "t2", "question": "What is the capital of France?", "expect": [], "answerable": False,
         "sources": [], "persona": "young person", "tags": ["out-of-scope"]},
    ]
    dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    strict = tmp_path / "strict.toml"
    strict.write_text("[min]\nanswer_accuracy = 1.01\n")
    env = {"QA_INDEX_DIR": str(settings.index_dir)}
    out = tmp_path / "report"
    fresh = tmp_path / "fresh.jsonl"
    fresh.write_text(json.dumps({**rows[0], "id": "f1", "question": "how much cash did macalister want to fix it",
                                 "sources": ["001_7d838c9a240800e0", "004_0e57e4176ae4edaa"]}) + "\n")
    ok = run_qa("eval", "--dataset", str(dataset), "--fresh", str(fresh), "--out", str(out), "--baseline", "--check",
                "--ragas-jsonl", str(tmp_path / "ragas.jsonl"), env=env)
    assert ok.returncode == 0, ok.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["ours"]["overall"]["answer_accuracy"] == 1.0 and "baseline" in report
    assert [r["id"] for r in report["ours"]["cases"]] == ["t1", "t2"]
    html = (out / "report.html").read_text()
    # The fresh split beside the tuning set, with the gap; the invariance suite from the answerable case.
    assert [r["id"] for r in report["fresh"]["cases"]] == ["f1"] and "answer_accuracy" in report["gap"]
    assert report["invariance"]["filler"] == {"tried": 1, "kept": 1, "rate": 1.0, "broken": []}
    assert report["invariance"]["typo_swap"]["tried"] == 1
    assert html.count("data:image/png;base64,") == 4 and "Failures" in html and "Invariance" in html
    markdown = (out / "report.md").read_text()
    assert "| Answer accuracy |" in markdown and "fresh split" in markdown and "| filler | 1 | 1 | 1.000 |" in markdown
    ragas = [json.loads(line) for line in (tmp_path / "ragas.jsonl").read_text().splitlines()]
    assert set(ragas[0]) == {"question", "answer", "contexts", "ground_truth"} and ragas[0]["contexts"]
    failing = run_qa("eval", "--dataset", str(dataset), "--no-fresh", "--no-invariance", "--check",
                     "--thresholds", str(strict), env=env)
    assert failing.returncode == 1 and "answer_accuracy" in failing.stderr


def test_drop_and_fallback_rates_count_only_questions_a_model_was_asked():
    case = Case("a", "q", ("£2.6 billion",), True, ("d",), "evaluator")
    quote = "He called for £2.6 billion."
    cited = (Citation(1, "d", "t", quote, 0, len(quote), 0.9),)
    generated = Answer("q", "It was £2.6 billion [1].", False, cited, reader="generative", verified=True,
                       dropped=(("It was £3 billion.", "states 3"),))
    fell_back = Answer("q", f"£2.6 billion. {quote} [1]", False, cited, fallback="no sentence held",
                       dropped=(("x", "cites no passage"), ("y", "cites no passage")))
    not_asked = Answer("q", "These documents don't say.", True, fallback="the documents don't answer this, so no model was asked")
    results = [score_answer(case, a) for a in (generated, fell_back, not_asked)]
    metrics = compute_metrics(results)
    assert metrics["fallback_rate"] == 0.5  # of the two questions the model was asked
    assert metrics["drop_rate"] == 0.75  # three of the four sentences it wrote
    assert metrics["unsupported_name_answers"] == 0
    invented = score_answer(case, Answer("q", "Boris Johnson said £2.6 billion [1].", False, cited, reader="generative"))
    assert invented["unsupported_names"] == ["Boris", "Johnson"]
