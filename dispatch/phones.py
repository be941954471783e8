"""Callers' phone numbers, normalised with Google's libphonenumber rules (the ``phonenumbers``
package), region Indonesia.

``0811-573-119``, ``+62 811 573 119`` and ``62811573119`` are one number, ``+62811573119``
(E.164). Short service numbers (112, 119, 110, ...) stay as they are. Text that cannot be a phone
number is refused. The bottom of the package, beside ``vocabulary``: it imports nothing of the
project, so schemas and the core both use it.
"""
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType, shortnumberinfo

REGION = "ID"
# What a person may type around the digits: spaces, dashes, dots, brackets, a leading "+".
_ALLOWED = re.compile(r"^\+?\(?[0-9][0-9 ().\-/]*$")
# Pontianak's area code: a landline number given without it ("734119") is a Pontianak number.
AREA_CODE = "0561"
_KIND = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed",
    PhoneNumberType.TOLL_FREE: "service",
    PhoneNumberType.PREMIUM_RATE: "service",
    PhoneNumberType.SHARED_COST: "service",
    PhoneNumberType.UAN: "service",
    PhoneNumberType.VOIP: "voip",
}


class NotAPhoneNumber(ValueError):
    """The text cannot be a phone number; ``str()`` says why, in words for the operator."""


@dataclass(frozen=True)
class Phone:
    number: str     # the key: E.164 ("+62811573119"), or the short number as dialled ("112")
    display: str    # as an Indonesian operator writes it: "0811-573-119", "(0561) 734119", "112"
    kind: str       # mobile, fixed, service, voip, short, foreign, unknown


def normalise(text):
    """The :class:`Phone` of what was typed; :class:`NotAPhoneNumber` if it cannot be one."""
    raw = (text or "").strip() if isinstance(text, str) else None
    if not raw:
        raise NotAPhoneNumber("a phone number is needed")
    if not _ALLOWED.match(raw):
        raise NotAPhoneNumber("digits, spaces, '+', '-' and brackets only (e.g. 0811-573-119)")
    digits = re.sub(r"[^0-9]", "", raw)
    if len(digits) > 17:
        raise NotAPhoneNumber("too many digits for a phone number")
    if not raw.startswith("+") and len(digits) <= 6:
        short = _try_parse(digits, REGION)
        if short is not None and shortnumberinfo.is_valid_short_number_for_region(short, REGION):
            return Phone(digits, digits, "short")
    if not raw.startswith("+") and digits[0] not in "01" and 6 <= len(digits) <= 8:
        local = _try_parse(AREA_CODE + digits, REGION)
        if local is not None and phonenumbers.is_valid_number(local):
            return _phone(local)
    if not raw.startswith("+") and len(digits) <= 6:
        raise NotAPhoneNumber("too short for a phone number, and not a service number such as 112 or 119")
    number = _parse(raw, digits)
    if number is None or not phonenumbers.is_possible_number(number):
        raise NotAPhoneNumber("not a possible phone number: check the digits (e.g. 0811-573-119)")
    if number.country_code == 62 and str(number.national_number).startswith("8") \
            and not phonenumbers.is_valid_number(number):
        raise NotAPhoneNumber("a mobile number (08...) has 10 to 13 digits")
    return _phone(number)


def _phone(number):
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number.country_code != 62:
        return Phone(e164, phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL), "foreign")
    kind = _KIND.get(phonenumbers.number_type(number), "unknown")
    return Phone(e164, phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL), kind)


def key(text):
    """The number of what was typed (E.164 or short), or None if it cannot be a phone number."""
    try:
        return normalise(text).number
    except NotAPhoneNumber:
        return None


def display(number):
    """How a stored number is shown ("+62811573119" -> "0811-573-119"); anything else as it is."""
    try:
        return normalise(number).display
    except NotAPhoneNumber:
        return number


def _try_parse(text, region):
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _parse(raw, digits):
    number = _try_parse(raw, REGION)
    if number is None:
        return None
    if not raw.startswith("+") and digits.startswith("62") and len(digits) >= 10:
        # "62811573119": the country code typed without its "+" (a number dialled inside Indonesia
        # starts with its trunk 0, so one that starts with 62 carries the country code).
        international = _try_parse("+" + digits, None)
        if international is not None and phonenumbers.is_possible_number(international):
            return international
    return number
