"""Hostile input: bytes that are not UTF-8, a closed pipe, terminal escapes in documents, a 50 MB line with
no whitespace, a second file with an indexed document's stem, and arbitrary questions (hypothesis)."""

import json
import os
import subprocess
import sys
import textwrap

from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from qa import cli
from qa.index import build_index, current_paths
from qa.settings import Settings
from tests.conftest import QA, ROOT, run_qa


def _env(settings):
    return {**os.environ, "QA_INDEX_DIR": str(settings.index_dir)}


def test_invalid_utf8_in_argv_and_stdin_is_answered(settings):
    argv = subprocess.run([*QA, "ask", "--json", b"Who led the \xff\xfe review?"], capture_output=True,
                          env=_env(settings), cwd=ROOT, timeout=300)
    assert argv.returncode == 0, argv.stderr
    assert "\ufffd" in json.loads(argv.stdout)["question"]
    lines = b"Who led the review?\n\xc3\x28 broken \xff line\nHow much did MacAlister call for?\n"
    stdin = subprocess.run([*QA, "ask", "--json", "-"], input=lines, capture_output=True, env=_env(settings),
                           cwd=ROOT, timeout=300)
    rows = [json.loads(line) for line in stdin.stdout.splitlines()]
    assert stdin.returncode == 0 and len(rows) == 3, stdin.stderr
    assert "Josh MacAlister" in rows[0]["answer"] and "£2.6 billion" in rows[2]["answer"]


def test_a_closed_pipe_ends_quietly(settings):
    shell = f"printf 'Who led the review?\\nWho led the review?\\n' | {sys.executable} -m qa.cli ask --json - | head -c 10"
    out = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True,
                         env=_env(settings), cwd=ROOT, timeout=300)
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr, out.stderr
    assert len(out.stdout) == 10


def test_terminal_escapes_in_a_document_are_not_printed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "escapes.txt").write_text(
        "Escapes briefing\n\nThe council \x1b[2Jpaid \x1b]0;owned\x07£9 million to 41 kinship carers \x07in 2022.\n",
        encoding="utf-8")
    env = {"QA_INDEX_DIR": str(tmp_path / "index"), "QA_CORPUS_DIR": str(corpus)}
    assert run_qa("index", env=env).returncode == 0
    out = run_qa("ask", "How much did the council pay kinship carers?", env=env)
    assert out.returncode == 0
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout and "kinship carers" in out.stdout
    assert "\\u001b" in run_qa("ask", "--json", "How much did the council pay kinship carers?", env=env).stdout


def test_a_file_with_an_indexed_stem_is_skipped_and_the_indexed_one_stays(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "briefing.txt").write_text("Briefing\n\nThe established text about family hubs.\n", encoding="utf-8")
    settings = Settings.from_env({}, index_dir=tmp_path / "index", corpus_dir=corpus)
    build_index(settings, progress=False)
    (corpus / "briefing.md").write_text("# Newcomer\n\nA different text that must not replace it.\n", encoding="utf-8")
    skipped = []
    report = build_index(settings, progress=False, on_skip=lambda path, why: skipped.append((path, why)))
    assert report.documents == 1 and report.embedded == 0
    (path, why), = skipped
    assert path == corpus / "briefing.md" and str(corpus / "briefing.txt") in why
    text = current_paths(settings.index_dir).documents.read_text(encoding="utf-8")
    assert "established text" in text and "Newcomer" not in text


CHILD = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from qa.embed import encode
    from qa.index import split_document
    from qa.ingest import load_corpus
    # Reading, cleaning and chunking the whole file, then the encoder on its first chunks: where a 50 MB
    # line used to become one chunk and one encoder input (11 GB). Embedding all 100,000 chunks with the
    # model takes 35 minutes, too long for the suite.
    doc, = load_corpus(Path(sys.argv[1]))
    chunks = split_document(doc, 500)
    encode([c.text for c in chunks[:64]])
    print(len(chunks), max(len(c.text) for c in chunks), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
""")


def test_a_50_mb_line_without_whitespace_is_cut_and_memory_stays_bounded(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    line = ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 1_500_000)[:50_000_000]
    (corpus / "blob.txt").write_text("A blob\n\n" + line + "\n", encoding="utf-8")
    del line
    out = subprocess.run([sys.executable, "-c", CHILD, str(corpus)], capture_output=True, text=True, cwd=ROOT,
                         timeout=900, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    chunks, longest, peak_mb = map(int, out.stdout.split())
    print(f"50 MB line: {chunks} chunks, longest {longest} characters, peak RSS {peak_mb} MB")
    assert chunks >= 50_000_000 // 500 and longest <= 500 and peak_mb < 2048


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=300) | st.binary(max_size=200).map(lambda b: b.decode("utf-8", "surrogateescape")))
def test_any_question_exits_0_2_or_3_without_a_traceback(settings, capsys, question):
    if "\x00" in question:  # argv cannot carry NUL; stdin can, and is covered below
        question = question.replace("\x00", "")
    if question == "-":  # means: read the questions from standard input, which the next test covers
        return
    # After "--" a question starting with "-" ("-: why?") is a question, as a shell user would pass it.
    code = cli.main(["--index-dir", str(settings.index_dir), "ask", "--json", "--", question])
    captured = capsys.readouterr()
    assert code in (0, 2, 3)
    if code == 0:
        json.loads(captured.out)


@hypothesis_settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.binary(max_size=120), min_size=1, max_size=4))
def test_every_stdin_line_gets_one_reply(settings, lines):
    payload = b"".join(line.replace(b"\n", b" ").replace(b"\r", b" ") + b"\n" for line in lines)
    out = subprocess.run([*QA, "ask", "--json", "-"], input=payload, capture_output=True, env=_env(settings),
                         cwd=ROOT, timeout=300)
    assert out.returncode in (0, 2) and b"Traceback" not in out.stderr
    assert len(out.stdout.splitlines()) == len(lines)
