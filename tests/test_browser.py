"""A real browser (Debian chromium via Playwright) uses the chat like an owner would."""

import httpx
import pytest

from tests.conftest import AppServer


@pytest.fixture()
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def ask(page, url: str, question: str) -> None:
    page.goto(url, wait_until="load")
    box = page.locator("#question textarea")
    box.wait_for(timeout=30000)
    box.fill(question)
    page.locator("#send").click()


def test_owner_asks_and_sees_a_sourced_answer(page, app_server: AppServer):
    ask(page, app_server.url, "Welke KPI's gebruik ik voor mijn klantenservice?")
    bot = page.locator("#chat .message.bot, #chat [data-testid='bot']").first
    bot.wait_for(timeout=30000)
    page.wait_for_function("document.querySelector('#chat').innerText.includes('CSAT')", timeout=30000)
    text = page.locator("#chat").inner_text()
    assert "Bronnen" in text  # the sources panel under the answer
    page.screenshot(path=str(app_server.log.parent / "chat.png"), full_page=True)


def test_thumbs_down_is_stored(page, app_server: AppServer):
    ask(page, app_server.url, "Which KPIs should my digital marketer have?")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('traffic')", timeout=30000)
    page.get_by_label("Dislike").first.click()
    page.locator("#comment textarea").wait_for(timeout=10000)
    page.locator("#comment textarea").fill("I wanted salary ranges")
    page.locator("#comment-send").click()
    import sqlite3
    import time

    db = app_server.log.parent / "feedback.sqlite3"
    for _ in range(50):
        rows = sqlite3.connect(db).execute("SELECT rating, comment FROM ratings").fetchall()
        if ("down", "I wanted salary ranges") in rows:
            break
        time.sleep(0.2)
    assert ("down", "I wanted salary ranges") in rows


def test_html_in_a_question_renders_as_inert_text(page, app_server: AppServer):
    ask(page, app_server.url, "<img src=x onerror=alert(1)> <script>alert(2)</script> KPIs for customer service?")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('CSAT')", timeout=30000)
    assert page.dialogs == []
    assert page.locator("#chat img[src='x']").count() == 0
    assert page.locator("#chat script").count() == 0


def test_page_loads_nothing_from_other_hosts(browser, app_server: AppServer):
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(app_server.url) and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    page.goto(app_server.url, wait_until="load")
    page.locator("#question textarea").wait_for(timeout=30000)
    context.close()
    assert outside == []
    assert httpx.get(app_server.url).status_code == 200


def test_interface_speaks_the_browsers_language(browser, app_server: AppServer):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(app_server.url, wait_until="load")
    page.wait_for_function(
        "document.querySelector('#send') && document.querySelector('#send').innerText.includes('Verstuur')",
        timeout=30000,
    )
    assert "Bouw je e-commerceteam" in page.locator("#intro").inner_text()
    page.get_by_text("English", exact=True).click()
    page.wait_for_function("document.querySelector('#send').innerText.includes('Send')", timeout=10000)
    context.close()


def test_a_follow_up_in_the_chat_uses_the_conversation(page, app_server: AppServer):
    ask(page, app_server.url, "Welke KPI's gebruik ik voor mijn klantenservice?")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('CSAT')", timeout=30000)
    box = page.locator("#question textarea")
    box.fill("en voor de marketeer?")
    page.locator("#send").click()
    # the marketer's KPIs (organic traffic, conversion) appear in a second answer, in Dutch
    after_follow_up = (
        "(() => { const t = document.querySelector('#chat').innerText; const q = 'en voor de marketeer?';"
        " const i = t.lastIndexOf(q); return i < 0 ? '' : t.slice(i + q.length).toLowerCase(); })()"
    )
    page.wait_for_function(f"{after_follow_up}.includes('verkeer')", timeout=30000)
    lines = [ln.strip() for ln in page.evaluate(after_follow_up).splitlines()]
    heading = next(ln for ln in lines if ln and ln != "loading content")
    assert "marketeer" in heading, heading  # the answer leads with the marketer's KPIs
