"""A student in Chromium: signs in, chats with the Coach (streamed), answers a question and sees the mark,
completes a study-plan day; every page passes axe-core (no serious or critical violation)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.web.helpers import check_a11y, shot, sign_in


async def test_student_signs_in_chats_practises_and_completes_a_day(site, browser) -> None:  # noqa: ANN001
    page = await sign_in(browser, site, "ada")
    assert page.url.endswith("/home")
    await expect(page.get_by_role("heading", name="Hello, Ada Lovelace")).to_be_visible()
    await expect(page.get_by_role("heading", name="Recent marks")).to_be_visible()
    await check_a11y(page, "student home")
    await shot(page, "student-home")

    # the Coach: start a session, send a message, the reply streams into the transcript
    await page.get_by_role("link", name="Coach", exact=True).click()
    await check_a11y(page, "coach list")
    await page.get_by_label("What are you stuck on?").fill("price elasticity of demand")
    await page.get_by_role("button", name="Start a session").click()
    await expect(page.get_by_role("heading", name="price elasticity of demand")).to_be_visible()
    await check_a11y(page, "chat")
    streamed = []
    page.on("response", lambda r: streamed.append(r.headers.get("content-type", "")) if "/messages" in r.url else None)
    await page.get_by_label("Your reply").fill("I think it is how much demand changes when the price changes")
    await page.get_by_role("button", name="Send").click()
    coach = page.locator("#transcript li.coach").last
    await expect(coach).not_to_have_text(re.compile(r"^\s*Coach\s*$"), timeout=20_000)
    await expect(page.locator("#chat-status")).to_have_text("", timeout=20_000)
    assert any(t.startswith("text/event-stream") for t in streamed), streamed
    await shot(page, "student-chat")
    await page.reload()  # the turn was stored: it is there after a reload
    await expect(page.locator("#transcript li.student").last).to_contain_text("how much demand changes")

    # practice: pick a question, answer, see marks per AO (or that an examiner will decide)
    await page.get_by_role("link", name="Practice", exact=True).click()
    await check_a11y(page, "practice list")
    await page.locator("table a").first.click()
    await check_a11y(page, "question")
    await page.get_by_label("Your answer").fill(
        "Price elasticity of demand is the responsiveness of quantity demanded to a change in price, measured "
        "as the percentage change in quantity demanded divided by the percentage change in price.")
    await page.get_by_role("button", name="Submit for marking").click()
    await expect(page.get_by_role("heading", name="Your marks")).to_be_visible(timeout=30_000)
    marked = page.get_by_text(re.compile(r"Marks: \d+/\d+"))
    awaiting = page.get_by_text("Awaiting an examiner.")
    await expect(marked.or_(awaiting).first).to_be_visible()
    if await marked.count():
        await expect(page.locator(".ao")).to_contain_text("AO1")
    await check_a11y(page, "marks")
    await shot(page, "student-marks")

    # the study plan: complete the next day with grades; it shows as done and the plan re-plans
    await page.get_by_role("link", name="Study plans", exact=True).click()
    await check_a11y(page, "plans")
    await page.locator("main ul a").first.click()
    done_before = await page.locator(".plan-days li.done").count()
    heading = page.get_by_role("heading", name=re.compile(r"Day \d+ .*how did it go"))
    day = re.search(r"Day (\d+)", await heading.inner_text()).group(1)
    await check_a11y(page, "plan")
    await page.get_by_role("button", name=f"Complete day {day}").click()
    await expect(page.locator(".plan-days li.done")).to_have_count(done_before + 1)
    await shot(page, "student-plan", full=False)
    await page.context.close()


async def test_phone_sized_home_has_no_horizontal_scroll(site, browser) -> None:  # noqa: ANN001
    page = await sign_in(browser, site, "ben", viewport={"width": 390, "height": 844})
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    await check_a11y(page, "phone home")
    await shot(page, "student-home-phone")
    await page.context.close()


async def test_keyboard_reaches_the_content_first(site, browser) -> None:  # noqa: ANN001
    page = await sign_in(browser, site, "ben")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"
    await page.context.close()


async def test_sign_in_and_reset_pages_pass_axe(site, browser) -> None:  # noqa: ANN001
    context = await browser.new_context(base_url=site.url)
    page = await context.new_page()
    for path in ("/sign-in", "/forgot-password"):
        await page.goto(path)
        await check_a11y(page, path)
    await page.goto("/sign-in")
    await shot(page, "sign-in", full=False)
    await page.get_by_label("Email").fill(site.ids["ada_email"])
    await page.get_by_label("Password").fill("wrong password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("do not match")
    await check_a11y(page, "sign-in error")
    await context.close()


async def test_account_page_creates_and_revokes_a_token_and_passes_axe(site, browser) -> None:  # noqa: ANN001
    page = await sign_in(browser, site, "ben")
    await page.goto("/account")
    await check_a11y(page, "account")
    await page.get_by_label("Name").fill("browser script")
    await page.get_by_role("button", name="Create a token").click()
    token = (await page.locator("#new-token").inner_text()).strip()
    assert (await page.request.get("/v1/me", headers={"Authorization": f"Bearer {token}"})).status == 200
    await page.get_by_role("button", name=re.compile(r"^Revoke token browser script")).click()
    await expect(page.get_by_role("row", name=re.compile("browser script"))).to_contain_text("revoked")
    assert (await page.request.get("/v1/me", headers={"Authorization": f"Bearer {token}"})).status == 401
    await check_a11y(page, "account after revoking")
    await page.context.close()
