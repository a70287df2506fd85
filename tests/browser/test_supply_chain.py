"""A buyer invites a new supplier; the supplier registers from the e-mail link and so joins the chain as tier 1;
it invites its own supplier, which registers the same way as tier 2; the buyer's tree shows both tiers (also at
phone width), its dashboard lists both, and the public profile names the buyer whose chain the supplier is in."""

import re

from playwright.sync_api import expect

from tests.browser.test_smoke import sign_in
from tests.conftest import credit_code

BUYER = "鹏城通信技术有限公司"
PHONE = {"width": 375, "height": 740}


def _invite(page, base, code, email):
    page.goto(f"{base}/supply-chain")
    form = page.locator("form[action$='/supply-chain/invitations']")
    form.locator("input[name=credit_code]").fill(code)
    form.locator("input[name=email]").fill(email)
    form.locator("button[type=submit], input[type=submit]").click()
    expect(page.locator(".flash").first).to_contain_text(code)


def _register_from_mail(browser, live_server, outbox, email, company, person):
    body = next(body for to, _subject, body in reversed(outbox()) if to == email)
    link = re.search(r"http://\S+(/supply-chain/join/[\w-]+)", body)
    page = browser.new_context().new_page()
    page.goto(live_server + link.group(1))  # the e-mail names PORTAL_BASE_URL; the test server has its own port
    page.locator("input[name=name_zh]").fill(company)
    page.locator("input[name=person_name]").fill(person)
    page.locator("input[name=password]").fill("a-long-password-1")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_count(1)
    assert page.url.endswith("/supply-chain"), page.url
    return page


def test_buyer_invites_tier_1_which_invites_tier_2_and_the_tree_shows_both(browser, live_server, demo, outbox,
                                                                              axe, shot):
    tier1_code, tier2_code = credit_code(), credit_code()
    buyer = browser.new_context().new_page()
    sign_in(buyer, live_server, "buyer@demo.local", demo)
    _invite(buyer, live_server, tier1_code, "tier1@newco.example")
    row = buyer.locator("tbody tr", has_text=tier1_code)
    expect(row).to_be_visible()
    assert axe(buyer) == []
    shot(buyer, "chain-1-buyer-invited")

    tier1 = _register_from_mail(browser, live_server, outbox, "tier1@newco.example", "新一级供应商有限公司", "一级")
    expect(tier1.locator(".flash").first).to_contain_text(BUYER)
    _invite(tier1, live_server, tier2_code, "tier2@newco.example")
    shot(tier1, "chain-2-tier1-invited-tier2")

    tier2 = _register_from_mail(browser, live_server, outbox, "tier2@newco.example", "新二级供应商有限公司", "二级")
    expect(tier2.locator(".flash").first).to_contain_text(BUYER)

    buyer.goto(f"{live_server}/supply-chain")
    tree = buyer.locator("ul.chain-tree")
    tier1_item = tree.locator("li.tier-1", has_text="新一级供应商有限公司")
    expect(tier1_item.locator("li.tier-2", has_text="新二级供应商有限公司")).to_be_visible()
    assert axe(buyer) == []
    buyer.set_viewport_size(PHONE)
    assert buyer.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(buyer, "chain-3-tree-phone")
    buyer.set_viewport_size({"width": 1280, "height": 900})

    buyer.goto(f"{live_server}/buyer/suppliers?tier=2")
    expect(buyer.locator("tbody tr", has_text=tier2_code)).to_contain_text("新一级供应商有限公司")  # via tier 1
    expect(buyer.locator("tbody tr", has_text=tier1_code)).to_have_count(0)
    assert axe(buyer) == []
    shot(buyer, "chain-4-dashboard-tier2")

    public = browser.new_context().new_page()
    public.goto(f"{live_server}/public/suppliers/{tier1_code}")
    expect(public.locator("main")).to_contain_text(BUYER)
    shot(public, "chain-5-public-profile")


def test_withdrawing_an_invitation_asks_first_and_cancelling_changes_nothing(browser, live_server, demo):
    code = credit_code()
    buyer = browser.new_context().new_page()
    sign_in(buyer, live_server, "buyer@demo.local", demo)
    _invite(buyer, live_server, code, "asked@newco.example")
    withdraw = buyer.locator("tbody tr", has_text=code).locator("button", has_text="撤回")
    asked = []
    buyer.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    withdraw.click()
    expect(buyer.locator("tbody tr", has_text=code).locator("button", has_text="撤回")).to_be_visible()
    assert asked == ["撤回此邀请？邀请链接将随即失效。"]
    buyer.once("dialog", lambda dialog: dialog.accept())
    withdraw.click()
    expect(buyer.locator("tbody tr", has_text=code)).to_contain_text("已撤回")
