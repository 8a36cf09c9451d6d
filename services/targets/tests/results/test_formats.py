"""Reading dataValueSets payloads: JSON and CSV shapes, and every way a payload can be unreadable."""

from __future__ import annotations

import json
from decimal import Decimal

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.body import MalformedPayload
from shared.problems import UnstorableValue
from targets.results import formats
from targets.results.formats import RawValue


def parse_json(body: bytes) -> list[RawValue]:
    return formats.parse_json(body).values


def parse_csv(body: bytes, *, first_row_is_header: bool = True) -> list[RawValue]:
    return formats.parse_csv(body, first_row_is_header=first_row_is_header).values


def _json(document: object) -> bytes:
    return orjson.dumps(document)


def _malformed(call: object, body: bytes) -> MalformedPayload:
    assert callable(call)
    with pytest.raises(MalformedPayload) as caught:
        call(body)
    return caught.value


# --- JSON ----------------------------------------------------------------------------------------------


def test_json_values_keep_their_fields_and_index() -> None:
    rows = parse_json(
        _json(
            {
                "dataValues": [
                    {
                        "dataElement": "ECO_NEW_ENTERPRISES",
                        "period": "2024",
                        "orgUnit": "HT-HSO",
                        "value": "12",
                    },
                    {
                        "dataElement": "ECO_URBANISATION",
                        "period": "2023",
                        "orgUnit": "HT",
                        "value": "31.5",
                        "comment": "estimate",
                    },
                ]
            }
        )
    )
    assert rows == [
        RawValue(0, "ECO_NEW_ENTERPRISES", "2024", "HT-HSO", "12", None),
        RawValue(1, "ECO_URBANISATION", "2023", "HT", "31.5", "estimate"),
    ]


def test_json_set_level_org_unit_and_period_are_defaults_a_value_may_override() -> None:
    rows = parse_json(
        _json(
            {
                "dataSet": "ignored",
                "period": "2024",
                "orgUnit": "HT-HSO",
                "dataValues": [
                    {"dataElement": "A", "value": "1"},
                    {"dataElement": "B", "period": "2023", "value": "2"},
                    {"dataElement": "C", "orgUnit": "HT-HKH", "value": "3"},
                ],
            }
        )
    )
    assert [(row.data_element, row.period, row.org_unit) for row in rows] == [
        ("A", "2024", "HT-HSO"),
        ("B", "2023", "HT-HSO"),
        ("C", "2024", "HT-HKH"),
    ]


def test_json_scalars_become_the_text_dhis2_would_store() -> None:
    rows = parse_json(
        b'{"period": 2024, "orgUnit": "HT", "dataValues": ['
        b'{"dataElement": "A", "value": 12},'
        b'{"dataElement": "A", "value": 70.0},'
        b'{"dataElement": "A", "value": true},'
        b'{"dataElement": "A", "value": false},'
        b'{"dataElement": "A", "value": null},'
        b'{"dataElement": "A"},'
        b'{"dataElement": "A", "value": -0.5e-3}'
        b"]}"
    )
    assert [row.value for row in rows] == ["12", "70.0", "true", "false", None, None, "-0.5e-3"]
    assert {row.period for row in rows} == {"2024"}


@pytest.mark.parametrize(
    "written",
    [
        "1234567890.123456789",  # 19 significant digits: more than a binary float holds
        "123456789012345678901234567",  # an integer beyond 64 bits
        "0.1000000000000000055511151231257827",
        "1E+2",
    ],
)
def test_json_numbers_keep_every_digit_as_written(written: str) -> None:
    # A binary float would silently store a different number (1234567890.1234567).
    body = b'{"dataValues": [{"dataElement": "A", "period": "2024", "orgUnit": "HT", "value": %s}]}' % (
        written.encode()
    )
    assert parse_json(body)[0].value == written


def test_json_strings_are_not_touched() -> None:
    rows = parse_json(_json({"dataValues": [{"dataElement": " A ", "period": "2024", "value": " 7 "}]}))
    assert rows == [RawValue(0, " A ", "2024", "", " 7 ", None)]


def test_json_empty_comment_is_no_comment_as_in_csv() -> None:
    # An empty comment must not differ from a missing one, or re-posting would count as an update.
    rows = parse_json(_json({"dataValues": [{"dataElement": "A", "value": "1", "comment": ""}]}))
    assert rows[0].comment is None


def test_json_without_data_values_is_empty() -> None:
    assert parse_json(b'{"dataSet": "x"}') == []
    assert parse_json(b'{"dataValues": []}') == []


@pytest.mark.parametrize(
    ("body", "position"),
    [
        (b'{"dataValues": [}', 16),
        (b"", 0),
        (b'{"dataValues": [{"value": NaN}]}', 26),
        (b'{"dataValues": [{"value": 1e999}]}', 26),
        (b'{"a": "\xff"}', 0),  # orjson checks UTF-8 before it parses
        (b'"\\ud800"', 1),  # a lone surrogate cannot be stored either
    ],
)
def test_malformed_json_names_the_position(body: bytes, position: int) -> None:
    error = _malformed(parse_json, body)
    assert error.status == 400
    assert error.type == "urn:thidua:problem:malformed-payload"
    assert error.extra["position"] == position
    assert error.extra["line"] == 1


def test_malformed_json_names_the_line_of_a_multi_line_body() -> None:
    error = _malformed(parse_json, b'{\n  "dataValues": [\n    {"value": 1,}\n  ]\n}')
    assert error.extra["line"] == 3


@pytest.mark.parametrize("document", [[], "x", 3, None])
def test_json_that_is_not_an_object_is_malformed(document: object) -> None:
    assert "JSON object" in (_malformed(parse_json, _json(document)).detail or "")


def test_data_values_must_be_an_array() -> None:
    assert "'dataValues' must be an array" in (_malformed(parse_json, b'{"dataValues": {}}').detail or "")


@pytest.mark.parametrize("item", ["x", 1, None, [], True])
def test_a_data_value_that_is_not_an_object_is_named_by_index(item: object) -> None:
    body = _json({"dataValues": [{"dataElement": "A"}, {"dataElement": "B"}, item]})
    error = _malformed(parse_json, body)
    assert error.extra["index"] == 2
    assert "dataValues[2]" in (error.detail or "")


@pytest.mark.parametrize("field", ["dataElement", "period", "orgUnit", "value", "comment"])
def test_a_field_holding_an_object_or_array_is_named_by_index(field: str) -> None:
    body = _json({"dataValues": [{"dataElement": "A"}, {"dataElement": "A", field: {"x": 1}}]})
    error = _malformed(parse_json, body)
    assert error.extra["index"] == 1
    assert "dict" in (error.detail or "")


@pytest.mark.parametrize("field", ["dataElement", "period", "orgUnit", "value", "comment"])
def test_a_nul_character_cannot_be_stored_and_is_named_by_index(field: str) -> None:
    # PostgreSQL text cannot hold U+0000: letting it through would fail the whole request with a 500.
    body = _json({"dataValues": [{"dataElement": "A"}, {"dataElement": "A", field: "x\u0000y"}]})
    with pytest.raises(UnstorableValue) as caught:
        parse_json(body)
    error = caught.value
    assert error.extra["index"] == 1
    assert field in (error.detail or "")


def _written(scalar: object) -> str:
    """JSON text of a scalar, a Decimal written as a JSON number with all its digits."""
    return str(scalar) if isinstance(scalar, Decimal) else json.dumps(scalar)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"dataElement": st.text(), "period": st.text(), "orgUnit": st.text()},
            optional={
                "value": st.text()
                | st.integers()
                | st.booleans()
                | st.decimals(allow_nan=False, allow_infinity=False),
                "comment": st.text(min_size=1),
            },
        ),
        max_size=5,
    )
)
def test_any_well_formed_json_is_read_value_for_value(items: list[dict[str, object]]) -> None:
    if any("\x00" in str(text) for item in items for text in item.values()):
        return  # refused on purpose (see above)
    objects = (
        "{" + ", ".join(f"{json.dumps(key)}: {_written(scalar)}" for key, scalar in item.items()) + "}"
        for item in items
    )
    body = '{"dataValues": [' + ", ".join(objects) + "]}"
    rows = parse_json(body.encode())
    assert [row.index for row in rows] == list(range(len(items)))
    for row, item in zip(rows, items, strict=True):
        assert row.data_element == item["dataElement"]
        assert row.org_unit == item["orgUnit"]
        value = item.get("value")
        assert row.value == (value if value is None or isinstance(value, str) else _written(value))
        assert row.comment == item.get("comment")


# --- CSV -----------------------------------------------------------------------------------------------


def test_csv_without_header_uses_dhis2_column_order() -> None:
    body = (
        b"ECO_NEW_ENTERPRISES,2024,HT-HSO,,,12,someone,2024-12-31,a comment,false\n"
        b"ECO_URBANISATION,2023,HT,,,31.5\n"
    )
    assert parse_csv(body, first_row_is_header=False) == [
        RawValue(0, "ECO_NEW_ENTERPRISES", "2024", "HT-HSO", "12", "a comment"),
        RawValue(1, "ECO_URBANISATION", "2023", "HT", "31.5", None),
    ]


def test_csv_header_is_recognised_in_any_case_and_column_order() -> None:
    body = b"Value,Comment,OrgUnit,Period,DataElement\n12,ok,HT-HSO,2024,ECO_NEW_ENTERPRISES\n"
    assert parse_csv(body) == [RawValue(0, "ECO_NEW_ENTERPRISES", "2024", "HT-HSO", "12", "ok")]


def test_csv_dhis2_export_header_is_skipped() -> None:
    body = (
        b'"dataelement","period","orgunit","catoptcombo","attroptcombo","value","storedby","lastupdated",'
        b'"comment","followup"\n"A","2024","HT","","","5","u","2024-01-01","c","false"\n'
    )
    assert parse_csv(body) == [RawValue(0, "A", "2024", "HT", "5", "c")]


def test_csv_header_lacking_required_columns_names_them_and_the_line() -> None:
    error = _malformed(parse_csv, b"\n\ndataelement,period,value\nA,2024,1\n")
    assert error.extra["line"] == 3
    assert "orgunit" in (error.detail or "")


def test_csv_quoted_fields_may_hold_commas_quotes_and_newlines() -> None:
    body = b'A,2024,HT,,,"1",,,"said ""yes"", then, no"\nA,2023,HT,,,2,,,"two\nlines"\n'
    rows = parse_csv(body, first_row_is_header=False)
    assert [row.comment for row in rows] == ['said "yes", then, no', "two\nlines"]
    assert [row.value for row in rows] == ["1", "2"]


def test_csv_utf8_bom_crlf_and_blank_lines() -> None:
    # A BOM, CRLF endings, an empty line and a line of blank cells.
    body = "\ufeffdataelement,period,orgunit,value,comment\r\n\r\nA,2024,HT,1,Hà Tĩnh\r\n ,, ,\r\n"
    body += "B,2024,HT,2,\r\n"
    rows = parse_csv(body.encode())
    assert rows == [RawValue(0, "A", "2024", "HT", "1", "Hà Tĩnh"), RawValue(1, "B", "2024", "HT", "2", None)]


def test_csv_codes_are_trimmed_and_empty_value_means_none() -> None:
    rows = parse_csv(b" A , 2024 , HT ,,,,\nA,2024,HT,,, 7 \n", first_row_is_header=False)
    assert rows == [RawValue(0, "A", "2024", "HT", None, None), RawValue(1, "A", "2024", "HT", " 7 ", None)]


def test_a_csv_period_is_trimmed_as_java_trims_it() -> None:
    rows = parse_csv(b"A,\x012024\x1f,HT,,,1\nA,\xc2\xa02024,HT,,,1\n", first_row_is_header=False)
    assert [row.period for row in rows] == ["2024", "\u00a02024"]  # NBSP is not Java whitespace


def test_csv_empty_body_has_no_values() -> None:
    assert parse_csv(b"") == []
    assert parse_csv(b"\n\r\n") == []
    assert parse_csv(b"dataelement,period,orgunit,value\n") == []


def test_csv_too_few_columns_names_the_line() -> None:
    error = _malformed(parse_csv, b"A,2024,HT,,,1\n\nA,2024,HT,1\n")
    assert error.extra["line"] == 3
    assert "found 4" in (error.detail or "")


def test_csv_with_header_too_few_columns_for_the_header_names_the_line() -> None:
    error = _malformed(parse_csv, b"period,orgunit,dataelement,value\n2024,HT,A,1\n2024,HT,A\n")
    assert error.extra["line"] == 3


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (b'A,2024,HT,,,1\nA,2024,HT,,,"1"x\n', 2),
        (b'A,2024,HT,,,1\nA,2024,HT,,,1\nA,2024,HT,,,"unterminated\n', 3),
    ],
)
def test_csv_broken_quoting_names_the_line(body: bytes, line: int) -> None:
    assert _malformed(parse_csv, body).extra["line"] == line


def test_csv_invalid_utf8_names_the_byte_and_the_line() -> None:
    error = _malformed(parse_csv, b"A,2024,HT,,,1\nA,2024,HT,,,\xc3\x28\n")
    assert error.extra["position"] == 26
    assert error.extra["line"] == 2


def test_csv_nul_character_names_the_line() -> None:
    with pytest.raises(UnstorableValue) as caught:
        list(parse_csv(b"A,2024,HT,,,1\nA,2024,HT,,,1,,,x\x00y\n"))
    assert caught.value.extra["line"] == 2


@given(
    st.lists(
        st.tuples(
            st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8),
            st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8),
        ),
        max_size=5,
    )
)
def test_any_quoted_value_and_comment_survive_a_csv_round_trip(cells: list[tuple[str, str]]) -> None:
    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    lines = [f"A,2024,HT,,,{quoted(value)},,,{quoted(comment)}" for value, comment in cells]
    header = "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment"
    body = "\r\n".join([header, *lines]).encode()
    rows = parse_csv(body)
    assert [row.index for row in rows] == list(range(len(cells)))
    for row, (value, comment) in zip(rows, cells, strict=True):
        assert row.value == (value or None)
        assert row.comment == (comment or None)


def test_dhis2s_long_header_names_keep_the_disaggregation() -> None:
    body = (
        b"dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,"
        b"followup,deleted\nSOC_NEW_JOBS,2023,HT-HSO,FEMALE,,700,,,,false,\n"
    )
    (row,) = parse_csv(body)
    assert row.category_option_combo == "FEMALE"
    assert row.value == "700"


def test_a_header_dhis2_does_not_write_is_skipped_and_dhis2s_order_read() -> None:
    # dhis2-core's own test file (dataValueSetBooleanTest.csv) misspells its header; DHIS2 skips it anyway.
    body = (
        b'"dataelelement","period","orgunit","categoryoptioncombo","attributeoptioncombo","value","storedby",'
        b'"timestamp","comment","followup"\n"jH26dja2f30","201201","DiszpKrYNg8","","","true","john",'
        b'"2012-01-01","comment","false"\n'
    )
    assert parse_csv(body) == [RawValue(0, "jH26dja2f30", "201201", "DiszpKrYNg8", "true", "comment")]
    # DHIS2's documented example: abbreviated names, and fewer columns than DHIS2 writes.
    documented = (
        b'"dataelement","period","orgunit","catoptcombo","attroptcombo","value","strby","lstupd","cmt"\n'
    )
    assert parse_csv(documented + b'"A","2015","HT","","","1","u","2015-04-01","c1"\n') == [
        RawValue(0, "A", "2015", "HT", "1", "c1")
    ]


def test_an_unknown_header_column_keeps_its_place_not_dropped() -> None:
    # Read in DHIS2's order, a disaggregation under another name is still the category option combo.
    (row,) = parse_csv(
        b"dataelement,period,orgunit,sex,attroptcombo,value\nSOC_NEW_JOBS,2023,HT-HSO,F,,700\n"
    )
    assert (row.category_option_combo, row.value) == ("F", "700")
    error = _malformed(parse_csv, b"dataelement,period,orgunit,sex,value\nSOC_NEW_JOBS,2023,HT-HSO,F,700\n")
    assert "expected at least 6 columns" in (error.detail or "")


def test_the_first_row_is_the_header_unless_told_otherwise() -> None:
    body = b"ECO_NEW_ENTERPRISES,2024,HT,,,1\nECO_NEW_ENTERPRISES,2023,HT,,,2\n"
    payload = formats.parse_csv(body)
    assert [row.period for row in payload.values] == ["2023"]
    (note,) = payload.notes
    assert "looks like a value (ECO_NEW_ENTERPRISES,2024,HT,,,1)" in note
    assert "firstRowIsHeader=false" in note
    assert [row.period for row in parse_csv(body, first_row_is_header=False)] == ["2024", "2023"]
    assert formats.parse_csv(b"dataelement,period,orgunit,value\nA,2024,HT,1\n").notes == ()


def test_a_short_header_over_longer_rows_is_refused_not_read_from_the_wrong_columns() -> None:
    # By name, "value" is the fourth column, but the row is in DHIS2's order: the 4th cell is the combo.
    error = _malformed(parse_csv, b"dataelement,period,orgunit,value\nA,2024,HT,,,12\n")
    assert error.extra["line"] == 2
    assert "6 columns under a header that names 4" in (error.detail or "")


def test_deleted_is_read_from_csv_and_json() -> None:
    header = (
        b"dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,"
    )
    body = header + b"comment,followup,deleted\nA,2024,HT,,,5,,,,false,TRUE\nA,2023,HT,,,5,,,,false,false\n"
    assert [row.deleted for row in parse_csv(body)] == [True, False]
    document = {
        "dataValues": [{"dataElement": "A", "deleted": True}, {"dataElement": "A", "deleted": "false"}]
    }
    assert [row.deleted for row in parse_json(_json(document))] == [True, False]


def test_json_set_level_import_options_are_kept_for_the_importer() -> None:
    document = {"idScheme": "CODE", "dryRun": True, "strategy": "UPDATE", "dataSet": "X", "dataValues": []}
    assert formats.parse_json(_json(document)).options == {
        "idScheme": "CODE",
        "dryRun": True,
        "strategy": "UPDATE",
    }
