"""The guarantor's and the organizer's forms: the API's refusal turned into sentences next to this
form's own fields (`forms.submit(..., errors_of=...)`), its field names mapped and its business
refusals worded by rule."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.site.i18n import FormErrors, Lang, form_errors, word
from gateway.site.upstream import ApiAnswer


@dataclass(frozen=True)
class Rule:
    """A business refusal the API words in a known way: which field it belongs to (None: the whole
    form) and the sentence to say instead, with the pattern's named groups as its values."""

    pattern: re.Pattern[str]
    key: str
    field: str | None = None


def api_errors(
    lang: Lang,
    answer: ApiAnswer,
    names: Mapping[str, str],
    *,
    by_status: Mapping[int, str] | None = None,
    rules: Sequence[Rule] = (),
) -> FormErrors:
    """The refusal as sentences in the person's language. `names` maps the API's field (its dotted
    path, or its last part) to this form's field, whose label is `field.<form field>`; `rules` word
    the business refusals the API gives as prose."""
    body: dict[str, Any] = dict(answer.body) if isinstance(answer.body, dict) else {}
    out = FormErrors()
    known = frozenset(names.values())
    errors = body.get("errors")
    if answer.status == 422 and isinstance(errors, list):
        renamed = []
        for e in errors:
            path = str(e.get("field", "body"))
            field = _form_field(names, path)
            rule = _rule_for(rules, str(e.get("message", "")))
            if rule is not None:
                out.fields.setdefault(field, _say(lang, rule, str(e.get("message", ""))))
            else:
                renamed.append({**e, "field": field})
        if renamed:
            rest = form_errors(lang, 422, {"errors": renamed}, known_fields=known)
            for name, sentence in rest.fields.items():
                out.fields.setdefault(name, sentence)
            out.general += rest.general
        return out
    # A domain refusal: one problem, or several listed in `details` (a sentence may hold a "; " itself).
    details = body.get("details")
    problems = (
        [str(p) for p in details if isinstance(p, str)]
        if isinstance(details, list)
        else [str(body["detail"])]
        if body.get("detail")
        else []
    )
    unmatched = []
    for problem in problems:
        rule = _rule_for(rules, problem)
        if rule is None:
            unmatched.append(problem)
        elif rule.field is None:
            out.general.append(_say(lang, rule, problem))
        else:
            out.fields.setdefault(rule.field, _say(lang, rule, problem))
    if out and not unmatched:
        return out
    # Anything else: "field: message" next to the field, the status's sentence, or the API's own words.
    detail = "; ".join(unmatched) if unmatched else str(body.get("detail") or "")
    name, sep, message = detail.partition(": ")
    if sep and name in names:
        detail = f"{names[name]}: {message}"
    rest = form_errors(lang, answer.status, {"detail": detail}, known_fields=known, by_status=by_status)
    for n, sentence in rest.fields.items():
        out.fields.setdefault(n, sentence)
    out.general += rest.general
    return out


def _form_field(names: Mapping[str, str], path: str) -> str:
    """This form's field for an API field path: the longest mapped prefix ("industries.3" →
    "industries"), else its last part, else the path itself."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        mapped = names.get(".".join(parts[:n]))
        if mapped is not None:
            return mapped
    return names.get(parts[-1], path)


def _rule_for(rules: Sequence[Rule], message: str) -> Rule | None:
    return next((r for r in rules if r.pattern.search(message)), None)


def _say(lang: Lang, rule: Rule, message: str) -> str:
    m = rule.pattern.search(message)
    values = {k: v for k, v in (m.groupdict() if m else {}).items() if v is not None}
    return word(lang, rule.key, **values)


def first_sentence(errors: FormErrors) -> str:
    """One sentence for a row's button: the first field's, else the general ones."""
    return next(iter(errors.fields.values()), None) or " ".join(errors.general)
