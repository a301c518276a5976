"""Support staff paste one script tag into their site; the chat bubble works there and nowhere else."""

import http.server
import socketserver
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import PHONE, LocalServer, free_port

SNIPPET = (
    '<script src="{app}/widget.js" data-title="Team advice" data-lang="en" data-color="#0f766e" '
    'data-position="right" defer></script>'
)
LONG_TITLE = "Questions about building your shop's team? Ask our advisor!!"  # 60 characters
NL_SNIPPET = (
    '<script src="{app}/widget.js" data-title="' + LONG_TITLE + '" data-lang="nl" data-color="#0f766e" defer></script>'
)
HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Candle shop</title>
<style>body {{ font-family: serif; margin: 0 }} .tall {{ height: 3000px }} button {{ color: rgb(255, 0, 0) }}</style>
</head><body><h1 id="shop">Handmade candles</h1><button id="own">Shop button</button><div class="tall"></div>
{snippet}</body></html>"""

PLAYWRIGHT_DEFAULT = {"width": 1280, "height": 720}  # the viewport of `browser.new_page()`


class HostSite:
    """A shop's own site: a static page on its own 127.0.0.1 port (its own origin)."""

    def __init__(self, root: Path) -> None:
        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **k)  # noqa: E731
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        self.port = free_port()
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), handler)
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def sites(built_index, tmp_path_factory):
    allowed_root = tmp_path_factory.mktemp("allowed-site")
    other_root = tmp_path_factory.mktemp("other-site")
    allowed, other = HostSite(allowed_root), HostSite(other_root)
    app = LocalServer(built_index, allowed_origins=[allowed.url], rate_limit_per_minute=3)
    page = HOST_PAGE.format(snippet=SNIPPET.format(app=app.url))
    (allowed_root / "index.html").write_text(page)
    (other_root / "index.html").write_text(page)
    (allowed_root / "nl.html").write_text(HOST_PAGE.format(snippet=NL_SNIPPET.format(app=app.url)))
    try:
        app.wait_ready()
        yield app, allowed, other
    finally:
        app.stop()
        allowed.close()
        other.close()


def test_widget_on_an_allowed_site_answers_with_sources(pages, sites):
    app, allowed, _ = sites
    page = pages.new(PLAYWRIGHT_DEFAULT)
    page.goto(allowed.url, wait_until="load")
    page.evaluate("window.scrollTo(0, 500)")
    bubble = page.locator("[data-ecom-team-widget] >> button.bubble")
    bubble.wait_for(timeout=15000)
    assert bubble.get_attribute("aria-label") == "Open chat: Team advice"
    assert bubble.inner_text().strip() == "Team advice"  # the visible label
    bubble.focus()
    page.keyboard.press("Enter")  # keyboard accessible
    assert bubble.get_attribute("aria-expanded") == "true"
    frame = page.frame_locator("[data-ecom-team-widget] >> iframe")
    frame.locator("#q").fill("Which KPIs should I use for customer service?")
    frame.locator("#send").click()
    frame.locator(".msg.bot .actions").wait_for(timeout=30000)
    assert "CSAT" in frame.locator(".msg.bot").last.inner_text()
    assert "Sources" in frame.locator("details.sources > summary").last.inner_text()
    # The host page is untouched: same scroll position, same styles.
    assert page.evaluate("window.scrollY") == 500
    assert page.evaluate("getComputedStyle(document.querySelector('#own')).color") == "rgb(255, 0, 0)"
    assert page.evaluate("getComputedStyle(document.body).fontFamily") == "serif"
    page.screenshot(path=str(app.log.parent / "widget.png"))
    page.keyboard.press("Escape")  # focus is inside the iframe: it asks the host page to close (postMessage)
    for _ in range(50):
        if bubble.get_attribute("aria-expanded") == "false":
            break
        page.wait_for_timeout(100)
    assert bubble.get_attribute("aria-expanded") == "false"


def test_dutch_widget_answers_an_english_question_in_english_with_its_tools(pages, sites):
    app, allowed, _ = sites
    page = pages.new()
    page.goto(f"{allowed.url}/nl.html", wait_until="load")
    bubble = page.locator("[data-ecom-team-widget] >> button.bubble")
    bubble.wait_for(timeout=15000)
    # a labelled button: icon plus the data-title, ellipsized; its accessible name says what it does
    assert bubble.inner_text().strip() == LONG_TITLE
    assert bubble.get_attribute("aria-label") == f"Open de chat: {LONG_TITLE}"
    assert bubble.bounding_box()["width"] <= 262
    bubble.click()
    frame = page.frame_locator("[data-ecom-team-widget] >> iframe")
    # the long title ellipsizes: the close button stays inside the header
    header, close = frame.locator("header").bounding_box(), frame.locator("#close").bounding_box()
    assert close["x"] + close["width"] <= header["x"] + header["width"]
    assert frame.locator("#send").inner_text() == "Vraag"  # the widget's own texts are Dutch
    frame.locator("#q").fill("Which KPIs should I use for customer service?")
    frame.locator("#send").click()
    frame.locator(".actions").wait_for(timeout=30000)
    answer = frame.locator(".msg.bot").last
    text = answer.inner_text()
    assert "CSAT" in text and "Ook relevant" not in text and "Also relevant" in text  # English, nothing Dutch
    assert "**" not in text and answer.locator("strong").count() > 0  # rendered, not raw Markdown
    paths = [p.replace("Bestand: ", "") for p in frame.locator(".src .path").all_text_contents()]
    assert paths and all(p.startswith("en/") for p in paths), paths
    # sources expand to title, section and excerpt; a [n] citation opens its source
    frame.locator("details.sources > summary").click()
    assert " — " in frame.locator(".src summary").first.inner_text()
    frame.locator("a.cite").first.click()
    n = frame.locator("a.cite").first.get_attribute("data-n")
    assert frame.locator(f'.src[data-n="{n}"] blockquote').is_visible()
    # thumbs down with a comment reaches the feedback store; copy is there
    assert frame.get_by_role("button", name="Kopieer").count() == 1
    # the thumbs are drawn icons (no emoji font needed), visible, and named for screen readers
    for name in ("Nuttig", "Niet nuttig"):
        thumb = frame.get_by_role("button", name=name, exact=True)
        assert thumb.inner_text().strip() == "" and thumb.locator("svg path").count() == 1
        box = thumb.locator("svg").bounding_box()
        assert box and box["width"] >= 12 and box["height"] >= 12
    frame.get_by_role("button", name="Niet nuttig").click()
    assert frame.get_by_role("button", name="Niet nuttig").get_attribute("aria-pressed") == "true"
    frame.locator(".comment input").fill("te kort")
    frame.locator(".comment button").click()
    db = app.log.parent / "feedback.sqlite3"
    rows: list = []
    for _ in range(50):
        rows = sqlite3.connect(db).execute("SELECT rating, comment FROM ratings").fetchall()
        if ("down", "te kort") in rows:
            break
        time.sleep(0.2)
    assert ("down", "te kort") in rows
    page.screenshot(path=str(app.log.parent / "widget-nl.png"))


def test_widget_on_a_phone_takes_the_whole_screen(pages, sites):
    app, allowed, _ = sites
    page = pages.new(PHONE)
    page.goto(allowed.url, wait_until="load")
    bubble = page.locator("[data-ecom-team-widget] >> button.bubble")
    bubble.wait_for(timeout=15000)
    bubble.click()
    panel = page.locator("[data-ecom-team-widget] >> iframe").bounding_box()
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, 390, 844)
    frame = page.frame_locator("[data-ecom-team-widget] >> iframe")
    assert frame.locator("#send").is_disabled()  # nothing typed yet
    frame.locator("#q").fill("   ")
    assert frame.locator("#send").is_disabled()
    frame.locator("#q").fill("z" * 2100)
    assert "100" in frame.locator("#count").inner_text() and frame.locator("#send").is_disabled()
    assert len(frame.locator("#q").input_value()) == 2100  # nothing cut off
    frame.locator("#close").click()
    page.wait_for_function(
        "document.querySelector('[data-ecom-team-widget]').shadowRoot.querySelector('.bubble')"
        ".getAttribute('aria-expanded') === 'false'",
        timeout=5000,
    )


def test_widget_on_a_site_that_is_not_allowed_does_not_appear(pages, sites):
    app, _, other = sites
    page = pages.new(PLAYWRIGHT_DEFAULT)
    page.goto(other.url, wait_until="load")
    page.wait_for_timeout(1500)
    assert page.locator("[data-ecom-team-widget]").count() == 0
    # Even a hand-made iframe is refused by the browser (frame-ancestors), and the API refuses CORS.
    blocked = httpx.options(
        f"{app.url}/api/chat", headers={"Origin": other.url, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in blocked.headers


def test_cors_allows_only_the_listed_site(sites):
    app, allowed, other = sites
    ok = httpx.get(f"{app.url}/api/widget/config", headers={"Origin": allowed.url})
    no = httpx.get(f"{app.url}/api/widget/config", headers={"Origin": other.url})
    assert ok.headers.get("access-control-allow-origin") == allowed.url
    assert "access-control-allow-origin" not in no.headers
    csp = httpx.get(f"{app.url}/widget").headers["content-security-policy"]
    assert f"frame-ancestors 'self' {allowed.url}" in csp


def test_too_many_questions_get_429_with_retry_after(sites):
    app, _, _ = sites
    statuses = []
    for _ in range(5):
        r = httpx.post(f"{app.url}/api/chat", json={"message": "in-house or outsource?"}, timeout=30)
        statuses.append(r.status_code)
    assert 429 in statuses
    limited = r if r.status_code == 429 else None
    assert limited is not None and int(limited.headers["Retry-After"]) > 0
    assert "try again in" in limited.json()["error"]


def test_widget_tells_the_visitor_to_wait_when_rate_limited(pages, sites):
    app, allowed, _ = sites  # the previous test used up this minute's questions
    page = pages.new(PLAYWRIGHT_DEFAULT)
    page.goto(allowed.url, wait_until="load")
    page.locator("[data-ecom-team-widget] >> button.bubble").click()
    frame = page.frame_locator("[data-ecom-team-widget] >> iframe")
    frame.locator("#q").fill("in-house or outsource?")
    frame.locator("#q").press("Enter")
    frame.locator(".msg.notice").wait_for(timeout=15000)
    assert "Too many questions" in frame.locator(".msg.notice").inner_text()
