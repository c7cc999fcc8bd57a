"""The published OpenAPI document is valid, and what the API answers is what it documents."""

from __future__ import annotations

from openapi_spec_validator import validate


def test_the_document_validates(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.0.3"
    validate(spec)  # raises on the first violation of the OpenAPI 3.0 schema


def test_decimal_bounds_are_numbers(client):
    value = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["MeasurementCreate"]
    assert value["properties"]["value"]["minimum"] == 0
    assert value["properties"]["value"]["maximum"] == 1e15
    assert value["properties"]["of_value"]["exclusiveMinimum"] is True


def test_the_compliance_report_documents_json_and_files(client):
    ok = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/reports/compliance"]["get"]["responses"]["200"]
    assert ok["description"]
    assert set(ok["content"]) == {
        "application/json",
        "text/html",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
    }


def test_parse_documents_one_body_in_two_types(client):
    parse = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/directives/parse"]["post"]
    assert "parameters" not in parse or all(p["in"] != "body" for p in parse["parameters"])
    assert set(parse["requestBody"]["content"]) == {"application/json", "multipart/form-data"}


def test_nested_errors_are_dotted_paths_with_lists_of_messages(api):
    response = api("office.tayninh").post(
        "/api/v1/directives",
        json={
            "number": "1",
            "symbol": "UBND-TEST",
            "issued_on": "2026-01-05",
            "subject": "Thử",
            "addressees": [1],
            "tasks": [{"label": "", "text": "x", "assignments": [{"agency": "TN-STP", "role": "boss"}]}],
        },
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "addressees.0": ["Phải là một chuỗi ký tự."],
        "tasks.0.label": ["Không được để trống."],
        "tasks.0.assignments.0.role": ["Phải là một trong: lead, coordinate."],
    }
