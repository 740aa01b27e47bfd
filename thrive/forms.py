"""Sign-up and sign-in forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from .models import Invitation, Membership, User, Workspace
from .throttle import client_address, signin_blocked, signin_failed, signin_succeeded


class SignupForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def clean_email(self) -> str:
        # Whether an account already uses it is not the form's business: the answer must not
        # tell (services.user_signup mails that owner instead).
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            try:
                password_validation.validate_password(
                    password, User(email=cleaned.get("email", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ThrottledAuthenticationForm(AuthenticationForm):
    """Sign-in by email that refuses to even try after too many recent failures.

    Counted per (email, client address), so another address's guesses never lock the owner out.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed sign-ins. Wait %(minutes)s minutes, or reset your password.",
        "throttled_network": (
            "Too many failed sign-ins from your network. Wait %(minutes)s minutes and try again."
        ),
    }

    def clean(self) -> dict[str, Any]:
        email = (self.data.get("username") or "").strip().lower()
        address = client_address(self.request) if self.request else ""
        block = signin_blocked(email=email, address=address)
        if block:
            code = "throttled_network" if block.network else "throttled"
            raise forms.ValidationError(
                self.error_messages[code], code=code, params={"minutes": block.minutes}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            signin_failed(email=email, address=address)
            raise
        signin_succeeded(email=email, address=address)
        return cleaned


class WorkspacePlanForm(forms.Form):
    plan = forms.ChoiceField(choices=Workspace.Plan.choices)


class InvitationForm(forms.Form):
    email = forms.EmailField(max_length=254, label="E-mail address")
    role = forms.ChoiceField(
        choices=Invitation.Role.choices,
        initial=Invitation.Role.MEMBER,
        help_text="Admins add, replace and disconnect connections and invite people; "
        "members see everything and can sync.",
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


def _time_zone_choices() -> list[tuple[str, str]]:
    from journal.imports import timezone_choices

    return [(name, name.replace("_", " ")) for name in timezone_choices()]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=_time_zone_choices,
        help_text="Every time Thrive shows you is in this zone, with its abbreviation.",
        error_messages={
            "invalid_choice": "“%(value)s” is not a time zone we know. Choose one from the "
            "list, such as Europe/London or America/New_York."
        },
    )

    class Meta:
        model = User
        fields = ["time_zone"]
