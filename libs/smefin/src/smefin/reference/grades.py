"""The SME credit grade scale (适合中小企业特点的评级), best first: one scale for rating and pricing."""

from typing import Literal, get_args

CreditGrade = Literal["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C"]
CREDIT_GRADES: tuple[str, ...] = get_args(CreditGrade)
