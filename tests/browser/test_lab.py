"""The widgets in a real JupyterLab page in Debian's Chromium.

The demo notebook (`widgets-demo.ipynb`: a small network, then `ao_kernel.widgets.graph`,
`sequence` and `timeline`) is opened and run once per module; each test then checks one picture
in the live page and saves a screenshot under `tests/browser/artifacts/`. With
`AO_UPDATE_SCREENSHOT=1` the README's picture, `docs/screenshot.png`, is written too.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"

ALL_RUN = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim());
  if (prompts.length === 0 || prompts.some(p => p.includes('*'))) return false;
  const failed = document.querySelector(
    '.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]');
  return failed !== null || prompts.every(p => /\\[\\d+\\]/.test(p));
}"""

ERRORS = """() => [...document.querySelectorAll(
  '.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]')].map(e => e.innerText)"""

# True once vis-network has drawn: the canvas has size and some pixel that is neither
# transparent nor white.
CANVAS_DRAWN = """() => {
  const c = document.querySelector('canvas');
  if (!c || c.width === 0 || c.height === 0) return false;
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 230 || data[i + 1] < 230 || data[i + 2] < 230)) inked++;
  }
  return inked > 200;
}"""

# For the README picture: no active-cell marker.
QUIET_CSS = """
.jp-Collapser { visibility: hidden !important; }
.jp-Notebook .jp-Cell.jp-mod-active .jp-InputPrompt,
.jp-Notebook .jp-Cell.jp-mod-active .jp-OutputPrompt {
  color: var(--jp-cell-prompt-not-active-font-color) !important;
}
"""


@pytest.fixture(scope="module")
def notebook(browser_context, jupyter_lab, artifacts):
    """The demo notebook open in a tab and run to the end (once for the whole module)."""
    base, token, name = jupyter_lab
    tab = browser_context.new_page()
    tab.set_default_timeout(30_000)
    tab.goto(f"{base}/lab/workspaces/t{uuid.uuid4().hex[:8]}/tree/{name}?reset&token={token}")
    tab.get_by_text("| Idle").first.wait_for(timeout=45_000)
    tab.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
    tab.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
    tab.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    tab.wait_for_function(ALL_RUN, timeout=45_000, polling=200)
    tab.get_by_text("| Idle").first.wait_for(timeout=30_000)
    tab.screenshot(path=str(artifacts / "notebook.png"))
    try:
        yield tab
    finally:
        tab.close()


def test_all_cells_run_without_errors(notebook):
    errors = notebook.evaluate(ERRORS)
    assert errors == [], "cells failed:\n" + "\n---\n".join(errors)


def test_graph_canvas_is_drawn(notebook, artifacts):
    graph = notebook.locator(".jp-OutputArea-output .ao-graph").first
    graph.scroll_into_view_if_needed()
    iframe = graph.locator("iframe")
    frame = iframe.element_handle().content_frame()
    assert frame is not None, "the graph's iframe has no document"
    frame.wait_for_selector("canvas", state="attached")
    frame.wait_for_function(CANVAS_DRAWN, timeout=20_000, polling=250)
    graph.screenshot(path=str(artifacts / "graph.png"))


def test_sequence_has_arrows(notebook, artifacts):
    sequence = notebook.locator(".jp-OutputArea-output .ao-sequence").first
    sequence.scroll_into_view_if_needed()
    svg = sequence.locator("svg").first
    svg.wait_for()
    arrows = svg.locator("g.ao-arrow")
    assert arrows.count() >= 5  # ping/pong, the transfers and their replies, the cron ticks
    heads = svg.locator("[marker-end]")
    assert heads.count() >= arrows.count() - 1
    box = svg.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    sequence.screenshot(path=str(artifacts / "sequence.png"))


def test_timeline_slider_moves_the_state(notebook, artifacts):
    timeline = notebook.locator(".jp-OutputArea-output .ao-timeline").first
    timeline.scroll_into_view_if_needed()
    slider = timeline.locator(".widget-slider, .widget-hslider").first
    slider.wait_for()
    state = timeline.locator(".ao-tl-state").first
    state.wait_for()
    timeline.screenshot(path=str(artifacts / "timeline-last.png"))
    before = state.text_content()
    assert before and "600" in before and "400" in before  # alice and bob after 3 transfers

    # The HTML widget replaces its content on every change: locators (re-resolved on each
    # poll), never element handles, follow it.
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    handle.press("Home")  # the first step: the spawn, before any balance exists
    expect(state).not_to_have_text(before, timeout=10_000)
    assert "600" not in state.text_content()
    timeline.screenshot(path=str(artifacts / "timeline-first.png"))

    handle.press("End")  # and back to the last step: the same state as at first
    expect(state).to_have_text(before, timeout=10_000)


def test_readme_screenshot(notebook, artifacts):
    """The README's picture: the demo notebook's outputs (graph, sequence, timeline at its last
    step) with the code folded; written to docs/screenshot.png only with AO_UPDATE_SCREENSHOT=1."""
    size = notebook.viewport_size
    run = "window.jupyterapp.commands.execute"
    notebook.set_viewport_size({"width": 1200, "height": 1900})
    try:
        notebook.evaluate(f"{run}('notebook:hide-all-cell-code')")
        notebook.evaluate("document.querySelector('.jp-WindowedPanel-outer')?.scrollTo(0, 0)")
        notebook.wait_for_timeout(300)  # let the layout settle after the resize
        style = notebook.add_style_tag(content=QUIET_CSS)
        panel = notebook.locator(".jp-NotebookPanel").first.bounding_box()
        last = notebook.locator(".jp-Notebook .jp-Cell").last.bounding_box()
        assert panel and last
        bottom = min(panel["y"] + panel["height"], last["y"] + last["height"] + 16)
        path = artifacts / "readme.png"
        notebook.screenshot(path=str(path), clip={
            "x": panel["x"], "y": panel["y"], "width": panel["width"],
            "height": bottom - panel["y"]})
        style.evaluate("el => el.remove()")
        notebook.evaluate(f"{run}('notebook:show-all-cell-code')")
    finally:
        notebook.set_viewport_size(size)
    if os.environ.get("AO_UPDATE_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOT)
