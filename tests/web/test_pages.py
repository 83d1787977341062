"""The landing page and the verification form, without JavaScript."""

import json

import pytest


def test_landing_page_explains_the_node_and_links_docs(world):
    world.issue()
    page = world.http.get("/")
    assert page.status_code == 200
    assert "电子证照" in page.text
    assert 'href="/docs"' in page.text
    assert '<label for="document">' in page.text
    assert "居民身份证" in page.text


def test_verify_form_shows_valid_report_for_pasted_license(world):
    document = world.issue()["document"]
    page = world.http.post("/verify", data={"document": json.dumps(document)})
    assert page.status_code == 200
    assert 'class="verdict valid"' in page.text
    assert document["credentialSubject"]["license"]["identifier"] in page.text


def test_verify_form_accepts_a_whole_api_response(world):
    response = world.issue()
    page = world.http.post("/verify", data={"document": json.dumps(response)})
    assert 'class="verdict valid"' in page.text


def test_verify_form_reports_tampered_license_invalid(world):
    document = world.issue()["document"]
    document["credentialSubject"]["holder"]["name"] = "李四"
    page = world.http.post("/verify", data={"document": json.dumps(document)})
    assert 'class="verdict invalid"' in page.text


def test_verify_form_explains_text_that_is_not_json(world):
    page = world.http.post("/verify", data={"document": "hello"})
    assert page.status_code == 422
    assert "This is not JSON" in page.text


def test_verify_form_escapes_pasted_markup(world):
    page = world.http.post("/verify", data={"document": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in page.text


def test_verify_form_explains_json_nested_too_deeply(world):
    depth = 100_000  # beyond the parser's recursion limit
    page = world.http.post("/verify", data={"document": "[" * depth + "]" * depth})
    assert page.status_code == 422
    assert "This JSON nests too deeply to be a license" in page.text


def test_verify_form_reports_a_deep_credential_as_malformed(world):
    document = world.issue()["document"]
    nested: dict = {}
    for _ in range(300):  # parses, but deeper than any license
        nested = {"a": nested}
    document["credentialSubject"]["fields"]["extra"] = nested
    page = world.http.post("/verify", data={"document": json.dumps(document)})
    assert page.status_code == 200
    assert "nests more than 48 levels" in page.text


@pytest.mark.parametrize("page_number", ["²", "9" * 30])
def test_verify_form_with_an_impossible_status_list_page_is_answered(
    world, page_number
):
    document = world.issue()["document"]
    for entry in document["credentialStatus"]:
        url = entry["statusListCredential"]
        entry["statusListCredential"] = url.rsplit("/", 1)[0] + "/" + page_number
    page = world.http.post("/verify", data={"document": json.dumps(document)})
    assert page.status_code == 200
    assert "names no status list page" in page.text
