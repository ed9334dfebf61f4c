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
