"""E-mail addresses: Django's EmailValidator, except that a top-level domain may hold digits.

Django's validator wants a top-level label of letters only, so ``customer@demo.o2o`` (the demo's own
domain) and any private or future TLD with a digit failed sign-up. RFC 1123/3696 allow letters, digits
and hyphens in a TLD; only an all-numeric one is ruled out (it would read as an IP address). Everything
else is Django's check, unchanged: local part, label lengths, IDN labels, address literals.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import DomainNameValidator, EmailValidator
from django.db import models
from django.utils.regex_helper import _lazy_re_compile

_UL = DomainNameValidator.ul
# a TLD: letters, digits, hyphens (not at either end), at least one letter; or a punycode label
_TLD = r"\.(?!-)(?:(?=[a-z" + _UL + r"0-9-]*[a-z" + _UL + r"])[a-z" + _UL + r"0-9-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)"


class AddressValidator(EmailValidator):
    domain_regex = _lazy_re_compile(
        r"^" + EmailValidator.hostname_re + EmailValidator.domain_re + _TLD + r"\Z", 2)  # 2 = re.IGNORECASE


validate_email = AddressValidator()


class EmailAddressFormField(forms.EmailField):
    default_validators = [validate_email]


class EmailAddressField(models.EmailField):
    default_validators = [validate_email]

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": EmailAddressFormField, **kwargs})
