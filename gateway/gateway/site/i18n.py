"""The site's words in Chinese (the default) and English, and the API's refusals turned into a sentence
in the person's language next to the field that caused them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Lang(StrEnum):
    """The languages of the site; Chinese first (the policy's own language)."""

    ZH = "zh"
    EN = "en"


LANG_COOKIE = "smefin_lang"

# One entry per key: (Chinese, English). Kept in one table so a missing translation is visible.
WORDS: dict[str, tuple[str, str]] = {
    "site.title": ("内蒙古中小企业融资对接平台", "Inner Mongolia SME financing platform"),
    "lang.switch": ("English", "中文"),
    "nav.home": ("首页", "Home"),
    "nav.login": ("登录", "Log in"),
    "nav.logout": ("退出", "Log out"),
    "nav.signup": ("企业注册", "SME sign-up"),
    "login.title": ("登录", "Log in"),
    "login.submit": ("登录", "Log in"),
    "login.no_account": ("还没有账号？企业可自行注册", "No account yet? An SME can sign itself up"),
    "signup.title": ("中小企业注册", "Sign up your enterprise"),
    "signup.submit": ("注册并登录", "Sign up and log in"),
    "signup.hint": (
        "使用营业执照上的18位统一社会信用代码。",
        "Use the 18-character unified social credit code on the business licence.",
    ),
    "field.email": ("邮箱", "Email"),
    "field.password": ("密码", "Password"),
    "field.uscc": ("统一社会信用代码", "Unified social credit code"),
    "field.enterprise_name": ("企业名称", "Enterprise name"),
    "field.name": ("企业名称", "Enterprise name"),
    "field.display_name": ("联系人姓名", "Your name"),
    "field.county_code": ("所在旗县（市、区）", "County"),
    "field.industry": ("行业代码（国民经济行业分类）", "Industry code (GB/T 4754)"),
    "field.employees": ("从业人员（人）", "Employees"),
    "field.revenue": ("营业收入（万元）", "Revenue (10,000 yuan)"),
    "field.assets": ("资产总额（万元）", "Total assets (10,000 yuan)"),
    "field.amount": ("融资金额（元）", "Amount (yuan)"),
    "field.term_months": ("期限（月）", "Term (months)"),
    "field.purpose": ("资金用途", "Purpose"),
    "field.collateral_available": ("可提供抵押", "Collateral available"),
    "field.accepts_guarantee": ("接受担保", "Accepts a guarantee"),
    "field.body": ("表单", "Form"),
    "sme.title": ("企业工作台", "Enterprise desk"),
    "sme.profile": ("企业档案", "Enterprise profile"),
    "sme.register": ("登记企业档案", "Register the enterprise profile"),
    "sme.register.hint": (
        "登记后系统按《中小企业划型标准规定》划型，并据此为您匹配贷款产品。",
        "Once registered, the enterprise is classified under the SME size standard and matched with loan products.",
    ),
    "sme.register.submit": ("登记", "Register"),
    "sme.size_class": ("企业划型", "Size class"),
    "sme.size_reasons": ("划型依据", "Why this class"),
    "sme.league": ("所在盟市", "League"),
    "sme.requests": ("融资需求", "Financing requests"),
    "sme.requests.empty": ("尚未提交融资需求。", "No financing request yet."),
    "sme.request.new": ("提交融资需求", "Submit a financing need"),
    "sme.request.submit": ("提交", "Submit"),
    "sme.request.waiting": (
        "企业档案正在同步到匹配服务，请稍候再提交。",
        "Your profile is still reaching the matching service; submit again in a moment.",
    ),
    "sme.request.status": ("状态", "Status"),
    "sme.request.open": ("查看匹配", "See matches"),
    "sme.request.withdraw": ("撤回需求", "Withdraw the request"),
    "sme.request.withdraw.confirm": (
        "撤回后银行将不再看到这条需求，且不能恢复。确定撤回吗？",
        "Banks will no longer see this request and it cannot be restored. Withdraw it?",
    ),
    "sme.matches": ("匹配的贷款产品（按综合排序）", "Matched loan products (ranked)"),
    "sme.matches.empty": ("暂无匹配结果。", "No match yet."),
    "sme.matches.pending": ("正在匹配，页面会自动刷新……", "Matching; this panel refreshes by itself…"),
    "sme.match.rank": ("排名", "Rank"),
    "sme.match.bank": ("银行", "Bank"),
    "sme.match.rate": ("参考利率（年化%）", "Indicative rate (% a year)"),
    "sme.match.odds": ("预计获批概率", "Approval odds"),
    "sme.match.reasons": ("匹配理由", "Reasons"),
    "reason.met": ("满足", "met"),
    "reason.not_met": ("不满足", "not met"),
    "reason.unknown": ("未知", "unknown"),
    "status.open": ("待匹配", "open"),
    "status.submitted": ("已提交，匹配中", "submitted"),
    "status.no_match": ("暂无匹配", "no match"),
    "status.matching": ("匹配中", "matching"),
    "status.matched": ("已匹配", "matched"),
    "status.unmatched": ("暂无匹配", "no match"),
    "status.withdrawn": ("已撤回", "withdrawn"),
    "status.offered": ("已获报价", "offered"),
    "status.accepted": ("已接受报价", "offer accepted"),
    "status.disbursed": ("已放款", "disbursed"),
    "status.repaid": ("已还清", "repaid"),
    "status.proposed": ("待银行处理", "with the bank"),
    "status.declined": ("银行已拒绝", "declined"),
    "status.expired": ("已过期", "expired"),
    "size.micro": ("微型企业", "micro"),
    "size.small": ("小型企业", "small"),
    "size.medium": ("中型企业", "medium"),
    "size.large": ("大型企业", "large"),
    "status.made": ("待接受", "awaiting your answer"),
    "status.queued": ("排队中", "queued"),
    "status.pending_guarantee": ("待担保", "awaiting a guarantee"),
    "status.defaulted": ("已违约", "defaulted"),
    "product.draft": ("草稿", "draft"),
    "product.published": ("已发布", "published"),
    "product.withdrawn": ("已下架", "withdrawn"),
    "kind.credit_only": ("信用贷款", "credit only"),
    "kind.guaranteed": ("担保贷款", "guaranteed"),
    "kind.collateralised": ("抵押贷款", "collateralised"),
    "kind.startup_micro_guaranteed": ("创业担保贷款", "start-up guaranteed micro loan"),
    "sme.offers": ("银行报价", "Offers from banks"),
    "sme.offer.accept": ("接受报价", "Accept this offer"),
    "sme.offer.accept.confirm": (
        "接受后其他报价将自动撤回，且不能撤销。确定接受吗？",
        "The other offers are withdrawn and this cannot be undone. Accept this offer?",
    ),
    "bank.title": ("银行工作台", "Bank desk"),
    "bank.matches": ("待处理的匹配需求", "Incoming matches"),
    "bank.matches.empty": ("暂无匹配需求。", "No incoming match yet."),
    "bank.requester": ("申请企业", "Requester"),
    "bank.anonymous": ("匿名（企业授权前不显示）", "anonymous until the SME consents"),
    "bank.deadline": ("处理截止", "Decide by"),
    "bank.offer_rate": ("利率（年化%）", "Rate (% a year)"),
    "bank.offer": ("发出报价", "Make an offer"),
    "bank.decline": ("拒绝", "Decline"),
    "bank.decline_reason": ("拒绝理由", "Reason"),
    "bank.decline.confirm": ("拒绝后不能撤销。确定拒绝吗？", "A decline cannot be undone. Decline?"),
    "bank.offers": ("已发出的报价", "Offers made"),
    "bank.offers.empty": ("尚未发出报价。", "No offer made yet."),
    "bank.disburse": ("放款", "Disburse"),
    "bank.disburse.confirm": ("确认已按报价放款？", "Record the loan as disbursed on these terms?"),
    "bank.loans": ("贷款", "Loans"),
    "bank.loans.empty": ("尚无贷款。", "No loan yet."),
    "bank.products": ("贷款产品", "Loan products"),
    "bank.products.empty": ("尚未创建贷款产品。", "No product yet."),
    "bank.product_name": ("产品名称", "Product"),
    "bank.kind": ("产品类型", "Kind"),
    "bank.range": ("金额 / 期限", "Amount / term"),
    "bank.base_rate": ("基准利率%", "Base rate %"),
    "bank.publish": ("发布", "Publish"),
    "bank.withdraw": ("下架", "Withdraw"),
    "bank.withdraw.confirm": (
        "下架后该产品不再参与匹配。确定下架吗？",
        "The product stops being matched. Withdraw it?",
    ),
    "bank.product.new": ("新建贷款产品（草稿）", "New loan product (draft)"),
    "bank.product.create": ("保存草稿", "Save the draft"),
    "bank.keys": ("接口密钥（API Key）", "API keys"),
    "bank.key.once": ("请立即复制，此密钥只显示这一次：", "Copy it now; this key is shown only once:"),
    "bank.key.name": ("密钥名称", "Key name"),
    "bank.key.scopes": ("权限", "Scopes"),
    "bank.key.expires": ("到期", "Expires"),
    "bank.key.revoked": ("已吊销", "revoked"),
    "bank.key.revoke": ("吊销", "Revoke"),
    "bank.key.revoke.confirm": (
        "吊销后使用该密钥的系统将立即无法访问。确定吊销吗？",
        "Systems using this key lose access at once. Revoke it?",
    ),
    "bank.key.create": ("创建密钥", "Create a key"),
    "field.kind": ("产品类型", "Kind"),
    "field.min_amount": ("最低金额（元）", "Minimum amount (yuan)"),
    "field.max_amount": ("最高金额（元）", "Maximum amount (yuan)"),
    "field.min_term_months": ("最短期限（月）", "Shortest term (months)"),
    "field.max_term_months": ("最长期限（月）", "Longest term (months)"),
    "field.base_rate": ("基准利率（年化%）", "Base rate (% a year)"),
    "field.industries": ("适用行业（逗号分隔，空为不限）", "Industries (comma-separated, empty for any)"),
    "field.scopes": ("权限", "Scopes"),
    "field.reason": ("拒绝理由", "Reason"),
    "field.rate": ("利率", "Rate"),
    "v.too_short": ("请至少选择一项{label}。", "Choose at least one of {label}."),
    "credit.title": ("信用报告与授权", "Credit report and consents"),
    "credit.link": ("信用报告、查询记录与授权", "Credit report, look-ups and consents"),
    "credit.report": ("信用报告", "Credit report"),
    "credit.report.empty": ("暂无信用报告。", "No credit report yet."),
    "credit.grade": ("信用评级", "Rating"),
    "credit.no_rating": ("尚未评级", "not rated yet"),
    "credit.records": ("信用记录条数", "Records"),
    "credit.generated": ("生成时间", "Generated"),
    "credit.disputes": ("异议", "Disputes"),
    "credit.disputes.empty": ("没有异议。", "No dispute."),
    "credit.lookups": ("谁查询过我的信用信息", "Who looked at my credit information"),
    "credit.lookups.empty": ("尚无查询记录。", "Nobody has looked yet."),
    "credit.when": ("时间", "When"),
    "credit.who": ("查询机构", "Who"),
    "credit.allowed": ("是否获准", "Allowed"),
    "credit.consents": ("我的授权", "My consents"),
    "credit.consents.empty": ("尚未授权任何银行查询。", "No bank may look yet."),
    "credit.grant": ("授权银行查询信用信息", "Let a bank look at my credit information"),
    "credit.grant.submit": ("授权", "Grant"),
    "credit.revoke": ("撤销授权", "Revoke"),
    "credit.revoke.confirm": (
        "撤销后该银行将立即无法查询您的信用信息。确定撤销吗？",
        "The bank can no longer look at once. Revoke this consent?",
    ),
    "consent.granted": ("有效", "granted"),
    "consent.revoked": ("已撤销", "revoked"),
    "consent.expired": ("已过期", "expired"),
    "field.bank_org_id": ("银行机构代码", "Bank (organisation id)"),
    "field.valid_until": ("有效期至", "Valid until"),
    "office.title": ("金融办监测", "Financial office monitoring"),
    "office.map": (
        "各盟市信用担保体系覆盖（按达标情况着色）",
        "Credit-guarantee coverage per league (coloured by compliance)",
    ),
    "office.met": ("达标", "met"),
    "office.partial": ("盟市达标、旗县/园区有缺口", "league met, counties/zones short"),
    "office.unmet": ("未达标", "not met"),
    "office.leagues_met": ("达标盟市", "Leagues met"),
    "office.csv": ("下载CSV", "Download CSV"),
    "office.growth": (
        "各银行小企业贷款增速与全部贷款增速",
        "SME-loan growth against total-loan growth per bank",
    ),
    "office.growth.empty": ("该期间尚无银行报送月度数据。", "No bank reported months in this period yet."),
    "office.from": ("起始月", "From"),
    "office.to": ("截止月", "To"),
    "office.show": ("查看", "Show"),
    "office.faster": ("小企业贷款增速高于全部贷款增速", "SME loans grew faster"),
    "office.yes": ("是", "yes"),
    "office.no": ("否", "no"),
    "office.sme_growth": ("小企业贷款增速%", "SME-loan growth %"),
    "office.total_growth": ("全部贷款增速%", "Total-loan growth %"),
    "home.none": (
        "您的机构类型的页面尚在建设中；可使用开放接口文档。",
        "Pages for your kind of organisation are still being built; the API documentation is open to you.",
    ),
    "error.title": ("出错了", "Something went wrong"),
    "error.back": ("返回首页", "Back to the start"),
    "error.not_found": ("没有这个页面。", "There is no such page."),
    "error.forbidden": ("您的账号无权查看这一页。", "Your account may not see this page."),
    "error.unavailable": (
        "服务暂时不可用，请稍后再试。",
        "A service is unavailable for the moment; please try again shortly.",
    ),
    "error.session": ("登录已过期，请重新登录。", "Your session has ended; please log in again."),
    "error.bad_credentials": ("邮箱或密码不正确。", "The email or password is not right."),
    "error.locked": (
        "连续输错密码次数过多，账号已暂时锁定，请稍后再试。",
        "Too many wrong passwords: the account is locked for a while; try again later.",
    ),
    "error.rate_limited": ("操作过于频繁，请稍后再试。", "Too many attempts; please wait a moment."),
    "error.signup_conflict": (
        "该统一社会信用代码或邮箱已注册，请直接登录。",
        "This credit code or email is already registered; please log in.",
    ),
    "error.enterprise_conflict": ("企业档案已登记。", "The enterprise profile is already registered."),
    "error.cross_site": ("请求来自其他网站，已拒绝。", "A request from another site was refused."),
    "error.generic": ("操作未成功：", "That did not work: "),
    # Field-level sentences by pydantic error type; {label} is the field's name in the same language.
    "v.missing": ("请填写{label}。", "Please fill in {label}."),
    "v.string_too_short": ("{label}太短。", "{label} is too short."),
    "v.string_too_long": ("{label}太长。", "{label} is too long."),
    "v.string_pattern_mismatch": ("{label}的格式不正确。", "{label} is not in the expected format."),
    "v.int_parsing": ("{label}须为整数。", "{label} must be a whole number."),
    "v.int_type": ("{label}须为整数。", "{label} must be a whole number."),
    "v.greater_than_equal": ("{label}太小。", "{label} is too small."),
    "v.less_than_equal": ("{label}太大。", "{label} is too large."),
    "v.greater_than": ("{label}太小。", "{label} is too small."),
    "v.less_than": ("{label}太大。", "{label} is too large."),
    "v.value_error": ("{label}不正确，请核对（{message}）。", "{label} is not right: {message}"),
    "v.other": ("{label}不正确，请核对（{message}）。", "{label} is not right: {message}"),
}


def word(lang: Lang, key: str, **values: Any) -> str:
    """The text of `key` in `lang` (the key itself when missing, so a gap shows rather than breaks)."""
    pair = WORDS.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == Lang.ZH else pair[1]
    return text.format(**values) if values else text


def label_of(lang: Lang, name: str) -> str:
    """A field's name in `lang`; the API's own name for a field no form shows."""
    key = f"field.{name}"
    return word(lang, key) if key in WORDS else name


def pick_lang(cookie: str | None, accept_language: str | None) -> Lang:
    """The person's choice (cookie) first; otherwise Chinese unless the browser asks for English first."""
    if cookie in (Lang.ZH, Lang.EN):
        return Lang(cookie)
    if accept_language and accept_language.strip().lower().startswith("en"):
        return Lang.EN
    return Lang.ZH


@dataclass
class FormErrors:
    """The API's refusal of a form: one sentence per field, and those that belong to no field."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


def form_errors(
    lang: Lang,
    status: int,
    body: Mapping[str, Any] | None,
    *,
    known_fields: frozenset[str],
    by_status: Mapping[int, str] | None = None,
) -> FormErrors:
    """Turn an API error answer into sentences in `lang`: validation errors next to their field, a
    business refusal as a sentence the form knows for that status, else the API's own sentence."""
    out = FormErrors()
    body = body or {}
    errors = body.get("errors")
    if status == 422 and isinstance(errors, list):
        for e in errors:
            name = str(e.get("field", "body")).split(".")[-1]
            label = label_of(lang, name)
            kind = str(e.get("type") or "other")
            key = f"v.{kind}" if f"v.{kind}" in WORDS else "v.other"
            sentence = word(lang, key, label=label, message=str(e.get("message", ""))[:200])
            if name in known_fields:
                out.fields.setdefault(name, sentence)
            else:
                out.general.append(sentence)
        if out:
            return out
    # A business rule about one field says so in its detail: "valid_until: at most three years ahead".
    detail = str(body.get("detail") or "")
    name, sep, message = detail.partition(": ")
    if sep and name in known_fields and status in (400, 409, 422):
        out.fields[name] = word(lang, "v.other", label=label_of(lang, name), message=message[:200])
        return out
    if by_status and status in by_status:
        out.general.append(word(lang, by_status[status]))
        return out
    common = {401: "error.session", 403: "error.forbidden", 423: "error.locked", 429: "error.rate_limited"}
    if status in common:
        out.general.append(word(lang, common[status]))
    elif status >= 500:
        out.general.append(word(lang, "error.unavailable"))
    else:
        detail = str(body.get("detail") or "")[:300]
        out.general.append(word(lang, "error.generic") + detail)
    return out
