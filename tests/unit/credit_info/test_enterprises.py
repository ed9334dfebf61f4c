"""Location and size rules of registration (no I/O)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from credit_info.domain.enterprises import locate, size_class
from smefin.errors import Unprocessable
from smefin.reference import make_uscc


def test_location_comes_from_the_code_and_must_match_the_declared_county() -> None:
    code = make_uscc("150102", "A1")
    assert locate(code, "150102").league_code == "150100"
    with pytest.raises(Unprocessable, match="issued in county 150102"):
        locate(code, "150103")
    with pytest.raises(Unprocessable, match="league 150200"):
        locate(code, "150203")
    with pytest.raises(Unprocessable, match="unknown county"):
        locate(code, "159999")


def test_league_level_code_accepts_any_county_of_that_league() -> None:
    assert locate(make_uscc("150100", "A1"), "150104").county_code == "150104"


def test_size_class_problems_are_422() -> None:
    assert size_class("F52", 30, Decimal(400), None).size_class == "small"
    with pytest.raises(Unprocessable, match="needs revenue"):
        size_class("F52", 30, None, None)
