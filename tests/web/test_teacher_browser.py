"""A teacher and an examiner in Chromium: invite a student who accepts, the heatmap and a cell, a flagged
transcript with eval flags, deciding a queued answer, class plans, the coaching-efficiency chart; an examiner
decides from the queue; a teacher of another class gets 404 everywhere. axe-core on every page."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.web.helpers import check_a11y, shot, sign_in


async def test_teacher_invites_a_student_who_accepts(site, browser) -> None:  # noqa: ANN001
    teacher = await sign_in(browser, site, "rivera")
    assert teacher.url.endswith("/teach")
    await check_a11y(teacher, "classes")
    await teacher.get_by_role("link", name="12A Economics").click()
    await check_a11y(teacher, "class")
    await teacher.get_by_label("Or invite an email").fill(site.ids["newbie_email"])
    await teacher.get_by_role("button", name="Invite", exact=True).click()
    await expect(teacher.get_by_role("status")).to_contain_text("If that address belongs to a student account")
    await expect(teacher.get_by_role("table")).not_to_contain_text(site.ids["newbie_email"])
    await shot(teacher, "teacher-class")

    student = await sign_in(browser, site, "newbie")
    await expect(student.get_by_role("heading", name="Invitation: 12A Economics")).to_be_visible()
    await check_a11y(student, "home with invitation")
    await student.get_by_role("button", name="Join 12A Economics").click()
    await expect(student.get_by_role("heading", name="Invitation: 12A Economics")).to_have_count(0)
    await student.context.close()

    await teacher.reload()
    await expect(teacher.get_by_role("table")).to_contain_text(site.ids["newbie_email"])
    await expect(teacher.get_by_role("list").last).to_contain_text("accepted invitation")
    await teacher.context.close()


async def test_teacher_reads_heatmap_flagged_transcript_and_decides_a_review(site, browser) -> None:  # noqa: ANN001
    page = await sign_in(browser, site, "rivera")
    await page.goto(f"/teach/classes/{site.class_id}/mastery")
    table = page.get_by_role("table", name="Share of marks by student and syllabus point")
    await expect(table).to_be_visible()
    await expect(table.get_by_role("columnheader", name="9708.2.2")).to_be_visible()
    await check_a11y(page, "heatmap")
    await shot(page, "teacher-heatmap")
    await page.get_by_role("link", name=re.compile(r"^Whole class, 9708\.2\.2: \d+% of marks")).click()
    await expect(page.get_by_role("heading", name=re.compile("answers on 9708.2.2"))).to_be_visible()
    await expect(page.locator("tbody tr")).not_to_have_count(0)
    await check_a11y(page, "heatmap cell")

    await page.get_by_role("link", name="Flagged", exact=True).click()
    await expect(page.locator("tbody")).to_contain_text("referred to you")
    await check_a11y(page, "flagged")
    await shot(page, "teacher-flagged")
    await page.locator("tbody tr", has_text="referred to you").first.get_by_role("link").click()
    await expect(page.get_by_text("Flagged:")).to_be_visible()
    await expect(page.get_by_text("Eval flags").first).to_be_visible()
    await expect(page.get_by_role("heading", name="Session scores (eval suite)")).to_be_visible()
    await check_a11y(page, "transcript")
    await shot(page, "teacher-transcript")

    await page.get_by_role("link", name="Review queue").click()
    await check_a11y(page, "queue")
    waiting = int(re.search(r"(\d+) answer", await page.get_by_text(re.compile(r"\d+ answers? waiting")).inner_text())
                  .group(1))
    assert waiting > 0
    await page.locator("tbody a").first.click()
    await expect(page.get_by_role("heading", name="Mark scheme")).to_be_visible()
    await expect(page.get_by_text("Why it is here:")).to_be_visible()
    await check_a11y(page, "review")
    await shot(page, "teacher-review")
    await page.get_by_label(re.compile(r"Marks \(0")).fill("1")
    await page.get_by_role("button", name="Decide").click()
    await expect(page.get_by_role("status")).to_contain_text("the marking workflow has resumed")
    await expect(page.get_by_text(re.compile(rf"{waiting - 1} answers? waiting"))).to_be_visible()
    await page.context.close()


async def test_teacher_generates_class_plans_and_reads_the_efficiency_chart(site, browser) -> None:  # noqa: ANN001
    page = await sign_in(browser, site, "rivera")
    await page.goto(f"/teach/classes/{site.class_id}/plans")
    await check_a11y(page, "class plans form")
    await page.get_by_role("button", name="Generate plans for every student").click()
    await expect(page.locator("#results")).to_contain_text(re.compile(r"\d+ created, 0 failed"), timeout=60_000)
    await expect(page.get_by_role("link", name="plan created").first).to_be_visible()
    await check_a11y(page, "class plans results")

    await page.get_by_role("link", name="Did coaching work?").click()
    await expect(page.get_by_role("img", name="Change in marks after coaching")).to_be_visible()
    reading = page.locator("td.reading").first
    await expect(reading).to_contain_text(re.compile(r"\d+ sessions?"))
    await expect(page.get_by_role("row", name=re.compile("AI Coach"))).to_be_visible()
    await check_a11y(page, "efficiency")
    await shot(page, "teacher-efficiency")
    await page.get_by_label("By").select_option("CRITERION")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_role("table", name="Coaching efficiency by topic")).to_be_visible()
    await page.context.close()


async def test_examiner_decides_from_the_queue(site, browser) -> None:  # noqa: ANN001
    page = await sign_in(browser, site, "okafor")
    assert page.url.endswith("/reviews")
    await check_a11y(page, "examiner queue")
    await page.locator("tbody a").first.click()
    await page.get_by_label("Feedback to the student (optional)").fill("Checked: the mark stands.")
    await page.get_by_role("button", name="Decide").click()
    await expect(page.get_by_role("status")).to_contain_text("the marking workflow has resumed")
    # examiners have no teacher pages
    response = await page.goto("/teach")
    assert response.status == 404
    await page.context.close()


async def test_a_teacher_of_another_class_gets_404_everywhere(site, browser) -> None:  # noqa: ANN001
    own = await sign_in(browser, site, "rivera")
    await own.goto("/teach/flagged")
    transcript = await own.locator("tbody a").first.get_attribute("href")
    await own.goto(f"/teach/classes/{site.class_id}/mastery/9708.2.2")
    attempt = await own.locator("tbody a").first.get_attribute("href")
    await own.goto("/reviews")
    review = await own.locator("tbody a").first.get_attribute("href")
    await own.context.close()
    ada = await sign_in(browser, site, "ada")
    await ada.goto("/plans")
    plan = await ada.locator("main ul a").first.get_attribute("href")
    await ada.context.close()

    stranger = await sign_in(browser, site, "stranger")
    await check_a11y(stranger, "a teacher with no classes")
    for path in (f"/teach/classes/{site.class_id}", f"/teach/classes/{site.class_id}/mastery",
                 f"/teach/classes/{site.class_id}/mastery/9708.2.2", f"/teach/classes/{site.class_id}/plans",
                 transcript, attempt, review, plan):
        response = await stranger.goto(path)
        assert response.status == 404, (path, response.status)
    await check_a11y(stranger, "404 page")
    await stranger.goto("/reviews")
    await expect(stranger.get_by_text("The queue is empty.")).to_be_visible()
    await stranger.goto("/teach/flagged")
    await expect(stranger.get_by_text("Nothing needs a look.")).to_be_visible()
    await stranger.context.close()
