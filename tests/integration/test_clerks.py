"""Clerks and sign-in: PINs hashed, wrong PINs counted, five in a row lock the clerk for five minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from pos.errors import (
    AlreadyExists, AuthFailed, ClerkDisabled, ClerkLocked, InvalidInput, NotAManager, SignInRequired,
)
from pos.models._common import utcnow
from pos.services import auth, clerks
from pos.services import tables as t

BOSS_PIN = "73915284"
ANN_PIN = "60418273"


@pytest.fixture
def staffed(db):
    clerks.add_clerk(db, name="Boss", role="manager", pin=BOSS_PIN)
    boss = clerks.sign_in(db, "Boss", BOSS_PIN)
    with auth.acting(boss):
        clerks.add_clerk(db, name="Ann Lee", role="clerk", pin=ANN_PIN)
    return db


@pytest.fixture
def clock(monkeypatch):
    """The lock-out clock, moved by the test instead of sleeping."""
    class Clock:
        moment = utcnow()

        def __call__(self):
            return self.moment

        def advance(self, **delta):
            self.moment += timedelta(**delta)

    fake = Clock()
    monkeypatch.setattr(clerks, "now", fake)
    return fake


def audit_actions(db) -> list[tuple[str, str | None, str]]:
    with db.read() as conn:
        rows = conn.execute(select(t.audit_log.c.action, t.audit_log.c.clerk_name, t.audit_log.c.detail)
                            .order_by(t.audit_log.c.id)).all()
    return [tuple(r) for r in rows]


def test_a_store_without_clerks_has_none_and_its_first_clerk_must_be_a_manager(db):
    assert clerks.clerks_exist(db) is False
    with pytest.raises(InvalidInput, match="first clerk must be a manager"):
        clerks.add_clerk(db, name="Ann", role="clerk", pin="1234")
    assert clerks.clerks_exist(db) is False
    clerks.add_clerk(db, name="Boss", role="manager", pin="1234")
    assert clerks.clerks_exist(db) is True


def test_the_right_pin_signs_the_clerk_in(staffed):
    actor = clerks.sign_in(staffed, "Ann Lee", ANN_PIN)
    assert (actor.name, actor.role, actor.approver_id) == ("Ann Lee", "clerk", None)


def test_a_wrong_pin_or_unknown_name_is_auth_failed_and_audited(staffed):
    with pytest.raises(AuthFailed):
        clerks.sign_in(staffed, "Ann Lee", "1111")
    with pytest.raises(AuthFailed):
        clerks.sign_in(staffed, "Nobody", ANN_PIN)
    failures = [a for a in audit_actions(staffed) if a[0] == "sign_in_failed"]
    assert failures == [("sign_in_failed", "Ann Lee", "wrong PIN"), ("sign_in_failed", "Nobody", "no such clerk")]


def test_five_wrong_pins_in_a_row_lock_the_clerk_for_five_minutes(staffed, clock):
    for _ in range(4):
        with pytest.raises(AuthFailed):
            clerks.sign_in(staffed, "Ann Lee", "0000")
    with pytest.raises(ClerkLocked) as locked:
        clerks.sign_in(staffed, "Ann Lee", "0000")
    assert locked.value.code == "clerk_locked"
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(ClerkLocked):  # even the right PIN, while locked
        clerks.sign_in(staffed, "Ann Lee", ANN_PIN)
    clock.advance(seconds=2)
    assert clerks.sign_in(staffed, "Ann Lee", ANN_PIN).name == "Ann Lee"
    actions = [a[0] for a in audit_actions(staffed)]
    assert actions.count("locked_out") == 1
    assert actions.count("sign_in_failed") == 6  # five wrong PINs and the try while locked


def test_a_good_pin_resets_the_count_of_wrong_ones(staffed, clock):
    for _ in range(4):
        with pytest.raises(AuthFailed):
            clerks.sign_in(staffed, "Ann Lee", "0000")
    clerks.sign_in(staffed, "Ann Lee", ANN_PIN)
    for _ in range(4):
        with pytest.raises(AuthFailed):
            clerks.sign_in(staffed, "Ann Lee", "0000")
    assert clerks.sign_in(staffed, "Ann Lee", ANN_PIN).name == "Ann Lee"


def test_after_a_lock_ends_it_takes_five_more_wrong_pins_to_lock_again(staffed, clock):
    for _ in range(5):
        with pytest.raises((AuthFailed, ClerkLocked)):
            clerks.sign_in(staffed, "Ann Lee", "0000")
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(AuthFailed):
        clerks.sign_in(staffed, "Ann Lee", "0000")
    assert clerks.sign_in(staffed, "Ann Lee", ANN_PIN).name == "Ann Lee"


def test_a_manager_approves_and_a_clerk_cannot(staffed):
    ann = clerks.sign_in(staffed, "Ann Lee", ANN_PIN)
    approved = clerks.approve(staffed, ann, "Boss", BOSS_PIN)
    assert approved.approver_name == "Boss" and approved.approver_id is not None
    with pytest.raises(NotAManager):
        clerks.approve(staffed, ann, "Ann Lee", ANN_PIN)
    with pytest.raises(AuthFailed):
        clerks.approve(staffed, ann, "Boss", "9999")


def test_managing_clerks_needs_a_signed_in_manager(staffed):
    with pytest.raises(SignInRequired):
        clerks.add_clerk(staffed, name="Bob", role="clerk", pin="1234")
    with auth.acting(clerks.sign_in(staffed, "Ann Lee", ANN_PIN)):
        with pytest.raises(NotAManager):
            clerks.add_clerk(staffed, name="Bob", role="clerk", pin="1234")
        with pytest.raises(NotAManager):
            clerks.disable_clerk(staffed, name="Boss")
        clerks.change_pin(staffed, name="Ann Lee", pin="2468")  # one's own PIN: yes
    assert [c.name for c in clerks.list_clerks(staffed)] == ["Ann Lee", "Boss"]
    assert clerks.sign_in(staffed, "Ann Lee", "2468").name == "Ann Lee"


def test_a_disabled_clerk_cannot_sign_in_and_the_last_manager_cannot_be_disabled(staffed):
    with auth.acting(clerks.sign_in(staffed, "Boss", BOSS_PIN)):
        with pytest.raises(InvalidInput, match="last active manager"):
            clerks.disable_clerk(staffed, name="Boss")
        doc = clerks.disable_clerk(staffed, name="Ann Lee")
        with pytest.raises(AlreadyExists):
            clerks.add_clerk(staffed, name="Ann Lee", role="clerk", pin="1234")
    assert doc.active is False
    with pytest.raises(ClerkDisabled):
        clerks.sign_in(staffed, "Ann Lee", ANN_PIN)


def test_a_manager_resets_a_locked_clerks_pin(staffed, clock):
    for _ in range(5):
        with pytest.raises((AuthFailed, ClerkLocked)):
            clerks.sign_in(staffed, "Ann Lee", "0000")
    assert [c.locked_until is not None for c in clerks.list_clerks(staffed)] == [True, False]
    with auth.acting(clerks.sign_in(staffed, "Boss", BOSS_PIN)):
        clerks.change_pin(staffed, name="Ann Lee", pin="1357")
    assert clerks.sign_in(staffed, "Ann Lee", "1357").name == "Ann Lee"


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "١٢٣٤", " 12 ", ""])
def test_a_pin_must_be_four_to_eight_ascii_digits(db, pin):
    with pytest.raises(InvalidInput, match="4 to 8 digits") as err:
        clerks.add_clerk(db, name="Boss", role="manager", pin=pin)
    assert pin.strip() == "" or pin not in err.value.message


def test_audit_rows_cannot_be_updated_or_deleted(staffed):
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError):
            with staffed.write() as conn:
                conn.execute(text(statement))
    assert len(audit_actions(staffed)) == 2
