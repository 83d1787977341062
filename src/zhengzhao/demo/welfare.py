"""Licenses of social insurance: the social security card and the medical voucher."""

from __future__ import annotations

import datetime

from zhengzhao.demo import lexicon, places
from zhengzhao.demo.dates import add_years, random_date
from zhengzhao.demo.drafts import Draft, PersonContext

__all__ = ["GENERATORS"]

_CARD_SHARE_ADULT = 0.88  # from 16
_CARD_SHARE_CHILD = 0.6
_RECENT_CARD_SHARE = 0.8  # cards issued in the last nine years; the rest earlier
_THIRD_GENERATION = datetime.date(2019, 1, 1)  # third-generation cards in Xinjiang
_VOUCHER_LAUNCH = datetime.date(2020, 1, 1)  # medical insurance e-vouchers
_EARLIEST_ENROLMENT = datetime.date(2000, 1, 1)
_CARD_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"
_EMPLOYEE_SHARE = {True: 0.35, False: 0.25}  # of working age, of retirees


def _social_security_card(ctx: PersonContext) -> Draft | None:
    person, rng, today = ctx.person, ctx.rng, ctx.today
    share = _CARD_SHARE_ADULT if ctx.age >= 16 else _CARD_SHARE_CHILD
    earliest = person.birth_date + datetime.timedelta(days=30)
    if rng.random() >= share or earliest > today:
        return None
    if rng.random() < _RECENT_CARD_SHARE:
        window = (add_years(today, -9), today)
    else:
        window = (add_years(today, -12), add_years(today, -9))
    issued = random_date(rng, max(earliest, window[0]), window[1])
    issued = min(issued, today)

    def card_number() -> str:
        return f"{rng.choice(_CARD_LETTERS)}{rng.randrange(10**8):08d}"

    number = ctx.unique.draw("social-security-card", card_number)
    bank = rng.choice(lexicon.BANKS)
    fields = {
        "cardNumber": number,
        "cardGeneration": "第三代" if issued >= _THIRD_GENERATION else "第二代",
        "insuredRegionCode": places.area_of(person.division_code)
        or person.division_code,
        "cooperatingBank": bank,
    }
    if rng.random() < 0.7:
        fields["bankAccountNumber"] = _account_number(ctx)
    other_bank = rng.choice([name for name in lexicon.BANKS if name != bank])
    return Draft(
        type_key="social-security-card",
        fields=fields,
        issue_date=issued,
        paper_number=number,
        correction={
            "cooperatingBank": other_bank,
            "bankAccountNumber": _account_number(ctx),
        },
    )


def _account_number(ctx: PersonContext) -> str:
    # Bank card numbers of China UnionPay start with 62 and have 19 digits.
    return f"62{ctx.rng.randrange(10**17):017d}"


def _medical_insurance(ctx: PersonContext) -> Draft:
    person, rng, today = ctx.person, ctx.rng, ctx.today
    activated = random_date(rng, max(person.birth_date, _VOUCHER_LAUNCH), today)
    enrolled = random_date(rng, max(person.birth_date, _EARLIEST_ENROLMENT), activated)
    employee = 18 <= ctx.age and rng.random() < _EMPLOYEE_SHARE[ctx.age < 60]
    status = rng.choices(("参保缴费", "暂停缴费", "终止参保"), weights=(95, 4, 1))[0]
    return Draft(
        type_key="medical-insurance-certificate",
        fields={
            "insuredRegionCode": person.division_code,
            "insuredRegionName": places.place_name(person.division_code),
            "insuranceType": "职工基本医疗保险" if employee else "城乡居民基本医疗保险",
            "insuredStatus": status,
            "enrolmentDate": enrolled.isoformat(),
        },
        issue_date=activated,
    )


GENERATORS = (_social_security_card, _medical_insurance)
