"""Personal data is masked before a question, answer or comment is stored.

Owners sometimes paste an e-mail address, a phone number or a bank account into a question; the log
(and so the gaps report) keeps the question with `[email]`, `[phone]` and `[iban]` in their place.
Masking errs on the side of privacy: a long run of digits that looks like a phone number is masked even
when it was not one. Prices, percentages, years and team sizes are too short to match.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # starts only where a run starts: linear
# Two letters, two check digits, then 11–30 letters/digits, written solid or in groups of four.
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
# An optional +country or (area) code, then digits with spaces, dots, dashes or slashes: 9–15 digits in all.
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-/]{7,20}\d(?!\w)")


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return "[phone]" if 9 <= digits <= 15 else match.group(0)


def mask_personal_data(text: str) -> str:
    """The text with e-mail addresses, IBANs and phone numbers replaced by placeholders."""
    if not text:
        return text
    if "@" in text:
        text = EMAIL.sub("[email]", text)
    text = IBAN.sub(lambda m: "[iban]" if any(c.isdigit() for c in m.group(0)[4:]) else m.group(0), text)
    return PHONE.sub(_phone, text)
