"""guarantee-registry settings (env prefix GUARANTEE_REGISTRY_)."""

from decimal import Decimal

from pydantic_settings import SettingsConfigDict

from guarantee_registry.domain.rules import Policy
from smefin.settings import ServiceSettings

_DEFAULT = Policy()


class Settings(ServiceSettings):
    """Settings of the guarantee-registry service; the policy figures are configurable, yuan."""

    model_config = SettingsConfigDict(env_prefix="GUARANTEE_REGISTRY_", env_file=".env", extra="ignore")

    service_name: str = "guarantee-registry"
    # The policy figures, each overridable by its env variable; the figures and what they mean are
    # defined once, in domain.rules.Policy.
    leverage_multiple: Decimal = _DEFAULT.leverage_multiple
    leverage_multiple_small_micro: Decimal = _DEFAULT.leverage_multiple_small_micro
    single_client_ratio: Decimal = _DEFAULT.single_client_ratio
    default_guarantor_share: Decimal = _DEFAULT.default_guarantor_share
    regional_fund_total: Decimal = _DEFAULT.regional_fund_total
    target_registered_capital: Decimal = _DEFAULT.target_registered_capital
    county_fiscal_revenue_threshold: Decimal = _DEFAULT.county_fiscal_revenue_threshold
    zone_annual_sales_threshold: Decimal = _DEFAULT.zone_annual_sales_threshold
    risk_compensation_fund_total: Decimal = _DEFAULT.risk_compensation_fund_total
    risk_compensation_ratio: Decimal = _DEFAULT.risk_compensation_ratio
    startup_micro_loan_max: Decimal = _DEFAULT.startup_micro_loan_max
    small_micro_fund_total: Decimal = _DEFAULT.small_micro_fund_total
    small_micro_compensation_ratio: Decimal = _DEFAULT.small_micro_compensation_ratio
    max_reguarantee_share: Decimal = _DEFAULT.max_reguarantee_share

    def policy(self) -> Policy:
        """The policy figures the domain rules use."""
        return Policy(**{f: getattr(self, f) for f in Policy.__dataclass_fields__})
