"""The whole online-to-offline loop in headless Chromium, as the four people do it, through the pages only:

an owner signs up, opens a merchant, adds a store, invites a clerk and publishes a deal with a photo;
a customer on a phone finds it from the city centre, signs up, buys two, is declined once and pays;
the clerk accepts the invitation and redeems one voucher by its typed code (a second try is refused);
the customer sees it used, reviews, refunds the other; the owner sees the numbers and replies.
Screenshots of every step land in tests/e2e/artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from o2o.catalogue.models import Offering
from o2o.orders.models import Order
from o2o.reviews.models import Review
from o2o.vouchers.models import Voucher
from tests.web import builders

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class Person:
    """One browser context (its own cookies), with the console errors and page errors it met."""

    def __init__(self, browser: Any, base: str, name: str, width: int, height: int) -> None:
        self.ctx = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
        self.page = self.ctx.new_page()
        self.base, self.name, self.shots = base, name, 0
        self.problems: list[str] = []
        # A 4xx answer is logged by the browser as "Failed to load resource"; anything else is a problem.
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type == "error"
                     and "Failed to load resource" not in m.text else None)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)

    def shot(self, what: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        self.page.screenshot(path=str(ARTIFACTS / f"journey-{self.name}-{self.shots:02d}-{what}.png"), full_page=True)

    def text(self, selector: str = "body") -> str:
        return self.page.inner_text(selector)


def _signup(person: Person, email: str, name: str) -> None:
    person.page.fill("#id_email", email)
    person.page.fill("#id_display_name", name)
    person.page.fill("#id_password", builders.PASSWORD)
    person.submit("main form .btn-primary")


def test_owner_publishes_customer_buys_clerk_redeems_customer_reviews(chromium_browser, live_server, tmp_path):
    base = live_server.url
    owner = Person(chromium_browser, base, "owner", 1280, 900)
    customer = Person(chromium_browser, base, "customer", 390, 844)
    clerk = Person(chromium_browser, base, "clerk", 1024, 768)

    # 1. The owner signs up, opens a merchant and adds a store open all week.
    owner.go("/signup/?next=/merchant/new/")
    _signup(owner, "mei@journey.test", "Mei Owner")
    owner.page.fill("#id_name", "Journey Hotpot 旅程火锅")
    owner.page.select_option("#id_category", "restaurant")
    owner.submit("main form .btn-primary")
    merchant_id = re.search(rf"/merchant/({UUID})/", owner.page.url).group(1)
    owner.go(f"/merchant/{merchant_id}/stores/new/")
    owner.page.wait_for_selector("#picker path")  # the offline basemap is drawn
    owner.page.fill("#id_name", "Journey Hotpot Chunxi Rd")
    owner.page.fill("#id_address", "8 Chunxi Road, Jinjiang, Chengdu 春熙路8号")
    owner.page.fill("#id_lat", str(builders.CENTRE[0] + 0.001))
    owner.page.fill("#id_lng", str(builders.CENTRE[1] + 0.001))
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        owner.page.select_option(f"#id_{day}_mode", "allday")
    owner.shot("store-form")
    owner.submit("main form .btn-primary")
    assert "Journey Hotpot Chunxi Rd" in owner.text()

    # 2. ... invites a clerk for that store (no account yet: an invitation link) ...
    owner.go(f"/merchant/{merchant_id}/staff/")
    owner.page.fill("#id_email", "li@journey.test")
    owner.page.select_option("#id_role", "clerk")
    owner.page.check('input[name="stores"]')
    owner.submit("main form .btn-primary")
    invite_link = owner.page.input_value(".copy-field")
    assert "/invite/" in invite_link
    owner.shot("staff-invited")

    # 3. ... and publishes a deal with a photo, 10 units, 2 per customer, redeemable at the store.
    owner.go(f"/merchant/{merchant_id}/deals/new/")
    owner.page.fill("#id_title", "Hotpot for two 双人火锅套餐")
    owner.page.fill("#id_description", "Spicy and mild broth, eight dishes, two drinks.")
    owner.page.fill("#id_price", "99.00")
    owner.page.fill("#id_list_price", "158.00")
    owner.page.fill("#id_quantity_total", "10")
    owner.page.fill("#id_per_customer_limit", "2")
    owner.page.fill("#id_valid_days", "30")
    photo = tmp_path / "hotpot.png"
    photo.write_bytes(builders.photo_bytes())
    owner.page.set_input_files("#photos", str(photo))
    owner.page.check('input[name="publish"][value="live"]')
    owner.shot("deal-form")
    owner.submit("form.deal-form .btn-primary")
    deal = Offering.objects.get(title="Hotpot for two 双人火锅套餐")
    assert deal.status == "live" and deal.photos.count() == 1

    # 4. A customer on a phone starts from the city centre and finds the store with its deal.
    customer.go("/")
    customer.page.click("[data-centre]")
    customer.page.wait_for_selector(f'#results a[href="/stores/{deal.redeemable_stores.get().pk}/"]')
    customer.shot("nearby")
    customer.page.click(f'#results a[href="/stores/{deal.redeemable_stores.get().pk}/"]')
    customer.page.wait_for_load_state()
    assert "Journey Hotpot Chunxi Rd" in customer.text() and "Hotpot for two" in customer.text()
    customer.page.click(f'a[href="/deals/{deal.pk}/"]')
    customer.page.wait_for_selector(".buy-form")
    customer.shot("deal")

    # 5. Buying signed out asks for an account and comes back to the deal; two, then pay.
    customer.page.select_option("#qty", "2")
    customer.submit(".buy-form .btn-primary")
    assert "/login/" in customer.page.url
    customer.submit(".auth-switch a")  # "New here? Create an account", keeping where to come back to
    _signup(customer, "wang@journey.test", "Wang Customer")
    assert f"/deals/{deal.pk}/" in customer.page.url
    customer.page.select_option("#qty", "2")
    customer.submit(".buy-form .btn-primary")
    assert re.search(rf"/orders/{UUID}/pay/", customer.page.url)
    order = Order.objects.get(customer__email="wang@journey.test")
    customer.page.fill('.card-form input[name="card_number"]', builders.DECLINED_CARD)
    customer.page.fill('.card-form input[name="expiry"]', "12/30")
    customer.page.fill('.card-form input[name="cvc"]', "123")
    customer.submit(".card-form .btn-primary")
    assert "declined" in customer.text().lower()
    order.refresh_from_db()
    assert order.status == "awaiting_payment" and not Voucher.objects.filter(order_line__order=order).exists()
    customer.shot("declined")
    customer.page.fill('.card-form input[name="card_number"]', "4242 4242 4242 4242")
    customer.page.fill('.card-form input[name="expiry"]', "12/30")
    customer.page.fill('.card-form input[name="cvc"]', "123")
    customer.submit(".card-form .btn-primary")
    customer.page.wait_for_selector(".voucher .qr svg")
    assert customer.page.locator(".voucher.is-issued").count() == 2
    assert customer.page.locator(".voucher .qr svg").count() == 2
    codes = [re.sub(r"\D", "", c) for c in customer.page.locator(".voucher-code").all_inner_texts()]
    vouchers = {v.code: v for v in Voucher.objects.filter(order_line__order=order)}
    assert sorted(codes) == sorted(vouchers)
    customer.shot("vouchers")

    # 6. The clerk accepts the invitation, opens the store's counter and redeems one by its typed code.
    clerk.page.goto(invite_link)
    clerk.page.fill("#id_display_name", "Li Clerk")
    clerk.page.fill("#id_password", builders.PASSWORD)
    clerk.submit("main form .btn-primary")
    clerk.go("/counter/")
    if "/counter/" in clerk.page.url and not re.search(rf"/counter/{UUID}/", clerk.page.url):
        clerk.page.click(".tile-link")
    clerk.page.wait_for_selector("#code-input")
    clerk.page.fill("#code-input", codes[0])
    clerk.page.click("#code-submit")
    clerk.page.wait_for_selector(".result.is-valid")
    assert "Hotpot for two" in clerk.text(".result") and order.number in clerk.text(".result")
    clerk.shot("checked")
    clerk.page.click(".result .btn-success")
    clerk.page.wait_for_selector(".result.is-done")
    clerk.shot("redeemed")
    clerk.page.click(".result .btn-primary")
    clerk.page.fill("#code-input", codes[0])
    clerk.page.click("#code-submit")
    clerk.page.wait_for_selector(".result.is-error")
    assert "Already used" in clerk.text(".result") and "Journey Hotpot Chunxi Rd" in clerk.text(".result")
    clerk.shot("already-used")
    assert vouchers[codes[0]].__class__.objects.get(pk=vouchers[codes[0]].pk).status == "redeemed"

    # 7. The customer sees it used, reviews the visit and refunds the other voucher.
    customer.page.reload()
    assert customer.page.locator(".voucher.is-redeemed").count() == 1
    assert "Used at Journey Hotpot Chunxi Rd" in customer.text(".voucher.is-redeemed")
    customer.page.click('label[for="star4"]')
    assert customer.page.is_checked("#star4")
    customer.page.fill(".review-form textarea", "Broth was rich, the staff quick. 很好吃！")
    customer.submit(".review-form .btn-primary")
    assert customer.page.locator(".review-done").count() == 1
    customer.page.click(".voucher.is-issued details.refund summary")
    customer.submit(".voucher.is-issued details.refund .btn-danger")
    assert customer.page.locator(".voucher.is-refunded").count() == 1
    customer.shot("reviewed-and-refunded")
    deal.refresh_from_db()
    assert deal.quantity_left == 10 - 2 + 1  # the refunded unit is for sale again

    # 8. The review shows on the store as a verified visit and sets its rating.
    customer.go(f"/stores/{deal.redeemable_stores.get().pk}/")
    assert "Verified visit" in customer.text(".review") and "Broth was rich" in customer.text(".review")
    customer.shot("store-review")

    # 9. The owner's console counts the deal and shows the voucher's trail; the owner replies.
    owner.go(f"/merchant/{merchant_id}/")
    owner.shot("dashboard")
    owner.go(f"/merchant/{merchant_id}/reviews/")
    owner.page.fill(".review textarea", "Thank you, see you again! 欢迎再来")
    owner.submit(".review form .btn-primary")
    review = Review.objects.get(order=order)
    assert review.rating == 4 and review.reply.startswith("Thank you")
    redeemed = vouchers[codes[0]]
    owner.go(f"/merchant/{merchant_id}/vouchers/{redeemed.pk}/")
    trail = owner.text()
    assert "Li Clerk" in trail and "Journey Hotpot Chunxi Rd" in trail
    owner.shot("voucher-trail")
    customer.go(f"/orders/{order.pk}/")
    assert "see you again" in customer.text(".review-done")

    for person in (owner, customer, clerk):
        assert person.problems == [], (person.name, person.problems)
        person.ctx.close()
