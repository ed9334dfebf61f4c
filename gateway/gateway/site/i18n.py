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
    "field.reason": ("理由", "Reason"),
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
    # --- SME: loans, fairs, disputes
    "loans.title": ("我的贷款", "My loans"),
    "loans.outstanding": ("未还本金（元）", "Outstanding (yuan)"),
    "loans.disbursed_at": ("放款日期", "Disbursed on"),
    "loans.extension": ("展期", "Extension"),
    "extension.none": ("未申请", "none"),
    "extension.requested": ("已申请，待银行答复", "asked, awaiting the bank"),
    "extension.granted": ("已同意", "granted"),
    "extension.refused": ("未同意", "refused"),
    "loans.ask_extension": ("申请延长还款期限", "Ask for more time to repay"),
    "loans.ask_extension.submit": ("提交申请", "Ask"),
    "field.extra_months": ("延长月数", "Extra months"),
    "field.extra_months.extension": ("延长月数（1–24）", "Extra months (1–24)"),
    "field.reason.extension": ("申请理由", "Why"),
    "loans.empty.sme": (
        "尚无贷款。接受银行报价并放款后会显示在这里。",
        "No loan yet. A loan shows here once an accepted offer is disbursed.",
    ),
    "fairs.title": ("银企对接会", "Bank-enterprise fairs"),
    "fairs.hint": (
        "报名后由主办方审核；审核通过并排期后可查看您的洽谈日程。",
        "The organizer validates each sign-up; once the meetings are scheduled your agenda shows here.",
    ),
    "fairs.when": ("时间", "When"),
    "fairs.where": ("地点", "Where"),
    "fairs.leagues": ("面向盟市", "For leagues"),
    "fair.draft": ("筹备中", "draft"),
    "fair.published": ("报名中", "open for sign-up"),
    "fair.cancelled": ("已取消", "cancelled"),
    "fair.held": ("已举办", "held"),
    "fairs.mine": ("我的报名", "My sign-up"),
    "fairs.not_registered": ("未报名", "not signed up"),
    "registration.pending": ("待审核", "awaiting validation"),
    "registration.validated": ("已通过", "validated"),
    "registration.rejected": ("未通过", "rejected"),
    "registration.withdrawn": ("已撤回", "withdrawn"),
    "field.note": ("备注（选填）", "Note (optional)"),
    "fairs.register": ("报名参加", "Sign up"),
    "fairs.already": ("您已报名参加这场对接会。", "You are already signed up for this fair."),
    "fairs.agenda": ("我的洽谈日程", "My agenda"),
    "fairs.agenda.empty": ("尚未排定洽谈。", "No meeting scheduled yet."),
    "fairs.empty": ("目前没有可报名的对接会。", "No fair to sign up for at the moment."),
    "fairs.schedule": ("日程状态", "Schedule"),
    "schedule.none": ("尚未排期", "not scheduled yet"),
    "schedule.preliminary": ("初步日程（可能调整）", "preliminary (may change)"),
    "schedule.final": ("最终日程", "final"),
    "fairs.time": ("时段", "Time"),
    "fairs.table": ("桌号", "Table"),
    "fairs.counterpart": ("洽谈对象", "Meeting with"),
    "meeting.scheduled": ("已安排", "scheduled"),
    "meeting.held": ("已洽谈", "held"),
    "meeting.no_show": ("未到场", "no-show"),
    "credit.records.title": ("信用记录", "Records"),
    "credit.records.empty": ("报告中没有记录。", "The report holds no record."),
    "credit.section.credit_records": ("信贷与担保记录", "Loans and guarantees"),
    "credit.section.non_credit_records": (
        "非信贷记录（纳税、社保、水电）",
        "Non-credit records (tax, social insurance, utilities)",
    ),
    "credit.section.public_records": ("公共记录（司法）", "Public records (courts)"),
    "credit.section.operating_figures": ("经营数据", "Operating figures"),
    "source.tax": ("纳税", "tax"),
    "source.social_insurance": ("社保", "social insurance"),
    "source.utilities": ("水电气", "utilities"),
    "source.court": ("司法", "court"),
    "source.loan": ("贷款", "loan"),
    "source.guarantee": ("担保", "guarantee"),
    "source.operating": ("经营", "operating"),
    "credit.negative": ("负面", "negative"),
    "credit.disputed": ("异议处理中", "disputed, being looked at"),
    "credit.dispute": ("对这条记录提出异议", "Dispute this record"),
    "credit.dispute.submit": ("提交异议", "Raise the dispute"),
    "field.reason.dispute": ("异议理由", "Why it is wrong"),
    "credit.dispute.already": ("这条记录已有未处理的异议。", "This record already has an open dispute."),
    "credit.dispute.no_record": ("您的信用档案中没有这条记录。", "There is no such record in your file."),
    "dispute.open": ("处理中", "open"),
    "dispute.resolved": ("已处理", "resolved"),
    # --- bank: products, loans, reports, look-ups
    "bank.edit": ("修改产品", "Edit the product"),
    "bank.edit.save": ("保存修改", "Save the changes"),
    "bank.edit.new_version": (
        "已发布的产品修改后生成新版本，新的匹配按新版本进行。",
        "A published product gets a new version; new matches use it.",
    ),
    "loans.repaid": ("已还清", "Repaid"),
    "loans.repaid.confirm": (
        "确认该笔贷款已全部还清？记录后不能撤销。",
        "Record this loan as fully repaid? This cannot be undone.",
    ),
    "loans.grant": ("同意展期", "Grant the extension"),
    "loans.refuse": ("不同意", "Refuse"),
    "loans.refuse_reason": ("理由", "Reason"),
    "loans.refuse.confirm": (
        "不同意后企业不能再次申请展期。确定吗？",
        "The SME cannot ask again once refused. Refuse?",
    ),
    "reports.title": ("月度信贷报送", "Monthly lending reports"),
    "reports.empty": ("尚未报送月度数据。", "No month reported yet."),
    "reports.reported_at": ("报送时间", "Reported"),
    "reports.enter": ("报送一个月的余额", "Report one month's balances"),
    "reports.enter.submit": ("报送", "Report"),
    "reports.month_conflict": ("该月份已报送。", "That month is already reported."),
    "reports.csv": ("上传CSV文件", "Upload a CSV file"),
    "reports.csv.hint": ("每行一个月，首行为表头：", "One month a line, with this header line:"),
    "reports.csv.file": ("CSV文件", "CSV file"),
    "reports.csv.submit": ("上传", "Upload"),
    "reports.csv.empty": ("请选择一个CSV文件。", "Please choose a CSV file."),
    "reports.csv.big": ("文件太大。", "The file is too large."),
    "reports.csv.line": (
        "第{line}行：{label}不正确（{message}），未保存任何数据。",
        "Line {line}: {label} is not right ({message}); nothing was stored.",
    ),
    "reports.csv.done": ("已保存{n}个月的数据。", "{n} month(s) stored."),
    "field.month": ("月份", "Month"),
    "field.sme_loan_balance": ("小企业贷款余额（元）", "SME-loan balance (yuan)"),
    "field.total_loan_balance": ("全部贷款余额（元）", "Total-loan balance (yuan)"),
    "purpose.choose": ("请选择", "Choose"),
    "purpose.loan_application": ("贷款审批", "loan application"),
    "purpose.credit_line_review": ("授信审查", "credit-line review"),
    "purpose.post_loan_management": ("贷后管理", "post-loan management"),
    "purpose.guarantee_review": ("担保资格审查", "guarantee review"),
    "field.lookup_purpose": ("查询用途", "Purpose of the look-up"),
    "lookup.title": ("信用查询（需企业授权）", "Credit look-up (under consent)"),
    "lookup.hint": (
        "只能查询已授权本行的企业，用途须与授权一致；每次查询都会记入企业的查询记录。",
        "Only enterprises that consented to your bank, for the purpose they consented to; every look-up is logged for the enterprise to see.",
    ),
    "lookup.submit": ("查询", "Look up"),
    "lookup.consents": ("企业给本行的授权", "Consents given to my bank"),
    "lookup.consents.empty": ("尚无企业授权本行查询。", "No enterprise has consented to your bank yet."),
    "lookup.no_consent": (
        "该企业未授权本行按此用途查询（或授权已撤销、过期），查询已被拒绝并记录。",
        "This enterprise has not consented to your bank for this purpose (or the consent was revoked or expired); the look-up was refused and logged.",
    ),
    "lookup.not_found": ("没有这家企业。", "No such enterprise."),
    # --- office: drill-down, capital, fairs
    "office.drill.hint": (
        "点击地图或下表中的盟市查看旗县和园区。",
        "Click a league on the map or in the table for its counties and zones.",
    ),
    "office.shortfall": ("缺口（元）", "Shortfall (yuan)"),
    "office.companies": ("计入的担保机构", "Companies counted"),
    "office.counties": ("旗县（市、区）", "Counties"),
    "office.zones": ("开发区、园区", "Development zones"),
    "office.division": ("名称", "Name"),
    "office.obligated": ("须覆盖", "Obliged"),
    "office.figure": ("指标 / 门槛", "Figure / threshold"),
    "office.counties.empty": ("该盟市没有旗县数据。", "No county figures for this league."),
    "office.zones.empty": ("该盟市没有园区数据。", "No zone figures for this league."),
    "capital.title": ("担保机构资本金来源", "Capital by source"),
    "capital.source": ("来源", "Source"),
    "capital.amount": ("金额（元）", "Amount (yuan)"),
    "capital.regional_special_fund": ("自治区专项资金", "Regional special fund"),
    "capital.league_fund": ("盟市资金", "League funds"),
    "capital.county_matching_fund": ("旗县配套资金", "County matching funds"),
    "capital.private_capital": ("民间资本", "Private capital"),
    "capital.fund_use": (
        "自治区专项资金已使用{used}元，共{total}元（{percent}%）。",
        "Regional fund used: {used} of {total} yuan ({percent}%).",
    ),
    "capital.counties": ("各旗县注资", "Capital per county"),
    "capital.counties.empty": ("尚无旗县注资记录。", "No county injection recorded yet."),
    "capital.regional_only": (
        "资本金来源由自治区金融办查看。",
        "Capital by source is for the regional office.",
    ),
    "ofairs.title": ("各盟市银企对接会（每年至少两场）", "Fairs per league per year (target: two)"),
    "ofairs.year": ("年份", "Year"),
    "ofairs.met": ("达标盟市", "Leagues at target"),
    "ofairs.held": ("已举办", "Held"),
    "ofairs.announced": ("已发布未举办", "Announced"),
    "ofairs.target": ("目标", "Target"),
    "ofairs.regional_only": ("对接会监测由自治区金融办查看。", "Fair monitoring is for the regional office."),
    # --- matching rules: what each checks and what would change a miss (by rule code)
    "rule.amount_min": ("金额不低于产品最低额", "amount at least the product's minimum"),
    "rule.amount_max": ("金额不高于产品最高额", "amount at most the product's maximum"),
    "rule.term": ("期限在产品范围内", "term within the product's range"),
    "rule.league": ("企业所在盟市在产品服务范围内", "enterprise in an eligible league"),
    "rule.industry": ("行业在产品适用行业内", "industry among the product's industries"),
    "rule.size_class": ("企业划型在产品适用范围内", "size class among the product's classes"),
    "rule.min_grade": ("信用评级不低于产品要求", "credit grade at or above the product's minimum"),
    "rule.collateral": ("产品要求抵押时可提供抵押", "collateral offered when the product needs it"),
    "rule.guarantee": ("产品要求担保时接受担保", "a guarantee accepted when the product needs it"),
    "rule.quota": ("产品本期贷款额度尚有余量", "the product's lending quota has room this period"),
    "rule.guarantee_capacity": (
        "有可接受的担保机构尚有担保能力",
        "an accepted guarantee company has capacity for the amount",
    ),
    "fix.amount_min": (
        "金额低于产品最低额{min_amount}元",
        "amount below the product's minimum of {min_amount}",
    ),
    "fix.amount_max": (
        "金额高于产品最高额{max_amount}元",
        "amount above the product's maximum of {max_amount}",
    ),
    "fix.term": ("期限须为{min_term}–{max_term}个月", "term must be {min_term}-{max_term} months"),
    "fix.league": ("该产品只服务盟市{leagues}", "the product serves leagues {leagues} only"),
    "fix.industry": ("该产品只服务行业{industries}", "the product serves industries {industries} only"),
    "fix.size_class": (
        "该产品只服务{size_classes}企业",
        "the product serves {size_classes} enterprises only",
    ),
    "fix.min_grade": ("需要信用评级{min_grade}或以上", "needs a credit grade of {min_grade} or better"),
    "fix.collateral": ("提供抵押即可申请", "eligible with collateral"),
    "fix.guarantee": ("接受担保即可申请", "eligible with a guarantee"),
    "fix.quota": ("该产品本期额度已用完", "the product's quota for this period is used up"),
    "fix.guarantee_capacity": (
        "可接受的担保机构已无足够担保能力",
        "no accepted guarantee company has capacity left for this amount",
    ),
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
    "v.enum": ("请选择{label}。", "Please choose {label}."),
    "v.literal_error": ("请选择{label}。", "Please choose {label}."),
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


def rule_sentence(lang: Lang, kind: str, code: str, values: Mapping[str, Any] | None, fallback: str) -> str:
    """A matching rule's sentence (`kind` "rule": what it checks, "fix": what would change a miss) in
    `lang`, by the rule's code; loan-matching speaks English only, so its own text is the fallback
    for a rule the site does not know yet, or a fix whose figures did not come with it."""
    key = f"{kind}.{code}"
    if key not in WORDS:
        return fallback
    text = WORDS[key][0] if lang == Lang.ZH else WORDS[key][1]
    try:
        return text.format(**{k: str(v) for k, v in (values or {}).items()})
    except (KeyError, IndexError):  # figures missing (a miss recorded before they were sent)
        return fallback


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
    labels: Mapping[str, str] | None = None,
) -> FormErrors:
    """Turn an API error answer into sentences in `lang`: validation errors next to their field, a
    business refusal as a sentence the form knows for that status, else the API's own sentence."""
    out = FormErrors()
    body = body or {}
    errors = body.get("errors")
    if status == 422 and isinstance(errors, list):
        for e in errors:
            # The first part of the path that the form shows (an optional field's path goes on into
            # the union member: "max_amount.decimal"), else the last part.
            parts = str(e.get("field", "body")).split(".")
            name = next((p for p in parts if p in known_fields), parts[-1])
            label = word(lang, labels[name]) if labels and name in labels else label_of(lang, name)
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


# --- the guarantee company's desk (sitea) --------------------------------------------------------
WORDS |= {
    "g.title": ("担保机构工作台", "Guarantee company desk"),
    "g.companies": ("本机构的担保公司", "Your guarantee companies"),
    "g.companies.empty": (
        "尚未登记担保公司。请先登记公司及其注册资本、实收资本和净资产。",
        "No guarantee company registered yet. Register it with its registered and paid-in capital and net assets.",
    ),
    "g.all_companies": ("本机构的全部担保公司", "All your companies"),
    "g.register": ("登记担保公司", "Register a guarantee company"),
    "g.register.hint": (
        "所在盟市和旗县按统一社会信用代码确定；担保能力按净资产的放大倍数计算。",
        "The league and county follow from the credit code; capacity is a multiple of net assets.",
    ),
    "g.register.submit": ("登记", "Register"),
    "field.g_uscc": ("统一社会信用代码", "Unified social credit code"),
    "field.g_name": ("公司名称", "Company name"),
    "field.g_licence_number": ("融资担保业务经营许可证编号", "Licence number"),
    "field.g_registered_capital": ("注册资本（元）", "Registered capital (yuan)"),
    "field.g_paid_in_capital": ("实收资本（元）", "Paid-in capital (yuan)"),
    "field.g_net_assets": ("净资产（元）", "Net assets (yuan)"),
    "field.g_county_code": ("所在旗县代码（可不填）", "County code (optional)"),
    "field.g_league_code": ("所在盟市", "League"),
    "field.g_zone_code": ("开发区", "Development zone"),
    "field.g_owner_org_id": ("所属机构", "Owner organisation"),
    "field.g_ownership": ("所有制", "Ownership"),
    "field.g_serves_small_micro_agri": (
        "主要服务小微企业和“三农”（放大倍数15倍）",
        "Serves mainly small, micro and farm clients (15x leverage)",
    ),
    "field.g_approval_required": ("每笔担保须经本公司审批", "Each guarantee needs our approval first"),
    "field.g_reason": ("拒绝理由", "Reason for declining"),
    "field.g_cancel_reason": ("撤销理由", "Reason for cancelling"),
    "g.ownership.government": ("国有", "government-owned"),
    "g.ownership.private": ("民营", "private"),
    "g.capacity": ("担保能力", "Capacity"),
    "g.net_assets": ("净资产（元）", "Net assets (yuan)"),
    "g.leverage_multiple": ("放大倍数上限", "Leverage limit"),
    "g.capacity_limit": ("在保余额上限（元）", "Outstanding limit (yuan)"),
    "g.outstanding": ("在保余额（元）", "Outstanding (yuan)"),
    "g.remaining": ("剩余担保能力（元）", "Room left (yuan)"),
    "g.leverage": ("当前放大倍数", "Leverage now"),
    "g.leverage.none": ("无（净资产为零）", "none (no net assets)"),
    "g.single_client_limit": ("单一客户上限（元）", "Single-client limit (yuan)"),
    "g.used": ("已用{percent}%", "{percent}% used"),
    "g.capacity.hint": (
        "在保余额不得超过净资产的放大倍数，单一客户不得超过净资产的10%。",
        "Outstanding guarantees stay within the leverage limit; one client within 10% of net assets.",
    ),
    "g.pending": ("待审批的担保申请", "Guarantee requests awaiting your approval"),
    "g.pending.empty": ("暂无待审批的担保申请。", "No request is waiting for your approval."),
    "g.client": ("借款企业", "Borrower"),
    "g.bank": ("贷款银行", "Bank"),
    "g.amount": ("贷款金额（元）", "Loan amount (yuan)"),
    "g.share": ("担保比例", "Share guaranteed"),
    "g.requested": ("申请时间", "Requested"),
    "g.liability": ("担保责任（元）", "Liability (yuan)"),
    "g.status": ("状态", "Status"),
    "g.reason": ("说明", "Why"),
    "g.approve": ("同意担保", "Approve"),
    "g.approve.confirm": (
        "同意后担保即生效并计入在保余额，不能撤回（误签只能撤销）。确定同意吗？",
        "The guarantee is issued at once and counts against your capacity. Approve it?",
    ),
    "g.decline": ("拒绝担保", "Decline"),
    "g.decline.confirm": (
        "拒绝后银行将收到拒绝理由，不能撤销。确定拒绝吗？",
        "The bank is told your reason; this cannot be undone. Decline?",
    ),
    "g.cancel": ("撤销担保", "Cancel"),
    "g.cancel.confirm": (
        "撤销用于纠正误签的担保：责任解除，企业信用记录随之更正，且不能恢复。确定撤销吗？",
        "Cancelling corrects a guarantee issued in error: the liability is released, the SME's credit "
        "record corrected, and it cannot be restored. Cancel it?",
    ),
    "g.outcomes": ("担保及其结果", "Guarantees and their outcomes"),
    "g.outcomes.empty": ("暂无担保记录。", "No guarantee yet."),
    "g.filter": ("按状态", "Status"),
    "g.filter.all": ("全部", "all"),
    "g.filter.apply": ("筛选", "Filter"),
    "gstatus.pending_approval": ("待审批", "awaiting approval"),
    "gstatus.issued": ("已担保", "issued"),
    "gstatus.refused": ("未担保", "refused"),
    "gstatus.released": ("已解除", "released"),
    "gstatus.claimed": ("已代偿", "claimed"),
    "gstatus.cancelled": ("已撤销", "cancelled"),
    "greason.leverage_limit": ("超出放大倍数上限", "above the leverage limit"),
    "greason.single_client_limit": ("超出单一客户上限", "above the single-client limit"),
    "greason.no_net_assets": ("净资产为零", "no net assets"),
    "greason.declined_by_guarantor": ("本公司拒绝", "declined by you"),
    "greason.cancelled": ("已撤销", "cancelled"),
    "greason.company_not_found": ("担保公司未登记", "company not registered"),
    "greason.no_guarantor_named": ("未指定担保公司", "no guarantor named"),
    "g.injections": ("增资记录", "Capital injections"),
    "g.injections.empty": ("尚无增资记录。", "No capital injection recorded yet."),
    "g.injection.new": ("登记增资", "Record a capital injection"),
    "g.injection.submit": ("登记增资", "Record it"),
    "g.injection.of": ("增资 {amount} 元（{source}）", "injection of {amount} yuan ({source})"),
    "field.gi_amount": ("增资金额（元）", "Amount (yuan)"),
    "field.gi_injected_on": ("到账日期", "Paid in on"),
    "field.gi_source": ("资金来源", "Source"),
    "field.gi_note": ("备注", "Note"),
    "source.regional_special_fund": ("自治区20亿元专项资金", "the region's 2bn special fund"),
    "source.league_fund": ("盟市财政资金", "league funds"),
    "source.county_matching_fund": ("旗县配套专项资金", "county matching funds"),
    "source.private_capital": ("民间资本", "private capital"),
    "g.profile": ("公司档案", "Company profile"),
    "g.profile.edit": ("修改档案（每次修改留痕）", "Change the profile (each change is kept)"),
    "g.profile.save": ("保存修改", "Save the changes"),
    "g.league": ("盟市 / 旗县 / 开发区", "League / county / zone"),
    "g.version": ("档案版本", "Version"),
    "g.yes": ("是", "yes"),
    "g.no": ("否", "no"),
    "g.history": ("档案变更记录", "Audited history"),
    "g.history.empty": ("暂无变更记录。", "No change recorded yet."),
    "gaction.registered": ("登记", "registered"),
    "gaction.updated": ("修改", "changed"),
    "gaction.capital_injected": ("增资", "capital injected"),
    "gaction.guarantee_cancelled": ("撤销担保", "guarantee cancelled"),
    "gaction.guarantee_claimed": ("代偿", "guarantee claimed"),
    "field.g_outstanding": ("在保余额（元）", "Outstanding (yuan)"),
    "field.g_version": ("档案版本", "Version"),
    "field.g_guarantee": ("担保", "Guarantee"),
    "o.run.meetings": ("洽谈数", "Meetings"),
    "g.error.company_conflict": (
        "该统一社会信用代码的担保公司已登记。",
        "A guarantee company with this credit code is already registered.",
    ),
    "g.error.future": ("到账日期不能晚于今天。", "The date cannot be in the future."),
    "g.error.fund_left": (
        "自治区专项资金仅剩 {left} 元，请减少金额或选择其他来源。",
        "The region's special fund has only {left} yuan left; lower the amount or pick another source.",
    ),
    "g.error.county_needed": (
        "旗县配套资金须有所在旗县，请先在档案中填写旗县。",
        "County matching funds need the company's county; add it to the profile first.",
    ),
    "g.error.paid_in": ("实收资本不能超过注册资本。", "Paid-in capital cannot exceed registered capital."),
    "g.error.county_league": (
        "该旗县不在统一社会信用代码所示的盟市。",
        "That county is not in the league the credit code names.",
    ),
    "g.error.county_unknown": ("没有这个旗县代码。", "There is no such county code."),
    "g.error.decided": (
        "这笔担保已处理过，下面显示的是它现在的结果。",
        "This guarantee was already decided; its outcome is shown below.",
    ),
    "g.error.not_issued": ("只有已生效的担保可以撤销。", "Only an issued guarantee can be cancelled."),
}


# --- the fair organizer's desk (sitea) -----------------------------------------------------------
WORDS |= {
    "o.title": ("银企对接会工作台", "Fair organizer desk"),
    "o.fairs": ("我组织的对接会", "Your fairs"),
    "o.fairs.empty": ("尚未创建对接会。用下面的表格起草第一场。", "No fair yet. Draft the first one below."),
    "o.new": ("起草对接会", "Draft a fair"),
    "o.new.hint": (
        "起草后可修改；发布后企业和银行即可报名。政策要求每个盟市每年至少举办两场。",
        "A draft can still change; once announced, SMEs and banks register. Each league should hold two a year.",
    ),
    "o.new.submit": ("保存草稿", "Save the draft"),
    "o.times.hint": (
        "时间为北京时间；第二场可不填。",
        "Times are Beijing time; the second session is optional.",
    ),
    "field.fair_name": ("对接会名称", "Fair name"),
    "field.fair_leagues": ("面向盟市", "Leagues"),
    "field.fair_industries": (
        "重点行业（代码，逗号分隔，空为不限）",
        "Industries (codes, comma-separated, empty for any)",
    ),
    "field.fair_venue": ("会场", "Venue"),
    "field.fair_online_url": ("线上会议链接", "Online link"),
    "field.fair_date": ("日期", "Date"),
    "field.fair_s1_start": ("上午场开始", "Session 1 starts"),
    "field.fair_s1_end": ("上午场结束", "Session 1 ends"),
    "field.fair_s2_start": ("下午场开始", "Session 2 starts"),
    "field.fair_s2_end": ("下午场结束", "Session 2 ends"),
    "field.fair_slot_minutes": ("每场洽谈（分钟）", "Meeting length (minutes)"),
    "field.fair_tables": ("洽谈桌数", "Tables"),
    "field.fair_close_at": ("洽谈预约截止（可不填）", "Meeting requests close (optional)"),
    "field.fair_auto_accept": ("截止时未答复的预约自动接受", "Accept unanswered requests when they close"),
    "field.fair_intention_amount": ("意向金额（元）", "Intended amount (yuan)"),
    "o.when": ("时间", "When"),
    "o.where": ("地点", "Where"),
    "o.status": ("状态", "Status"),
    "o.schedule_status": ("日程", "Schedule"),
    "o.industries": ("重点行业", "Industries"),
    "o.slots": ("洽谈时段", "Slots"),
    "o.slots.of": ("{n}个时段，每段{m}分钟，{tables}张桌", "{n} slots of {m} minutes, {tables} tables"),
    "fstatus.draft": ("草稿", "draft"),
    "fstatus.published": ("已发布", "announced"),
    "fstatus.cancelled": ("已取消", "cancelled"),
    "fstatus.held": ("已举办", "held"),
    "sstatus.none": ("尚未编排", "not yet made"),
    "sstatus.preliminary": ("初步日程", "preliminary"),
    "sstatus.final": ("正式日程", "final"),
    "rstatus.pending": ("待审核", "to validate"),
    "rstatus.validated": ("已通过", "validated"),
    "rstatus.rejected": ("未通过", "rejected"),
    "rstatus.withdrawn": ("已退出", "withdrawn"),
    "mstatus.scheduled": ("已安排", "scheduled"),
    "mstatus.held": ("已洽谈", "held"),
    "mstatus.no_show": ("未到场", "no-show"),
    "msource.request": ("双方预约", "requested"),
    "msource.pinned": ("手工安排", "pinned"),
    "msource.recommended": ("系统推荐", "recommended"),
    "role.sme": ("企业", "SME"),
    "role.bank": ("银行", "Bank"),
    "o.publish": ("发布", "Announce"),
    "o.publish.confirm": (
        "发布后对接会公开，企业和银行可以报名，之后不能再修改（只能取消）。确定发布吗？",
        "Once announced the fair is public and open for registration, and can no longer be edited (only cancelled). Announce it?",
    ),
    "o.cancel": ("取消对接会", "Cancel the fair"),
    "o.cancel.confirm": (
        "取消后对接会不能恢复，报名和日程作废。确定取消吗？",
        "A cancelled fair cannot be restored; registrations and the schedule lapse. Cancel it?",
    ),
    "o.close": ("确认已举办并结束", "Close as held"),
    "o.close.confirm": (
        "结束后计入盟市年度场次，不能再记录洽谈结果。确定结束吗？",
        "The fair then counts towards its leagues' yearly target and no more outcomes can be recorded. Close it?",
    ),
    "o.edit": ("修改草稿", "Edit the draft"),
    "o.edit.submit": ("保存修改", "Save the changes"),
    "o.invitations": ("邀请", "Invitations"),
    "o.invitations.hint": (
        "按面向盟市和行业，邀请有在途融资需求的企业和与之匹配的银行；可重复执行。",
        "Invites every SME with an open financing request in scope and every bank matched to one; repeatable.",
    ),
    "o.invite": ("按匹配结果邀请", "Invite from live matches"),
    "o.invitations.empty": ("尚未邀请。", "Nobody invited yet."),
    "o.role": ("类型", "Kind"),
    "o.participant": ("参会方", "Participant"),
    "o.matches": ("匹配数", "Matches"),
    "o.best_score": ("最高匹配分", "Best score"),
    "o.why": ("邀请理由", "Why"),
    "o.registrations": ("报名审核", "Registrations to validate"),
    "o.registrations.empty": ("尚无报名。", "No registration yet."),
    "o.registrations.draft": ("发布后开放报名。", "Registration opens once the fair is announced."),
    "o.tables": ("洽谈桌", "Tables"),
    "o.tables.asked": ("申请{n}张", "{n} asked"),
    "o.checked_in": ("签到", "Checked in"),
    "o.validate": ("通过", "Validate"),
    "o.reject": ("不通过", "Reject"),
    "o.reject.confirm": (
        "不通过后该报名不能恢复。确定吗？",
        "A rejected registration cannot be restored. Reject it?",
    ),
    "o.check_in": ("签到", "Check in"),
    "o.agenda": ("日程", "Agenda"),
    "o.agenda.of": ("{who}的洽谈日程", "Agenda of {who}"),
    "o.agenda.empty": ("尚未安排洽谈。", "No meeting scheduled yet."),
    "o.schedule": ("洽谈日程编排", "The scheduler"),
    "o.schedule.hint": (
        "已接受的预约和手工安排保持不变，其余按匹配分安排一对一洽谈，不重复占用时段，不超出银行接待能力。",
        "Accepted requests and pinned meetings stay; the rest are placed one to one by match score, with no double booking and within each bank's capacity.",
    ),
    "o.solve": ("编排初步日程", "Make a preliminary schedule"),
    "o.close_requests": ("截止洽谈预约", "Close meeting requests now"),
    "o.close_requests.confirm": (
        "截止后未答复的预约将失效（或按设置自动接受），不能恢复。确定截止吗？",
        "Unanswered requests then lapse (or are accepted, as set) and this cannot be undone. Close requests?",
    ),
    "o.final": ("发布正式日程", "Publish the final schedule"),
    "o.final.confirm": (
        "正式日程将发送给每位参会方。确定发布吗？",
        "The final schedule goes out to every participant. Publish it?",
    ),
    "o.run": ("编排", "Solve"),
    "o.gap": ("最优差距", "Gap to optimum"),
    "o.seconds": ("用时（秒）", "Seconds"),
    "o.runs.empty": ("尚未编排日程。", "No schedule made yet."),
    "o.meetings": ("洽谈安排与结果", "Meetings and outcomes"),
    "o.meetings.empty": (
        "尚无洽谈安排。审核报名后编排日程。",
        "No meeting yet. Validate registrations, then run the scheduler.",
    ),
    "o.time": ("时间", "Time"),
    "o.table": ("桌号", "Table"),
    "o.score": ("匹配分", "Score"),
    "o.source": ("来源", "Source"),
    "o.held": ("已洽谈", "Held"),
    "o.no_show": ("未到场", "No-show"),
    "o.no_show.confirm": (
        "记录为未到场后不能更改。确定吗？",
        "A no-show cannot be changed afterwards. Record it?",
    ),
    "o.intention": ("记录签约意向", "Record the signed intention"),
    "o.intention.signed": ("签约意向 {amount} 元", "intention signed: {amount} yuan"),
    "o.report": ("对接会成效", "What the fair achieved"),
    "o.report.participants": ("参会方", "Participants"),
    "o.report.counts": ("企业{smes}家，银行{banks}家", "{smes} SMEs, {banks} banks"),
    "o.report.meetings": ("洽谈", "Meetings"),
    "o.report.meetings.of": (
        "安排{scheduled}场，已洽谈{held}场，未到场{no_shows}场",
        "{scheduled} scheduled, {held} held, {no_shows} no-shows",
    ),
    "o.report.intentions": ("签约意向", "Signed intentions"),
    "o.report.intentions.of": ("{n}笔，共{amount}元", "{n}, {amount} yuan in all"),
    "o.report.loans": ("90天内放款", "Loans within 90 days"),
    "o.report.csv": ("下载逐场明细（CSV）", "Download the meetings (CSV)"),
    "o.error.date": ("请选择对接会日期。", "Choose the fair's date."),
    "o.error.venue": ("请填写会场或线上会议链接。", "Give a venue or an online link."),
    "o.error.past": (
        "对接会不能早于现在，请选择以后的日期。",
        "The fair cannot start in the past; choose a later date.",
    ),
    "o.error.order": ("结束时间须晚于开始时间。", "A session must end after it starts."),
    "o.error.short": (
        "这一场不足一个{m}分钟的洽谈时段。",
        "This session is shorter than one {m}-minute meeting.",
    ),
    "o.error.long": ("一场不能超过12小时。", "A session cannot be longer than 12 hours."),
    "o.error.overlap": ("下午场须在上午场结束后开始。", "Session 2 must start after session 1 ends."),
    "o.error.slots": (
        "时段超过{max}个，请延长每场洽谈时间或减少场次。",
        "More than {max} slots; use longer meetings or fewer sessions.",
    ),
    "o.error.close_at": (
        "预约截止须在现在之后、对接会开始之前。",
        "Requests must close after now and no later than the start.",
    ),
    "o.error.leagues": ("请至少选择一个盟市。", "Choose at least one league."),
    "o.error.started": (
        "对接会开始时间已过，请先把日期改到以后。",
        "The fair's start has passed; move it to a later date first.",
    ),
    "o.error.close_final": (
        "请先发布正式日程，再结束对接会。",
        "Publish the final schedule before closing the fair.",
    ),
    "o.error.close_none": (
        "尚无记录为已洽谈的洽谈，请先记录结果。",
        "No meeting is recorded as held yet; record outcomes first.",
    ),
    "o.error.cancel_held": (
        "已有洽谈举行，不能取消，请结束对接会。",
        "Meetings have taken place; close the fair instead.",
    ),
    "o.error.schedule_fixed": (
        "已有洽谈举行，日程不能再改。",
        "Meetings have taken place; the schedule is fixed.",
    ),
    "o.error.pending_requests": (
        "还有{n}个洽谈预约未答复，请先截止洽谈预约。",
        "{n} meeting request(s) are unanswered; close meeting requests first.",
    ),
    "o.error.check_in": (
        "请先为{who}签到，再记录为已洽谈。",
        "Check in {who} before recording the meeting as held.",
    ),
    "o.error.not_final": (
        "正式日程发布后才能记录洽谈结果。",
        "Outcomes are recorded once the final schedule is out.",
    ),
    "o.error.tables": (
        "会场只剩{free}张空桌，该银行申请{asked}张：请增加桌数或不予通过。",
        "The venue has {free} free table(s) and this bank asks for {asked}; add tables or reject it.",
    ),
    "o.error.recorded": ("这场洽谈的结果已经记录。", "This meeting's outcome is already recorded."),
    "o.error.intention_exists": (
        "这场洽谈已记录签约意向。",
        "An intention is already recorded for this meeting.",
    ),
    "o.error.intention_held": (
        "只有已洽谈的洽谈可以记录签约意向。",
        "An intention is recorded for a held meeting only.",
    ),
    "o.error.decided": ("这份报名已审核过。", "This registration was already decided."),
    "o.error.not_validated": ("只有审核通过的参会方可以签到。", "Only validated participants check in."),
    "o.error.status": ("对接会当前状态下不能这样操作。", "The fair's present state does not allow this."),
    "v.datetime_parsing": ("{label}的日期或时间不正确。", "{label} is not a valid date and time."),
    "v.datetime_from_date_parsing": ("{label}的日期或时间不正确。", "{label} is not a valid date and time."),
    "v.timezone_aware": ("{label}的日期或时间不正确。", "{label} is not a valid date and time."),
    "v.literal_error": ("{label}不在可选范围内。", "{label} is not one of the choices."),
    "v.decimal_parsing": ("{label}须为数字。", "{label} must be a number."),
    "v.decimal_max_places": ("{label}最多两位小数。", "{label} has at most two decimals."),
}
