"""Schemathesis drives every operation as a using party and as a holder, with
matters, parties and authorizations in place: never a server error."""

import pytest
import schemathesis
from hypothesis import given
from schemathesis.checks import not_a_server_error

from api.test_fuzz_openapi import FUZZ
from sharing.support import HOLDER, set_up_hotel, set_up_sharing


@pytest.mark.slow
@pytest.mark.parametrize("who", ["bank", f"holder:{HOLDER}"])
def test_sharing_requests_never_cause_server_errors(world, who):
    sharing = set_up_sharing(world)
    set_up_hotel(world)
    sharing.grant()
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.http.app)
    headers = world.headers(who, **{"Idempotency-Key": "fuzz"})
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        run()
