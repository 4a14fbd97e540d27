"""Index and ask with every non-loopback connection refused at the socket level."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import run_qa

GUARD = textwrap.dedent('''
    import ipaddress, socket

    def _allowed(address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, (bytes, str)) and str(host) in ("localhost",):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False   # a host name: resolving it would already be network use

    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _allowed(address):
            raise ConnectionRefusedError(f"network disabled by test: {address}")
        return _connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _allowed(address):
            raise ConnectionRefusedError(f"network disabled by test: {address}")
        return _connect_ex(self, address)

    def _is_literal(host):
        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            return False

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _allowed((host,)) and not _is_literal(host):
            raise socket.gaierror(f"name resolution disabled by test: {host}")
        return _getaddrinfo(host, *args, **kwargs)

    _getaddrinfo = socket.getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo
''')


@pytest.fixture()
def no_network_env(tmp_path):
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    # The project's own code must switch the hub off: the test does not set HF_HUB_OFFLINE for it.
    return {"PYTHONPATH": str(guard_dir), "HF_HUB_OFFLINE": "", "TRANSFORMERS_OFFLINE": ""}


@pytest.mark.parametrize("probe", [
    "import socket; socket.create_connection(('8.8.8.8', 53), timeout=2)",
    "import socket; socket.getaddrinfo('pypi.org', 443)",
])
def test_guard_really_blocks(no_network_env, probe):
    out = subprocess.run([sys.executable, "-c", probe], env={**os.environ, **no_network_env},
                         capture_output=True, text=True)
    assert out.returncode != 0 and "disabled by test" in out.stderr


def test_index_and_ask_work_with_network_refused(tmp_path, corpus_copy, no_network_env):
    env = {**no_network_env, "QA_INDEX_DIR": str(tmp_path / "index"), "QA_CORPUS_DIR": str(corpus_copy)}
    built = run_qa("index", "--json", env=env)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["embedded"] > 0
    asked = run_qa("ask", "--json", "How much did MacAlister call for to transform the system?", env=env)
    assert asked.returncode == 0, asked.stderr
    assert "£2.6 billion" in json.loads(asked.stdout)["answer"]
    assert "network disabled by test" not in built.stderr + asked.stderr
