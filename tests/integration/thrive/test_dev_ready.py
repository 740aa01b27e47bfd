"""`make dev` prints the sign-in again once the web server answers, and keeps running."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def start(url: str, *, timeout: float) -> subprocess.Popen[str]:
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "thrive.settings"}
    command = ["manage.py", "dev_ready", "--url", url, "--timeout", str(timeout)]
    return subprocess.Popen(
        [sys.executable, *command], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )


def read_until(process: subprocess.Popen[str], marker: str, seconds: float) -> str:
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    watch = selectors.DefaultSelector()
    watch.register(process.stdout, selectors.EVENT_READ)
    out, deadline = "", time.monotonic() + seconds
    while time.monotonic() < deadline and marker not in out:
        if watch.select(timeout=0.2):
            out += process.stdout.read() or ""
    return out


@pytest.mark.django_db(transaction=True)
def test_the_sign_in_is_printed_once_the_web_server_answers_and_the_process_stays(live_server):
    process = start(live_server.url, timeout=30)
    try:
        out = read_until(process, "thrive-demo", 30)
        assert f"Thrive is ready on {live_server.url}" in out
        assert "Sign in as demo@thrive.local with password thrive-demo" in out
        time.sleep(0.5)
        assert process.poll() is None, "honcho would stop every process if this one ended"
    finally:
        process.terminate()
        process.wait(10)


def test_nothing_answering_is_said_and_the_process_still_stays():
    process = start("http://127.0.0.1:9", timeout=1)
    try:
        out = read_until(process, "did not answer", 15)
        assert "did not answer on http://127.0.0.1:9" in out
        assert "thrive-demo" not in out
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(10)
