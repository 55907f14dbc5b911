"""Browser helpers: sign in through the form, check a page with axe-core, take a screenshot."""

from __future__ import annotations

import os
from pathlib import Path

from tests.web.conftest import SHOTS

_axe = None


async def sign_in(browser, site, who: str, *, viewport: dict | None = None):  # noqa: ANN001, ANN201
    """A fresh browser context signed in as `who` through the sign-in form; returns its page."""
    context = await browser.new_context(base_url=site.url, viewport=viewport or {"width": 1200, "height": 900})
    page = await context.new_page()
    await page.goto("/sign-in")
    await page.get_by_label("Email").fill(site.ids[f"{who}_email"])
    await page.get_by_label("Password").fill(site.passwords[who])
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state()
    assert "/sign-in" not in page.url, await page.content()
    return page


async def check_a11y(page, what: str) -> None:  # noqa: ANN001
    """axe-core on the page as it is: no serious or critical violation."""
    global _axe
    if _axe is None:
        from axe_playwright_python.async_playwright import Axe

        _axe = Axe()
    results = await _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{what}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad)


async def shot(page, name: str, *, full: bool = True) -> None:  # noqa: ANN001
    """With TEACH_SCREENSHOTS=DIR, save a screenshot for the README."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full)
