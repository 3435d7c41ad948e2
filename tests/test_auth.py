"""Sign-in without a screen: secrets kept only as scrypt hashes, roles, the back-off
after wrong secrets (on an injected clock), admin resets, and authenticate() for the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers_cli import ok, run
from helpers_store import sql_rows

from sessionlog.domain import Practitioner
from sessionlog.errors import ValidationError
from sessionlog.services import auth
from sessionlog.store import Store
from sessionlog.store.records.credentials import Access

T0 = datetime(2026, 11, 22, 10, 0)


def audit_actions(store: Store) -> list[tuple[str, int | None, int | None]]:
    return [
        (r["action"], r["actor_id"], r["entity_id"])
        for r in sql_rows(store, "SELECT action, actor_id, entity_id FROM audit_log ORDER BY id")
        if r["action"] not in ("create",)
    ]


def test_a_secret_is_stored_only_as_a_salted_scrypt_hash(
    store: Store, practitioner_id: int
) -> None:
    assert auth.set_first_secret(store, practitioner_id, "correct horse battery") == "admin"
    row = sql_rows(store, "SELECT * FROM practitioner_access")[0]
    assert "correct horse battery" not in str(row) and b"correct horse battery".hex() not in str(
        row
    )
    assert row["params"] == "scrypt:n=16384,r=8,p=1" and len(row["salt"]) == 32
    assert len(row["secret_hash"]) == 64 and row["role"] == "admin"
    again = auth.hash_secret("correct horse battery")
    assert again[0] != row["secret_hash"]  # a fresh salt every time
    assert auth.authenticate(store, "ann lee", "correct horse battery", T0) == practitioner_id
    assert auth.authenticate(store, practitioner_id, "correct horse battery", T0) == practitioner_id


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("", "secret: is required: a PIN of at least 6 digits or a passphrase"),
        ("12345", "secret: a PIN needs at least 6 digits"),
        (
            "short",
            "secret: a passphrase needs at least 8 characters (or use a PIN of at least 6 digits)",
        ),
    ],
)
def test_a_secret_is_a_6_digit_pin_or_a_passphrase(
    store: Store, practitioner_id: int, secret: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        auth.set_first_secret(store, practitioner_id, secret)
    assert str(exc.value) == message
    assert store.access(practitioner_id) is None
    auth.set_first_secret(store, practitioner_id, "123456")  # a PIN of six digits will do


def test_wrong_secrets_are_audited_and_back_off(store: Store, practitioner_id: int) -> None:
    auth.set_first_secret(store, practitioner_id, "246810")
    messages = []
    now = T0
    for _ in range(4):
        with pytest.raises(auth.AuthError) as exc:
            auth.authenticate(store, "Ann Lee", "000000", now)
        messages.append(str(exc.value))
        now += timedelta(
            seconds=auth.backoff_seconds(_access(store, practitioner_id).failed_attempts)
        )
    assert messages == [
        "Wrong secret for Ann Lee",
        "Wrong secret for Ann Lee",
        "Wrong secret for Ann Lee; the next try waits 2 s",
        "Wrong secret for Ann Lee; the next try waits 4 s",
    ]
    # During the back-off even the right secret is refused, unhashed and uncounted.
    early = now - timedelta(seconds=1)
    with pytest.raises(
        auth.AuthError, match=r"^Too many wrong secrets for Ann Lee: try again in 1 s$"
    ):
        auth.authenticate(store, "Ann Lee", "246810", early)
    assert _access(store, practitioner_id).failed_attempts == 4
    assert auth.authenticate(store, "Ann Lee", "246810", now) == practitioner_id
    assert _access(store, practitioner_id).failed_attempts == 0
    failed = [a for a in audit_actions(store) if a[0] == "sign_in_failed"]
    assert failed == [("sign_in_failed", None, practitioner_id)] * 4
    assert audit_actions(store)[-1] == ("sign_in", practitioner_id, practitioner_id)


def test_the_back_off_grows_and_is_capped() -> None:
    assert [auth.backoff_seconds(n) for n in (0, 1, 2, 3, 4, 5, 10, 50)] == [
        0,
        0,
        0,
        2,
        4,
        8,
        256,
        300,
    ]


def test_admin_adds_and_resets_and_the_owner_replaces_the_given_secret(
    store: Store, practitioner_id: int
) -> None:
    auth.set_first_secret(store, practitioner_id, "admin secret phrase")
    ben = auth.add_practitioner(
        store, practitioner_id, Practitioner("Ben Cho", "physiotherapist"), "135791", "practitioner"
    )
    # A given secret signs in to the app (which then asks for a new one), not the CLI.
    assert auth.sign_in(store, "Ben Cho", "135791", T0) == auth.SignedIn(ben, True)
    with pytest.raises(auth.AuthError, match="^Ben Cho's secret was given by an admin"):
        auth.authenticate(store, "Ben Cho", "135791", T0)
    with pytest.raises(ValidationError, match="choose a new secret"):
        auth.choose_secret(store, ben, "135791")
    auth.choose_secret(store, ben, "bens own phrase")
    assert auth.authenticate(store, "Ben Cho", "bens own phrase", T0) == ben
    # Forgotten: only an admin resets it, and cannot read the old one (it is a hash).
    with pytest.raises(
        auth.AuthError, match="^Only an admin can add practitioners or reset a secret$"
    ):
        auth.give_secret(store, ben, practitioner_id, "999999")
    auth.give_secret(store, practitioner_id, ben, "864200")
    assert _access(store, ben).must_change and _access(store, ben).role == "practitioner"
    with pytest.raises(auth.AuthError):
        auth.authenticate(store, "Ben Cho", "bens own phrase", T0)
    actions = audit_actions(store)
    assert ("give_secret", practitioner_id, ben) in actions
    assert ("reset_secret", practitioner_id, ben) in actions
    assert ("change_secret", ben, ben) in actions


def test_existing_practitioners_set_their_secret_once_and_the_first_is_admin(
    store: Store, practitioner_id: int
) -> None:
    ben = store.add_practitioner(Practitioner("Ben Cho", "physiotherapist"))
    with pytest.raises(auth.AuthError, match="^Ben Cho has no secret yet"):
        auth.authenticate(store, "Ben Cho", "whatever123", T0)
    assert auth.set_first_secret(store, ben, "ben first phrase") == "admin"
    assert auth.set_first_secret(store, practitioner_id, "ann first phrase") == "practitioner"
    with pytest.raises(auth.AuthError, match="already has a secret"):
        auth.set_first_secret(store, ben, "take over attempt")
    assert [(n.name, n.has_secret, n.role) for n in store.sign_in_names()] == [
        ("Ann Lee", True, "practitioner"),
        ("Ben Cho", True, "admin"),
    ]


def test_unknown_practitioner_is_one_clear_line(store: Store) -> None:
    with pytest.raises(auth.AuthError) as exc:
        auth.authenticate(store, "Nobody", "123456", T0)
    assert str(exc.value) == (
        "practitioner: 'Nobody' is not a practitioner: give an id or a name (1 Ann Lee)"
    )


def test_demo_says_how_to_sign_in_as_each_practitioner_and_the_secrets_work(
    tmp_path: Path,
) -> None:
    db = tmp_path / "demo.db"
    out = ok(db, "demo --patients 3 --months 1")
    assert out.splitlines()[1:] == [
        "Sign in to the app (pick the name, type the secret, Enter) as any demo practitioner:",
        "  Mei Lin Chen (admin): secret 111111",
        "  Sara Novak: secret 333333",
        "  Tom Okafor: secret 222222",
    ]
    store = Store.open(db)
    try:
        for line in out.splitlines()[2:]:
            name, secret = line.strip().replace(" (admin)", "").split(": secret ")
            assert auth.authenticate(store, name, secret, T0) == resolve_id(store, name)
    finally:
        store.close()


def test_demo_run_again_never_prints_a_secret_that_does_not_sign_in(tmp_path: Path) -> None:
    # The demo clinic imported into a new file has no secrets, and a practitioner may have
    # chosen their own: "Tom Okafor: secret 222222" was printed all the same.
    from sessionlog.exchange import export
    from sessionlog.exchange.importer import import_file

    db, copy = tmp_path / "demo.db", tmp_path / "copy.db"
    ok(db, "demo --patients 3 --months 1")
    store = Store.open(db)
    try:
        auth.choose_secret(store, resolve_id(store, "Tom Okafor"), "987654")
        export(store, "json", tmp_path / "demo.json")
    finally:
        store.close()
    assert ok(db, "demo").splitlines()[2:] == [
        "  Mei Lin Chen (admin): secret 111111",
        "  Sara Novak: secret 333333",
        "  Tom Okafor: a secret of their own (not the demo's)",
    ]
    imported = Store.open(copy)
    try:
        import_file(tmp_path / "demo.json", imported)
    finally:
        imported.close()
    again = run(copy, "demo", give_secrets=False)  # as it is: no practitioner given one
    assert again.exit_code == 0 and again.stdout.splitlines()[2:] == [
        "  Mei Lin Chen: no secret yet (the first to sign in as them chooses one)",
        "  Sara Novak: no secret yet (the first to sign in as them chooses one)",
        "  Tom Okafor: no secret yet (the first to sign in as them chooses one)",
    ]


def resolve_id(store: Store, name: str) -> int:
    return auth.resolve(store, name)[0]


def _access(store: Store, practitioner_id: int) -> Access:
    """The practitioner's sign-in row, which these tests have made."""
    access = store.access(practitioner_id)
    assert access is not None
    return access
