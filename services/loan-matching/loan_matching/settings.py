"""loan-matching settings (env prefix LOAN_MATCHING_)."""

from decimal import Decimal

from pydantic_settings import SettingsConfigDict

from loan_matching.domain.subsidies import SUBSIDY_TERMS, SubsidyTerms
from smefin.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the loan-matching service."""

    model_config = SettingsConfigDict(env_prefix="LOAN_MATCHING_", env_file=".env", extra="ignore")

    service_name: str = "loan-matching"
    # Business days a bank has to approve or decline a proposed match.
    decision_business_days: int = 2
    # How many banks see a request at once; the next-best bank is proposed when one drops out.
    proposal_width: int = 3
    # Misses (products that did not match) kept with their reasons per request.
    max_misses: int = 20
    # At most this many open requests are matched again when a product is published or edited.
    rematch_max_requests: int = 10_000
    retrain_after_outcomes: int = 200
    # Interest subsidies (贴息), yuan per year and the share of the interest paid; see domain/subsidies.py.
    tech_subsidy_fund_per_year: Decimal = SUBSIDY_TERMS.tech_fund_per_year
    tech_subsidy_share: Decimal = SUBSIDY_TERMS.tech_share
    tech_subsidy_max_months: int = SUBSIDY_TERMS.tech_max_months
    startup_subsidy_fund_per_year: Decimal = SUBSIDY_TERMS.startup_fund_per_year
    startup_subsidy_max_months: int = SUBSIDY_TERMS.startup_max_months

    def subsidy_terms(self) -> SubsidyTerms:
        """The programmes' figures as the domain uses them."""
        return SubsidyTerms(
            tech_fund_per_year=self.tech_subsidy_fund_per_year,
            tech_share=self.tech_subsidy_share,
            tech_max_months=self.tech_subsidy_max_months,
            startup_fund_per_year=self.startup_subsidy_fund_per_year,
            startup_max_months=self.startup_subsidy_max_months,
        )

    expiry_sweep_seconds: float = 60.0
    # Default loan-increment reward rule (the office can change it through the API).
    reward_rate_percent: float = 0.5
