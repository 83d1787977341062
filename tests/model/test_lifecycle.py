"""The lifecycle state machine: every allowed transition, and refusals that say why."""

from datetime import date

import pytest

from zhengzhao.errors import TransitionRefused
from zhengzhao.model.license import Encumbrance, LicenseStatus, national_status_code
from zhengzhao.model.lifecycle import EventKind, State, transition

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
