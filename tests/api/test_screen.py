"""POST /v1/screen/csv and /v1/screen/text through the Flask test client, over ``un_small.xml``."""

from __future__ import annotations

import csv
import io
import json

from matcher.api.keys import KeyStore
from matcher.api.schemas import TextScreenResponse
from tests.api.test_match import problem_of

CUSTOMERS = (
    "id,full name,kind,dob\n"
    "c-1,Ivan Sidorov,person,1961\n"
    "c-2,Wilhelmina Oppenheimer-Zaragoza,person,\n"
    "c-3,=cmd|' /C calc'!A0,person,\n"
    "c-4,,person,\n"
    "c-5,ivan   SIDOROV,person,\n"
    "c-6,Golden Crescent Exchange,organization,\n"
)


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_upload_streams_every_row_with_screening_columns(client):
    response = client.post(
        "/v1/screen/csv?name_column=full%20name&type_column=kind",
        data={"file": (io.BytesIO(CUSTOMERS.encode()), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="customers-screened.csv"'
    rows = rows_of(response)
    assert [r["id"] for r in rows] == ["c-1", "c-2", "c-3", "c-4", "c-5", "c-6"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["c-1"]["decision"] == "match" and by_id["c-1"]["match_id"] == "un:TLi.001"
    assert by_id["c-5"]["match_id"] == "un:TLi.001"
    assert by_id["c-2"]["decision"] == "no_match"
    assert by_id["c-3"]["full name"].startswith("'=")  # formula neutralised
    assert by_id["c-4"]["decision"] == "error" and by_id["c-4"]["error"]
    assert by_id["c-6"]["match_id"] == "un:QDe.951"
    assert float(by_id["c-1"]["match_score"]) >= 0.8


def test_raw_csv_body_and_json_lines_via_accept(client):
    response = client.post(
        "/v1/screen/csv?name_column=full name",
        data=CUSTOMERS.encode(),
        content_type="text/csv",
        headers={"Accept": "application/x-ndjson"},
    )
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(lines) == 6
    assert lines[0]["input"]["full name"] == "Ivan Sidorov" and lines[0]["decision"] == "match"
    assert lines[2]["input"]["full name"].startswith("=")  # JSON carries values unchanged


def test_threshold_and_format_options_apply(client):
    data = "name\nIvan Sidorov\nHamza Yusuf\n"  # scores 1.0 and about 0.88

    def decisions(query: str) -> list[str]:
        # Each streamed answer is read before the next request (as a real server does).
        response = client.post(f"/v1/screen/csv?{query}", data=data, content_type="text/csv")
        assert response.mimetype == "application/x-ndjson"
        return [json.loads(line)["decision"] for line in response.get_data(as_text=True).splitlines()]

    assert decisions("format=jsonl") == ["match", "match"]
    assert decisions("format=jsonl&threshold=0.95") == ["match", "no_match"]


def test_bad_column_is_422_naming_the_field(client):
    response = client.post("/v1/screen/csv?name_column=nom", data=CUSTOMERS, content_type="text/csv")
    body = problem_of(response, 422)
    assert "nom" in body["detail"]
    assert body["errors"][0]["field"] == "name_column"


def test_bad_options_are_422(client):
    for query, field in (("threshold=2", "threshold"), ("format=xml", "format"), ("lists=nope", "lists")):
        body = problem_of(
            client.post(f"/v1/screen/csv?{query}", data=CUSTOMERS, content_type="text/csv"), 422
        )
        assert body["errors"][0]["field"] == field, query


def test_missing_file_field_and_wrong_type(client):
    body = problem_of(
        client.post("/v1/screen/csv", data={"other": "x"}, content_type="multipart/form-data"), 422
    )
    assert body["errors"][0]["field"] == "file"
    problem_of(client.post("/v1/screen/csv", json={"a": 1}), 415)


def test_upload_over_the_limit_is_413(make_app):
    app = make_app(max_upload_mb=0.001)  # about 1 KB
    big = "name\n" + "Ivan Sidorov\n" * 200
    client = app.test_client()
    body = problem_of(client.post("/v1/screen/csv", data=big, content_type="text/csv"), 413)
    assert "MATCHER_MAX_UPLOAD_MB" in body["detail"]
    multipart = {"file": (io.BytesIO(big.encode()), "big.csv")}
    problem_of(client.post("/v1/screen/csv", data=multipart, content_type="multipart/form-data"), 413)


def test_upload_larger_than_the_json_body_limit_is_accepted(make_app):
    app = make_app(max_body_mb=0.001, max_upload_mb=1)
    rows = "name\n" + "Ivan Sidorov\n" * 200
    response = app.test_client().post("/v1/screen/csv", data=rows, content_type="text/csv")
    assert response.status_code == 200
    assert len(rows_of(response)) == 200


def test_text_screen_json_flags_the_listed_person(client):
    text = "Yesterday Ivan Petrovich Sidorov met Jane Doe in Vienna. Sidorov declined to comment."
    response = client.post("/v1/screen/text", json={"text": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    TextScreenResponse.model_validate(body)
    assert body["text"] == text
    flagged = [m for m in body["mentions"] if m["flagged"]]
    assert {m["text"] for m in flagged} == {"Ivan Petrovich Sidorov", "Sidorov"}
    for m in flagged:
        assert text[m["start"] : m["end"]] == m["text"]
        assert m["matches"][0]["entity_id"] == "un:TLi.001"
    party = body["parties"][flagged[0]["party"]]
    assert party["matches"][0]["explanation"]["tokens"]


def test_text_screen_plain_and_html_bodies(client):
    plain = client.post(
        "/v1/screen/text?threshold=0.8", data="Ivan Petrovich Sidorov arrived.", content_type="text/plain"
    )
    assert plain.status_code == 200
    assert plain.get_json()["flagged"]
    html = client.post(
        "/v1/screen/text",
        data="<p>Report: <b>Ivan Petrovich</b> Sidorov</p><script>Golden Crescent Exchange</script>",
        content_type="text/html",
    )
    body = html.get_json()
    assert "<" not in body["text"] and "Golden Crescent" not in body["text"]
    assert any(m["text"] == "Ivan Petrovich Sidorov" and m["flagged"] for m in body["mentions"])


def test_text_screen_errors(client):
    problem_of(client.post("/v1/screen/text", json={"text": "x", "threshold": 3}), 422)
    body = problem_of(client.post("/v1/screen/text", json={"text": "x", "lists": ["nope"]}), 422)
    assert body["errors"][0]["field"] == "lists"
    body = problem_of(client.post("/v1/screen/text", json={"txt": "x"}), 422)
    assert {e["field"] for e in body["errors"]} >= {"text", "txt"}
    problem_of(client.post("/v1/screen/text", data=b"x", content_type="application/pdf"), 415)


def test_screen_routes_need_a_screen_key_when_keys_are_on(make_app, data_dir):
    app = make_app(auth="keys")
    client = app.test_client()
    problem_of(client.post("/v1/screen/text", json={"text": "Ivan Sidorov"}), 401)
    problem_of(client.post("/v1/screen/csv", data=CUSTOMERS, content_type="text/csv"), 401)
    token, _ = KeyStore(data_dir).create(["screen"], name="t")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/v1/screen/text", json={"text": "Ivan Sidorov"}, headers=headers).status_code == 200
    ok = client.post(
        "/v1/screen/csv?name_column=full name", data=CUSTOMERS, content_type="text/csv", headers=headers
    )
    assert ok.status_code == 200 and len(rows_of(ok)) == 6


def test_no_lists_is_503(make_app, tmp_path):
    app = make_app(data=tmp_path / "empty")
    client = app.test_client()
    problem_of(client.post("/v1/screen/text", json={"text": "Ivan Sidorov"}), 503)
    problem_of(client.post("/v1/screen/csv", data=CUSTOMERS, content_type="text/csv"), 503)


def test_openapi_lists_the_screen_routes(client):
    doc = client.get("/openapi.json").get_json()
    assert "post" in doc["paths"]["/v1/screen/csv"] and "post" in doc["paths"]["/v1/screen/text"]
    assert {"TextScreenRequest", "TextScreenResponse"} <= set(doc["components"]["schemas"])
