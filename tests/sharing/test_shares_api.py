"""Shares over the API: annotated copies limited to the grant and the clearance,
uses counted, legal bases and a department's own data, and every refusal."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from independent.di_verifier import (
    VerificationFailed,
    single_changes,
    verify_credential,
)
from sharing.support import (
    BANK,
    BUSINESS,
    CARD_MATTER,
    FOOD,
    HOLDER,
    HOLDER_NAME,
    HOTEL,
    HOUSEHOLD,
    ID_CARD,
    INSPECTION_MATTER,
    add_matter,
    add_party,
    card_matter,
    log_in,
    party_client,
    set_up_sharing,
    share,
)
from support.world import org_id, person_id
from zhengzhao.errors import CopyExpired, InvalidDocument, SignatureInvalid
from zhengzhao.model.classification import mask
from zhengzhao.sharing.copies import check_copy
from zhengzhao.storage.tables import authorizations, idempotency_records
from zhengzhao.verify.trust_list import TrustList

ME = f"holder:{HOLDER}"
#: A day after the shares the tests make, inside their copies' validity.
LATER = datetime(2026, 11, 3, tzinfo=UTC)


@pytest.fixture
def sharing(world):
    return set_up_sharing(world)


def trust(world):
    return world.http.get("/v1/trust-list").json()


def test_share_returns_granted_fields_in_clear_and_masks_the_rest(sharing, world):
    granted = sharing.grant()
    out = share(world, authorization=granted["id"])
    assert out["basis"] == "authorization"
    assert out["authorization"] == granted["id"]
    (copy,) = out["copies"]
    subject = copy["credentialSubject"]
    card = sharing.card["document"]["credentialSubject"]
    assert subject["holder"] == {
        "kind": "person",
        "name": HOLDER_NAME,
        # The birth date is in clear: the last four would give the number back.
        "identifier": HOLDER[:4] + "*" * 14,
    }
    assert subject["fields"] == {
        "sex": card["fields"]["sex"],
        "birthDate": card["fields"]["birthDate"],
        "address": "新疆乌鲁木齐" + "*" * (len(card["fields"]["address"]) - 6),
        "ethnicity": "***",  # short text, not a name: hidden whole
    }
    assert subject["license"]["metadata"]["ZZBS"] == mask(sharing.card["identifier"])
    assert subject["license"]["issuer"]["creditCode"] == (
        world.departments["psb_tianshan"].credit_code
    )
    assert subject["disclosed"] == ["CZZT", "ZZBFJG", "ZZBFJGDM", "birthDate", "sex"]
    annotation = copy["annotation"]
    assert annotation["purpose"] == "办理社会保障卡"
    assert annotation["usingParty"]["creditCode"] == BANK
    assert annotation["matter"] == {"code": CARD_MATTER, "name": "社会保障卡申领"}
    assert annotation["accessRecord"] == out["accessRecord"]
    assert copy["validUntil"] == "2026-12-02T10:00:00Z"  # copy_validity_days


def test_share_reads_only_the_granted_license_types(sharing, world):
    granted = sharing.grant(
        licenses=[
            {"typeCode": ID_CARD, "fields": ["CZZT"]},
            {"typeCode": HOUSEHOLD, "fields": ["householdNumber"]},
        ]
    )
    out = share(world, authorization=granted["id"])
    types = [c["credentialSubject"]["license"]["typeCode"] for c in out["copies"]]
    assert types == [ID_CARD, HOUSEHOLD]
    household = out["copies"][1]["credentialSubject"]
    assert household["disclosed"] == ["ZZBFJG", "ZZBFJGDM", "householdNumber"]


def test_share_skips_licenses_no_longer_valid(sharing, world):
    world.event(sharing.card["identifier"], "revoked", reason="吊销")
    granted = sharing.grant()
    assert share(world, authorization=granted["id"])["copies"] == []


def test_copy_of_an_encumbered_license_names_its_encumbrance(sharing, world):
    plain = share(world, authorization=sharing.grant()["id"])["copies"][0]
    assert plain["credentialSubject"]["license"]["statusCode"] == "01"
    assert plain["credentialSubject"]["license"]["encumbrance"] is None
    world.event(sharing.card["identifier"], "mortgaged", reason="抵押")
    (copy,) = share(world, authorization=sharing.grant()["id"])["copies"]
    header = copy["credentialSubject"]["license"]
    assert (header["statusCode"], header["encumbrance"]) == ("09", "mortgaged")


def test_copy_verifies_with_the_trust_list_and_an_independent_verifier(sharing, world):
    out = share(world, authorization=sharing.grant()["id"])
    (copy,) = out["copies"]
    document = trust(world)
    checked = check_copy(copy, trust_list=TrustList.from_json(document), now=LATER)
    assert (checked.party_code, checked.matter_code) == (BANK, CARD_MATTER)
    assert document["annotatedCopies"]["controller"] == "https://zz.test"
    methods = {"verificationMethods": [document["annotatedCopies"]]}
    verify_credential(copy, methods)


def test_tampered_copy_fails_every_check(sharing, world):
    (copy,) = share(world, authorization=sharing.grant()["id"])["copies"]
    document = trust(world)
    parsed = TrustList.from_json(document)
    methods = {"verificationMethods": [document["annotatedCopies"]]}
    now = LATER
    tried = []
    for change, tampered in single_changes(copy):
        with pytest.raises((SignatureInvalid, InvalidDocument, CopyExpired)):
            check_copy(tampered, trust_list=parsed, now=now)
        with pytest.raises(VerificationFailed):
            verify_credential(tampered, methods)
        tried.append(change)
    # Every member was changed, the masked identifier and the stamp among them.
    assert "delete /credentialSubject/holder/identifier" in tried
    assert "delete /annotation/usingParty" in tried
    assert len(tried) > 100


def test_copy_unmasked_by_hand_fails(sharing, world):
    (copy,) = share(world, authorization=sharing.grant()["id"])["copies"]
    copy["credentialSubject"]["holder"]["identifier"] = HOLDER
    with pytest.raises(SignatureInvalid):
        check_copy(
            copy,
            trust_list=TrustList.from_json(trust(world)),
            now=LATER,
        )


def test_copy_expires(sharing, world):
    (copy,) = share(world, authorization=sharing.grant()["id"])["copies"]
    with pytest.raises(CopyExpired, match="the copy expired at 2026-12-02T10:00:00Z"):
        check_copy(
            copy,
            trust_list=TrustList.from_json(trust(world)),
            now=datetime(2026, 12, 2, 10, tzinfo=UTC),
        )


def test_copy_of_another_node_is_refused(sharing, world):
    (copy,) = share(world, authorization=sharing.grant()["id"])["copies"]
    document = trust(world)
    document["annotatedCopies"]["controller"] = "https://other.test"
    with pytest.raises(SignatureInvalid, match=r"belongs to https://other\.test"):
        check_copy(
            copy,
            trust_list=TrustList.from_json(document),
            now=LATER,
        )


def test_each_share_uses_the_authorization_once(sharing, world):
    granted = sharing.grant(uses=2)
    share(world, authorization=granted["id"])
    share(world, authorization=granted["id"])
    refused = share(world, authorization=granted["id"], expect=403)
    assert refused["code"] == "authorization-used-up"
    assert refused["message"] == (
        f"authorization {granted['id']} allowed 2 uses and all have been made; ask"
        " the holder for a new one"
    )
    listed = world.http.get("/v1/me/authorizations", headers=world.headers(ME))
    assert listed.json()["items"][0]["state"] == "used-up"


def test_replayed_share_uses_nothing_and_is_stored_sealed(sharing, world):
    granted = sharing.grant(uses=1)
    body = {"holder": HOLDER, "matter": CARD_MATTER, "authorization": granted["id"]}
    first = world.post("bank", "/v1/shares", body, key="share-1")
    again = world.post("bank", "/v1/shares", body, key="share-1")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    with world.node.database.reading() as conn:
        stored = conn.execute(
            select(idempotency_records.c.response).where(
                idempotency_records.c.key == "share-1"
            )
        ).scalar_one()
        left = conn.execute(select(authorizations.c.uses_left)).scalar_one()
    assert stored.startswith("sealed:v1:") and HOLDER_NAME not in stored
    assert left == 0


def test_share_is_recorded_for_the_holder(sharing, world):
    granted = sharing.grant()
    out = share(world, authorization=granted["id"])
    records = world.http.get("/v1/me/access-records", headers=world.headers(ME))
    (document,) = [item["document"] for item in records.json()["items"]]
    assert document["id"] == out["accessRecord"]
    assert (document["action"], document["outcome"], document["basis"]) == (
        "share",
        "disclosed",
        "authorization",
    )
    assert document["party"] == {"creditCode": BANK, "name": "中国工商银行乌鲁木齐分行"}
    assert document["authorization"] == granted["id"]
    assert document["details"]["licenses"] == [
        {
            "identifier": sharing.card["identifier"],
            "typeCode": ID_CARD,
            "disclosed": ["CZZT", "ZZBFJG", "ZZBFJGDM", "birthDate", "sex"],
        }
    ]


def test_share_narrowed_to_some_granted_fields(sharing, world):
    granted = sharing.grant()
    out = share(world, authorization=granted["id"], fields={ID_CARD: ["sex"]})
    (copy,) = out["copies"]
    assert copy["credentialSubject"]["disclosed"] == ["ZZBFJG", "ZZBFJGDM", "sex"]
    assert copy["credentialSubject"]["holder"]["name"] == "王*"


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        (
            {ID_CARD: ["address"]},
            "field-not-granted",
            f"field 'address' of license type {ID_CARD} was not granted; ask only"
            " for granted fields, or for a new authorization",
        ),
        (
            {HOUSEHOLD: ["householdNumber"]},
            "type-not-granted",
            f"license type {HOUSEHOLD} is not covered by this use's authorization"
            f" for matter {CARD_MATTER}",
        ),
    ],
)
def test_share_asking_beyond_the_grant_is_refused(
    sharing, world, fields, code, message
):
    granted = sharing.grant()
    body = share(world, authorization=granted["id"], fields=fields, expect=403)
    assert (body["code"], body["message"]) == (code, message)


def test_share_asking_above_clearance_is_refused(sharing, world):
    # The clearance fell after the grant: the grant stays, the field may not leave.
    granted = sharing.grant()
    world.http.patch(
        f"/v1/parties/{BANK}",
        json={"clearance": "public"},
        headers=world.headers("operator"),
    )
    body = share(
        world, authorization=granted["id"], fields={ID_CARD: ["sex"]}, expect=403
    )
    assert body["code"] == "field-above-clearance"
    assert body["message"] == (
        f"field 'sex' of license type {ID_CARD} is internal, above the party's"
        " public clearance"
    )
    (copy,) = share(world, authorization=granted["id"])["copies"]
    assert copy["credentialSubject"]["disclosed"] == ["ZZBFJG", "ZZBFJGDM"]


def test_share_without_authorization_is_refused_and_recorded(sharing, world):
    body = share(world, expect=403)
    assert body["code"] == "no-authorization"
    assert body["message"] == (
        f"no authorization was named for matter {CARD_MATTER}; ask the holder to"
        " grant one and name it"
    )
    records = world.http.get("/v1/me/access-records", headers=world.headers(ME))
    (document,) = [item["document"] for item in records.json()["items"]]
    assert document["outcome"] == "no-authorization"
    assert document["details"] == {"refusal": body["message"]}


def test_share_under_unknown_authorization_is_refused(sharing, world):
    body = share(world, authorization="au_0000000000000000", expect=403)
    assert body["code"] == "no-authorization"
    assert body["message"] == (
        f"using party {BANK} holds no authorization au_0000000000000000; ask the"
        f" holder to grant one for matter {CARD_MATTER}"
    )


def test_share_under_expired_authorization_is_refused(sharing, world, clock):
    granted = sharing.grant(expiresAt="2026-11-02T11:00:00Z")
    clock.advance(hours=2)
    body = share(world, authorization=granted["id"], expect=403)
    assert body["code"] == "authorization-expired"
    assert body["message"] == (
        f"authorization {granted['id']} for matter {CARD_MATTER} expired at"
        " 2026-11-02T11:00:00Z; ask the holder for a new one"
    )


def test_share_under_withdrawn_authorization_is_refused(sharing, world):
    granted = sharing.grant()
    world.http.delete(
        f"/v1/me/authorizations/{granted['id']}", headers=world.headers(ME)
    )
    body = share(world, authorization=granted["id"], expect=403)
    assert body["code"] == "authorization-withdrawn"
    assert body["message"] == (
        f"authorization {granted['id']} was withdrawn at 2026-11-02T10:00:00Z; ask"
        " the holder for a new one"
    )


def test_share_naming_another_holder_is_refused(sharing, world):
    granted = sharing.grant()
    other = person_id(sequence=61)
    body = share(world, holder=other, authorization=granted["id"], expect=403)
    assert body["code"] == "holder-mismatch"
    assert body["message"] == (
        f"authorization {granted['id']} was granted by another holder than the one"
        " named; check whose licenses you ask for"
    )


def records_of(world, who):
    response = world.http.get("/v1/me/access-records", headers=world.headers(who))
    return [item["document"] for item in response.json()["items"]]


def test_holder_mismatch_is_recorded_for_the_holder_whose_authorization_it_was(
    sharing, world
):
    granted = sharing.grant()
    stranger = person_id(sequence=61)
    body = share(world, holder=stranger, authorization=granted["id"], expect=403)
    assert body["code"] == "holder-mismatch"
    (document,) = records_of(world, ME)
    assert (document["outcome"], document["authorization"]) == (
        "holder-mismatch",
        granted["id"],
    )
    assert document["holder"]["identifier"] == HOLDER
    assert records_of(world, log_in(world, stranger, "路人")) == []


def test_party_using_another_partys_authorization_is_refused(sharing, world):
    granted = sharing.grant()  # to the bank
    add_party(
        world,
        kind="third-party",
        creditCode=HOTEL,
        name="乌鲁木齐某酒店",
        clearance="internal",
        matters=[CARD_MATTER],
    )
    party_client(world, "hotel", HOTEL)
    body = share(world, "hotel", authorization=granted["id"], expect=403)
    assert (body["code"], body["message"]) == (
        "no-authorization",
        f"using party {HOTEL} holds no authorization {granted['id']}; ask the holder"
        f" to grant one for matter {CARD_MATTER}",
    )
    # The holder named is the authorization's own: its record may name it.
    (document,) = records_of(world, ME)
    assert (document["party"]["creditCode"], document["authorization"]) == (
        HOTEL,
        granted["id"],
    )
    # Named for another holder, the record names no authorization of someone else.
    stranger = person_id(sequence=63)
    share(world, "hotel", holder=stranger, authorization=granted["id"], expect=403)
    (seen,) = records_of(world, log_in(world, stranger, "路人"))
    assert seen["outcome"] == "no-authorization"
    assert seen["authorization"] is None
    assert granted["id"] not in str(seen)
    assert seen["details"]["refusal"] == (
        f"using party {HOTEL} holds no authorization (an authorization of another"
        f" holder); ask the holder to grant one for matter {CARD_MATTER}"
    )


def test_share_for_another_matter_than_granted_is_refused(sharing, world):
    add_matter(world, card_matter(code="650000-RS-0002"), "hrss_region")
    world.http.patch(
        f"/v1/parties/{BANK}",
        json={"matters": [CARD_MATTER, "650000-RS-0002"]},
        headers=world.headers("operator"),
    )
    granted = sharing.grant()
    body = share(
        world, matter="650000-RS-0002", authorization=granted["id"], expect=403
    )
    assert body["code"] == "matter-mismatch"


def test_share_for_a_matter_the_party_does_not_serve_is_refused(sharing, world):
    body = share(world, holder=org_id(5), matter=INSPECTION_MATTER, expect=403)
    assert body["code"] == "matter-not-allowed"


def test_share_by_a_client_of_no_party_is_refused(sharing, world):
    for who in ("verifier", "psb_tianshan"):
        body = share(world, who, expect=403)
        assert body["code"] == "not-a-using-party"


def test_share_with_a_bad_holder_identifier_is_refused(sharing, world):
    body = share(world, holder="650102199001011234", expect=422)
    assert body["code"] == "invalid-identifier"


def test_share_of_an_unknown_matter_is_not_found(sharing, world):
    assert share(world, matter="NOPE", expect=404)["code"] == "not-found"


@pytest.fixture
def inspector(sharing, world):
    """The market regulator as a using party, and a food business it licensed."""
    market = world.departments["market_urumqi"].credit_code
    add_party(world, kind="department", departmentCode=market, clearance="internal")
    business = org_id(9)
    name = "乌鲁木齐某某餐饮有限公司"
    food = world.issue(
        "market_urumqi", "food-business-licence", holder=business, name=name
    )
    licence = world.issue(
        "market_urumqi", "business-licence", holder=business, name=name
    )
    return business, food, licence


def test_share_on_the_legal_basis_states_its_reason(inspector, world):
    business, food, _licence = inspector
    out = share(
        world,
        "market_urumqi",
        holder=business,
        matter=INSPECTION_MATTER,
        legalBasis=True,
        reason="双随机抽查 2026-11",
    )
    assert out["basis"] == "legal-basis"
    types = [c["credentialSubject"]["license"]["typeCode"] for c in out["copies"]]
    assert types == [FOOD, BUSINESS]
    annotation = out["copies"][0]["annotation"]
    assert annotation["reason"] == "双随机抽查 2026-11"
    assert annotation["purpose"] == (
        "《中华人民共和国食品安全法》第一百一十条: 双随机抽查 2026-11"
    )
    subject = out["copies"][0]["credentialSubject"]
    assert subject["holder"]["identifier"] == business  # public for organisations
    assert "supervisoryBody" in subject["disclosed"]
    assert food["identifier"] == subject["license"]["metadata"]["ZZBS"]


def test_share_on_the_legal_basis_without_reason_is_refused(inspector, world):
    business, _food, _licence = inspector
    body = share(
        world,
        "market_urumqi",
        holder=business,
        matter=INSPECTION_MATTER,
        legalBasis=True,
        expect=422,
    )
    assert body["code"] == "reason-required"
    assert body["message"] == (
        f"a use on the legal basis of matter {INSPECTION_MATTER}"
        " (《中华人民共和国食品安全法》第一百一十条) must state its reason, in at"
        " most 500 characters"
    )


def test_share_on_a_legal_basis_the_matter_lacks_is_refused(sharing, world):
    body = share(world, legalBasis=True, reason="核查", expect=403)
    assert body["code"] == "no-legal-basis"
    assert body["message"] == (
        f"matter {CARD_MATTER} has no legal basis for use without consent; ask the"
        " holder for an authorization"
    )


def test_department_sharing_for_another_departments_matter_needs_consent(
    sharing, world
):
    # The card matter is the HRSS department's; the police issued the card.
    police = world.departments["psb_tianshan"].credit_code
    add_party(world, kind="department", departmentCode=police, clearance="sensitive")
    refused = share(world, "psb_tianshan", expect=403)
    assert (refused["code"], refused["message"]) == (
        "matter-not-allowed",
        f"using party {police} (乌鲁木齐市公安局天山区分局) is not registered for"
        f" matter {CARD_MATTER} (社会保障卡申领); ask the node's operator to add the"
        " matter to the party",
    )
    world.http.patch(
        f"/v1/parties/{police}",
        json={"matters": [CARD_MATTER]},
        headers=world.headers("operator"),
    )
    # Registered for it, the department still reads its own card only with the
    # holder's authorization: another department's matter is no own data.
    assert share(world, "psb_tianshan", expect=403)["code"] == "no-authorization"
    granted = sharing.grant(party=police)
    out = share(world, "psb_tianshan", authorization=granted["id"])
    assert out["basis"] == "authorization"
    (copy,) = out["copies"]
    assert copy["credentialSubject"]["disclosed"] == [
        "CZZT",
        "ZZBFJG",
        "ZZBFJGDM",
        "birthDate",
        "sex",
    ]


def test_department_reads_what_it_issued_for_its_own_matter(sharing, world):
    police = world.departments["psb_tianshan"].credit_code
    add_matter(
        world,
        card_matter(
            code="650102-GA-0003",
            name_zh="户口迁移",
            department_kind="public-security",
        ),
        "psb_tianshan",
    )
    add_party(world, kind="department", departmentCode=police, clearance="public")
    world.issue("psb_shayibake", "household-register", holder=HOLDER, name=HOLDER_NAME)
    out = share(world, "psb_tianshan", matter="650102-GA-0003")
    assert out["basis"] == "own-data"
    issuers = [
        c["credentialSubject"]["license"]["issuer"]["creditCode"] for c in out["copies"]
    ]
    assert issuers == [police, police]  # its ID card and household register only
    card = out["copies"][0]["credentialSubject"]
    assert card["holder"]["identifier"] == HOLDER  # its own data: all of it
    assert card["masked"] == []


def uses_left(world):
    with world.node.database.reading() as conn:
        return conn.execute(select(authorizations.c.uses_left)).scalar_one()


@pytest.mark.parametrize("fields", [{}, {ID_CARD: []}])
def test_share_asking_for_no_field_is_refused_and_uses_nothing(sharing, world, fields):
    granted = sharing.grant()
    body = share(world, authorization=granted["id"], fields=fields, expect=422)
    assert body["code"] == "invalid-request"
    assert body["message"].startswith("fields")
    assert uses_left(world) == 3


def test_copy_expires_no_later_than_its_authorization(sharing, world):
    granted = sharing.grant(expiresAt="2026-11-09T18:00:00Z")
    (copy,) = share(world, authorization=granted["id"])["copies"]
    assert copy["validUntil"] == "2026-11-09T18:00:00Z"
    assert copy["annotation"]["expiresAt"] == "2026-11-09T18:00:00Z"


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({ID_CARD: ["y" * 2_000_000]}, f"fields.{ID_CARD}.0"),
        ({ID_CARD: ["y" * 65]}, f"fields.{ID_CARD}.0"),
        ({ID_CARD: ["sex; DROP"]}, f"fields.{ID_CARD}.0"),
        ({ID_CARD: [f"f{n}" for n in range(65)]}, f"fields.{ID_CARD}"),
        ({"x" * 200: ["sex"]}, "fields.x"),
        ({f"{n:021d}": ["sex"] for n in range(51)}, "fields"),
    ],
)
def test_share_input_beyond_its_bounds_is_refused_and_not_recorded(
    sharing, world, fields, path
):
    granted = sharing.grant()
    body = share(world, authorization=granted["id"], fields=fields, expect=422)
    assert body["code"] == "invalid-request"
    assert body["message"].startswith(path)
    assert len(body["message"]) < 300
    records = world.http.get("/v1/me/access-records", headers=world.headers(ME))
    assert records.json()["items"] == []
    assert uses_left(world) == 3


def test_share_with_a_reason_beyond_its_bound_is_refused(inspector, world):
    business, _food, _licence = inspector
    body = share(
        world,
        "market_urumqi",
        holder=business,
        matter=INSPECTION_MATTER,
        legalBasis=True,
        reason="查" * 501,
        expect=422,
    )
    assert body["code"] == "invalid-request"
    assert body["message"].startswith("reason: String should have at most 500")
