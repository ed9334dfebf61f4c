"""Approval odds before applying: which products a need would match, at what rate and with what odds.

The same scoring path as matching (rules, price, model), run on a request that is never stored: no
row is written and no event published, so no bank learns of a preview.
"""

from decimal import Decimal
from typing import Any

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import repositories as repo
from loan_matching.db.tables import Enterprise
from loan_matching.domain.matching_model import MatchingModel
from loan_matching.domain.products import product_rows
from loan_matching.domain.ranking import rank_grid
from loan_matching.domain.scoring import build_products, build_requests, explain, explain_rate
from smefin.auth import Principal, Role
from smefin.errors import Forbidden, Unprocessable
from smefin.reference import InvalidIndustryCode, MissingIndicator, classify

# What a visitor may state about the enterprise; an SME's projection (what banks see) takes precedence.
PROFILE_FIELDS = ("league_code", "industry", "size_class", "grade", *("revenue", "assets", "employees"))
SIGNAL_FIELDS = (
    "revenue_growth_percent",
    "tax_grade",
    "social_insurance_months",
    "utilities_on_time_percent",
)


def _stated_profile(figures: dict[str, Any]) -> dict[str, Any]:
    """A visitor's figures as a projection row; the size class from the 2011 standard when not given."""
    out = {k: figures.get(k) for k in (*PROFILE_FIELDS, *SIGNAL_FIELDS) if figures.get(k) is not None}
    if "size_class" not in out and "industry" in out:
        try:
            out["size_class"] = classify(
                str(out["industry"]), figures.get("employees"), figures.get("revenue"), figures.get("assets")
            ).size_class.value
        except MissingIndicator:
            pass  # left unknown: rules on size answer "unknown", they do not disqualify
        except (InvalidIndustryCode, ValueError) as exc:
            raise Unprocessable(str(exc)) from None
    return out


async def preview(
    *,
    session: AsyncSession,
    principal: Principal | None,
    need: dict[str, Any],
    figures: dict[str, Any],
    model: MatchingModel,
    limit: int,
) -> dict[str, Any]:
    """Score a need against every live product without recording anything.

    An SME (principal) is scored on its projection, as matching would; a visitor (None) on the figures
    it gives, each one it leaves out answering "unknown".
    """
    if principal is not None and principal.role != Role.SME:
        raise Forbidden("previews are for SMEs (or anonymous visitors at /api/v1/previews/public)")
    ent: Enterprise | None = None
    if principal is not None and principal.uscc:
        ent = (await repo.enterprises(session, [principal.uscc])).get(principal.uscc)
    if ent is not None:
        profile = {c: getattr(ent, c) for c in Enterprise.model_fields if c not in ("uscc", "updated_at")}
        source = "projection"
    else:
        profile, source = _stated_profile(figures), "figures"
    row = {**need, **profile}
    products = await repo.live_products(session)
    known = {k: row.get(k) for k in ("league_code", "industry", "size_class", "grade", *SIGNAL_FIELDS)}
    out: dict[str, Any] = {
        "profile_source": source,
        "profile": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in known.items()},
        "unknown": sorted(k for k, v in known.items() if v is None),
        "model_version": model.version,
        "products_considered": len(products),
        "matches": [],
        "misses": [],
    }
    if not products:
        return out
    prows = await product_rows(session, products)
    req, prod = build_requests([row]), build_products(prows)
    ranked = rank_grid(req, prod, model)
    for j in np.argsort(-ranked.expected_value[0], kind="stable"):
        p, eligible = products[j], bool(ranked.eligible[0, j])
        bucket = out["matches"] if eligible else out["misses"]
        reasons = explain(ranked.status[0, j], prows[j])
        bucket.append(
            {
                "product_id": p.id,
                "product_name": p.name,
                "bank_org_id": p.bank_org_id,
                "kind": p.kind,
                "eligible": eligible,
                "probability": Decimal(f"{ranked.probability[0, j]:.6f}"),
                "indicative_rate": Decimal(f"{ranked.rate[0, j]:.4f}"),
                "rate_explanation": explain_rate(req, 0, prod, int(j)),
                "reasons": reasons,
                "would_change_it": [r["would_change_it"] for r in reasons if r["status"] == "not_met"],
            }
        )
    # Misses with the fewest rules not met first: the nearest to a match.
    out["misses"].sort(key=lambda m: len(m["would_change_it"]))
    out["matches"], out["misses"] = out["matches"][:limit], out["misses"][:limit]
    return out
