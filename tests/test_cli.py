import json

from qa.index import current_paths

from tests.conftest import run_qa


def _env(settings):
    return {"QA_INDEX_DIR": str(settings.index_dir)}


def test_ask_json_matches_the_contract(settings):
    out = run_qa("ask", "--json", "How much did MacAlister call for to transform the system?", env=_env(settings))
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert set(answer) >= {"question", "answer", "abstained", "citations", "timings_ms"}
    assert answer["abstained"] is False and "£2.6 billion" in answer["answer"]
    cite = answer["citations"][0]
    assert set(cite) >= {"n", "doc_id", "title", "quote", "start", "end", "score"}
    assert cite["doc_id"] == "001_7d838c9a240800e0" and "£2.6 billion" in cite["quote"]
    docs = {}
    for line in (current_paths(settings.index_dir).documents).read_text().splitlines():
        doc = json.loads(line)
        docs[doc["doc_id"]] = doc["text"]
    for c in answer["citations"]:
        assert docs[c["doc_id"]][c["start"]:c["end"]] == c["quote"]


def test_stdin_mode_answers_each_line_in_order(settings):
    questions = ["What is the capital of France?", "", "Who led the review?"]
    out = run_qa("ask", "--json", "-", env=_env(settings), input="\n".join(questions) + "\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    assert rows[0]["abstained"] is True and "error" in rows[1] and "Josh MacAlister" in rows[2]["answer"]
    assert out.returncode == 2  # one line was empty


def test_bad_input_and_missing_index(settings, tmp_path):
    empty = run_qa("ask", "  ", env=_env(settings))
    assert empty.returncode == 2 and "empty" in empty.stderr
    long = run_qa("ask", "--json", "Who led the review? " + "a" * 2500, env=_env(settings))
    assert long.returncode == 0 and "2000" in json.loads(long.stdout)["notices"][0]
    missing = run_qa("ask", "Who led the review?", env={"QA_INDEX_DIR": str(tmp_path / "none")})
    assert missing.returncode == 3 and "qa index" in missing.stderr


def test_text_output_lists_numbered_sources(settings):
    out = run_qa("ask", "Who led the review?", env=_env(settings))
    assert out.returncode == 0
    assert "Josh MacAlister" in out.stdout and "[1] " in out.stdout and "002_639166400cbc172b" in out.stdout


def test_broken_index_gives_a_clear_error(tmp_path, corpus_copy):
    env = {"QA_INDEX_DIR": str(tmp_path / "index"), "QA_CORPUS_DIR": str(corpus_copy)}
    assert run_qa("index", env=env).returncode == 0
    current_paths(tmp_path / "index").chunks.write_text("{not json")
    out = run_qa("ask", "Who led the review?", env=env)
    assert out.returncode == 3 and "qa index --rebuild" in out.stderr
    assert run_qa("index", "--rebuild", env=env).returncode == 0
    assert run_qa("ask", "Who led the review?", env=env).returncode == 0
