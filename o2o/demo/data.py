"""What the demo city is made of: merchant names, deals, opening hours and review texts per category.

Names mix Chinese and English the way a Chengdu street does. Prices are CNY as Decimal strings.
"""

from __future__ import annotations

from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _week(windows: list[list[str]], *, closed: tuple[str, ...] = ()) -> dict[str, list[list[str]]]:
    return {d: ([] if d in closed else [list(w) for w in windows]) for d in DAYS}


# --- opening hours presets (store timezone Asia/Shanghai) ---
HOURS: dict[str, list[dict[str, list[list[str]]]]] = {
    "restaurant": [
        _week([["11:00", "14:30"], ["17:00", "02:00"]]),  # hotpot: lunch, then late into the night
        _week([["11:00", "02:00"]]),
        _week([["17:00", "03:00"]]),  # BBQ skewers: evening only
        _week([["07:00", "21:00"]]),  # noodles and breakfast
        _week([["10:30", "22:00"]]),
        _week([["00:00", "24:00"]]),  # 24h
    ],
    "renovation": [
        _week([["09:00", "18:00"]], closed=("sun",)),
        _week([["09:30", "18:30"]]),
    ],
    "printing": [
        _week([["08:30", "20:00"]]),
        _week([["09:00", "18:00"]], closed=("sun",)),
        _week([["00:00", "24:00"]]),  # 24h copy shop near the university
    ],
    "training": [
        {**_week([["15:00", "21:00"]]), "sat": [["08:30", "20:30"]], "sun": [["08:30", "20:30"]]},
        _week([["09:00", "21:00"]], closed=("mon",)),
    ],
    "estate": [
        _week([["09:00", "19:00"]], closed=("sun",)),
        _week([["08:30", "20:00"]], closed=("sun",)),
    ],
    "hardware": [
        _week([["10:00", "22:00"]]),
        _week([["09:30", "21:30"]]),
    ],
    "salon": [
        _week([["10:00", "21:00"]]),
        _week([["10:00", "21:00"]], closed=("tue",)),
    ],
    "other": [
        _week([["08:00", "23:00"]]),  # teahouse
        _week([["00:00", "24:00"]]),  # 24h laundry
    ],
}

# --- merchant names: (Chinese prefixes, Chinese cores, English names) per category ---
NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "restaurant": (
        ["重庆", "蜀", "锦里", "宽窄", "玉林", "大龙", "老妈", "张记", "李记", "陈记", "王婆", "巴蜀",
         "川西", "小巷", "老成都", "九眼桥", "望江"],
        ["老火锅", "串串香", "冒菜", "兔头", "面馆", "小吃", "烧烤", "川菜馆", "钵钵鸡", "抄手", "豆花饭",
         "火锅", "茶餐厅", "饺子馆"],
        ["Red Pot Hotpot", "Bashu Hotpot Club", "Spicy Corner", "Panda Noodle Bar", "Chili Garden", "Golden Wok", "Sichuan Kitchen",
         "Mala Street", "Dumpling Story", "Night Market Skewers", "Peppercorn Bistro", "Jin River Grill",
         "Tea Leaf Café"],
    ),
    "renovation": (
        ["蜀匠", "安居", "居然", "匠心", "金牛", "天府", "美家", "筑梦", "恒信"],
        ["装饰", "家装", "装修工程", "全屋定制", "旧房翻新"],
        ["HomeCraft Renovation", "Urban Nest Interiors", "Bamboo Build", "Panda Home Fix", "BrightWall Studio"],
    ),
    "printing": (
        ["快印", "蓝图", "金彩", "蜀彩", "飞腾", "墨香", "图文"],
        ["图文快印", "印务", "包装印刷", "广告制作", "数码快印"],
        ["PrintPoint", "InkHouse", "BoxCraft Packaging", "Copy & Go", "Red Seal Printing"],
    ),
    "training": (
        ["新东方", "学而思", "蜀光", "启航", "乐学", "博雅", "未来"],
        ["教育", "编程学院", "艺术培训", "英语学校", "舞蹈工作室", "围棋学堂"],
        ["Bright Minds English", "CodeCamp Kids", "Panda Piano School", "Go & Chess Club", "IELTS Sprint"],
    ),
    "estate": (
        ["链家", "我爱我家", "安家", "房满满", "锦城", "天府"],
        ["地产", "房产经纪", "置业", "租房中心"],
        ["Chengdu Homes", "Jinjiang Realty", "Keyhouse Estates", "Tianfu Property"],
    ),
    "hardware": (
        ["小米之家", "蜀智", "云智", "极客", "智享"],
        ["智能家居", "数码", "智能锁", "电器维修"],
        ["SmartHome Hub", "Gadget Lab", "LockBox Smart Locks", "Robot Vac Care", "Panda Devices"],
    ),
    "salon": (
        ["丝域", "美丽", "尚", "发", "颜", "悦"],
        ["美发沙龙", "造型", "美甲", "美容院", "理发店"],
        ["Hair Lab", "Lotus Beauty", "Snip & Style", "Nail Garden", "The Barber Room"],
    ),
    "other": (
        ["鹤鸣", "悦来", "顺兴", "老", "净"],
        ["茶馆", "洗衣店", "书店", "花店", "宠物店"],
        ["Teahouse 1906", "Clean & Press Laundry", "Paper Lantern Books", "Bloom Florist"],
    ),
}

# "Hotpot House" is kept for the demo owner's merchant (DEMO_MERCHANT), so that searching it finds that one.

# Share of merchants per category (the rest of the city is restaurants).
WEIGHTS = {"restaurant": 40, "renovation": 9, "printing": 9, "training": 10, "estate": 8, "hardware": 8,
           "salon": 12, "other": 4}


@dataclass(frozen=True)
class DealTemplate:
    title: str
    description: str
    price: str
    list_price: str
    quantity: tuple[int, int]  # range of quantity_total
    limit: int  # per-customer limit, 0 = none
    valid_days: int


DEALS: dict[str, list[DealTemplate]] = {
    "restaurant": [
        DealTemplate("双人火锅套餐 Hotpot for two", "牛油红锅或鸳鸯锅，8 道菜 + 2 份甜品。Spicy or split pot, 8 dishes.",
                     "99.00", "158.00", (80, 400), 5, 60),
        DealTemplate("4人麻辣火锅 Hotpot for four", "四人餐：毛肚、鸭肠、黄喉、肥牛…… Tripe, duck intestine, beef.",
                     "188.00", "296.00", (60, 300), 3, 60),
        DealTemplate("午市套餐 Lunch set", "工作日午餐 一荤两素 + 米饭 + 饮料。Weekday lunch with a drink.",
                     "29.90", "45.00", (100, 600), 10, 30),
        DealTemplate("串串 100 签 Skewers x100", "100 签任选 + 冰粉 2 份。100 skewers of your choice.",
                     "59.00", "100.00", (100, 500), 5, 45),
        DealTemplate("代金券 ¥100 Voucher", "全场通用，不含酒水。Valid on all food, drinks excluded.",
                     "85.00", "100.00", (200, 1000), 8, 90),
        DealTemplate("夜宵烧烤套餐 Late-night BBQ", "烤串 30 串 + 啤酒 4 瓶。30 skewers and 4 beers.",
                     "78.00", "128.00", (50, 250), 4, 45),
    ],
    "renovation": [
        DealTemplate("免费量房 + 设计方案 Measure & design", "上门量房，3 天出平面方案。On-site measuring, plan in 3 days.",
                     "9.90", "500.00", (50, 200), 1, 90),
        DealTemplate("旧房翻新定金 Refurbish deposit", "抵扣 ¥2000 工程款。Counts as ¥2000 towards the works.",
                     "199.00", "2000.00", (30, 120), 1, 180),
        DealTemplate("水电检测 Plumbing & wiring check", "全屋水电安全检测，出报告。Full safety check with report.",
                     "99.00", "299.00", (40, 200), 2, 90),
    ],
    "printing": [
        DealTemplate("名片 500张 Business cards x500", "300g 铜版纸，双面彩印，次日取。Double-sided, next-day pickup.",
                     "39.00", "80.00", (100, 500), 5, 120),
        DealTemplate("A3 海报 20张 A3 posters x20", "高清彩色海报，可加急。Full colour, rush available.",
                     "49.00", "90.00", (80, 300), 5, 120),
        DealTemplate("定制礼盒 50个 Gift boxes x50", "含设计，印 logo。Includes design and logo print.",
                     "399.00", "680.00", (20, 80), 2, 180),
        DealTemplate("扫码菜单 100张 QR menus x100", "防水覆膜桌贴。Laminated table stickers with your QR code.",
                     "69.00", "120.00", (50, 200), 3, 120),
    ],
    "training": [
        DealTemplate("少儿编程体验课 Coding trial class", "6-12 岁，60 分钟 Scratch 体验。60 minutes of Scratch, ages 6-12.",
                     "9.90", "199.00", (60, 300), 1, 60),
        DealTemplate("雅思冲刺 4 课时 IELTS sprint (4 lessons)", "小班 6 人以内。Small class of up to 6.",
                     "799.00", "1280.00", (20, 100), 2, 120),
        DealTemplate("钢琴体验课 Piano trial lesson", "一对一 45 分钟。One-to-one, 45 minutes.",
                     "49.00", "260.00", (40, 150), 1, 60),
    ],
    "estate": [
        DealTemplate("租房中介费五折 Rental fee 50% off", "签约时抵扣中介费。Half the agency fee on signing.",
                     "199.00", "399.00", (30, 150), 1, 90),
        DealTemplate("看房专车 Viewing tour by car", "一次带看 5 套房源。Five homes in one trip.",
                     "19.90", "99.00", (50, 200), 2, 60),
    ],
    "hardware": [
        DealTemplate("智能门锁上门安装 Smart lock install", "含上门及调试，不含锁体。Visit and setup; lock not included.",
                     "129.00", "299.00", (40, 200), 2, 120),
        DealTemplate("扫地机器人保养 Robot vacuum service", "清洁、换滤网、固件升级。Clean, filter, firmware.",
                     "89.00", "168.00", (50, 250), 3, 90),
        DealTemplate("手机贴膜 Screen protector fitted", "钢化膜 + 贴膜服务。Tempered glass, fitted.",
                     "29.00", "68.00", (100, 400), 3, 90),
    ],
    "salon": [
        DealTemplate("洗剪吹 Cut & blow-dry", "资深发型师。Senior stylist.", "38.00", "88.00", (100, 500), 4, 60),
        DealTemplate("烫染套餐 Perm + colour", "含护理。Treatment included.", "268.00", "588.00", (40, 200), 2, 90),
        DealTemplate("美甲 单色 Gel manicure", "纯色或猫眼。Plain or cat-eye.", "59.00", "128.00", (60, 300), 3, 60),
    ],
    "other": [
        DealTemplate("盖碗茶双人 Tea for two", "竹椅、盖碗、掏耳朵另计。Bamboo chairs and covered-bowl tea.",
                     "29.00", "50.00", (100, 400), 4, 60),
        DealTemplate("洗衣 5件 Laundry x5", "水洗或干洗 5 件。Five items, wet or dry.", "49.00", "90.00",
                     (80, 300), 3, 90),
    ],
}

# The demo owner's merchant: a fixed, recognisable shop near the centre.
DEMO_MERCHANT = "Hotpot House 老码头火锅"
DEMO_STORE = "Hotpot House 老码头火锅 (春熙路店)"
DEMO_ADDRESS = "春熙路 88号, 锦江区"
DEMO_DEAL = DealTemplate(
    "双人火锅套餐 Hotpot for two", "牛油红锅或鸳鸯锅，8 道菜 + 2 份甜品。Spicy or split pot, 8 dishes and 2 desserts.",
    "99.00", "158.00", (500, 500), 6, 90)
DEMO_SECOND_DEAL = DealTemplate(
    "毛肚拼盘 Tripe platter", "鲜毛肚 + 鸭肠 + 黄喉，七上八下。Fresh tripe, duck intestine and aorta.",
    "45.00", "68.00", (300, 300), 5, 60)

CUSTOMER_NAMES = [
    "小王", "Lily Chen", "张伟", "Mark Li", "刘洋", "Amy Zhang", "陈静", "Tom Wu", "杨帆", "Grace Liu", "赵磊",
    "Kevin Huang", "黄丽", "Jenny Zhou", "周杰", "Leo Xu", "吴敏", "Sophie Sun", "徐鹏", "Daniel Ma", "孙悦",
    "Cathy He", "马超", "Peter Gao", "胡雪", "Nina Lin", "郭强", "Sam Luo", "何琳", "Iris Zheng", "高峰",
    "Vivian Xie", "林涛", "Eric Tang", "罗丹", "Helen Han", "郑凯", "Max Feng", "谢娜", "Ruby Deng",
]

REVIEWS: dict[int, list[str]] = {
    5: ["太好吃了，下次还来！", "Great value, the staff were lovely.", "服务热情，环境干净，强烈推荐。",
        "Best hotpot I've had in Chengdu.", "老师很耐心，孩子很喜欢。", "Quick and friendly, exactly as promised.",
        "物超所值，核销很快。", "Would definitely come back."],
    4: ["味道不错，就是排队有点久。", "Good, but a bit crowded on Friday night.", "整体满意，性价比高。",
        "Nice place; parking is hard to find.", "师傅手艺好，价格实惠。"],
    3: ["一般般，期待改进。", "OK for the price.", "中规中矩。", "Decent, nothing special."],
    2: ["等了四十分钟才上菜。", "Not what the photos showed."],
    1: ["体验很差。", "Staff forgot our booking."],
}

REPLIES = ["感谢您的支持，欢迎再来！", "Thank you! See you again soon.", "谢谢反馈，我们会改进。",
           "Sorry about the wait — we have added staff on weekends."]
