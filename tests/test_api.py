"""POST /api/ask (qa/api.py) on a real served app: the JSON of `qa ask --json`, plain errors, loopback only."""

import json
from dataclasses import replace
from urllib.parse import urlparse

import httpx
import pytest

from qa import api, ui
from qa.store import IndexUnavailable
from tests.conftest import QA, ROOT
from tests.test_ui import FIGURE_QUESTION, UNANSWERABLE

pytestmark = pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'",
                                        "ignore:The copy keyword is deprecated")


def launch(pipeline, settings, answerer=None):
    """The app as `qa serve` launches it; ``answerer`` (default: the pipeline) behind /api/ask."""
    from tests.browser import free_port

    app = ui.build_app(pipeline, settings)
    port = free_port()
    app.launch(prevent_thread_lock=True, quiet=True,
               app_kwargs={"routes": api.routes(answerer or pipeline, settings)},
               **{**ui.launch_options(settings), "server_port": port})
    return app, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def served(pipeline, settings, tmp_path_factory):
    log = tmp_path_factory.mktemp("log") / "questions.jsonl"
    app, url = launch(pipeline, replace(settings, question_log=str(log), workers=4))
    with httpx.Client(base_url=url, timeout=120) as http:
        yield http, log
    app.close()


def without_timings(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "timings_ms"}


def test_the_reply_is_what_qa_ask_json_prints(served, settings):
    import subprocess

    http, _ = served
    reply = http.post("/api/ask", json={"question": FIGURE_QUESTION})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/json")
    env = {"QA_INDEX_DIR": str(settings.index_dir), "QA_CORPUS_DIR": str(settings.corpus_dir), "HF_HUB_OFFLINE": "1",
           "PATH": "/usr/bin:/bin"}
    cli = subprocess.run([*QA, "ask", "--json", FIGURE_QUESTION], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert without_timings(reply.json()) == without_timings(json.loads(cli.stdout))


def test_k_and_abstentions_follow_the_pipeline(served, pipeline):
    http, _ = served
    one = http.post("/api/ask", json={"question": UNANSWERABLE, "k": 1}).json()
    assert without_timings(one) == without_timings(pipeline.ask(UNANSWERABLE, 1).to_dict())
    assert one["abstained"] is True and len(one["citations"]) <= 1


@pytest.mark.parametrize("body, status", [
    ({"question": "   "}, 400),
    ({"question": "Who led the review?", "k": 0}, 422),
    ({"k": 2}, 422),
    ("not an object", 422),
])
def test_bad_requests_get_a_plain_json_error_and_no_traceback(served, body, status):
    http, _ = served
    reply = http.post("/api/ask", json=body)
    assert reply.status_code == status
    assert "Traceback" not in reply.text and "File \"" not in reply.text
    reply.json()


def test_a_fault_in_the_pipeline_is_one_plain_line(pipeline, settings):
    """Stand-ins raise here: a fault of our own cannot be caused from outside on purpose."""
    class Broken:
        def ask(self, question, top_k=None):
            raise RuntimeError("boom in a place the caller must not see")

    class Gone:
        def ask(self, question, top_k=None):
            raise IndexUnavailable("no index in /tmp/x: run `qa index` first")

    for stand_in, status in ((Broken(), 500), (Gone(), 503)):
        app, url = launch(pipeline, settings, answerer=stand_in)
        try:
            reply = httpx.post(f"{url}/api/ask", json={"question": "Who led the review?"}, timeout=60)
        finally:
            app.close()
        assert reply.status_code == status
        assert "boom" not in reply.text and "Traceback" not in reply.text
        assert reply.json()["error"] in (api.FAILED, "no index in /tmp/x: run `qa index` first")


def test_asked_questions_are_logged_only_where_the_operator_said(served):
    http, log = served
    http.post("/api/ask", json={"question": "my dad hits me"})
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records[-1]["question"] == "my dad hits me" and records[-1]["support_shown"] is True


def test_the_load_benchmark_reads_the_json_endpoint(served):
    from benchmarks import load

    http, _ = served
    figures = load.measure(urlparse(str(http.base_url)).port, clients=3, per_client=2, time_limit=60,
                           endpoint="json")
    assert figures["questions"] == 6 and figures["errors"] == 0 and figures["different"] == 0


def test_qa_serve_offers_it_on_the_apps_own_host_and_port(settings, monkeypatch):
    import gradio as gr

    seen = {}
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **options: seen.update(options))
    ui.serve(settings)
    assert seen["server_name"] == "127.0.0.1"
    assert [r.path for r in seen["app_kwargs"]["routes"]] == [api.PATH]
