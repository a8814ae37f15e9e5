"""What the server keeps of a joined upload (dashboard.upload.keep.ResultStore), tested on its own files: ids that
cannot be guessed or forged, private files, bounds by count, bytes, owner and age, and owner marks that never
hold a session id."""

import hashlib
import json
import os
import stat
import time

import pytest

from dashboard.upload.keep import ResultStore, upload_owner

OWNER_A, OWNER_B = "a" * 32, "b" * 32


def _store(tmp_path, **bounds):
    settings = {"ttl": 60, "keep": 10, "max_bytes": 10_000, "per_owner": None, **bounds}
    return ResultStore(tmp_path / "results", **settings)


def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_an_entry_is_kept_privately_under_a_random_id_and_read_back(tmp_path):
    store = _store(tmp_path)
    key = store.put({"city": "Алматы", "n": 12}, owner=OWNER_A)
    assert ResultStore.ID.fullmatch(key) and store.get(key) == {"city": "Алматы", "n": 12}
    assert key != store.put({"city": "Алматы", "n": 12})  # ids are random, not derived from the content
    entry = store.folder / f"{key}.json"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600 and stat.S_IMODE(store.folder.stat().st_mode) == 0o700
    assert "Алматы" in entry.read_text(encoding="utf-8")  # written as UTF-8 text, not escaped
    mark = hashlib.sha256(OWNER_A.encode()).hexdigest()[:32]
    (owned,) = store.folder.glob("*.owner")
    assert owned.name == f"{key}.{mark}.owner" and OWNER_A not in owned.name  # the session id never on disk
    assert stat.S_IMODE(owned.stat().st_mode) == 0o600
    assert not list(store.folder.glob(".*.tmp"))


def test_forged_ids_and_owners_get_nothing(tmp_path):
    store = _store(tmp_path)
    store.put({"n": 1})
    for key in ("../x", "A" * 32, "a" * 31, 5, None, "a" * 33):
        assert store.get(key) is None
    for owner in ("A" * 32, "a" * 31, "../" + "a" * 29, 7):
        with pytest.raises(ValueError, match="32 lowercase hex digits"):
            store.put({"n": 1}, owner=owner)
    with pytest.raises(ValueError):  # NaN is no JSON: refused, not kept as something a browser cannot read
        store.put({"n": float("nan")})


def test_too_big_is_refused_exactly_above_the_byte_bound(tmp_path):
    payload = {"x": "y" * 20}
    size = len(json.dumps(payload, ensure_ascii=False).encode())
    assert _store(tmp_path, max_bytes=size).put(payload) is not None
    assert _store(tmp_path, max_bytes=size - 1).put(payload) is None


def test_an_expired_entry_is_gone_and_a_fresh_one_stays(tmp_path):
    store = _store(tmp_path, ttl=60)
    old, fresh = store.put({"n": 1}), store.put({"n": 2})
    _age(store.folder / f"{old}.json", 61)
    _age(store.folder / f"{fresh}.json", 59)
    assert store.get(old) is None and not (store.folder / f"{old}.json").exists()
    assert store.get(fresh) == {"n": 2}


def test_each_owner_keeps_its_newest_and_never_evicts_another(tmp_path):
    store = _store(tmp_path, per_owner=2)
    theirs = store.put({"who": "b"}, owner=OWNER_B)
    mine = [store.put({"k": i}, owner=OWNER_A) for i in range(3)]
    assert store.get(mine[0]) is None and store.get(mine[1]) and store.get(mine[2])
    assert store.get(theirs) == {"who": "b"}
    mark = hashlib.sha256(OWNER_A.encode()).hexdigest()[:32]
    assert sorted(p.name.split(".")[0] for p in store.folder.glob(f"*.{mark}.owner")) == sorted(mine[1:])
    assert _store(tmp_path / "one", per_owner=0).per_owner == 1  # at least one, whatever the setting


def test_prune_keeps_the_newest_within_count_and_bytes_and_clears_leftovers(tmp_path):
    store = _store(tmp_path, keep=2)
    keys = [store.put({"k": i}, owner=OWNER_A if i == 0 else None) for i in range(3)]
    assert [store.get(k) is not None for k in keys] == [False, True, True]
    assert not list(store.folder.glob("*.owner"))  # the evicted entry's mark went with it
    stray, orphan = store.folder / ".dead.tmp", store.folder / f"{'c' * 32}.{'d' * 32}.owner"
    stray.write_bytes(b"x")
    orphan.write_bytes(b"")
    store.prune()
    assert stray.exists() and orphan.exists()  # young leftovers may be a put in progress
    _age(stray, 61)
    _age(orphan, 61)
    store.prune()
    assert not stray.exists() and not orphan.exists()


def test_a_folder_open_to_others_or_not_a_folder_is_not_used(tmp_path):
    open_folder = tmp_path / "open"
    open_folder.mkdir(mode=0o777)
    os.chmod(open_folder, 0o777)
    store = ResultStore(open_folder, 60, 10, 10_000)
    key = store.put({"n": 1})
    assert store.folder != open_folder and not list(open_folder.iterdir()) and store.get(key) == {"n": 1}
    link = tmp_path / "link"
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    link.symlink_to(private)
    store = ResultStore(link, 60, 10, 10_000)
    store.put({"n": 1})
    assert store.folder != link and not list(private.iterdir())
    mine = tmp_path / "mine"
    store = ResultStore(mine, 60, 10, 10_000)
    store.put({"n": 1})
    assert store.folder == mine  # a private folder of ours is used as it is


def test_outside_a_request_every_owner_is_new():
    first, second = upload_owner(), upload_owner()
    assert first != second and all(ResultStore.OWNER.fullmatch(o) for o in (first, second))


def test_a_request_keeps_its_own_session_and_a_new_one_gets_a_private_cookie(monkeypatch):
    import flask
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    app = flask.Flask(__name__)
    with app.test_request_context(headers={"Cookie": f"qala_session={OWNER_A}"}):
        assert upload_owner() == OWNER_A  # a session id of ours is kept
    for forged in ("A" * 32, "a" * 31, "../etc"):
        response = flask.Response()
        token = context_value.set(AttributeDict(dash_response=response))
        try:
            with app.test_request_context(headers={"Cookie": f"qala_session={forged}"}):
                owner = upload_owner()
        finally:
            context_value.reset(token)
        assert owner != forged and ResultStore.OWNER.fullmatch(owner)
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith(f"qala_session={owner};") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # plain http here; https adds it
    with app.test_request_context(base_url="https://qala.example"):
        response = flask.Response()
        token = context_value.set(AttributeDict(dash_response=response))
        try:
            upload_owner()
        finally:
            context_value.reset(token)
        assert "Secure" in response.headers["Set-Cookie"]
    with app.test_request_context():  # in a request but outside a callback: an id, no cookie to set, no error
        assert ResultStore.OWNER.fullmatch(upload_owner())
