"""loan-matching: financing requests, bank products, automatic matching (银行贷款和中小企业融资的自动对接), quota-aware assignment, offers and loans."""
