"""End to end in a real browser: the app served headless, Debian's Chromium driven by Playwright.

Load the sample (its Chinese labels drawn with real glyphs; no Deploy button), plan, see the
heatmap and the Gantt, apply a spike and re-plan it (the better of keeping and the re-plan is
kept and said), download roster.csv and check its rows, upload a broken file and see the inline
error. A screenshot of each step goes to ``test-artifacts/browser/`` (gitignored). No timing is
asserted here (see ``benchmarks/app_timing.py``); the waits are generous upper bounds.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.io import read_agents
from scheduler.report import promise_lines

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PLAN_SECONDS = 10

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"{CHROMIUM} not found: install Debian's chromium to run the "
                              "real-browser test (Playwright must not download a browser)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` headless on a free local port, its roster book in a fresh
    folder; yields its URL."""
    port = free_port()
    book = tmp_path_factory.mktemp("book") / "roster-book.sqlite"
    env = {**os.environ, "SCHEDULER_DB": f"sqlite:///{book}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                pytest.fail(f"streamlit did not start on {url}: {err[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    time.sleep(0.8)  # let charts finish drawing
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))  # type: ignore[attr-defined]


def test_end_to_end(server: str, tmp_path: Path) -> None:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 2200},
                                          accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(60_000)
            run_steps(page, server, tmp_path)
        finally:
            browser.close()


HAN_GLYPHS_DIFFER = """(label) => {
  const style = getComputedStyle(label);
  const draw = (ch) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 48;
    const pen = canvas.getContext("2d");
    pen.font = `${style.fontWeight} 32px ${style.fontFamily}`;
    pen.fillText(ch, 4, 36);
    return pen.getImageData(0, 0, 48, 48).data;
  };
  const [a, b] = [...label.innerText].filter((ch) => /\\p{Script=Han}/u.test(ch)).map(draw);
  let differ = 0;
  for (let i = 3; i < a.length; i += 4) differ += a[i] !== b[i];
  return differ;
}"""
"""How many pixels differ between the label's first two Chinese characters drawn in its font:
0 when the browser has no Chinese font and draws both as the same empty box (tofu)."""


def metric_value(page: sync_api.Page, label: str) -> str:
    """The value shown by the metric with this label."""
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text().strip()


def run_steps(page: sync_api.Page, url: str, tmp_path: Path) -> None:
    """The user's path through the app, one screenshot per step."""
    expect = sync_api.expect
    expect.set_options(timeout=60_000)  # generous: the machine may be busy
    page.goto(url)

    # 1. the sample is loaded on the first visit
    agents, _ = read_agents(REPO / "data" / "sample_agents.csv")
    expect(page.get_by_text(f"sample 示例: sample_agents.csv · {len(agents)} agents").first
           ).to_be_visible()
    limit = page.get_by_role("spinbutton", name="排班时限 Time limit of the plan (s)")
    limit.fill(str(PLAN_SECONDS))
    limit.press("Enter")
    # Chinese is drawn with real glyphs, so the screenshots can be read (.ci/run installs a font)
    plan = page.get_by_role("button", name="排班 Plan the week")
    assert plan.evaluate(HAN_GLYPHS_DIFFER) > 0, "排班 draws as two identical boxes: no CJK font"
    # the app stays private: no Deploy button; the menu still offers Print
    page.get_by_test_id("stMainMenu").click()
    expect(page.get_by_text("Print", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
    shot(page, "01_data_sample")

    # 2. plan where the app opens (the Data page), with live progress, then go to the plan
    expect(page.get_by_text(f"time limit {PLAN_SECONDS} s", exact=False)).to_be_visible()
    plan.click()
    expect(page.get_by_text("排班中 Planning the week…").first).to_be_visible()
    # live progress: each report of the search (stage, agent-hours, below the margin, bound,
    # seconds) appears
    expect(page.get_by_text(re.compile(r" · \d+\.\d s$")).first).to_be_visible()
    shot(page, "02_plan_progress")
    page.get_by_role("link", name=re.compile("See the plan")).click(timeout=120_000)
    heading = page.get_by_text("每小时缺口 Agents per hour: needed with margin, scheduled, gap",
                                exact=True)
    expect(heading).to_be_visible(timeout=120_000)
    heatmap = page.locator(".js-plotly-plot .heatmaplayer")
    expect(heatmap.first).to_be_attached()
    assert page.locator(".js-plotly-plot").first.locator(".hm").count() >= 3
    expect(page.get_by_text("回复率 reply rate").first).to_be_visible()
    shot(page, "03_coverage_heatmap")
    promise = page.get_by_text(re.compile(r"^This team keeps ")).first
    expect(promise).to_be_visible()
    promise.scroll_into_view_if_needed()
    shot(page, "03b_coverage_promise")
    promised = promise.inner_text()
    headline = {label: metric_value(page, label) for label in (
        "agent-hours 工时", "3-min rate, all day 全天", "half-hours short 不足时段")}
    sidebar = page.get_by_test_id("stSidebar").inner_text()
    match = re.search(r"(\d+) shifts", sidebar)
    assert match, sidebar
    shifts = int(match.group(1))

    # 3. the Gantt chart
    page.get_by_role("link", name="排班表 Roster").click()
    expect(page.get_by_text("每人工时 Per agent", exact=True)).to_be_visible()
    expect(page.locator(".js-plotly-plot .barlayer").first).to_be_attached()
    expect(page.get_by_text("接待上限 cap", exact=False).first).to_be_visible()
    shot(page, "04_roster_gantt")

    # 4. a spike on the current roster
    page.get_by_role("link", name="假设分析 What-if").click()
    area = page.locator("textarea").first  # scenario A's spikes
    expect(area).to_be_visible(timeout=120_000)
    area.fill("Fri 20:00-23:00 x2.5")
    page.get_by_role("button", name="模拟 Simulate A").click()
    expect(page.get_by_text("demand Fri 20:00–23:00 ×2.5 (spike)").first).to_be_visible()
    expect(page.get_by_text("below target 未达标").first).to_be_attached()
    shot(page, "05_whatif_spike")

    # 4b. re-plan the spike: the page says which roster it kept, and the kept roster's numbers
    # are not worse than keeping's (hours below target, then the week's rate, then paid hours)
    keep = (int(metric_value(page, "simulated hours below target 模拟未达标小时").split("/")[0]),
            -float(metric_value(page, "3-min rate, all day 全天3分钟回复率").rstrip("%")), 0.0)
    page.get_by_role("button", name=re.compile(r"Re-plan \(from the current roster")).click()
    reason = page.get_by_text(re.compile(r"^Kept the (current roster|re-plan)")).first
    expect(reason).to_be_visible(timeout=180_000)
    delta = page.get_by_test_id("stMetric").filter(has_text="kept 保留: paid hours").first
    kept = (int(metric_value(page, "kept 保留: hours below target").split("/")[0]),
            -float(metric_value(page, "kept 保留: 3-min rate, all day 全天").rstrip("%")),
            float(delta.get_by_test_id("stMetricDelta").inner_text().split()[0]))
    assert kept <= keep, (reason.inner_text(), kept, keep)
    adopt = page.get_by_role("button", name=re.compile("Adopt the re-plan"))
    if reason.inner_text().startswith("Kept the current roster"):
        assert kept[:2] == keep[:2]
        expect(adopt).to_have_count(0)
        expect(page.get_by_text("Nothing to adopt: the current plan stays").first).to_be_visible()
    else:
        expect(adopt).to_be_visible()
    shot(page, "05b_whatif_replan")
    short = page.get_by_text("Where the re-plan stays below the margin 重新排班低于余量之处")
    short.click()
    expect(page.get_by_text(re.compile(r"\d+ agents? below the margin at cap")).first
           ).to_be_visible()
    short.scroll_into_view_if_needed()
    shot(page, "05c_whatif_replan_short")

    # 5. download roster.csv and check its rows
    page.get_by_role("link", name="导出 Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="roster.csv").click()
    target = tmp_path / "roster.csv"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    # one row per shift, plus the Sunday-night shift listed again from the Sunday before
    # (the contract's carry-over row: who covers Monday 00:00)
    carried = [r for r in rows if r["start"] < "2026-11-23"]
    assert all(r["end"] > "2026-11-23" for r in carried)
    assert all(r["carried_over"] == ("yes" if r in carried else "") for r in rows)
    assert len(rows) - len(carried) == shifts
    assert list(rows[0]) == ["agent_id", "start", "end", "max_concurrent", "break_start",
                             "break_end", "carried_over"]
    # the headline the Coverage page showed is the plan's summary.json
    with page.expect_download() as info:
        page.get_by_role("button", name="summary.json").click()
    info.value.save_as(tmp_path / "summary.json")
    s = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert headline["agent-hours 工时"] == f"{s['agent_hours']:,.1f} h"
    assert headline["3-min rate, all day 全天"] == \
        f"{s['predicted_three_min_rate']:.1%}"
    service = s["parameters"]
    assert promised == promise_lines(s["chance"], service["target"], service["mode"])[0]
    assert headline["half-hours short 不足时段"] == f"{s['short_intervals']}"
    shot(page, "06_export")

    # 5b. publish the plan in the roster book: the page shows version 1 at once and holds the
    # same plan back; a re-plan with no requests runs (issue 27)
    page.get_by_role("link", name="排班簿 Roster book").click()
    expect(page.get_by_text("The book is empty", exact=False).first).to_be_visible()
    publish = page.get_by_role("button", name=re.compile("Publish the week of 2026-11-23"))
    publish.click()
    expect(page.get_by_text("Published the week of 2026-11-23 as version 1", exact=False).first
           ).to_be_visible()
    expect(page.get_by_text("The book is empty", exact=False)).to_have_count(0)
    expect(page.get_by_text("One version of this week so far", exact=False).first
           ).to_be_visible()
    expect(publish).to_be_disabled()
    expect(page.get_by_text("is identical to version 1: nothing to publish", exact=False).first
           ).to_be_visible()
    shot(page, "07_roster_book")
    limit = page.get_by_label("时间上限 Time limit (s)")
    limit.fill("2")
    limit.press("Enter")
    page.get_by_role("button", name=re.compile("重新排班 Re-plan$")).click()
    expect(page.get_by_text("Re-plan of the week of 2026-11-23 from Wed", exact=False).first
           ).to_be_visible(timeout=120_000)
    expect(page.get_by_text("no data rows", exact=False)).to_have_count(0)
    shot(page, "08_roster_book_replan")

    # 5c. today: a hot Wednesday morning pasted in, the rest of the day and its chances
    page.get_by_role("link", name="今天 Today").click()
    page.get_by_label("或粘贴 Or paste").fill(
        "timestamp,sessions\n2026-11-25 08:00,25\n2026-11-25 09:00,44\n2026-11-25 10:00,63")
    page.get_by_role("button", name=re.compile("看今天 Look at today")).click()
    expect(page.get_by_text("今天达标概率 Today keeps 80%", exact=False).first
           ).to_be_visible(timeout=60_000)
    expect(page.get_by_text("132 sessions", exact=False).first).to_be_visible()
    expect(page.get_by_text("taken as unknown, not as zero", exact=False).first).to_be_visible()
    shot(page, "08b_today")

    # the pages not visited yet open without an error (a screenshot of each: every page has one)
    page.get_by_role("link", name="预测 Forecast").click()
    expect(page.get_by_text("日历事件 Calendar events").first).to_be_visible()
    shot(page, "09_forecast")
    page.get_by_role("link", name="回测 Backtest").click()
    expect(page.get_by_text("planned from the weeks before it only", exact=False).first
           ).to_be_visible()
    shot(page, "10_backtest")
    assert page.get_by_test_id("stException").count() == 0

    # 6. a broken upload: inline one-line error, working data kept
    page.get_by_role("link", name="数据 Data").click()
    broken = tmp_path / "broken_history.csv"
    broken.write_text("timestamp,sessions\n2026-01-05 00:00,3\n2026-01-05 01:00,lots\n")
    page.locator("input[type=file]").first.set_input_files(str(broken))
    error = page.get_by_text("broken_history.csv, row 3, column 'sessions'", exact=False)
    expect(error.first).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)
    expect(page.get_by_text("sample 示例: sample_history.csv").first).to_be_visible()
    shot(page, "07_broken_upload")

