from decimal import Decimal
from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.patch import NotNull


class Patch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str | None, Field(min_length=1, max_length=20), NotNull()] = None
    margin: Annotated[Decimal | None, Field(ge=0, le=1), NotNull()] = None
    notes: str | None = None


def test_a_field_may_be_left_out_but_not_sent_as_null() -> None:
    assert Patch().model_fields_set == set()
    assert Patch(name="Hà Tĩnh").name == "Hà Tĩnh"
    with pytest.raises(ValidationError, match="may be left out, but not null"):
        Patch.model_validate({"name": None})
    assert Patch.model_validate({"notes": None}).notes is None  # a nullable column takes null


def test_its_constraints_keep_their_own_messages() -> None:
    with pytest.raises(ValidationError, match="String should have at least 1 character"):
        Patch.model_validate({"name": ""})


def test_the_document_says_the_field_takes_no_null() -> None:
    properties = Patch.model_json_schema()["properties"]
    assert properties["name"]["type"] == "string"
    assert "anyOf" not in properties["name"]
    assert (properties["name"]["minLength"], properties["name"]["maxLength"]) == (1, 20)
    assert {"type": "null"} in properties["notes"]["anyOf"]
    # A decimal is "a number or a string" in the document: both stay, the null goes.
    assert len(properties["margin"]["anyOf"]) == 2
    assert {"type": "null"} not in properties["margin"]["anyOf"]
