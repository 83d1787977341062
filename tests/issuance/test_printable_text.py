"""Holder names and text fields hold printable text: control characters are refused."""

from datetime import date

import pytest
from sqlalchemy import func, select

from support.world import example_fields, person_id
from zhengzhao.storage.tables import licenses

#: A NUL (which PostgreSQL's JSON refuses and SQLite keeps), a newline, a tab, DEL,
#: a C1 control (NEL), and the line and paragraph separators.
CONTROLS = ["\x00", "\n", "\t", "\x7f", "\x85", "\u2028", "\u2029"]


def count_licenses(node):
    with node.database.reading() as conn:
        return conn.execute(select(func.count()).select_from(licenses)).scalar_one()


@pytest.mark.parametrize("control", CONTROLS)
def test_issue_holder_name_with_a_control_character_is_refused(world, node, control):
    body = world.issue(name=f"张{control}三", expect=422)
    assert body["code"] == "control-character"
    assert body["message"] == (
        f"holder.name holds the control character U+{ord(control):04X} at position"
        " 2; names and text fields hold printable text only: remove it and send"
        " the license again"
    )
    assert body["details"] == {"field": "holder.name"}
    assert count_licenses(node) == 0


def test_issue_text_field_with_a_control_character_names_the_field(world, node):
    fields = example_fields("resident-identity-card")
    fields["address"] = "新疆乌鲁木齐市\n天山区"
    body = world.issue(fields=fields, expect=422)
    assert body["code"] == "control-character"
    assert body["message"].startswith(
        "fields.address holds the control character U+000A at position 8;"
    )
    assert count_licenses(node) == 0


def test_issue_paper_number_with_a_control_character_is_refused(world):
    body = world.issue(paperNumber="A123\u2028", expect=422)
    assert body["code"] == "control-character"
    assert body["details"] == {"field": "paperNumber"}


def test_issue_name_with_ordinary_punctuation_and_spaces_is_accepted(world):
    name = "古丽米热·艾合买提 O'Neil"
    document = world.issue(name=name)["document"]
    assert document["credentialSubject"]["holder"]["name"] == name


def test_correction_to_a_name_with_a_control_character_is_refused(world):
    old = world.issue()
    holder = old["document"]["credentialSubject"]["holder"]["identifier"]
    body = world.event(
        old["identifier"],
        "corrected",
        holder={"identifier": holder, "name": "张三\x00"},
        expect=422,
    )
    assert body["code"] == "control-character"
    assert body["details"] == {"field": "holder.name"}


def test_correction_of_a_field_to_a_control_character_is_refused(world):
    old = world.issue()
    body = world.event(
        old["identifier"], "corrected", fields={"address": "天山区\u0085"}, expect=422
    )
    assert body["code"] == "control-character"
    assert body["details"] == {"field": "fields.address"}


def test_transfer_to_a_holder_named_with_a_control_character_is_refused(world):
    old = world.issue("land_tianshan", "real-estate-certificate")
    buyer = {"identifier": person_id(date(1980, 3, 3), 77), "name": "买方\r"}
    body = world.event(
        old["identifier"], "transferred", who="land_tianshan", holder=buyer, expect=422
    )
    assert body["code"] == "control-character"
