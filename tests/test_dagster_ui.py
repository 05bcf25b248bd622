"""The Dagster UI starts with scripts/dagster-ui.sh and shows the marts in the asset graph.

Starts the real `dagster dev` (webserver, daemon, code server) on a free loopback port with a
throwaway DAGSTER_HOME and an empty extracts folder (so the sensor has nothing to start), then
renders the monitoring group in headless Chromium.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from yibao.settings import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SERVER_WAIT_S = 120
GROUP_PAGE = "locations/yibao_warehouse/asset-groups/marts_monitoring"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed "
                       "(bash scripts/bootstrap.sh installs it as root on Debian)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chromium(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-")
    try:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=20000",
             "--window-size=1400,1000", *args],
            capture_output=True, text=True, timeout=timeout, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _wait_for_code_location(base: str, deadline: float) -> None:
    """server_info answers before the code location has loaded: wait for the assets too."""
    query = b'{"query": "{ assetNodes { assetKey { path } } }"}'
    while time.monotonic() < deadline:
        try:
            req = urllib.request.Request(f"{base}/graphql", data=query,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=5) as resp:
                if b"mart_monitoring_indicator" in resp.read():
                    return
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"dagster dev did not serve the asset graph within {SERVER_WAIT_S}s")


def test_dagster_ui_shows_the_marts_in_the_asset_graph(tmp_path):
    home, extracts = tmp_path / "dagster_home", tmp_path / "extracts"
    home.mkdir()
    extracts.mkdir()
    # no community pop-up over the graph, no telemetry from a test
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "PORT": str(port),
           "YIBAO_EXTRACTS_DIR": str(extracts), "YIBAO_WAREHOUSE": str(tmp_path / "w.duckdb"),
           "YIBAO_EXPORTS_DIR": str(tmp_path / "exports")}
    log = (tmp_path / "dagster-dev.log").open("w")
    server = subprocess.Popen(["bash", "scripts/dagster-ui.sh"], cwd=PROJECT_ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_WAIT_S
        while True:
            assert server.poll() is None, (tmp_path / "dagster-dev.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=5) as resp:
                    assert b"dagster_webserver_version" in resp.read()
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("dagster dev did not answer /server_info within "
                                         f"{SERVER_WAIT_S}s") from None
                time.sleep(1)
        _wait_for_code_location(base, deadline)

        listing = _chromium("--dump-dom", f"{base}/{GROUP_PAGE}/list")
        assert "mart_monitoring_indicator" in listing.stdout, listing.stdout[-2000:]
        assert "mart_county_indicator_wide" in listing.stdout

        shot = tmp_path / "marts_monitoring.png"
        _chromium(f"--screenshot={shot}", f"{base}/{GROUP_PAGE}")
        assert shot.exists() and shot.stat().st_size > 20_000
        if os.environ.get("YIBAO_UI_SCREENSHOT"):  # keep it to look at
            shutil.copy(shot, os.environ["YIBAO_UI_SCREENSHOT"])
    finally:
        _stop_group(server)
        log.close()


def _stop_group(server: subprocess.Popen) -> None:
    """Ctrl-C for `dagster dev` (its graceful shutdown), then SIGKILL whatever of its process
    group (webserver, daemon, code servers) is left."""
    try:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
