"""The site's sentences: API refusals become the person's language next to the right field."""

from __future__ import annotations

from starlette.requests import Request

from gateway.site.forms import same_site
from gateway.site.i18n import WORDS, Lang, form_errors, pick_lang, rule_sentence, word
from gateway.site.pages import safe_next

FIELDS = frozenset({"uscc", "valid_until", "employees"})


def test_every_word_has_both_languages() -> None:
    assert all(zh and en for zh, en in WORDS.values())


def test_validation_errors_go_next_to_their_field_in_the_persons_language() -> None:
    body = {
        "detail": "invalid request",
        "errors": [
            {"field": "uscc", "message": "String should match pattern", "type": "string_pattern_mismatch"},
            {"field": "employees", "message": "Input should be a valid integer", "type": "int_parsing"},
            {"field": "body.extra", "message": "Extra inputs are not permitted", "type": "extra_forbidden"},
        ],
    }
    zh = form_errors(Lang.ZH, 422, body, known_fields=FIELDS)
    assert zh.fields == {"uscc": "统一社会信用代码的格式不正确。", "employees": "从业人员（人）须为整数。"}
    assert zh.general == ["extra不正确，请核对（Extra inputs are not permitted）。"]
    en = form_errors(Lang.EN, 422, body, known_fields=FIELDS)
    assert en.fields["uscc"] == "Unified social credit code is not in the expected format."


def test_a_business_rule_naming_a_field_lands_on_it() -> None:
    errors = form_errors(
        Lang.ZH, 422, {"detail": "valid_until: at most three years ahead"}, known_fields=FIELDS
    )
    assert errors.fields == {"valid_until": "有效期至不正确，请核对（at most three years ahead）。"}


def test_statuses_become_sentences_never_raw_answers() -> None:
    wrong = form_errors(
        Lang.ZH, 401, {"detail": "bad"}, known_fields=FIELDS, by_status={401: "error.bad_credentials"}
    )
    assert wrong.general == ["邮箱或密码不正确。"]
    assert form_errors(Lang.EN, 502, None, known_fields=FIELDS).general == [
        word(Lang.EN, "error.unavailable")
    ]
    assert form_errors(Lang.ZH, 429, {}, known_fields=FIELDS).general == [word(Lang.ZH, "error.rate_limited")]


def test_language_choice_and_redirects_stay_on_the_site() -> None:
    assert pick_lang(None, None) == Lang.ZH
    assert pick_lang(None, "en-GB,en;q=0.9") == Lang.EN
    assert pick_lang("zh", "en") == Lang.ZH
    assert pick_lang("fr", None) == Lang.ZH
    assert safe_next("/sme?x=1") == "/sme?x=1"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil", None, ""):
        assert safe_next(hostile) == "/"


def test_an_optional_fields_error_goes_next_to_that_field_not_its_union_member() -> None:
    body = {"errors": [{"field": "max_amount.decimal", "message": "Input should be a number", "type": "x"}]}
    errors = form_errors(Lang.ZH, 422, body, known_fields=frozenset({"max_amount"}))
    assert list(errors.fields) == ["max_amount"]


def test_matching_rules_are_said_in_the_persons_language_by_rule_code() -> None:
    fallback = "amount above the product's maximum of 500000.00"
    values = {"max_amount": "500000.00"}
    assert rule_sentence(Lang.ZH, "fix", "amount_max", values, fallback) == "金额高于产品最高额500000.00元"
    assert rule_sentence(Lang.EN, "fix", "amount_max", values, fallback) == fallback
    assert rule_sentence(Lang.ZH, "rule", "term", None, "term within") == "期限在产品范围内"
    # A rule the site does not know yet, or a fix without its figures: loan-matching's own sentence.
    assert rule_sentence(Lang.ZH, "rule", "new_rule", None, "a new rule") == "a new rule"
    assert rule_sentence(Lang.ZH, "fix", "amount_max", None, fallback) == fallback


def _post(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "POST", "path": "/bank/reports/csv", "headers": raw})


def test_a_form_post_is_ours_by_the_browsers_word_or_its_origin() -> None:
    host = {"host": "site.example"}
    assert same_site(_post({**host, "sec-fetch-site": "same-origin", "origin": "null"}))  # no-referrer page
    assert not same_site(_post({**host, "sec-fetch-site": "cross-site", "origin": "https://site.example"}))
    assert same_site(_post({**host, "origin": "https://site.example"}))  # an older browser
    assert not same_site(_post({**host, "origin": "https://elsewhere.example"}))
    assert not same_site(_post({**host, "origin": "null"}))
