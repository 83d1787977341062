"""A masked resident ID number cannot be rebuilt from what the same party sees in
clear, and masked values keep nothing of enumerated or short values."""

from importlib.resources import files

import pytest

from sharing.support import HOLDER, HOUSEHOLD, ID_CARD, set_up_sharing, share
from zhengzhao.model.classification import Masking, mask
from zhengzhao.model.resident_id import resident_id_check_character
from zhengzhao.sharing.disclosure import masked_value, reveals_birth_date


@pytest.fixture
def sharing(world):
    return set_up_sharing(world)


def real_divisions() -> list[str]:
    """Every county-level code of GB/T 2260 the node ships, current or not."""
    text = (files("zhengzhao") / "data" / "divisions.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line[:1].isdigit()]
    return [row[0] for row in rows if row[2] == "county"]


def rebuilt(masked: str, birth_date: str, sex: str) -> list[str]:
    """Every resident ID number that agrees with ``masked`` (``*`` unknown), the
    birth date and sex seen in clear, and a real division code: the reviewer's
    reconstruction."""

    def fits(value: str, start: int) -> bool:
        shown = masked[start : start + len(value)]
        return all(m in ("*", v) for m, v in zip(shown, value, strict=True))

    birth = birth_date.replace("-", "")
    found = []
    for division in real_divisions():
        if not (fits(division, 0) and fits(birth, 6)):
            continue
        for sequence in range(1000):
            if sequence % 2 != (1 if sex == "男" else 0):
                continue
            body = f"{division}{birth}{sequence:03d}"
            number = body + resident_id_check_character(body)
            if fits(body[14:], 14) and fits(number[17], 17):
                found.append(number)
    return found


def test_masked_id_with_the_birth_date_in_clear_cannot_be_rebuilt(sharing, world):
    granted = sharing.grant()  # CZZT, sex and birthDate of the ID card
    (copy,) = share(world, authorization=granted["id"])["copies"]
    subject = copy["credentialSubject"]
    birth, sex = subject["fields"]["birthDate"], subject["fields"]["sex"]
    assert birth == "1985-06-15"  # the card states the number's birth date
    # The form a copy showed before: with the birth date, the number comes back.
    assert rebuilt(HOLDER[:4] + "*" * 10 + HOLDER[-4:], birth, sex) == [HOLDER]
    # What it shows now: the last four are hidden too.
    masked = subject["holder"]["identifier"]
    assert masked == HOLDER[:4] + "*" * 14
    assert len(rebuilt(masked, birth, sex)) > 1000


def test_masked_id_keeps_the_usual_form_without_the_birth_date(sharing, world):
    granted = sharing.grant(licenses=[{"typeCode": ID_CARD, "fields": ["CZZT", "sex"]}])
    (copy,) = share(world, authorization=granted["id"])["copies"]
    assert copy["credentialSubject"]["holder"]["identifier"] == (
        HOLDER[:4] + "*" * 10 + HOLDER[-4:]
    )


def test_share_asking_for_less_masks_the_id_as_the_grant_would(sharing, world):
    # One share without the birth date, one with it: together they must not give
    # first four, last four and birth date.
    granted = sharing.grant()
    (copy,) = share(world, authorization=granted["id"], fields={ID_CARD: ["sex"]})[
        "copies"
    ]
    assert "birthDate" not in copy["credentialSubject"]["disclosed"]
    assert copy["credentialSubject"]["holder"]["identifier"] == HOLDER[:4] + "*" * 14


def test_birth_date_on_another_license_of_the_grant_masks_the_id(sharing, world):
    granted = sharing.grant(
        licenses=[
            {"typeCode": ID_CARD, "fields": ["sex"]},
            {"typeCode": HOUSEHOLD, "fields": ["birthDate"]},
        ]
    )
    card, household = share(world, authorization=granted["id"])["copies"]
    assert household["credentialSubject"]["fields"]["birthDate"] == "1985-06-15"
    for copy in (card, household):
        masked = copy["credentialSubject"]["holder"]["identifier"]
        assert masked == HOLDER[:4] + "*" * 14


def test_enumerated_dates_and_short_values_are_masked_whole(sharing, world):
    granted = sharing.grant(licenses=[{"typeCode": ID_CARD, "fields": ["CZZT"]}])
    (copy,) = share(world, authorization=granted["id"])["copies"]
    subject = copy["credentialSubject"]
    assert subject["fields"]["sex"] == "***"  # enumerated: 男 or 女
    assert subject["fields"]["ethnicity"] == "***"  # 维吾尔: short, not a name
    assert subject["fields"]["birthDate"] == "***"  # a date
    assert subject["license"]["metadata"]["ZZBFRQ"] == "***"


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("1985-06-15", True),
        ("19850615", True),
        ("1985年6月15日", True),
        ("生于1985/06/15", True),
        ("1985-06-16", False),
        ("新疆乌鲁木齐市", False),
    ],
)
def test_birth_date_is_found_in_any_usual_writing(value, found):
    assert reveals_birth_date(HOLDER, [value]) is found


def test_birth_date_of_a_credit_code_is_never_looked_for():
    assert not reveals_birth_date("91650100MA00000159", ["19850615"])


def test_schema_says_how_a_masked_value_shows():
    assert masked_value("阿依古丽·买买提", {"x-masking": "name"}) == "阿***·***"
    assert masked_value("阿依古丽·买买提", {}) == "***"
    assert masked_value("已婚", {"enum": ["未婚", "已婚"]}) == "***"
    assert masked_value("2023-04-12T08:35:00+08:00", {"format": "date-time"}) == "***"
    nested = {"properties": {"who": {"x-masking": "name"}, "when": {"format": "date"}}}
    assert masked_value([{"who": "张三", "when": "2020-01-01"}], {"items": nested}) == [
        {"who": "张*", "when": "***"}
    ]
    assert mask("张三", masking=Masking.NAME) == "张*"
