"""What the demo city's restaurants and shops sell to order: menus in sections, each dish with its price,
prep time, stock (None: made to order, never runs out) and option groups, by demo kind (demo/kinds.py).

Titles are (Chinese, English) pairs that translate each other and print as "红烧牛肉面 Braised beef noodles".
An option group is (name, required, max_choices, choices); a choice is (name, price delta as a string).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Pair = tuple[str, str]


@dataclass(frozen=True)
class OptionGroup:
    name: str
    required: bool
    max_choices: int
    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Dish:
    title: Pair
    price: str
    prep_minutes: int = 8
    stock: int | None = None  # None: made to order
    options: tuple[OptionGroup, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Section:
    title: Pair
    dishes: tuple[Dish, ...] = field(default_factory=tuple)


SPICE = OptionGroup("辣度 Spice", True, 1, (("微辣 Mild", "0.00"), ("中辣 Medium", "0.00"), ("特辣 Extra hot", "0.00")))
NOODLE_SIZE = OptionGroup("份量 Size", True, 1, (("二两 Regular", "0.00"), ("三两 Large", "3.00")))
NOODLE_EXTRAS = OptionGroup("加料 Extras", False, 3, (("煎蛋 Fried egg", "2.00"), ("牛肉 Extra beef", "8.00"),
                                                   ("青菜 Greens", "1.00"), ("豌杂 Peas and pork", "4.00")))
BROTH = OptionGroup("锅底 Broth", True, 1, (("牛油红汤 Beef-tallow spicy", "0.00"), ("鸳鸯锅 Half and half", "10.00"),
                                         ("菌汤 Mushroom", "5.00")))
PORTION = OptionGroup("份量 Portion", True, 1, (("小份 Small", "0.00"), ("大份 Large", "12.00")))
DUMPLING_COUNT = OptionGroup("数量 How many", True, 1, (("12 个 12 pieces", "0.00"), ("20 个 20 pieces", "10.00")))
DIP = OptionGroup("蘸料 Dip", False, 2, (("红油 Chili oil", "0.00"), ("醋 Vinegar", "0.00"), ("蒜泥 Garlic", "1.00")))
DRINK_TEMP = OptionGroup("温度 Temperature", True, 1, (("冰 Iced", "0.00"), ("常温 Room temperature", "0.00")))
WARRANTY = OptionGroup("延保 Extended warranty", False, 1, (("一年 1 year", "59.00"), ("两年 2 years", "99.00")))
COLOUR = OptionGroup("颜色 Colour", True, 1, (("曜石黑 Obsidian black", "0.00"), ("月光银 Moonlight silver", "0.00")))

DRINKS = Section(("饮品", "Drinks"), (
    Dish(("冰粉", "Iced jelly with brown sugar"), "8.00", 2, stock=60),
    Dish(("酸梅汤", "Sour plum drink"), "6.00", 1, options=(DRINK_TEMP,)),
    Dish(("天府可乐", "Tianfu cola"), "5.00", 1, stock=120, options=(DRINK_TEMP,)),
))

MENUS: dict[str, tuple[Section, ...]] = {
    "noodles": (
        Section(("招牌面", "Signature noodles"), (
            Dish(("红烧牛肉面", "Braised beef noodles"), "22.00", 6, options=(NOODLE_SIZE, SPICE, NOODLE_EXTRAS)),
            Dish(("重庆小面", "Chongqing noodles"), "12.00", 4, options=(NOODLE_SIZE, SPICE, NOODLE_EXTRAS)),
            Dish(("豌杂面", "Pea and minced pork noodles"), "16.00", 5, options=(NOODLE_SIZE, SPICE, NOODLE_EXTRAS)),
            Dish(("担担面", "Dan dan noodles"), "14.00", 5, stock=40, options=(SPICE,)),
        )),
        Section(("小吃", "Snacks"), (
            Dish(("钟水饺", "Zhong's sweet chili dumplings"), "14.00", 6, options=(SPICE,)),
            Dish(("卤蛋", "Braised egg"), "3.00", 1, stock=80),
        )),
        DRINKS,
    ),
    "hotpot": (
        Section(("锅底", "Broths"), (
            Dish(("招牌锅底", "House broth"), "48.00", 10, options=(BROTH,)),
        )),
        Section(("荤菜", "Meat"), (
            Dish(("鲜毛肚", "Fresh beef tripe"), "42.00", 3, stock=30, options=(PORTION,)),
            Dish(("嫩牛肉", "Tender sliced beef"), "36.00", 3, options=(PORTION, SPICE)),
            Dish(("鸭肠", "Duck intestines"), "28.00", 3, stock=40, options=(PORTION,)),
        )),
        Section(("素菜", "Vegetables"), (
            Dish(("土豆片", "Sliced potato"), "8.00", 2),
            Dish(("藕片", "Lotus root"), "10.00", 2),
            Dish(("冻豆腐", "Frozen tofu"), "9.00", 2),
        )),
        DRINKS,
    ),
    "skewers": (
        Section(("串串", "Skewers"), (
            Dish(("牛肉串 10 串", "Beef skewers x10"), "20.00", 8, options=(SPICE,)),
            Dish(("郡肝串 10 串", "Gizzard skewers x10"), "18.00", 8, stock=50, options=(SPICE,)),
            Dish(("素菜拼盘", "Vegetable skewer platter"), "15.00", 6, options=(SPICE,)),
        )),
        Section(("烧烤", "Barbecue"), (
            Dish(("烤脑花", "Grilled pork brain"), "18.00", 10, stock=25, options=(SPICE,)),
            Dish(("烤茄子", "Grilled aubergine"), "12.00", 9, options=(SPICE,)),
        )),
        DRINKS,
    ),
    "dumplings": (
        Section(("水饺", "Dumplings"), (
            Dish(("猪肉白菜水饺", "Pork and cabbage dumplings"), "18.00", 8, options=(DUMPLING_COUNT, DIP)),
            Dish(("韭菜鸡蛋水饺", "Chive and egg dumplings"), "16.00", 8, options=(DUMPLING_COUNT, DIP)),
        )),
        Section(("抄手", "Wontons"), (
            Dish(("红油抄手", "Chili-oil wontons"), "15.00", 6, options=(SPICE,)),
            Dish(("清汤抄手", "Wontons in clear broth"), "15.00", 6, stock=60),
        )),
        DRINKS,
    ),
    "gadgets": (
        Section(("智能门锁", "Smart locks"), (
            Dish(("指纹密码门锁 S3", "Fingerprint and code lock S3"), "1299.00", 0, stock=12,
                 options=(COLOUR, WARRANTY), description="上门安装另约 Fitting booked separately"),
        )),
        Section(("清洁", "Cleaning"), (
            Dish(("扫地机器人 R7", "Robot vacuum R7"), "1899.00", 0, stock=6, options=(WARRANTY,)),
        )),
        Section(("配件", "Accessories"), (
            Dish(("快充数据线 1 米", "Fast-charge cable 1 m"), "39.00", 0, stock=80, options=(COLOUR,)),
            Dish(("20W 充电头", "20 W charger"), "69.00", 0, stock=50),
        )),
    ),
}


def dish_title(d: Dish) -> str:
    return f"{d.title[0]} {d.title[1]}"


def menu_for(kind: str) -> tuple[Section, ...]:
    """The menu of a demo kind; kinds that sell no products (renovation, training ...) have none."""
    return MENUS.get(kind, ())
