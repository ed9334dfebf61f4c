"""The guarantor's and organizer's forms: API refusals land next to this form's own fields, in the
person's language, and a fair's local times reach the API as UTC."""

from __future__ import annotations

import httpx

from gateway.site.desk import api_errors
from gateway.site.guarantor import COMPANY_NAMES, DECISION_RULES, INJECTION_NAMES, INJECTION_RULES
from gateway.site.i18n import WORDS, Lang
from gateway.site.organizer import FAIR_NAMES, FAIR_RULES, fair_body, fair_form, local
from gateway.site.upstream import ApiAnswer


def answer(status: int, body: object) -> ApiAnswer:
    return ApiAnswer(status, body, httpx.Headers())


def test_the_new_words_have_both_languages() -> None:
    assert all(zh and en for zh, en in WORDS.values())
    for name in (*COMPANY_NAMES.values(), *INJECTION_NAMES.values(), *set(FAIR_NAMES.values())):
        assert f"field.{name}" in WORDS, name


def test_a_validation_error_lands_on_this_forms_field_with_its_own_label() -> None:
    refused = answer(
        422,
        {
            "detail": "invalid request",
            "errors": [
                {"field": "amount", "message": "Input should be greater than 0", "type": "greater_than"},
                {"field": "injected_on", "message": "2099-01-01 is in the future", "type": "value_error"},
            ],
        },
    )
    zh = api_errors(Lang.ZH, refused, INJECTION_NAMES, rules=INJECTION_RULES)
    assert zh.fields == {"gi_amount": "增资金额（元）太小。", "gi_injected_on": "到账日期不能晚于今天。"}
    en = api_errors(Lang.EN, refused, INJECTION_NAMES, rules=INJECTION_RULES)
    assert en.fields["gi_injected_on"] == "The date cannot be in the future."


def test_a_business_refusal_in_prose_becomes_a_sentence_with_its_figures() -> None:
    refused = answer(
        409, {"detail": "the regional special fund has 1500.00 yuan left of 2000000000; 9 asked"}
    )
    errors = api_errors(Lang.ZH, refused, INJECTION_NAMES, rules=INJECTION_RULES)
    assert errors.fields == {"gi_amount": "自治区专项资金仅剩 1500.00 元，请减少金额或选择其他来源。"}
    assert not errors.general
    decided = answer(409, {"detail": "guarantee x is issued; only one waiting for approval can be declined"})
    assert api_errors(Lang.EN, decided, {}, rules=DECISION_RULES).general == [
        "This guarantee was already decided; its outcome is shown below."
    ]


def test_every_problem_of_a_fair_goes_to_its_own_field() -> None:
    problems = [
        "give a venue or an online link",
        "session 2 starts before session 1 ends; list sessions in time order",
    ]
    refused = answer(422, {"detail": "; ".join(problems), "details": problems})
    errors = api_errors(Lang.ZH, refused, FAIR_NAMES, rules=FAIR_RULES)
    assert errors.fields == {
        "fair_venue": "请填写会场或线上会议链接。",
        "fair_s2_start": "下午场须在上午场结束后开始。",
    }
    assert not errors.general
    nested = answer(
        422,
        {
            "errors": [
                {
                    "field": "sessions.1.ends_at",
                    "message": "Input should be a valid datetime",
                    "type": "datetime_parsing",
                }
            ]
        },
    )
    assert api_errors(Lang.EN, nested, FAIR_NAMES).fields == {
        "fair_s2_end": "Session 2 ends is not a valid date and time."
    }


def test_an_unknown_refusal_is_still_a_sentence_and_a_server_error_never_shows() -> None:
    odd = api_errors(Lang.ZH, answer(409, {"detail": "something new"}), FAIR_NAMES, rules=FAIR_RULES)
    assert odd.general == ["操作未成功：something new"]
    down = api_errors(Lang.ZH, answer(502, None), FAIR_NAMES, rules=FAIR_RULES)
    assert down.general == [WORDS["error.unavailable"][0]]


def test_fair_times_are_typed_in_local_time_and_sent_as_utc() -> None:
    form = {
        "fair_name": "对接会",
        "fair_date": "2027-04-15",
        "fair_s1_start": "09:00",
        "fair_s1_end": "12:00",
        "fair_s2_start": "",
        "fair_s2_end": "",
        "fair_slot_minutes": "20",
        "fair_tables": "12",
        "fair_venue": "会展中心",
        "fair_close_at": "2027-04-12T18:00",
    }
    body = fair_body(form, ["150600"])
    assert body["sessions"] == [{"starts_at": "2027-04-15T01:00:00Z", "ends_at": "2027-04-15T04:00:00Z"}]
    assert body["requests_close_at"] == "2027-04-12T10:00:00Z"
    assert (body["slot_minutes"], body["tables"], body["online_url"]) == (20, 12, None)
    # Text that is no time goes to the API as typed, so the API names the field.
    assert fair_body(form | {"fair_s1_end": "noon"}, [])["sessions"][0]["ends_at"] == "2027-04-15Tnoon"
    stored = body | {"league_codes": ["150600"], "industries": [], "auto_accept": False}
    again = fair_form(stored)
    assert (again["fair_date"], again["fair_s1_start"], again["fair_close_at"]) == (
        "2027-04-15",
        "09:00",
        "2027-04-12T18:00",
    )
    assert local("2027-04-15T01:00:00Z") == "2027-04-15 09:00"
