"""credit-info: the SME basic database (中小企业基础数据库), credit records, consent, audit, ratings."""
