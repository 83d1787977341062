"""The lifecycle state machine: every allowed transition, and refusals that say why."""

from datetime import date

import pytest

from zhengzhao.errors import TermEnded, TransitionRefused
from zhengzhao.model.license import Encumbrance, LicenseStatus, national_status_code
from zhengzhao.model.lifecycle import PAST_TERM, EventKind, State, replay, transition

VALID = State(LicenseStatus.VALID)
SUSPENDED = State(LicenseStatus.SUSPENDED)
MORTGAGED = State(LicenseStatus.VALID, Encumbrance.MORTGAGED)
UNTIL = date(2030, 6, 30)
TODAY = date(2026, 11, 2)


def go(kind: EventKind, state: State, *, on: date = TODAY, until: date | None = UNTIL):
    return transition(kind, state, valid_until=until, on=on)


@pytest.mark.parametrize(
    ("kind", "before", "after"),
    [
        (EventKind.SUSPENDED, VALID, SUSPENDED),
        (EventKind.RELEASED, SUSPENDED, VALID),
        (EventKind.MORTGAGED, VALID, MORTGAGED),
        (EventKind.PLEDGED, VALID, State(LicenseStatus.VALID, Encumbrance.PLEDGED)),
        (EventKind.DISCHARGED, MORTGAGED, VALID),
        (EventKind.REVOKED, SUSPENDED, State(LicenseStatus.REVOKED)),
        (EventKind.CANCELLED, VALID, State(LicenseStatus.CANCELLED)),
        (EventKind.ABOLISHED, VALID, State(LicenseStatus.ABOLISHED)),
        (EventKind.ANNUAL_INSPECTION, MORTGAGED, MORTGAGED),
        (
            EventKind.SUSPENDED,
            MORTGAGED,
            State(LicenseStatus.SUSPENDED, Encumbrance.MORTGAGED),
        ),
    ],
)
def test_transition_allowed_events_reach_expected_state(kind, before, after):
    outcome = go(kind, before)
    assert outcome.state == after
    assert outcome.successor is None


def test_transition_extension_supersedes_and_opens_valid_successor():
    outcome = go(EventKind.EXTENDED, MORTGAGED)
    assert outcome.state.status is LicenseStatus.SUPERSEDED
    assert outcome.successor == MORTGAGED


def test_transition_correction_keeps_suspension_on_successor():
    outcome = go(EventKind.CORRECTED, SUSPENDED)
    assert outcome.state.status is LicenseStatus.SUPERSEDED
    assert outcome.successor == SUSPENDED


def test_transition_transfer_closes_license_and_opens_unencumbered_successor():
    outcome = go(EventKind.TRANSFERRED, VALID)
    assert outcome.state.status is LicenseStatus.TRANSFERRED
    assert outcome.successor == VALID


@pytest.mark.parametrize(
    "terminal",
    [
        LicenseStatus.REVOKED,
        LicenseStatus.CANCELLED,
        LicenseStatus.ABOLISHED,
        LicenseStatus.EXPIRED,
        LicenseStatus.SUPERSEDED,
        LicenseStatus.TRANSFERRED,
    ],
)
@pytest.mark.parametrize("kind", [k for k in EventKind if k is not EventKind.ISSUED])
def test_transition_nothing_follows_a_terminal_status(terminal, kind):
    with pytest.raises(TransitionRefused, match=rf"the license is {terminal}"):
        go(kind, State(terminal))


def test_transition_extension_of_revoked_license_is_refused():
    with pytest.raises(TransitionRefused, match=r"cannot record `extended`.*revoked"):
        go(EventKind.EXTENDED, State(LicenseStatus.REVOKED))


def test_transition_release_of_never_suspended_license_is_refused():
    with pytest.raises(TransitionRefused, match="never suspended"):
        go(EventKind.RELEASED, VALID)


def test_transition_discharge_without_encumbrance_is_refused():
    with pytest.raises(TransitionRefused, match="neither mortgaged nor pledged"):
        go(EventKind.DISCHARGED, VALID)


def test_transition_second_mortgage_is_refused():
    with pytest.raises(TransitionRefused, match="already mortgaged"):
        go(EventKind.PLEDGED, MORTGAGED)


def test_transition_transfer_of_mortgaged_license_is_refused():
    with pytest.raises(TransitionRefused, match="discharged before a transfer"):
        go(EventKind.TRANSFERRED, MORTGAGED)


def test_transition_expiry_before_last_day_is_refused():
    with pytest.raises(TransitionRefused, match="valid until 2030-06-30"):
        go(EventKind.EXPIRED, VALID, on=UNTIL)


def test_transition_expiry_after_last_day_is_allowed():
    outcome = go(EventKind.EXPIRED, VALID, on=date(2030, 7, 1))
    assert outcome.state.status is LicenseStatus.EXPIRED


def test_transition_permanent_license_never_expires():
    with pytest.raises(TransitionRefused, match="permanent"):
        go(EventKind.EXPIRED, VALID, until=None)


def test_transition_second_issuance_is_refused():
    with pytest.raises(TransitionRefused, match="issued once"):
        go(EventKind.ISSUED, VALID)


def test_transition_suspension_of_suspended_license_is_refused():
    with pytest.raises(TransitionRefused, match="is suspended, not valid"):
        go(EventKind.SUSPENDED, SUSPENDED)


AFTER = date(2030, 7, 1)  # the day after UNTIL
#: Each kind a license in force can take, with a state it can take it in.
IN_FORCE_ONLY = [
    (EventKind.ANNUAL_INSPECTION, VALID),
    (EventKind.CORRECTED, VALID),
    (EventKind.SUSPENDED, VALID),
    (EventKind.RELEASED, SUSPENDED),
    (EventKind.MORTGAGED, VALID),
    (EventKind.PLEDGED, VALID),
    (EventKind.DISCHARGED, MORTGAGED),
    (EventKind.ABOLISHED, VALID),
    (EventKind.TRANSFERRED, VALID),
]


def test_past_term_kinds_and_in_force_kinds_cover_every_later_event():
    later = {k for k in EventKind if k is not EventKind.ISSUED}
    assert {kind for kind, _ in IN_FORCE_ONLY} == later - PAST_TERM


@pytest.mark.parametrize(("kind", "before"), IN_FORCE_ONLY)
def test_transition_after_last_day_refuses_events_of_a_license_in_force(kind, before):
    with pytest.raises(TermEnded) as refused:
        go(kind, before, on=AFTER)
    assert refused.value.code == "license-term-ended"
    assert refused.value.message == (
        f"cannot record `{kind}` on 2030-07-01: the license was valid until"
        " 2030-06-30, and after that only `cancelled`, `expired`, `extended`,"
        " `revoked` can be recorded; record its expiry (`zhengzhao licenses expire`"
        " records it for every license past its last day)"
    )


@pytest.mark.parametrize(("kind", "before"), IN_FORCE_ONLY)
def test_transition_on_last_day_is_within_the_term(kind, before):
    go(kind, before, on=UNTIL)


@pytest.mark.parametrize(
    ("kind", "after"),
    [
        (EventKind.EXPIRED, LicenseStatus.EXPIRED),
        (EventKind.CANCELLED, LicenseStatus.CANCELLED),
        (EventKind.REVOKED, LicenseStatus.REVOKED),
        (EventKind.EXTENDED, LicenseStatus.SUPERSEDED),
    ],
)
def test_transition_after_last_day_allows_what_follows_a_lapse(kind, after):
    assert go(kind, VALID, on=AFTER).state.status is after


def test_transition_of_a_permanent_license_has_no_term():
    go(EventKind.SUSPENDED, VALID, on=date(2999, 1, 1), until=None)


def test_transition_terminal_status_is_named_before_the_term():
    with pytest.raises(TransitionRefused, match="the license is revoked") as refused:
        go(EventKind.SUSPENDED, State(LicenseStatus.REVOKED), on=AFTER)
    assert not isinstance(refused.value, TermEnded)


def test_replay_reaches_the_state_of_the_last_event():
    events = [
        (EventKind.MORTGAGED, TODAY),
        (EventKind.SUSPENDED, TODAY),
        (EventKind.RELEASED, TODAY),
    ]
    outcome = replay(events, start=VALID, valid_until=UNTIL)
    assert outcome.state == MORTGAGED
    assert outcome.successor is None


def test_replay_of_no_events_is_the_start():
    assert replay([], start=SUSPENDED, valid_until=UNTIL).state == SUSPENDED


def test_replay_names_the_state_a_re_issue_opened():
    outcome = replay(
        [(EventKind.SUSPENDED, TODAY), (EventKind.CORRECTED, TODAY)],
        start=VALID,
        valid_until=UNTIL,
    )
    assert outcome.state.status is LicenseStatus.SUPERSEDED
    assert outcome.successor == SUSPENDED


def test_replay_keeps_events_recorded_after_the_last_day():
    # A history recorded before the term rule existed replays as it was.
    outcome = replay(
        [(EventKind.ANNUAL_INSPECTION, AFTER), (EventKind.EXPIRED, AFTER)],
        start=VALID,
        valid_until=UNTIL,
    )
    assert outcome.state.status is LicenseStatus.EXPIRED


def test_replay_of_an_impossible_history_is_refused():
    with pytest.raises(TransitionRefused, match="never suspended"):
        replay([(EventKind.RELEASED, TODAY)], start=VALID, valid_until=UNTIL)


def test_replay_of_a_second_issuance_is_refused():
    with pytest.raises(TransitionRefused, match="issued once"):
        replay([(EventKind.ISSUED, TODAY)], start=VALID, valid_until=UNTIL)


@pytest.mark.parametrize(
    ("status", "encumbrance", "code"),
    [
        (LicenseStatus.VALID, None, "01"),
        (LicenseStatus.SUSPENDED, None, "02"),
        (LicenseStatus.SUSPENDED, Encumbrance.MORTGAGED, "02"),
        (LicenseStatus.CANCELLED, None, "04"),
        (LicenseStatus.EXPIRED, None, "05"),
        (LicenseStatus.SUPERSEDED, None, "05"),
        (LicenseStatus.TRANSFERRED, None, "06"),
        (LicenseStatus.REVOKED, None, "07"),
        (LicenseStatus.ABOLISHED, None, "08"),
        (LicenseStatus.VALID, Encumbrance.MORTGAGED, "09"),
        (LicenseStatus.VALID, Encumbrance.PLEDGED, "10"),
    ],
)
def test_national_status_code_maps_each_state(status, encumbrance, code):
    assert national_status_code(status, encumbrance) == code
