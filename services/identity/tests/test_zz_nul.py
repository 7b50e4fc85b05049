from services.identity.tests.users_support import *  # noqa

async def test_nul(shared_app, shared_db) -> None:
    place = await new_facility(shared_app)
    u = await create(shared_app, place, "x1")
    for url, kw in [
        (f"{place.users}/a%00b", {}),
        (place.users, {"params": {"account": "a\x00"}}),
        (place.users, {"params": {"cursor": "WyJhY2NvdW50IixmYWxzZSxbImFcdTAwMDAiXV0"}}),
        (f"{place.jobs}/a%00b", {}),
        (f"{place.jobs}/a%00b/file", {}),
    ]:
        r = await shared_app.get(url, headers=place.headers(), **kw)
        print("RESULT", repr(url), r.status_code, r.text[:100])
    r = await shared_app.post(f"{place.users}/end-date", json={"user_ids": ["a\x00"], "valid_until": "2026-01-01"}, headers=place.headers())
    print("RESULT end-date", r.status_code, r.text[:200])
    r = await shared_app.post(place.users, content=b'{"name":"ok1","family_name":"\\ud800","email":"a@b.jp","valid_from":"2025-01-01","valid_until":"2025-02-01"}', headers={**place.headers(), "content-type": "application/json"})
    print("RESULT surrogate body", r.status_code, r.text[:200])
    r = await shared_app.get(place.users + "?name=%ED%A0%80", headers=place.headers())
    print("RESULT surrogate query raw", r.status_code, r.text[:200])
