"""``zhengzhao id check``: exit codes, table and JSON output, lenient mode."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from zhengzhao.cli.ids import app
from zhengzhao.model.license_id import LicenseIdentifier
from zhengzhao.model.resident_id import resident_id_check_character

RESIDENT_ID = "360426199101010071"
LICENSE_ID = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
PILOT_CODE = "91110000600037341N"  # check character should be L

runner = CliRunner()
WIDE = {"COLUMNS": "200"}  # so that Rich does not wrap the table's cells


def check_json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    result = runner.invoke(app, ["check", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_id_check_all_valid_exits_zero() -> None:
    result = runner.invoke(app, ["check", RESIDENT_ID, LICENSE_ID, "650102"], env=WIDE)
    assert result.exit_code == 0
    assert "VALID" in result.stdout
    assert "INVALID" not in result.stdout


def test_id_check_one_invalid_exits_one_and_prints_the_reason() -> None:
    result = runner.invoke(app, ["check", RESIDENT_ID, "999999"], env=WIDE)
    assert result.exit_code == 1
    assert "INVALID" in result.stdout
    assert "division code 999999 is not a GB/T 2260 code" in result.stdout


def test_id_check_json_prints_one_report_per_value() -> None:
    exit_code, reports = check_json(RESIDENT_ID, "hello")
    assert exit_code == 1
    assert reports == [
        {
            "value": RESIDENT_ID,
            "kind": "resident-id",
            "valid": True,
            "reason": None,
            "warnings": [],
            "facts": {
                "division_code": "360426",
                "division": "德安县",
                "birth_date": "1991-01-01",
                "sex": "male",
            },
        },
        {
            "value": "HELLO",
            "kind": "unknown",
            "valid": False,
            "reason": "not a resident ID number, credit code, division code or "
            "license ID",
            "warnings": [],
            "facts": {},
        },
    ]


def test_id_check_pilot_era_code_is_invalid_without_lenient() -> None:
    exit_code, [report] = check_json(PILOT_CODE)
    assert exit_code == 1
    assert (report["kind"], report["valid"]) == ("credit-code", False)
    assert report["reason"] == (
        "check character is N, expected L; "
        "lenient mode would accept it as a pilot-era code"
    )


def test_id_check_lenient_accepts_pilot_era_code_with_warning() -> None:
    exit_code, [report] = check_json("--lenient", PILOT_CODE)
    assert exit_code == 0
    assert report["valid"] is True
    assert report["warnings"] == [
        "check character is N, expected L; accepted as a pilot-era code"
    ]


def test_id_check_lenient_still_refuses_characters_outside_the_alphabet() -> None:
    for args in (["--lenient"], []):
        exit_code, [report] = check_json(*args, "9111000060003IOZSV")
        assert exit_code == 1
        assert (report["kind"], report["reason"]) == (
            "credit-code",
            "character 14 is 'I', which is not in the alphabet "
            "0-9 and A-Z without I, O, S, V, Z",
        )


def test_id_check_future_birth_date_is_invalid() -> None:
    body = "65010229990101001"
    exit_code, [report] = check_json(body + resident_id_check_character(body))
    assert exit_code == 1
    assert report["reason"].startswith("birth date 29990101 is after today, ")


def test_id_check_without_values_is_a_usage_error() -> None:
    assert runner.invoke(app, ["check"]).exit_code == 2


def test_id_check_help_documents_the_exit_status() -> None:
    result = runner.invoke(app, ["check", "--help"])
    assert result.exit_code == 0
    assert "Exit status: 0 when every value is valid, 1 when any" in result.stdout


def test_id_check_all_digit_credit_code_is_not_taken_for_a_resident_id() -> None:
    # python-stdnum's vector; it fails as a resident ID number (no such birth date).
    exit_code, [report] = check_json("121200004013590816")
    assert exit_code == 0
    assert (report["kind"], report["facts"]["division"]) == ("credit-code", "天津市")


def test_id_check_mistyped_resident_id_stays_a_resident_id_in_lenient_mode() -> None:
    exit_code, [report] = check_json("--lenient", "360426199101010072")
    assert exit_code == 1
    assert (report["kind"], report["reason"]) == (
        "resident-id",
        "check character is 2, expected 1",
    )


def test_id_check_retired_division_is_valid_with_a_warning() -> None:
    exit_code, [report] = check_json("652101")
    assert exit_code == 0
    assert report["warnings"] == ["retired in 2015"]
    assert report["facts"] == {
        "name": "吐鲁番市",
        "level": "county",
        "parent_code": "652100",
    }


def test_id_check_license_id_reports_its_parts() -> None:
    exit_code, [report] = check_json(LICENSE_ID)
    assert exit_code == 0
    assert report["facts"] == {
        "type_code": "11100000000013338W011",
        "issuer_code": "11430000006122244L",
        "serial": "20230000403",
        "version": "001",
    }


def test_id_check_license_id_with_pilot_era_issuer_carries_the_warning() -> None:
    text = LicenseIdentifier.build(
        type_code="11100000000013338W011", issuer_code=PILOT_CODE, serial="1"
    )
    exit_code, [report] = check_json(str(text))
    assert exit_code == 0
    assert report["warnings"] == [
        "issuer code: check character is N, expected L; accepted as a pilot-era code"
    ]


def test_id_check_license_id_with_wrong_check_is_invalid() -> None:
    exit_code, [report] = check_json(LICENSE_ID[:-1] + "F")
    assert exit_code == 1
    assert (report["kind"], report["reason"]) == (
        "license-id",
        "check character is F, expected U",
    )


def test_id_check_mistyped_id_number_that_passes_as_a_credit_code_exits_one() -> None:
    exit_code, [report] = check_json("650102199001010184")
    assert exit_code == 1
    assert (report["kind"], report["valid"]) == ("resident-id", False)
    assert "it also passes as a credit code" in report["reason"]
