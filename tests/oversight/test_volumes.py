"""Expected volumes: declared by operators through the API and the CLI, imported from
CSV all or nothing, read by their department, and completeness against them."""

import json

import pytest

from support.cli import invoke, write_config
from support.world import person_id, type_code

CARD = type_code("resident-identity-card")
BUSINESS = type_code("business-licence")


def _put(world, who, department, code, body):
    return world.http.put(
        f"/v1/expected-volumes/{world.departments[department].credit_code}/{code}",
        json=body,
        headers=world.headers(who),
    )


def test_volume_put_by_operator_and_read_back(world):
    response = _put(
        world, "operator", "psb_tianshan", CARD, {"expected": 120, "asOf": "2026-10-31"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["expected"], body["asOf"], body["regionCode"]) == (
        120,
        "2026-10-31",
        "650102",
    )
    listed = world.http.get("/v1/expected-volumes", headers=world.headers("auditor"))
    assert [item["expected"] for item in listed.json()] == [120]


def test_volume_put_again_for_the_same_day_replaces_it(world):
    _put(
        world, "operator", "psb_tianshan", CARD, {"expected": 120, "asOf": "2026-10-31"}
    )
    _put(
        world, "operator", "psb_tianshan", CARD, {"expected": 90, "asOf": "2026-10-31"}
    )
    _put(
        world, "operator", "psb_tianshan", CARD, {"expected": 70, "asOf": "2026-09-30"}
    )
    listed = world.http.get("/v1/expected-volumes", headers=world.headers("operator"))
    assert [item["expected"] for item in listed.json()] == [90]
    earlier = world.http.get(
        "/v1/expected-volumes?asOf=2026-10-01", headers=world.headers("operator")
    )
    assert [item["expected"] for item in earlier.json()] == [70]


@pytest.mark.parametrize(
    ("department", "code", "body", "status", "error", "words"),
    [
        (
            "market_urumqi",
            CARD,
            {"expected": 5},
            403,
            "not-responsible",
            "not on the responsibility list",
        ),
        ("psb_tianshan", CARD, {"expected": -1}, 422, "invalid-request", "expected"),
        (
            "psb_tianshan",
            CARD,
            {"expected": 5, "asOf": "2026-12-01"},
            422,
            "invalid-request",
            "after today",
        ),
        (
            "psb_tianshan",
            "11100000000013127D999",
            {"expected": 5},
            404,
            "not-found",
            "not in the catalog",
        ),
    ],
)
def test_volume_put_refusals(world, department, code, body, status, error, words):
    response = _put(world, "operator", department, code, body)
    assert response.status_code == status
    assert response.json()["code"] == error
    assert words in response.json()["message"]


@pytest.mark.parametrize("who", ["psb_tianshan", "auditor", "verifier"])
def test_volume_put_refused_to_all_but_operators(world, who):
    response = _put(world, who, "psb_tianshan", CARD, {"expected": 5})
    assert response.status_code == 403
    assert "operator role" in response.json()["message"]


def test_volumes_department_reads_only_its_own(world):
    _put(world, "operator", "psb_tianshan", CARD, {"expected": 5})
    _put(world, "operator", "market_urumqi", BUSINESS, {"expected": 7})
    own = world.http.get("/v1/expected-volumes", headers=world.headers("market_urumqi"))
    assert [item["typeCode"] for item in own.json()] == [BUSINESS]
    other = world.http.get(
        f"/v1/expected-volumes?department={world.departments['psb_tianshan'].credit_code}",
        headers=world.headers("market_urumqi"),
    )
    assert other.status_code == 403
    verifier = world.http.get("/v1/expected-volumes", headers=world.headers("verifier"))
    assert verifier.status_code == 403


def test_volume_import_records_every_row(world):
    tianshan = world.departments["psb_tianshan"].credit_code
    market = world.departments["market_urumqi"].credit_code
    text = (
        "\ufeffdepartment,type,expected,as_of\n"
        f"{tianshan},{CARD},300,2026-10-31\n"
        f"{market},{BUSINESS},40,\n"
    )
    response = world.http.post(
        "/v1/expected-volumes/import",
        content=text.encode(),
        headers=world.headers("operator", **{"Content-Type": "text/csv"}),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"recorded": 2}


def test_volume_import_with_a_bad_row_records_nothing(world):
    tianshan = world.departments["psb_tianshan"].credit_code
    market = world.departments["market_urumqi"].credit_code
    text = (
        "department,type,expected,as_of\n"
        f"{tianshan},{CARD},300,2026-10-31\n"
        f"{market},{CARD},40,\n"
        f"{tianshan},{CARD},many,\n"
    )
    response = world.http.post(
        "/v1/expected-volumes/import",
        content=text.encode(),
        headers=world.headers("operator", **{"Content-Type": "text/csv"}),
    )
    assert response.status_code == 422
    message = response.json()["message"]
    assert message.startswith("nothing was recorded")
    assert "row 4: expected 'many' is not a whole number" in message
    listed = world.http.get("/v1/expected-volumes", headers=world.headers("operator"))
    assert listed.json() == []


def test_volume_import_refuses_a_file_without_the_columns(world):
    response = world.http.post(
        "/v1/expected-volumes/import",
        content=b"dept,count\nx,1\n",
        headers=world.headers("operator", **{"Content-Type": "text/csv"}),
    )
    assert response.status_code == 422
    assert "lacks the columns department, type, expected" in response.json()["message"]


def test_volume_import_refused_to_a_department(world):
    response = world.http.post(
        "/v1/expected-volumes/import",
        content=b"department,type,expected\n",
        headers=world.headers("psb_tianshan", **{"Content-Type": "text/csv"}),
    )
    assert response.status_code == 403


def test_completeness_endpoint_counts_current_versions(world, clock):
    holder = person_id(sequence=7)
    first = world.issue(holder=holder)
    world.issue(holder=person_id(sequence=9))
    world.event(
        first["identifier"], "corrected", holder={"identifier": holder, "name": "张叁"}
    )
    _put(world, "operator", "psb_tianshan", CARD, {"expected": 4})
    clock.advance(minutes=1)
    response = world.http.get(
        "/v1/reports/completeness?month=2026-11", headers=world.headers("psb_tianshan")
    )
    assert response.status_code == 200, response.text
    card, register = sorted(response.json(), key=lambda line: line["typeCode"])
    # Three versions are stored; the corrected one counts by its successor only.
    assert (card["gathered"], card["expected"], card["ratio"]) == (2, 4, 0.5)
    assert card["status"] == "declared"
    # Its other type on the responsibility list, without a declaration.
    assert (register["typeCode"], register["gathered"], register["status"]) == (
        type_code("household-register"),
        0,
        "undeclared",
    )
    other = world.http.get(
        "/v1/reports/completeness?month=2026-11", headers=world.headers("market_urumqi")
    )
    assert [(line["typeCode"], line["status"]) for line in other.json()] == [
        (BUSINESS, "undeclared"),
        (type_code("food-business-licence"), "undeclared"),
    ]


@pytest.mark.parametrize(
    ("who", "path", "status", "code"),
    [
        ("psb_tianshan", "/v1/reports/completeness?month=2026-11", 403, None),
        ("psb_tianshan", "/v1/gathering/batches", 403, None),
        ("verifier", "/v1/reports/completeness?month=2026-11", 403, None),
        ("verifier", "/v1/gathering/batches", 403, None),
        (None, "/v1/reports/completeness?month=2026-11", 401, None),
        (None, "/v1/gathering/batches", 401, None),
    ],
)
def test_completeness_and_batches_of_another_department_are_refused(
    world, who, path, status, code
):
    other = world.departments["psb_shayibake"].credit_code
    separator = "&" if "?" in path else "?"
    response = world.http.get(
        f"{path}{separator}department={other}",
        headers=world.headers(who) if who else {},
    )
    assert response.status_code == status
    body = response.json()
    if status == 401:
        assert body["code"] == "authentication-required"
    else:
        assert body["code"] == "permission-denied"
    if who == "psb_tianshan":
        assert body["message"].startswith("a department reads only its own")
    if who is None or who == "verifier":
        # Without naming a department, these callers are refused the same way.
        bare = world.http.get(path, headers=world.headers(who) if who else {})
        assert bare.status_code == status


@pytest.fixture
def config(world, settings, tmp_path):
    return str(write_config(tmp_path / "node.toml", settings))


def test_volumes_cli_set_import_list(world, config, tmp_path):
    tianshan = world.departments["psb_tianshan"].credit_code
    result = invoke(
        "--config",
        config,
        "volumes",
        "set",
        "--department",
        tianshan,
        "--type",
        CARD,
        "--expected",
        "12",
        "--as-of",
        "2026-01-31",
    )
    assert result.exit_code == 0, result.output
    assert "holds 12 licenses" in result.output
    path = tmp_path / "volumes.csv"
    path.write_text(
        f"department,type,expected,as_of\n{tianshan},{CARD},15,2026-02-28\n"
    )
    assert invoke("--config", config, "volumes", "import", str(path)).exit_code == 0
    listed = invoke("--config", config, "volumes", "list", "--json")
    assert [item["expected"] for item in json.loads(listed.output)] == [15]


def test_volumes_cli_refusals_exit_two(world, config, tmp_path):
    market = world.departments["market_urumqi"].credit_code
    result = invoke(
        "--config",
        config,
        "volumes",
        "set",
        "--department",
        market,
        "--type",
        CARD,
        "--expected",
        "3",
    )
    assert result.exit_code == 2
    assert "not-responsible" in result.output
    missing = invoke(
        "--config", config, "volumes", "import", str(tmp_path / "none.csv")
    )
    assert missing.exit_code == 2 and "no file" in missing.output


def test_report_completeness_cli_prints_lines(world, config):
    world.issue()  # on 2 November 2026; the command runs later, on the real clock
    result = invoke(
        "--config", config, "report", "completeness", "--month", "2026-11", "--json"
    )
    assert result.exit_code == 0, result.output
    lines = json.loads(result.output)
    tianshan = world.departments["psb_tianshan"].credit_code
    (card,) = [
        line for line in lines if (line["department"], line["type"]) == (tianshan, CARD)
    ]
    assert (card["gathered"], card["expected"], card["status"]) == (
        1,
        None,
        "undeclared",
    )
    # Every department's types on the responsibility list are there, declared or not.
    assert len(lines) == 10
    bad = invoke("--config", config, "report", "completeness", "--month", "11/2026")
    assert bad.exit_code == 2 and "write it as YYYY-MM" in bad.output
