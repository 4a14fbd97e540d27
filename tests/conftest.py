"""Shared fixtures: one real index (real packaged model, real embedded Chroma) built once per test run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
QA = [sys.executable, "-m", "qa.cli"]


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from qa.index import build_index
    from qa.settings import Settings

    settings = Settings.from_env({}, index_dir=tmp_path_factory.mktemp("index"), corpus_dir=CORPUS)
    build_index(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def pipeline(settings):
    from qa.answer import Pipeline

    return Pipeline(settings)


@pytest.fixture()
def corpus_copy(tmp_path):
    """A writable copy of the shipped corpus, for tests that change files."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def run_qa(*args, env=None, input=None, timeout=300):
    return subprocess.run([*QA, *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          input=input, timeout=timeout, cwd=ROOT)
