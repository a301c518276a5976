"""axe-core (from the npm registry, installed by `make axe` into tests/.node/) finds no critical or serious
accessibility problem on the chat page or the widget, in light and in dark mode.

The color-contrast rule checks text against WCAG AA (4.5:1 for normal text).
"""

from pathlib import Path

import pytest

from tests.conftest import PHONE, LocalServer

AXE = Path(__file__).resolve().parent / ".node" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")

pytestmark = pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make axe`")


def violations(target) -> list[dict]:
    """axe's violations on a page or frame, as (impact, rule, where) dicts."""
    target.add_script_tag(path=str(AXE))
    return target.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
             impact: v.impact, id: v.id, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))"""
    )


def assert_clean(target, what: str, allow_moderate: bool = True) -> None:
    found = violations(target)
    bad = [v for v in found if v["impact"] in BLOCKING or not allow_moderate]
    assert bad == [], f"{what}: {bad}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chat_page_has_no_serious_violations(pages, app_server: LocalServer, scheme):
    page = pages.new()
    page.emulate_media(color_scheme=scheme)
    page.goto(app_server.url, wait_until="load")
    page.locator("#question textarea").wait_for(timeout=30000)
    page.wait_for_timeout(500)
    assert_clean(page, f"/ empty ({scheme})")
    page.locator("#question textarea").fill("Which KPIs should I use for customer service?")
    page.locator("#send").click()
    page.locator("#chat details.src").first.wait_for(timeout=30000)
    page.locator("#send").wait_for(state="visible", timeout=30000)
    assert_clean(page, f"/ after an answer ({scheme})")
    page.locator("#chat details.src summary").first.click()
    assert_clean(page, f"/ with a source open ({scheme})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_widget_has_no_violations(pages, app_server: LocalServer, scheme):
    page = pages.new(PHONE)
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{app_server.url}/widget?lang=nl&title=Teamadvies&color=%230f766e", wait_until="load")
    page.locator("#q").wait_for(timeout=30000)
    assert_clean(page, f"/widget open ({scheme})", allow_moderate=False)  # the 'region' rule too
    page.locator("#q").fill("Which KPIs should I use for customer service?")
    page.locator("#send").click()
    page.locator(".actions").wait_for(timeout=30000)
    page.locator("details.sources > summary").click()
    page.locator(".src summary").first.click()
    page.get_by_role("button", name="Niet nuttig").click()
    assert_clean(page, f"/widget after an answer ({scheme})", allow_moderate=False)


def test_contrast_rule_is_checked(pages, app_server: LocalServer):
    """The check can fail: grey text on white (2.3:1) is reported."""
    page = pages.new()
    page.set_content('<main><h1>Shop</h1><p style="color:#aaa;background:#fff">low contrast</p></main>')
    assert any(v["id"] == "color-contrast" and v["impact"] == "serious" for v in violations(page))
