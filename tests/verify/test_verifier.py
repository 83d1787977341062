"""The verifier: every check, offline against files, with tampering and bad keys."""

import copy
import json
from datetime import timedelta

import pytest

from support.cli import invoke as run_cli
from support.world import org_id
from zhengzhao.seals.keys import verification_method_id
from zhengzhao.seals.proofs import add_proof
from zhengzhao.translog.sequencer import integrate
from zhengzhao.verify.service import NodeStatusLists, verify_on_node
from zhengzhao.verify.sources import FileStatusLists
from zhengzhao.verify.status_list import StatusPurpose, status_entry
from zhengzhao.verify.trust_list import TrustList, node_trust_list
from zhengzhao.verify.verifier import Outcome, Verdict, verify_license


def trust(world, clock):
    with world.node.database.reading() as conn:
        return TrustList.from_json(
            node_trust_list(
                conn,
                node_name="t",
                base_url=world.node.base_url,
                log_origin=world.node.settings.origin,
                now=clock.now(),
            )
        )


def check(world, clock, document, **kwargs):
    return verify_license(
        document,
        trust_list=kwargs["trust_list"]
        if "trust_list" in kwargs
        else trust(world, clock),
        status_lists=kwargs.get(
            "status_lists", NodeStatusLists(world.node, now=clock.now())
        ),
        now=kwargs.get("now", clock.now()),
    )


def test_verify_fresh_license_is_valid_on_every_check(world, clock):
    document = world.issue()["document"]
    result = check(world, clock, document)
    assert result.verdict is Verdict.VALID
    for name in ("format", "proof", "issuer_key", "status", "validity_window"):
        assert getattr(result, name).outcome is Outcome.PASSED, name
    assert (
        result.license_identifier
        == document["credentialSubject"]["license"]["identifier"]
    )


@pytest.mark.parametrize(
    "path",
    [
        ("credentialSubject", "holder", "name"),
        ("credentialSubject", "fields", "address"),
        ("credentialSubject", "license", "paperNumber"),
        ("validUntil",),
        ("issuer", "name"),
    ],
)
def test_verify_any_changed_field_breaks_the_proof(world, clock, path):
    document = copy.deepcopy(world.issue(paperNumber="A123")["document"])
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = target[path[-1]] + "x"
    result = check(world, clock, document)
    assert result.verdict is Verdict.INVALID
    assert result.proof.outcome is Outcome.FAILED


def test_verify_changed_proof_value_fails(world, clock):
    document = copy.deepcopy(world.issue()["document"])
    value = document["proof"]["proofValue"]
    document["proof"]["proofValue"] = value[:-3] + (
        "111" if value[-3:] != "111" else "222"
    )
    assert check(world, clock, document).proof.outcome is Outcome.FAILED


def test_verify_key_of_another_department_is_refused(world, clock):
    document = world.issue()["document"]
    other = world.departments["psb_shayibake"]
    # Re-signed with the other bureau's real key: the signature verifies, and only
    # the issuer-key check can tell that the key is not the issuer's.
    forged = forge(world, document, signer="psb_shayibake")
    result = check(world, clock, forged)
    assert result.proof.outcome is Outcome.PASSED
    assert result.verdict is Verdict.INVALID
    assert result.issuer_key.outcome is Outcome.FAILED
    issuer = world.departments["psb_tianshan"].credit_code
    assert result.issuer_key.detail == (
        f"key {world.node.base_url}/v1/departments/{other.credit_code}#key-1"
        f" belongs to {other.name} ({other.credit_code}), not to the issuer"
        f" {world.node.base_url}/v1/departments/{issuer}"
    )
    assert result.issuer_name is None


def test_verify_unknown_key_is_untrusted(world, clock):
    document = world.issue()["document"]
    empty = TrustList([])
    result = check(world, clock, document, trust_list=empty)
    assert result.proof.outcome is Outcome.FAILED
    assert "the trust list has no key" in result.proof.detail


def test_verify_without_status_lists_is_indeterminate(world, clock):
    document = world.issue()["document"]
    result = check(world, clock, document, status_lists=None)
    assert result.verdict is Verdict.INDETERMINATE
    assert result.status.outcome is Outcome.NOT_CHECKED


def test_verify_after_last_day_is_invalid_on_window(world, clock):
    document = world.issue(validUntil="2026-12-31")["document"]
    result = check(world, clock, document, now=clock.now() + timedelta(days=90))
    assert result.validity_window.outcome is Outcome.FAILED
    assert "expired at 2026-12-31T23:59:59+08:00" in result.validity_window.detail


def test_verify_before_first_day_is_invalid_on_window(world, clock):
    document = world.issue(validFrom="2027-01-01", validUntil="2030-01-01")["document"]
    result = check(world, clock, document)
    assert "not valid before" in result.validity_window.detail


def test_verify_license_signed_before_rotation_stays_valid(world, clock):
    document = world.issue()["document"]
    clock.advance(days=1)
    response = world.post(
        "psb_tianshan",
        f"/v1/departments/{world.departments['psb_tianshan'].credit_code}/keys",
        {},
    )
    assert response.status_code == 201, response.text
    assert response.json()["sequence"] == 2
    assert check(world, clock, document).verdict is Verdict.VALID
    newer = world.issue()["document"]
    assert newer["proof"]["verificationMethod"].endswith("#key-2")
    assert check(world, clock, newer).verdict is Verdict.VALID


def test_verify_license_signed_after_compromise_is_refused(world, clock, node):
    document = world.issue()["document"]
    department = world.departments["psb_tianshan"]
    with node.database.transaction() as conn:
        node.keyring.mark_compromised(
            conn, department, 1, since=clock.now() - timedelta(hours=1)
        )
    result = check(world, clock, document)
    assert result.issuer_key.outcome is Outcome.FAILED
    assert "compromised" in result.issuer_key.detail


def test_verify_status_list_files_offline(world, clock, tmp_path):
    license_ = world.issue()
    world.event(license_["identifier"], "revoked")
    paths = []
    for entry in license_["document"]["credentialStatus"]:
        path = tmp_path / f"{entry['statusPurpose']}.json"
        response = world.http.get(
            entry["statusListCredential"].removeprefix(world.node.base_url)
        )
        assert response.status_code == 200
        path.write_text(response.text)
        paths.append(path)
    result = check(
        world, clock, license_["document"], status_lists=FileStatusLists(paths)
    )
    assert result.verdict is Verdict.INVALID
    assert "revocation list marks it revoked" in result.status.detail


def test_verify_status_list_signed_by_another_department_is_refused(
    world, clock, tmp_path
):
    mine = world.issue()
    theirs = world.issue("psb_shayibake")
    entry = theirs["document"]["credentialStatus"][0]
    forged = json.loads(
        world.http.get(
            entry["statusListCredential"].removeprefix(world.node.base_url)
        ).text
    )
    forged["id"] = mine["document"]["credentialStatus"][0]["statusListCredential"]
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    result = check(world, clock, mine["document"], status_lists=FileStatusLists([path]))
    assert result.status.outcome is Outcome.FAILED


def test_verify_non_license_document_fails_format(world, clock):
    result = check(world, clock, {"hello": "world"})
    assert result.verdict is Verdict.INVALID
    assert result.format.outcome is Outcome.FAILED
    assert result.proof.outcome is Outcome.NOT_CHECKED


def test_verify_identifier_with_wrong_check_character_fails_format(world, clock):
    document = copy.deepcopy(world.issue()["document"])
    identifier = document["credentialSubject"]["license"]["identifier"]
    wrong = identifier[:-1] + ("A" if identifier[-1] != "A" else "B")
    document["credentialSubject"]["license"]["identifier"] = wrong
    result = check(world, clock, document)
    assert "check character" in result.format.detail


def test_verify_on_node_report_serialises_to_camel_case_json(world, clock):
    document = world.issue()["document"]
    body = verify_on_node(world.node, document, now=clock.now()).to_json()
    assert body["verdict"] == "valid"
    assert set(body) >= {
        "issuerKey",
        "validityWindow",
        "licenseIdentifier",
        "checkedAt",
    }


@pytest.mark.parametrize("algorithm", ["ed25519", "sm2"])
def test_verify_licenses_of_other_algorithms(world, clock, algorithm):
    code = world.departments["psb_tianshan"].credit_code
    clock.advance(minutes=1)
    response = world.post(
        "psb_tianshan", f"/v1/departments/{code}/keys", {"algorithm": algorithm}
    )
    assert response.status_code == 201, response.text
    document = world.issue()["document"]
    suite = {"ed25519": "eddsa-jcs-2022", "sm2": "sm2-jcs-zhengzhao-2026"}[algorithm]
    assert document["proof"]["cryptosuite"] == suite
    assert check(world, clock, document).verdict is Verdict.VALID
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["holder"]["name"] = "李四"
    assert check(world, clock, tampered).proof.outcome is Outcome.FAILED


def test_verify_endpoint_needs_credentials(world):
    response = world.http.post("/v1/verify", json={})
    assert response.status_code == 401


def test_status_list_endpoint_is_public_and_signed(world):
    entry = world.issue()["document"]["credentialStatus"][0]
    response = world.http.get(
        entry["statusListCredential"].removeprefix(world.node.base_url)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+json")
    body = response.json()
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert body["proof"]["cryptosuite"] == "ecdsa-jcs-2019"


def test_status_list_page_never_allocated_is_not_found(world):
    code = world.departments["psb_tianshan"].credit_code
    world.issue()
    response = world.http.get(f"/v1/departments/{code}/status-lists/revocation/5")
    assert response.status_code == 404


def test_status_list_is_cached_until_a_status_changes(world, clock):
    license_ = world.issue()
    url = license_["document"]["credentialStatus"][0][
        "statusListCredential"
    ].removeprefix(world.node.base_url)
    first = world.http.get(url).text
    clock.advance(minutes=5)
    assert world.http.get(url).text == first
    world.event(license_["identifier"], "revoked")
    assert world.http.get(url).text != first


def test_verify_status_list_signed_after_key_compromise_is_refused(
    world, clock, node, tmp_path
):
    document = world.issue()["document"]
    paths = list_files(world, document, tmp_path)  # signed by key 1 now
    department = world.departments["psb_tianshan"]
    with node.database.transaction() as conn:
        node.keyring.mark_compromised(
            conn, department, 1, since=clock.now() - timedelta(minutes=1)
        )
    result = check(world, clock, document, status_lists=FileStatusLists(paths))
    assert result.status.outcome is Outcome.FAILED
    assert "outside its valid window" in result.status.detail


def list_files(world, document, directory):
    """The license's status lists as the node serves them now, written to files."""
    paths = []
    for entry in document["credentialStatus"]:
        path = directory / f"{entry['statusPurpose']}.json"
        response = world.http.get(
            entry["statusListCredential"].removeprefix(world.node.base_url)
        )
        assert response.status_code == 200, response.text
        path.write_text(response.text)
        paths.append(path)
    return paths


def test_verify_offline_with_a_status_list_past_its_valid_until_cannot_confirm(
    world, clock, tmp_path
):
    license_ = world.issue()
    stale = FileStatusLists(list_files(world, license_["document"], tmp_path))
    clock.advance(days=1)
    world.event(license_["identifier"], "revoked")
    later = clock.now() + timedelta(days=400)
    result = check(world, clock, license_["document"], status_lists=stale, now=later)
    assert result.verdict is Verdict.INDETERMINATE
    assert result.status.outcome is Outcome.NOT_CHECKED
    url = license_["document"]["credentialStatus"][0]["statusListCredential"]
    assert result.status.detail == (
        f"status unknown: the revocation list at {url} was valid until"
        " 2026-11-03T10:00:00Z, before 2027-12-08T10:00:00Z; fetch the issuer's"
        " current list"
    )
    assert result.summary.startswith("Cannot confirm: status unknown")


@pytest.mark.parametrize(
    ("past_valid_until", "outcome"),
    [
        (timedelta(minutes=4), Outcome.PASSED),  # within the clock skew allowed
        (timedelta(minutes=6), Outcome.NOT_CHECKED),
    ],
)
def test_verify_status_list_is_taken_only_minutes_past_its_valid_until(
    world, clock, tmp_path, past_valid_until, outcome
):
    document = world.issue()["document"]
    lists = FileStatusLists(list_files(world, document, tmp_path))
    at = clock.now() + timedelta(days=1) + past_valid_until
    result = check(world, clock, document, status_lists=lists, now=at)
    assert result.status.outcome is outcome


def test_verify_cli_offline_with_stale_status_lists_exits_one(world, tmp_path):
    document = world.issue()["document"]
    paths = list_files(world, document, tmp_path)
    (tmp_path / "license.json").write_text(json.dumps(document))
    (tmp_path / "trust.json").write_text(world.http.get("/v1/trust-list").text)
    status_args = [arg for path in paths for arg in ("--status-list", str(path))]
    # The command reads the real clock, long past the test clock's lists' last day.
    result = run_cli(
        "verify",
        str(tmp_path / "license.json"),
        "--trust-list",
        str(tmp_path / "trust.json"),
        *status_args,
        "--json",
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["verdict"] == "indeterminate"
    assert report["status"]["outcome"] == "not-checked"
    assert "was valid until 2026-11-03T10:00:00Z" in report["status"]["detail"]


def test_verify_repeated_status_list_is_verified_once_per_content(world, clock):
    documents = [world.issue()["document"] for _ in range(3)]
    lists = NodeStatusLists(world.node, now=clock.now())
    results = [check(world, clock, d, status_lists=lists) for d in documents]
    assert all(r.verdict is Verdict.VALID for r in results)
    world.event(documents[0]["credentialSubject"]["license"]["identifier"], "revoked")
    fresh = NodeStatusLists(world.node, now=clock.now())
    assert (
        check(world, clock, documents[0], status_lists=fresh).verdict is Verdict.INVALID
    )
    assert (
        check(world, clock, documents[1], status_lists=fresh).verdict is Verdict.VALID
    )


def forge(world, document, *, signer, **changes):
    """``document`` changed by ``changes`` and re-signed with ``signer``'s own key."""
    forged = copy.deepcopy(document)
    del forged["proof"]
    for path, value in changes.items():
        target = forged
        *parents, last = path.split("__")
        for part in parents:
            target = target[part]
        target[last] = value
    department = world.departments[signer]
    with world.node.database.reading() as conn:
        key, signing_key = world.node.keyring.signer(conn, department)
    return add_proof(
        forged,
        signing_key=signing_key,
        verification_method=verification_method_id(
            world.node.base_url, department.credit_code, key.sequence
        ),
        created=key.valid_from + timedelta(minutes=1),
    )


def market_lists(world):
    """The market bureau's own status entries, for a position its lists leave clear."""
    world.issue("market_urumqi", "business-licence", holder=org_id(1), name="天山商店")
    code = world.departments["market_urumqi"].credit_code
    url = f"{world.node.base_url}/v1/departments/{code}"
    return [status_entry(url, purpose, 100) for purpose in StatusPurpose]


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        # The issuer's URL re-pointed to the signer; name and code still the PSB's.
        ({"issuer__id"}, "but the credential names issuer credit code"),
        # The whole issuer block the signer's; the identifier still the PSB's.
        ({"issuer__id", "issuer__creditCode", "issuer__name"}, "license identifier"),
    ],
)
def test_verify_license_resigned_with_another_departments_key_is_refused(
    world, clock, claims, expected
):
    card = world.issue()["document"]
    market = world.departments["market_urumqi"]
    url = f"{world.node.base_url}/v1/departments/{market.credit_code}"
    values = {
        "issuer__id": url,
        "issuer__creditCode": market.credit_code,
        "issuer__name": market.name,
    }
    forged = forge(
        world,
        card,
        signer="market_urumqi",
        credentialStatus=market_lists(world),
        **{claim: values[claim] for claim in claims},
    )
    result = check(world, clock, forged)
    assert result.proof.outcome is Outcome.PASSED  # the signature itself is good
    assert result.verdict is Verdict.INVALID
    assert result.issuer_key.outcome is Outcome.FAILED
    assert result.issuer_key.detail.startswith(
        f"key {url}#key-1 belongs to {market.name} ({market.credit_code}), but"
    )
    assert expected in result.issuer_key.detail
    assert result.issuer_name is None


def test_verify_report_names_the_issuer_from_the_trust_list(world, clock):
    document = world.issue()["document"]
    renamed = forge(world, document, signer="psb_tianshan", issuer__name="某某机关")
    result = check(world, clock, renamed)
    assert result.verdict is Verdict.VALID
    assert result.issuer_name == world.departments["psb_tianshan"].name


def test_verify_status_list_of_the_right_url_but_another_issuers_key_is_refused(
    world, clock, tmp_path
):
    mine = world.issue()["document"]
    entry = mine["credentialStatus"][0]
    genuine = json.loads(
        world.http.get(
            entry["statusListCredential"].removeprefix(world.node.base_url)
        ).text
    )
    forged = forge(world, genuine, signer="market_urumqi")
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    result = check(world, clock, mine, status_lists=FileStatusLists([path]))
    assert result.status.outcome is Outcome.FAILED
    assert "signed by another department's key" in result.status.detail


def test_verify_cli_offline_refuses_a_resigned_license(world, clock, tmp_path):
    card = world.issue()["document"]
    market = world.departments["market_urumqi"]
    forged = forge(
        world,
        card,
        signer="market_urumqi",
        issuer__id=f"{world.node.base_url}/v1/departments/{market.credit_code}",
        credentialStatus=market_lists(world),
    )
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    (tmp_path / "trust.json").write_text(world.http.get("/v1/trust-list").text)
    result = run_cli(
        "verify",
        str(tmp_path / "forged.json"),
        "--trust-list",
        str(tmp_path / "trust.json"),
        "--json",
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["verdict"] == "invalid"
    assert report["issuerKey"]["outcome"] == "failed"
    assert report["issuerName"] is None


def test_verify_web_form_refuses_a_resigned_license(world):
    card = world.issue()["document"]
    market = world.departments["market_urumqi"]
    forged = forge(
        world,
        card,
        signer="market_urumqi",
        issuer__id=f"{world.node.base_url}/v1/departments/{market.credit_code}",
        credentialStatus=market_lists(world),
    )
    response = world.http.post("/verify", data={"document": json.dumps(forged)})
    assert response.status_code == 200
    assert "Invalid: key" in response.text
    assert '<th scope="row">Issuer · 发证机关</th><td>—</td>' in response.text


@pytest.mark.parametrize(
    ("page_number", "why"),
    [
        ("²", "names no status list page"),  # passes str.isdigit()
        ("9" * 30, "names no status list page"),  # overflows database integers
        ("1000001", "names a page beyond the last, 1000000"),
    ],
)
def test_verify_endpoint_with_an_impossible_status_list_page_is_answered(
    world, page_number, why
):
    document = world.issue()["document"]
    for entry in document["credentialStatus"]:
        url = entry["statusListCredential"]
        entry["statusListCredential"] = url.rsplit("/", 1)[0] + "/" + page_number
    response = world.http.post(
        "/v1/verify", json=document, headers=world.headers("verifier")
    )
    assert response.status_code == 200, response.text
    status = response.json()["status"]
    assert status["outcome"] == "not-checked"
    assert why in status["detail"]


@pytest.mark.parametrize("index", ["²", "-1", "1_0", "9" * 30])
def test_verify_status_index_that_is_no_position_fails_status(world, clock, index):
    document = copy.deepcopy(world.issue()["document"])
    document["credentialStatus"][0]["statusListIndex"] = index
    result = check(world, clock, document)
    assert result.status.outcome is Outcome.FAILED
    assert "is not a position in a list" in result.status.detail


def test_verify_report_carries_the_licenses_log_position(world, clock, node):
    license_ = world.issue()
    integrate(node, now=clock.now())
    answer = world.http.get(
        f"/v1/licenses/{license_['identifier']}", headers=world.headers("auditor")
    ).json()
    (issued,) = answer["log"]["events"]
    body = world.http.post(
        "/v1/verify", json=license_["document"], headers=world.headers("verifier")
    ).json()
    assert body["transparency"]["outcome"] == "passed"
    assert body["log"] == {
        "index": issued["index"],
        "treeSize": answer["log"]["size"],
        "checkpoint": answer["log"]["checkpoint"],
        "inclusionProof": issued["inclusionProof"],
    }


def test_verify_report_has_no_log_position_before_the_license_is_logged(world):
    body = world.http.post(
        "/v1/verify",
        json=world.issue()["document"],
        headers=world.headers("verifier"),
    ).json()
    assert body["transparency"]["outcome"] == "not-checked"
    assert body["log"] is None


def test_verify_report_has_no_log_position_from_a_failed_log_proof(world, clock, node):
    license_ = world.issue()
    other = world.issue(name="李四")
    integrate(node, now=clock.now())
    proof = world.http.get(
        f"/v1/licenses/{other['identifier']}", headers=world.headers("auditor")
    ).json()["log"]
    result = verify_license(
        license_["document"],
        trust_list=trust(world, clock),
        status_lists=NodeStatusLists(world.node, now=clock.now()),
        now=clock.now(),
        log_proof=proof,
    )
    assert result.transparency.outcome is Outcome.FAILED
    assert result.log is None


def test_verify_web_page_shows_the_log_position(world, clock, node):
    license_ = world.issue()
    integrate(node, now=clock.now())
    page = world.http.post(
        "/verify", data={"document": json.dumps(license_["document"])}
    )
    assert page.status_code == 200
    assert "Log position · 日志位置" in page.text
    assert "Transparency log · 透明日志" in page.text
    checkpoint = world.http.get("/log/checkpoint").text
    assert checkpoint.splitlines()[0] in page.text  # the origin line
