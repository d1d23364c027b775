"""Signing up, verifying the address, signing in and out, and editing a profile, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e import browser
from tests.e2e.browser import field

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


class TestAccountJourneys(browser.BrowserTestCase):
    def test_new_member_signs_up_verifies_signs_in_again_and_edits_profile(self) -> None:
        page = self.new_page()

        # Sign up.
        page.goto(self.url("/"))
        page.get_by_role("link", name="Create an account").first.click()
        expect(page).to_have_url(self.url("/accounts/signup/"))
        field(page, "Email").fill("Ada.Lovelace@Example.org")
        field(page, "Your name").fill("Ada Lovelace")
        field(page, "Time zone").select_option("Europe/London")
        field(page, "Password").fill(NEW_PASSWORD)
        field(page, "Password (again)").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Sign Up").click()

        # Told to check the inbox; not signed in yet.
        expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
        user = User.objects.get(email="ada.lovelace@example.org")
        assert (user.name, user.time_zone) == ("Ada Lovelace", "Europe/London")
        assert not user.emailaddress_set.get().verified

        # The message the server sent carries the confirmation link.
        messages = self.sent_emails()
        assert len(messages) == 1, [m["Subject"] for m in messages]
        assert messages[0]["To"] == "ada.lovelace@example.org"
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", self.plain_body(messages[0]))
        assert link, self.plain_body(messages[0])
        assert link.group(0).startswith(self.live_server_url)

        # Opening the link asks for a confirmation (nothing changes on a GET).
        page.goto(link.group(0))
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm email address")
        assert not user.emailaddress_set.get().verified
        page.get_by_role("button", name="Confirm").click()

        # Confirmed in the same browser: signed in and on the dashboard.
        expect(page).to_have_url(self.url("/dashboard/"))
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        expect(page.get_by_role("navigation", name="Account")).to_contain_text("Ada Lovelace")
        assert user.emailaddress_set.get().verified

        # Sign out, then back in with the (differently cased) address and the password.
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(self.url("/"))
        account_nav = page.get_by_role("navigation", name="Account")
        expect(account_nav.get_by_role("link", name="Sign in")).to_be_visible()
        page.goto(self.url("/accounts/profile/"))
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/profile/$"))
        field(page, "Email").fill("ADA.LOVELACE@example.org")
        field(page, "Password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        expect(page).to_have_url(self.url("/accounts/profile/"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")

        # Edit the profile.
        page.get_by_role("link", name="Edit your profile").click()
        expect(page).to_have_url(self.url("/accounts/profile/edit/"))
        field(page, "Name").fill("Ada King")
        field(page, "Pronouns").fill("she/her")
        field(page, "Institution").fill("University of London")
        identities_group = page.get_by_role("group", name="Identities and ways of knowing")
        identities_group.get_by_role("textbox").fill("Mathematician\nPoet of science")
        identities_group.get_by_role("checkbox", name="Show this to other members").check()
        page.get_by_role("button", name="Save profile").click()

        expect(page).to_have_url(self.url("/accounts/profile/"))
        expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
        expect(page.get_by_role("heading", level=1)).to_have_text("Ada King (she/her)")
        expect(page.locator(".profile .lede")).to_have_text("University of London")
        identities = page.get_by_role("region", name="Identities and ways of knowing")
        expect(identities).to_contain_text("Mathematician")
        expect(identities).to_contain_text("Poet of science")
        # Shown to others, so the "only you can see this" note is gone.
        expect(identities).not_to_contain_text("Only you can see this")

        user.refresh_from_db()
        assert (user.name, user.pronouns, user.institution) == (
            "Ada King",
            "she/her",
            "University of London",
        )
        assert user.show_identities is True
        assert user.identities.splitlines() == ["Mathematician", "Poet of science"]

    def test_weak_password_at_signup_is_refused_and_the_email_is_kept(self) -> None:
        page = self.new_page()
        page.goto(self.url("/accounts/signup/"))
        field(page, "Email").fill("grace@example.org")
        field(page, "Your name").fill("Grace Hopper")
        field(page, "Password").fill("password")
        field(page, "Password (again)").fill("password")
        page.get_by_role("button", name="Sign Up").click()

        expect(page).to_have_url(self.url("/accounts/signup/"))
        expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below")
        password = field(page, "Password")
        expect(password).to_have_attribute("aria-invalid", "true")
        errors = page.locator("#id_password1_error")
        expect(errors).to_contain_text("This password is too short.")
        expect(errors).to_contain_text("This password is too common.")
        # The address and name survive the round trip; the password does not.
        expect(field(page, "Email")).to_have_value("grace@example.org")
        expect(field(page, "Your name")).to_have_value("Grace Hopper")
        expect(password).to_have_value("")
        assert not User.objects.filter(email="grace@example.org").exists()
        assert self.sent_emails() == []

    def test_sign_in_with_an_unknown_email_is_refused(self) -> None:
        self.make_user("known@example.org", name="Known Person")
        page = self.new_page()
        page.goto(self.url("/accounts/login/"))
        field(page, "Email").fill("nobody@example.org")
        field(page, "Password").fill(browser.PASSWORD)
        page.get_by_role("button", name="Sign In").click()

        expect(page).to_have_url(self.url("/accounts/login/"))
        expect(page.get_by_role("alert")).to_contain_text(
            "The email address and/or password you specified are not correct."
        )
        expect(field(page, "Email")).to_have_value("nobody@example.org")
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

        # The same form with a known address does sign in: the refusal was about the account.
        field(page, "Email").fill("known@example.org")
        field(page, "Password").fill(browser.PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        expect(page).to_have_url(self.url("/dashboard/"))
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
