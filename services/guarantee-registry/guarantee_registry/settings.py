"""guarantee-registry settings (env prefix GUARANTEE_REGISTRY_)."""

from decimal import Decimal

from pydantic_settings import SettingsConfigDict

from guarantee_registry.domain.rules import Policy
from smefin.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the guarantee-registry service; the policy figures are configurable, yuan."""

    model_config = SettingsConfigDict(env_prefix="GUARANTEE_REGISTRY_", env_file=".env", extra="ignore")

    service_name: str = "guarantee-registry"
    # Outstanding guarantee liability ≤ multiple × net assets (放大倍数).
    leverage_multiple: Decimal = Decimal("10")
    # Companies mainly serving small, micro and agricultural clients may go further.
    leverage_multiple_small_micro: Decimal = Decimal("15")
    # One client's liability ≤ this share of net assets.
    single_client_ratio: Decimal = Decimal("0.10")
    # Default risk split, percent borne by the guarantor (the bank bears the rest).
    default_guarantor_share: Decimal = Decimal("80")
    # 自治区筹措20亿元专项用于信用担保机构资本金投入.
    regional_fund_total: Decimal = Decimal("2000000000")
    # 注册资金1亿元以上 for leagues, qualifying counties and zones.
    target_registered_capital: Decimal = Decimal("100000000")
    county_fiscal_revenue_threshold: Decimal = Decimal("5000000000")
    zone_annual_sales_threshold: Decimal = Decimal("10000000000")
    # 中小企业信用担保风险资金 (2011 plan: 20M yuan a year) and the share of a start-up micro loan
    # claim it reimburses the guarantor.
    risk_compensation_fund_total: Decimal = Decimal("20000000")
    risk_compensation_ratio: Decimal = Decimal("0.50")
    # Offers without an explicit start-up micro loan flag count as one up to this amount.
    startup_micro_loan_max: Decimal = Decimal("300000")

    def policy(self) -> Policy:
        """The policy figures the domain rules use."""
        return Policy(**{f: getattr(self, f) for f in Policy.__dataclass_fields__})
