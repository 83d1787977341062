"""The use metric: how much of each department's library shares and checks read."""

from datetime import UTC, datetime

import pytest

from sharing import conftest as sharing_node
from sharing.support import set_up_sharing, share
from zhengzhao.model.parties import Principal, Role
from zhengzhao.oversight.months import Month
from zhengzhao.oversight.quality import assess_quality

# The sharing tests' node and world: holders log in through the development provider.
settings = sharing_node.settings
world = sharing_node.world

AUDITOR = Principal(client_id="test-auditor", name="auditor", role=Role.AUDITOR)
NOVEMBER = Month.parse("2026-11")
#: After November, when the world's shares were made.
ASSESSED_AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _measures(world, department_key):
    with world.node.database.reading() as conn:
        report = assess_quality(
            conn,
            principal=AUDITOR,
            month=NOVEMBER,
            now=ASSESSED_AT,
        )
    code = world.departments[department_key].credit_code
    found = [d for d in report.departments if d.department.credit_code == code]
    return found[0].measures if found else {}


def test_use_counts_every_license_read_and_scores_against_the_best(world):
    sharing = set_up_sharing(world)
    granted = sharing.grant(uses=3)
    share(world, authorization=granted["id"])
    share(world, authorization=granted["id"])
    # A second department's library, read by nobody.
    world.issue("hrss_region", "social-security-card")

    used = _measures(world, "psb_tianshan")["use"]
    # Two shares read the identity card (the grant names its type only); the
    # household register in the same library stays unread.
    assert used.figures == {"uses": 2, "used": 1, "held": 2, "rate": 0.5}
    assert used.score == pytest.approx(100)
    unread = _measures(world, "hrss_region")["use"]
    assert unread.figures["used"] == 0 and unread.score == pytest.approx(0)


def test_use_is_not_assessed_in_a_month_without_any_use(world):
    set_up_sharing(world)
    assert "use" not in _measures(world, "psb_tianshan")


def test_refused_share_counts_no_use(world):
    sharing = set_up_sharing(world)
    granted = sharing.grant(uses=1)
    share(world, authorization=granted["id"])
    refused = share(world, authorization=granted["id"], expect=403)
    assert refused["code"] == "authorization-used-up"
    assert _measures(world, "psb_tianshan")["use"].figures["uses"] == 1


def test_use_counts_a_license_once_whichever_of_its_versions_were_read(world):
    sharing = set_up_sharing(world)
    granted = sharing.grant(uses=3)
    share(world, authorization=granted["id"])
    # The card is extended: its next version is the one the second share reads.
    world.event(sharing.card["identifier"], "extended", validUntil="2040-01-01")
    share(world, authorization=granted["id"])

    used = _measures(world, "psb_tianshan")["use"]
    # Two reads of one license; the household register was never read.
    assert used.figures == {"uses": 2, "used": 1, "held": 2, "rate": 0.5}
