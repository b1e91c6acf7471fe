"""What the demo city is made of: the kinds of shop (kinds.py), how many of each, the demo owner's
shop and the customers' names. Prices are CNY as Decimal strings."""

from __future__ import annotations

from o2o.demo.kinds import BY_KEY, KINDS, REPLIES, DealTemplate, Kind, band

__all__ = ["BY_KEY", "KINDS", "REPLIES", "DealTemplate", "Kind", "band"]

# Share of merchants per category (the rest of the city is restaurants); within a category, Kind.weight.
WEIGHTS = {"restaurant": 40, "renovation": 9, "printing": 9, "training": 10, "estate": 8, "hardware": 8,
           "salon": 12, "other": 5}


def kinds_of(category: str) -> list[Kind]:
    return [k for k in KINDS if k.category == category]


def name_forms(zh: str, en: str) -> tuple[str, str, str]:
    """The ways a merchant with this name pair is written: both, Chinese only, English only."""
    return f"{en} {zh}", zh, en


def kind_of_name(name: str) -> Kind | None:
    """The kind whose name pairs give this merchant name (the demo owner's shop included)."""
    if name == DEMO_MERCHANT:
        return BY_KEY[DEMO_KIND]
    for kind in KINDS:
        for zh, en in kind.names():
            if name in name_forms(zh, en):
                return kind
    return None


# The demo owner's merchant: a fixed, recognisable hotpot shop near the centre. "Hotpot House" is no
# other merchant's English name, so searching it finds this one.
DEMO_KIND = "hotpot"
DEMO_NAME = ("火锅之家", "Hotpot House")
DEMO_MERCHANT = "Hotpot House 火锅之家"
DEMO_STORE = "Hotpot House 火锅之家 (春熙路店)"
DEMO_ADDRESS = "春熙路 88号, 锦江区"
DEMO_HOURS = BY_KEY[DEMO_KIND].hours[0]  # 11:00-14:30 and 17:00-02:00
DEMO_DEAL = DealTemplate(
    "双人火锅套餐 Hotpot for two", "牛油红锅或鸳鸯锅，8 道菜 + 2 份甜品。Spicy or split pot, 8 dishes and 2 desserts.",
    "99.00", "158.00", (500, 500), 6, 90)
DEMO_SECOND_DEAL = DealTemplate(
    "毛肚拼盘 Tripe platter", "鲜毛肚 + 鸭肠 + 黄喉，七上八下。Fresh tripe, duck intestine and aorta.",
    "45.00", "68.00", (300, 300), 5, 60)
# The demo customer's own review of last week's visit (a 5-star text of the demo store's kind; no one
# else writes it, so it is easy to find).
DEMO_REVIEW = "毛肚很新鲜，服务员很热情。Fresh tripe and friendly staff: will bring friends next time!"

CUSTOMER_NAMES = [
    "小王", "Lily Chen", "张伟", "Mark Li", "刘洋", "Amy Zhang", "陈静", "Tom Wu", "杨帆", "Grace Liu", "赵磊",
    "Kevin Huang", "黄丽", "Jenny Zhou", "周杰", "Leo Xu", "吴敏", "Sophie Sun", "徐鹏", "Daniel Ma", "孙悦",
    "Cathy He", "马超", "Peter Gao", "胡雪", "Nina Lin", "郭强", "Sam Luo", "何琳", "Iris Zheng", "高峰",
    "Vivian Xie", "林涛", "Eric Tang", "罗丹", "Helen Han", "郑凯", "Max Feng", "谢娜", "Ruby Deng",
]
