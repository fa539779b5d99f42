"""The scheduling recipes of docs/scheduling.md, run for real: the cron line, the systemd unit, scrapyd.

The files in ``deploy/`` are parsed, docs/scheduling.md must quote them as they are (so the two cannot
drift apart), and the commands they run are executed against the demo site on 127.0.0.1 with
only the checkout, the venv, the archive path and the start URL substituted (and the politeness
delays off, to keep the tests fast). scrapyd is started as a real daemon on a free loopback port,
the project deployed to it with ``scrapyd-deploy`` and a crawl scheduled through its HTTP API.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newscrawler.demo.server import DemoServer

from .helpers import ROOT

DEPLOY = ROOT / "deploy"
#: The page that documents scheduled runs (it was the README's "Scheduled crawls").
SCHEDULING_DOC = ROOT / "docs" / "scheduling.md"
VENV_BIN = Path(sys.executable).parent
#: Where the deploy files expect the checkout (and its venv in .venv).
CHECKOUT = "/opt/newscrawler"
#: The demo site's article count (newscrawler/demo/SITE.md).
DEMO_ARTICLES = 26
FAST = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# -- the deploy files --------------------------------------------------------------------------


def cron_line() -> str:
    """The one job line of deploy/newscrawler.cron (not comments, not NAME=VALUE lines)."""
    lines = [
        line
        for line in (DEPLOY / "newscrawler.cron").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#") and not line.split("=")[0].isidentifier()
    ]
    assert len(lines) == 1, lines
    return lines[0]


def cron_env() -> dict[str, str]:
    text = (DEPLOY / "newscrawler.cron").read_text(encoding="utf-8")
    return dict(
        line.split("=", 1)
        for line in text.splitlines()
        if line and not line.startswith("#") and line.split("=")[0].isidentifier()
    )


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as section -> key -> values (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected {old!r} once in {text!r}"
    return text.replace(old, new)


def doc_code_lines() -> list[str]:
    """docs/scheduling.md's indented code lines, indentation removed."""
    return [
        line[4:]
        for line in SCHEDULING_DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("    ")
    ]


def count(archive: Path, sql: str) -> int:
    with sqlite3.connect(archive) as conn:
        return conn.execute(sql).fetchone()[0]


def crawls(archive: Path) -> list[dict]:
    with sqlite3.connect(archive) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("select * from crawls order by id")]


def test_the_docs_quote_the_deploy_files_as_they_are():
    code = doc_code_lines()
    doc = SCHEDULING_DOC.read_text(encoding="utf-8")
    assert cron_line() in code
    exec_start = unit("newscrawler@.service")["Service"]["ExecStart"]
    assert len(exec_start) == 1 and f"ExecStart={exec_start[0]}" in code
    assert "sudo systemctl enable --now newscrawler@tagesschau.timer" in code
    assert "## Scheduled crawls" in doc and "RECRAWL_DAYS" in doc and "article_versions" in doc
    scrapy_cfg = configparser.ConfigParser()
    scrapy_cfg.read(ROOT / "scrapy.cfg")
    assert scrapy_cfg["settings"]["default"] == "newscrawler.settings"
    assert dict(scrapy_cfg["deploy"]) == {"url": "http://127.0.0.1:6800/", "project": "newscrawler"}
    (curl,) = [line for line in code if "schedule.json" in line]
    assert shlex.split(curl)[1] == scrapy_cfg["deploy"]["url"] + "schedule.json"
    assert any(line.startswith("curl ") and "listjobs.json" in line for line in code)
    assert ".venv/bin/scrapyd-deploy" in code


def test_the_cron_line_is_hourly_mails_failures_and_needs_no_flock():
    minute, hour, day, month, weekday, command = cron_line().split(None, 5)
    assert minute.isdigit() and (hour, day, month, weekday) == ("*", "*", "*", "*")
    assert "MAILTO" in cron_env()
    assert command.startswith(f"cd {CHECKOUT} && .venv/bin/scrapy crawl news -a site=")
    assert "flock" not in command and "%" not in command  # cron turns % into newlines
    assert "--logfile " in command and '|| echo "' in command and "$?" in command


def test_the_systemd_units_fail_on_bad_runs_and_stop_gracefully():
    service = unit("newscrawler@.service")["Service"]
    assert service["WorkingDirectory"] == [CHECKOUT]
    assert shlex.split(service["ExecStart"][0])[0] == f"{CHECKOUT}/.venv/bin/scrapy"
    assert "site=%i" in service["ExecStart"][0]
    # Only 0 is success: 1 (cannot start), 2 (bad finish) and 3 (health) must fail the unit.
    success = " ".join(service.get("SuccessExitStatus", [])).split()
    assert not {"1", "2", "3"} & set(success)
    assert service["KillMode"] == ["mixed"] and service["KillSignal"] == ["SIGTERM"]
    assert int(service["TimeoutStopSec"][0]) >= 60
    assert int(service["Nice"][0]) > 0 and service["IOSchedulingClass"]
    timer = unit("newscrawler@.timer")
    assert timer["Timer"]["OnCalendar"] == ["hourly"]
    assert timer["Timer"]["Persistent"] == ["true"]
    assert timer["Timer"]["RandomizedDelaySec"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


def installed_unit_text(name: str) -> str:
    """A unit file as it would be installed for this checkout and venv."""
    text = (DEPLOY / name).read_text(encoding="utf-8")
    text = text.replace(f"{CHECKOUT}/.venv/bin/scrapy", str(VENV_BIN / "scrapy"))
    return text.replace(CHECKOUT, str(ROOT))


def test_systemd_analyze_verifies_the_units(tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed")
    files = []
    for template, instance in (("newscrawler@.service", "newscrawler@demo.service"),
                               ("newscrawler@.timer", "newscrawler@demo.timer")):  # fmt: skip
        (tmp_path / instance).write_text(installed_unit_text(template), encoding="utf-8")
        files.append(str(tmp_path / instance))
    result = subprocess.run(
        [tool, "verify", *files], capture_output=True, text=True, timeout=60, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Unknown keys and bad values are only warnings: none may mention our units.
    assert "newscrawler@" not in output, output


# -- the cron line and the systemd ExecStart, executed -------------------------------------------


def cron_command_for(server_url: str, archive: Path, log: Path) -> str:
    """The cron line's command with this checkout, venv, archive, log and the demo site."""
    command = cron_line().split(None, 5)[5]
    site = command.split("-a site=", 1)[1].split()[0]
    command = replace_once(command, f"cd {CHECKOUT} &&", f"cd {shlex.quote(str(ROOT))} &&")
    command = replace_once(
        command, ".venv/bin/scrapy ", f"{shlex.quote(str(VENV_BIN / 'scrapy'))} "
    )
    command = replace_once(command, f"-a site={site} ", f"-a site=demo -a start_urls={server_url} ")
    command = replace_once(command, "-s ARCHIVE_PATH=archive/news.db ",
                           f"-s ARCHIVE_PATH={shlex.quote(str(archive))} {' '.join(FAST)} ")  # fmt: skip
    return replace_once(
        command, f"--logfile archive/{site}.log ", f"--logfile {shlex.quote(str(log))} "
    )


def run_shell(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", command],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_the_cron_command_fills_the_archive_and_a_second_run_adds_nothing(demo_server, tmp_path):
    archive, log = tmp_path / "news.db", tmp_path / "demo.log"
    command = cron_command_for(demo_server.url, archive, log)
    first = run_shell(command)
    # cron mails whatever a job prints: a good run prints nothing.
    assert (first.returncode, first.stdout, first.stderr) == (0, "", ""), log.read_text()[-3000:]
    assert count(archive, "select count(*) from articles") == DEMO_ARTICLES
    second = run_shell(command)
    assert (second.returncode, second.stdout, second.stderr) == (0, "", ""), log.read_text()[-3000:]
    assert count(archive, "select count(*) from articles") == DEMO_ARTICLES
    assert count(archive, "select count(*) from article_versions") == 0
    runs = crawls(archive)
    assert [run["finish_reason"] for run in runs] == ["finished", "finished"]
    stats = [json.loads(run["stats"]) for run in runs]
    assert stats[1].get("item_scraped_count", 0) == 0
    assert stats[1].get("newscrawler/pages/article", 0) == 0  # known articles: 304 or skipped
    assert log.read_text(encoding="utf-8").count("Spider closed (finished)") == 2


def test_a_failing_cron_run_prints_its_exit_status_for_the_mail(tmp_path):
    root = tmp_path / "broken"
    root.mkdir()
    (root / "index.html").write_text(
        "<html><body><p>Wartungsarbeiten</p></body></html>", encoding="utf-8"
    )
    with DemoServer(root) as server:
        result = run_shell(
            cron_command_for(server.url, tmp_path / "news.db", tmp_path / "demo.log")
        )
    assert result.returncode == 0  # the echo's; cron acts on the output
    assert "failed with exit status 3" in result.stdout  # the health check failed the site


def test_the_systemd_exec_start_runs_the_crawl(demo_server, tmp_path):
    service = unit("newscrawler@.service")["Service"]
    argv = [arg.replace("%i", "demo") for arg in shlex.split(service["ExecStart"][0])]
    assert argv[0] == f"{service['WorkingDirectory'][0]}/.venv/bin/scrapy"
    argv[0] = str(VENV_BIN / "scrapy")
    archive = tmp_path / "news.db"
    argv[argv.index("ARCHIVE_PATH=archive/news.db")] = f"ARCHIVE_PATH={archive}"
    result = subprocess.run([*argv, "-a", f"start_urls={demo_server.url}", *FAST], cwd=ROOT,
                            capture_output=True, text=True, timeout=240, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Spider closed (finished)" in result.stderr  # the journal gets the log
    assert count(archive, "select count(*) from articles") == DEMO_ARTICLES


# -- scrapyd -----------------------------------------------------------------------------------


@dataclass
class Scrapyd:
    url: str
    home: Path
    logs: Path
    eggs: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=10) as response:
        return json.loads(response.read())


def isolated_env(home: Path) -> dict[str, str]:
    """No ~/.scrapyd.conf, ~/.scrapy.cfg or ~/.netrc of the user, no project from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY")}
    return {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """A scrapyd daemon on 127.0.0.1 and a free port, with all its state in a temporary folder."""
    missing = [name for name in ("scrapyd", "scrapyd-deploy") if not (VENV_BIN / name).exists()]
    if importlib.util.find_spec("scrapyd") is None or missing:
        message = f"scrapyd / scrapyd-client not installed in {VENV_BIN} (pip install -e '.[test]')"
        if IN_CI:
            pytest.fail(message + ": CI installs them with the test extra")
        pytest.skip(message)
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\njobs_to_keep = 10\nfinished_to_keep = 20\nmax_proc = 1\npoll_interval = 0.5\n",
        encoding="utf-8",
    )
    output = (home / "scrapyd.out").open("wb")
    process = subprocess.Popen([str(VENV_BIN / "scrapyd")], cwd=home, env=isolated_env(home),
                               stdout=output, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"scrapyd exited with {process.returncode}:\n{(home / 'scrapyd.out').read_text()[-3000:]}"
                )
            try:
                if get_json(url + "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"scrapyd did not answer within 60 s:\n{(home / 'scrapyd.out').read_text()[-3000:]}"
                )
            time.sleep(0.2)
        yield Scrapyd(url=url, home=home, logs=home / "logs", eggs=home / "eggs")
    finally:
        # scrapyd and the crawls it started are one process group, ours.
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        output.close()


@pytest.fixture(scope="module")
def deployed(scrapyd: Scrapyd) -> Scrapyd:
    """The project deployed with ``scrapyd-deploy``, from a copy of the checkout.

    scrapyd-deploy writes a setup.py and build/ next to scrapy.cfg, so it runs on a copy of the
    project's files; the copy's scrapy.cfg is the real one with the test daemon's URL.
    """
    project = scrapyd.home / "project"
    shutil.copytree(ROOT / "newscrawler", project / "newscrawler",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "scrapy.cfg")
    cfg["deploy"]["url"] = scrapyd.url
    with (project / "scrapy.cfg").open("w", encoding="utf-8") as file:
        cfg.write(file)
    result = subprocess.run([str(VENV_BIN / "scrapyd-deploy"), "--version", "1"], cwd=project,
                            env=isolated_env(scrapyd.home), capture_output=True, text=True,
                            timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert (answer["status"], answer["project"], answer["spiders"]) == ("ok", "newscrawler", 1), (
        answer
    )
    assert get_json(scrapyd.url + "listspiders.json?project=newscrawler")["spiders"] == ["news"]

    # The egg carries the package data and the settings entry point scrapyd runs it through.
    (egg,) = (scrapyd.eggs / "newscrawler").glob("*.egg")
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    for data in ("newscrawler/sites.toml", "newscrawler/archive/metadata.yml",
                 "newscrawler/demo/site/index.html", "newscrawler/demo/site/robots.txt",
                 "newscrawler/demo/site2/index.html"):  # fmt: skip
        assert data in names, f"{data} is not in the egg"
    assert "[scrapy]\nsettings = newscrawler.settings" in entry_points
    return scrapyd


def doc_schedule_params() -> list[tuple[str, str]]:
    """The ``-d NAME=VALUE`` parameters of docs/scheduling.md's ``curl …/schedule.json`` line."""
    (curl,) = [line for line in doc_code_lines() if "schedule.json" in line]
    words = shlex.split(curl)
    return [tuple(words[i + 1].split("=", 1)) for i, word in enumerate(words) if word == "-d"]  # type: ignore[misc]


def run_job(
    scrapyd: Scrapyd, params: list[tuple[str, str]], timeout: float = 120
) -> tuple[dict, str]:
    """Schedule a job, wait until scrapyd lists it as finished; its listing and its log."""
    answer = get_json(scrapyd.url + "schedule.json", params)
    assert answer["status"] == "ok", answer
    job = answer["jobid"]
    log = scrapyd.logs / "newscrawler" / "news" / f"{job}.log"
    deadline = time.monotonic() + timeout
    while True:
        jobs = get_json(scrapyd.url + "listjobs.json?project=newscrawler")
        finished = [entry for entry in jobs["finished"] if entry["id"] == job]
        if finished:
            return finished[0], log.read_text(encoding="utf-8") if log.exists() else ""
        if time.monotonic() > deadline:
            get_json(scrapyd.url + "cancel.json", [("project", "newscrawler"), ("job", job)])
            pytest.fail(f"job {job} did not finish within {timeout} s: {jobs}\n"
                        + (log.read_text(encoding="utf-8")[-3000:] if log.exists() else ""))  # fmt: skip
        time.sleep(0.5)


def test_scrapyd_runs_the_documented_schedule_request(deployed, demo_server, tmp_path):
    archive = tmp_path / "news.db"
    params = []
    for name, value in doc_schedule_params():
        if (name, value.split("=")[0]) == ("setting", "ARCHIVE_PATH"):
            value = f"ARCHIVE_PATH={archive}"  # absolute: the job runs in scrapyd's folder
        params.append((name, value))
    assert params[:3] == [("project", "newscrawler"), ("spider", "news"), ("site", "demo")]
    params += [("start_urls", demo_server.url),
               ("setting", "AUTOTHROTTLE_ENABLED=0"), ("setting", "DOWNLOAD_DELAY=0")]  # fmt: skip
    _job, log = run_job(deployed, params)
    assert "Spider closed (finished)" in log, log[-3000:]
    assert " ERROR: " not in log, log[-3000:]
    assert count(archive, "select count(*) from articles") == DEMO_ARTICLES
    (run,) = crawls(archive)
    assert run["finish_reason"] == "finished" and run["finished_at"]
    assert run["site"] == "demo"
    assert json.loads(run["stats"])["newscrawler/health/failing_sites"] == 0
    assert not (deployed.home / "archive").exists()  # nothing relative landed in scrapyd's folder


def test_scrapyd_finds_the_bundled_site_profiles_without_sites_file(
    deployed, demo_server, tmp_path
):
    archive = tmp_path / "news.db"
    params = [("project", "newscrawler"), ("spider", "news"), ("site", "demo"),
              ("start_urls", demo_server.url), ("setting", f"ARCHIVE_PATH={archive}"),
              ("setting", "AUTOTHROTTLE_ENABLED=0"), ("setting", "DOWNLOAD_DELAY=0")]  # fmt: skip
    _, log = run_job(deployed, params)
    assert "Spider closed (finished)" in log, log[-3000:]
    assert count(archive, "select count(*) from articles") == DEMO_ARTICLES
