"""Stored passwords: a new password ends sessions and sets the forced-change flag; a rehash
replaces only the hash it verified (store.credentials, store.users)."""

from __future__ import annotations

import datetime as dt

import pytest

from eduquality.errors import EduQualityError
from eduquality.store import open_database, passwords
from eduquality.store.credentials import (
    must_change_password,
    save_password,
    store_rehash,
    stored_hash,
)
from eduquality.store.passwords import ScryptCost, hash_password, verify_password
from eduquality.store.sessions import SessionLimits, create_session, read_session
from eduquality.store.users import add_user, authenticate, set_password

T0 = dt.datetime(2026, 3, 2, 8, 0)
LIMITS = SessionLimits(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12))
PW = "a long passphrase"


@pytest.fixture
def db(db_location):
    db = open_database(db_location, lang="en")
    add_user(db, "ann", "researcher", PW)
    yield db
    db.close()


def test_saving_a_password_ends_every_session(db):
    tokens = [create_session(db, "ann", T0, LIMITS) for _ in range(2)]
    save_password(db, "ann", hash_password("another passphrase"), must_change=False)
    assert all(read_session(db, t, T0, LIMITS) is None for t in tokens)
    assert verify_password("another passphrase", stored_hash(db, "ann"))


def test_an_administrators_password_must_be_changed(db):
    assert not must_change_password(db, "ann")
    set_password(db, "ann", "reset by admin 1", must_change=True)
    assert must_change_password(db, "ann")
    add_user(db, "new", "researcher", "initial password", must_change=True)
    assert must_change_password(db, "new")
    save_password(db, "new", hash_password("my own passphrase"), must_change=False)
    assert not must_change_password(db, "new")


def test_set_password_applies_the_rule(db):
    with pytest.raises(EduQualityError, match="at least 12"):
        set_password(db, "ann", "short")
    with pytest.raises(EduQualityError, match="common"):
        set_password(db, "ann", "qwerty123456")
    with pytest.raises(EduQualityError, match="common"):
        add_user(db, "x", "researcher", "password1234")


def test_rehash_replaces_only_the_hash_it_verified(db):
    old = stored_hash(db, "ann")
    store_rehash(db, "ann", "not the stored hash", "new")
    assert stored_hash(db, "ann") == old
    store_rehash(db, "ann", old, "new")
    assert stored_hash(db, "ann") == "new"


def test_authenticate_rehashes_an_old_cost(db):
    with db.write() as con:
        con.execute("UPDATE app_user SET password_hash = ? WHERE username = 'ann'",
                    [hash_password(PW, cost=ScryptCost(2**10, 8, 1))])
    token = create_session(db, "ann", T0, LIMITS)
    assert authenticate(db, "ann", "wrong") is None
    assert stored_hash(db, "ann").startswith("scrypt$1024$")
    assert authenticate(db, "ann", PW).username == "ann"
    assert stored_hash(db, "ann").startswith(f"scrypt${passwords.COST.n}$8$1$")
    assert verify_password(PW, stored_hash(db, "ann"))
    assert read_session(db, token, T0, LIMITS) is not None  # same password: session stays
    assert authenticate(db, "nobody", PW) is None
