"""The expiry sweep: every license still in force after its last valid day gets a
signed `expired` event, a chunk per transaction; from the CLI and inside `serve`.

The clock is fixed at 2026-11-02 18:00 China Standard Time.
"""

import json
import time
from datetime import date

import pytest
from fastapi.testclient import TestClient

from support.cli import invoke, write_config
from support.world import OPERATOR, person_id
from zhengzhao.api.app import create_app
from zhengzhao.directory.departments import deactivate_department
from zhengzhao.errors import InvalidRequest
from zhengzhao.issuance.expiry import expire_lapsed
from zhengzhao.issuance.lifecycle import EXPIRY_ACTOR
from zhengzhao.translog.audit import audit
from zhengzhao.translog.sequencer import integrate
from zhengzhao.verify.events import verify_event

TODAY = date(2026, 11, 2)


def issue_until(world, until, holder=1, **extra):
    return world.issue(
        holder=person_id(sequence=300 + holder),
        issueDate="2020-01-01",
        validFrom="2020-01-01",
        validUntil=until,
        **extra,
    )["identifier"]


def read(world, identifier):
    response = world.http.get(
        f"/v1/licenses/{identifier}", headers=world.headers("psb_tianshan")
    )
    assert response.status_code == 200, response.text
    return response.json()


def events(world, identifier):
    response = world.http.get(
        f"/v1/licenses/{identifier}/events", headers=world.headers("psb_tianshan")
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def licenses(world):
    """Lapsed licenses (one valid, one suspended), one whose last day is today,
    one valid for years, a permanent one."""
    suspended = issue_until(world, "2026-10-31", holder=2)
    world.event(suspended, "suspended", occurredAt="2026-10-30T12:00:00+08:00")
    return {
        "lapsed": issue_until(world, "2026-11-01", holder=1),
        "suspended": suspended,
        "today": issue_until(world, "2026-11-02", holder=3),
        "years": issue_until(world, "2036-01-01", holder=4),
        "permanent": world.issue("psb_tianshan", "household-register")["identifier"],
    }


def test_expire_lapsed_records_a_signed_expiry_for_each_license_past_its_term(
    world, node, clock, licenses
):
    done = []
    sweep = expire_lapsed(
        node, as_of=TODAY, now=clock.now(), chunk=1, progress=done.append
    )
    assert (sweep.expired, sweep.changed_meanwhile, sweep.blocked) == (2, 0, 0)
    assert done == [1, 1]  # one transaction per chunk of one
    for key in ("lapsed", "suspended"):
        body = read(world, licenses[key])
        assert (body["status"], body["statusCode"]) == ("expired", "05")
    for key in ("today", "years", "permanent"):
        assert read(world, licenses[key])["status"] == "valid"

    expired = events(world, licenses["lapsed"])[-1]
    assert expired["kind"] == "expired"
    assert expired["actor"] == EXPIRY_ACTOR
    assert expired["reason"] == "有效期届满"
    # The first instant after the last valid day, China Standard Time.
    assert expired["occurredAt"] == "2026-11-01T16:00:00Z"
    with node.database.reading() as conn:
        _doc, trust = node.trust_lists.current(conn, now=clock.now())
    verify_event(expired["document"], trust_list=trust, now=clock.now())


def test_expired_license_fails_verification_on_status(world, node, clock, licenses):
    expire_lapsed(node, as_of=TODAY, now=clock.now())
    document = read(world, licenses["lapsed"])["document"]
    response = world.http.post(
        "/v1/verify", json=document, headers=world.headers("verifier")
    )
    assert response.json()["status"]["outcome"] == "failed"


def test_expire_lapsed_twice_expires_nothing_more(world, node, clock, licenses):
    expire_lapsed(node, as_of=TODAY, now=clock.now())
    again = expire_lapsed(node, as_of=TODAY, now=clock.now())
    assert again.expired == 0
    assert len(events(world, licenses["lapsed"])) == 2


def test_expire_lapsed_as_of_an_earlier_day_expires_only_what_lapsed_before_it(
    world, node, clock, licenses
):
    sweep = expire_lapsed(node, as_of=date(2026, 11, 1), now=clock.now())
    assert sweep.expired == 1
    assert read(world, licenses["suspended"])["status"] == "expired"
    assert read(world, licenses["lapsed"])["status"] == "valid"


def test_expire_lapsed_as_of_a_future_day_is_refused(node, clock):
    with pytest.raises(InvalidRequest) as refused:
        expire_lapsed(node, as_of=date(2026, 11, 3), now=clock.now())
    assert refused.value.message == (
        "--as-of 2026-11-03 is after today (2026-11-02); a license expires once its"
        " last valid day has passed, not before"
    )


def test_expire_lapsed_skips_a_license_revoked_after_its_term(
    world, node, clock, licenses
):
    world.event(licenses["lapsed"], "revoked")
    sweep = expire_lapsed(node, as_of=TODAY, now=clock.now())
    assert sweep.expired == 1
    assert read(world, licenses["lapsed"])["status"] == "revoked"


def test_expire_lapsed_leaves_licenses_of_a_deactivated_department_and_says_why(
    world, node, clock, licenses
):
    with node.database.transaction() as conn:
        deactivate_department(
            conn,
            principal=OPERATOR,
            credit_code=world.departments["psb_tianshan"].credit_code,
            now=clock.now(),
        )
    sweep = expire_lapsed(node, as_of=TODAY, now=clock.now())
    assert (sweep.expired, sweep.blocked) == (0, 2)
    assert len(sweep.problems) == 1
    assert "was deactivated" in sweep.problems[0]


def test_expiries_are_logged_and_the_audit_is_clean(world, node, clock, licenses):
    expire_lapsed(node, as_of=TODAY, now=clock.now())
    integrate(node, now=clock.now())
    assert audit(node).clean


def test_licenses_expire_command_prints_a_summary(tmp_path, settings, world, licenses):
    config = write_config(tmp_path / "node.toml", settings)
    result = invoke(
        "--config", str(config), "licenses", "expire", "--as-of", "2026-11-02"
    )
    assert result.exit_code == 0, result.output
    assert "2 license(s) expired: their last valid day was before 2026-11-02" in (
        result.output
    )
    assert read(world, licenses["lapsed"])["status"] == "expired"


def test_licenses_expire_command_as_json(tmp_path, settings, world, licenses):
    config = write_config(tmp_path / "node.toml", settings)
    result = invoke(
        "--config",
        str(config),
        "licenses",
        "expire",
        "--as-of",
        "2026-11-01",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "asOf": "2026-11-01",
        "expired": 1,
        "changedMeanwhile": 0,
        "blocked": 0,
        "problems": [],
    }


def test_licenses_expire_command_refuses_a_malformed_day(tmp_path, settings):
    config = write_config(tmp_path / "node.toml", settings)
    result = invoke("--config", str(config), "licenses", "expire", "--as-of", "11/2")
    assert result.exit_code == 2
    assert "--as-of" in result.output


def test_serve_sweeps_when_it_starts(world, node, clock, licenses):
    node.settings = node.settings.model_copy(update={"log_sequencer": False})
    app = create_app(node, clock=clock, background=True)
    with TestClient(app):
        deadline = time.monotonic() + 10
        while read(world, licenses["lapsed"])["status"] != "expired":
            assert time.monotonic() < deadline, "the sweep did not run"
            time.sleep(0.05)
    assert read(world, licenses["suspended"])["status"] == "expired"


def test_serve_runs_no_sweep_with_an_interval_of_zero(world, node, clock, licenses):
    node.settings = node.settings.model_copy(
        update={"log_sequencer": False, "expiry_interval_hours": 0}
    )
    with TestClient(create_app(node, clock=clock, background=True)):
        time.sleep(0.3)
    assert read(world, licenses["lapsed"])["status"] == "valid"
