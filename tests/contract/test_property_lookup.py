"""The certificate rule and the lookup answer's JSON round trip."""

import pytest

from contract.property_lookup import (
    PROPERTY_SOURCES,
    CertificateError,
    LookupPart,
    PropertyLookup,
    certificate_serial,
    normalize_certificate,
)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("皖(2026)六安市不动产权第0012345号", "皖(2026)六安市不动产权第0012345号"),
        ("皖（2025）霍山县不动产权第7654321号", "皖(2025)霍山县不动产权第7654321号"),
        (" 皖(2026) 六安市不动产权第 0012345号 ", "皖(2026)六安市不动产权第0012345号"),
        ("0012345", "0012345"),
    ],
)
def test_accepted_forms_become_canonical(typed: str, canonical: str) -> None:
    assert normalize_certificate(typed) == canonical


@pytest.mark.parametrize(
    "typed", ["", "123456", "12345678", "苏(2026)南京市不动产权第0012345号", "皖(26)六安市不动产权第0012345号",
              "皖(2026)六安市不动产权第001234号", "皖(2026)六安市房产证第0012345号"],
)  # fmt: skip
def test_other_forms_are_refused_in_chinese(typed: str) -> None:
    with pytest.raises(CertificateError, match="不动产权证号"):
        normalize_certificate(typed)


def test_serial_of_either_form() -> None:
    assert certificate_serial("皖(2026)六安市不动产权第0012345号") == "0012345"
    assert certificate_serial("7654321") == "7654321"


def test_answer_round_trips_through_json() -> None:
    land, tax, housing = PROPERTY_SOURCES
    answer = PropertyLookup(
        certificate="0012345",
        parts=[
            LookupPart(land.source, land.department, land.label, True, {"土地用途": "城镇住宅用地"}),
            LookupPart(tax.source, tax.department, tax.label, False, error="税务信息暂时查不到"),
            LookupPart(housing.source, housing.department, housing.label, True, {"建筑面积": "89.5平方米"}),
        ],
        complete=False,
        elapsed_ms=120,
    )
    again = PropertyLookup.from_json(answer.to_json())
    assert again == answer
    assert again.missing == ["税务信息"]
