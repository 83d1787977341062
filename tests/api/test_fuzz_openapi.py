"""Schemathesis drives every operation with generated input: never a server error.

Hypothesis is derandomized, so that CI runs the same cases every time.
"""

import itertools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

FUZZ = settings(
    max_examples=int(os.environ.get("ZHENGZHAO_FUZZ_EXAMPLES", "25")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.slow
@pytest.mark.parametrize("who", ["operator", "psb_tianshan"])
def test_api_generated_requests_never_cause_server_errors(world, who):
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.http.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    # A fresh Idempotency-Key per case: one shared key would answer every create
    # after the first with `idempotency-key-reused`, never reaching the create.
    keys = itertools.count()

    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            headers = world.headers(who, **{"Idempotency-Key": f"fuzz-{next(keys)}"})
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        run()
