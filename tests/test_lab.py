"""JupyterLab starts headless on a loopback port and serves the notebooks through its contents API."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

from cxlib.data import project_root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_serves_the_notebooks(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={project_root()}",
           "--ServerApp.open_browser=False", "--LabServerApp.open_browser=False"]
    if os.geteuid() == 0:  # CI runs as root
        cmd.append("--allow-root")
    env = {"JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        url = f"http://127.0.0.1:{port}/api/contents/notebooks?token={token}"
        # a hang guard, not a speed test: generous enough for a start on a busy 2-core machine
        deadline, listing = time.monotonic() + 300, None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    listing = json.load(resp)
                break
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(proc.stderr.read().decode()[-2000:])
                time.sleep(0.5)
        assert listing is not None, "JupyterLab did not answer within 300 s (hung?)"
        names = {item["name"] for item in listing["content"]}
        assert "00-monthly-report.ipynb" in names
        assert all(item["type"] == "notebook" for item in listing["content"] if item["name"].endswith(".ipynb"))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
