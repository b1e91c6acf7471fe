"""What each kind of demo shop is: its names, hours, deals, review texts and the picture on its deals.

A *kind* is narrower than a merchant category: "restaurant" holds hotpot, noodle, skewer and dumpling
shops, "other" holds teahouses, laundries, bookshops and florists. Everything a merchant shows comes
from its one kind, so a noodle bar never sells hotpot and a teahouse's reviews never speak of a teacher.

Names are (Chinese, English) pairs that translate each other; a merchant's name is the English and the
Chinese of one prefix pair and one core pair ("Zhang's Hotpot 张记火锅"), or only one of the two.
Review texts are per rating band (5, 4, 3, and 2 for one or two stars).
"""

from __future__ import annotations

from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Hours = dict[str, list[list[str]]]
Pair = tuple[str, str]  # (Chinese, English)


def week(*windows: tuple[str, str], closed: tuple[str, ...] = ()) -> Hours:
    return {d: ([] if d in closed else [list(w) for w in windows]) for d in DAYS}


@dataclass(frozen=True)
class DealTemplate:
    title: str
    description: str
    price: str
    list_price: str
    quantity: tuple[int, int] = (50, 300)  # range of quantity_total
    limit: int = 3  # per-customer limit, 0 = none
    valid_days: int = 90


@dataclass(frozen=True)
class Kind:
    key: str
    category: str
    weight: int  # share within its category
    about: str  # the merchant's description
    prefixes: tuple[Pair, ...]
    cores: tuple[Pair, ...]
    hours: tuple[Hours, ...]
    deals: tuple[DealTemplate, ...]
    reviews: dict[int, tuple[str, ...]]  # rating band (5, 4, 3, 2 = one or two stars) -> texts

    def names(self) -> list[Pair]:
        """Every (Chinese, English) name pair this kind can give a merchant."""
        return [(pz + cz, f"{pe} {ce}") for pz, pe in self.prefixes for cz, ce in self.cores]


def band(rating: int) -> int:
    return 2 if rating <= 2 else rating


D = DealTemplate
EATERIES: tuple[Pair, ...] = (
    ("张记", "Zhang's"), ("李记", "Li's"), ("陈记", "Chen's"), ("王婆", "Granny Wang's"), ("刘姐", "Sister Liu's"),
    ("老成都", "Old Chengdu"), ("锦里", "Jinli"), ("宽窄", "Kuanzhai"), ("玉林", "Yulin"), ("九眼桥", "Jiuyan Bridge"),
    ("望江", "Wangjiang"), ("巴蜀", "Bashu"), ("小巷", "Back Lane"), ("大龙", "Dalong"), ("重庆", "Chongqing"),
    ("川西", "West Sichuan"), ("熊猫", "Panda"), ("红灯笼", "Red Lantern"), ("老街", "Old Street"), ("青城", "Qingcheng"),
)
SCHOOLS: tuple[Pair, ...] = (
    ("启航", "Set Sail"), ("乐学", "Joy of Learning"), ("博雅", "Boya"), ("未来", "Future"), ("蜀光", "Shuguang"),
    ("星火", "Spark"), ("青苗", "Sprout"), ("小树", "Little Tree"),
)
SALONS: tuple[Pair, ...] = (
    ("丝域", "Silk"), ("美丽", "Belle"), ("尚品", "Chic"), ("悦", "Joy"), ("颜", "Yan"), ("锦", "Jin"),
    ("青丝", "Black Silk"), ("木兰", "Mulan"),
)

KINDS: tuple[Kind, ...] = (
    Kind(
        "hotpot", "restaurant", 16, "牛油锅底、现切鲜毛肚的成都火锅。Chengdu hotpot: beef-tallow broth and fresh tripe.",
        EATERIES, (("老火锅", "Old Hotpot"), ("火锅", "Hotpot"), ("牛油火锅", "Tallow Hotpot")),
        (week(("11:00", "14:30"), ("17:00", "02:00")), week(("11:00", "02:00")), week(("10:30", "23:30"))),
        (D("双人火锅套餐 Hotpot for two", "牛油红锅或鸳鸯锅，8 道菜 + 2 份甜品。Spicy or split pot, 8 dishes.",
           "99.00", "158.00", (80, 400), 5, 60),
         D("4人麻辣火锅 Hotpot for four", "四人餐：毛肚、鸭肠、黄喉、肥牛…… Tripe, duck intestine, beef and more.",
           "188.00", "296.00", (60, 300), 3, 60),
         D("午市小火锅 Weekday lunch hotpot", "一人一锅，荤素 6 样 + 米饭。One pot each, 6 dishes and rice.",
           "39.00", "58.00", (100, 500), 6, 30),
         D("毛肚拼盘 Tripe platter", "鲜毛肚 + 鸭肠 + 黄喉，七上八下。Fresh tripe, duck intestine and aorta.",
           "45.00", "68.00", (100, 400), 5, 60),
         D("火锅代金券 100元 Hotpot voucher", "全场通用，不含酒水。Valid on all food, drinks excluded.",
           "85.00", "100.00", (200, 1000), 8, 90)),
        {5: ("锅底很香，毛肚鸭肠都新鲜，下次还来！", "Best hotpot I've had in Chengdu: the tallow broth is the real thing.",
             "服务员一直帮忙加汤，鸳鸯锅不辣的那边也很好吃。", "Fresh tripe and a rich broth, worth the queue."),
         4: ("味道正宗，就是周五晚上排队有点久。", "Great broth and fresh tripe; a bit loud and smoky."),
         3: ("锅底不错，菜量偏少。", "Decent hotpot, but the dipping sauce bar was half empty."),
         2: ("等位一个小时，上菜也慢。", "Broth far too salty and the beef was not fresh.")},
    ),
    Kind(
        "noodles", "restaurant", 10, "重庆小面和红烧牛肉面，早上七点开门。Chongqing noodles and braised beef noodles from 7 am.",
        EATERIES, (("面馆", "Noodle House"), ("小面", "Noodle Bar"), ("牛肉面", "Beef Noodles")),
        (week(("07:00", "21:00")), week(("06:30", "20:00"))),
        (D("两人早餐小面 Breakfast noodles for two", "小面两碗 + 豆浆 2 杯。Two bowls of noodles and two soy milks.",
           "19.90", "32.00", (100, 500), 5, 45),
         D("牛肉面套餐 Beef noodle set", "红烧牛肉面 + 凉菜 + 饮料。Braised beef noodles, a cold dish and a drink.",
           "28.00", "42.00", (100, 400), 5, 45),
         D("面馆代金券 50元 Noodle voucher", "全场通用。Valid on everything on the menu.", "42.00", "50.00",
           (150, 600), 6, 90)),
        {5: ("面条劲道，红油香而不燥，早上来一碗太舒服了。", "Proper Chongqing xiaomian, spicy and numbing. Loved it.",
             "牛肉炖得很烂，汤头浓。"),
         4: ("味道好，就是店面小，早高峰要等座。", "Tasty noodles, a little too spicy for me."),
         3: ("面还行，牛肉有点少。", "An OK bowl of noodles, nothing special."),
         2: ("面煮得太软，汤也凉了。", "Waited 25 minutes for one bowl of noodles.")},
    ),
    Kind(
        "skewers", "restaurant", 8, "串串香和夜宵烧烤，开到凌晨。Skewers in spicy broth and late-night barbecue.",
        EATERIES, (("串串香", "Skewers"), ("烧烤", "BBQ"), ("夜宵烧烤", "Night BBQ")),
        (week(("17:00", "03:00")), week(("16:00", "02:00"))),
        (D("串串 100 签 Skewers x100", "100 签任选 + 冰粉 2 份。100 skewers of your choice and two ice jellies.",
           "59.00", "100.00", (100, 500), 5, 45),
         D("夜宵烧烤套餐 Late-night BBQ", "烤串 30 串 + 啤酒 4 瓶。30 grilled skewers and 4 beers.",
           "78.00", "128.00", (50, 250), 4, 45),
         D("双人串串 Skewers for two", "50 签 + 冰粉 2 份。50 skewers and two bowls of ice jelly.",
           "45.00", "72.00", (80, 300), 4, 45)),
        {5: ("串串种类多，牛肉串和郡肝太香了！", "Great late-night skewers and cold beer, open till 3.", "锅底麻辣够味，冰粉解辣。"),
         4: ("好吃，但是晚上十点以后人很多。", "Tasty skewers; the tables outside are a bit cramped."),
         3: ("味道一般，签子上的肉有点少。", "Fine for a late snack, nothing more."),
         2: ("烤串糊了，催了三次才上。", "The skewers were cold and the beer was warm.")},
    ),
    Kind(
        "dumplings", "restaurant", 6, "手工水饺和红油抄手。Hand-made dumplings and chili-oil wontons.",
        EATERIES, (("饺子馆", "Dumplings"), ("水饺", "Dumpling House"), ("抄手", "Wontons")),
        (week(("10:30", "22:00")), week(("10:00", "21:00"))),
        (D("水饺 30 个 Dumplings x30", "猪肉白菜或韭菜鸡蛋，可堂食可打包。Pork & cabbage or chive & egg, eat in or take away.",
           "36.00", "54.00", (100, 400), 5, 60),
         D("红油抄手双人餐 Chili-oil wontons for two", "两碗红油抄手 + 两份凉菜。Two bowls of wontons and two cold dishes.",
           "32.00", "48.00", (100, 400), 5, 60),
         D("家庭饺子宴 Dumpling feast for four", "四种馅各 15 个 + 酸辣汤。Four fillings, 15 of each, and hot-and-sour soup.",
           "88.00", "128.00", (40, 200), 3, 60)),
        {5: ("饺子皮薄馅大，韭菜鸡蛋的特别鲜。", "Juicy dumplings, and the chili-oil wontons are addictive.", "老板手工现包，吃得出来。"),
         4: ("饺子好吃，醋和蒜可以多给点。", "Good dumplings; the soup was a bit bland."),
         3: ("馅料一般，价格还算公道。", "Average dumplings at a fair price."),
         2: ("饺子煮破了一半。", "Frozen dumplings, not hand-made as advertised.")},
    ),
    Kind(
        "renovation", "renovation", 1, "旧房翻新、全屋设计和水电改造。Refurbishing, whole-home design, plumbing and wiring.",
        (("蜀匠", "Shu Craft"), ("安居", "Anju"), ("匠心", "Artisan"), ("天府", "Tianfu"), ("美家", "Fine Home"),
         ("筑梦", "Dream Build"), ("恒信", "Hengxin"), ("金牛", "Jinniu")),
        (("装饰", "Interiors"), ("家装", "Home Renovation"), ("旧房翻新", "Refurbishing"), ("全屋定制", "Custom Homes")),
        (week(("09:00", "18:00"), closed=("sun",)), week(("09:30", "18:30"))),
        (D("免费量房 + 设计方案 Measure & design", "上门量房，3 天出平面方案。On-site measuring, a floor plan in 3 days.",
           "9.90", "500.00", (50, 200), 1, 90),
         D("旧房翻新定金 Refurbishing deposit", "抵扣 2000 元工程款。Counts as 2000 yuan towards the works.",
           "199.00", "2000.00", (30, 120), 1, 180),
         D("水电检测 Plumbing & wiring check", "全屋水电安全检测，出报告。A full safety check with a written report.",
           "99.00", "299.00", (40, 200), 2, 90),
         D("墙面翻新 Wall repainting", "两室一厅墙面刷新，含环保乳胶漆。Repaint a two-bedroom flat, paint included.",
           "1999.00", "2999.00", (20, 80), 1, 180)),
        {5: ("设计师很专业，量房第二天就出了方案。", "The crew finished the kitchen on time and cleaned up after.",
             "报价透明，没有增项，工地很干净。"),
         4: ("效果满意，就是工期比说好的晚了三天。", "Good work on the walls; replies could be faster."),
         3: ("做工还行，有些细节要返工。", "Fine, but the site manager was hard to reach."),
         2: ("开工后不断加价。", "The tiles were laid unevenly and nobody came back to fix them.")},
    ),
    Kind(
        "printing", "printing", 1, "名片、海报、包装盒，当天或次日取。Business cards, posters and boxes, same or next day.",
        (("飞速", "Speedy"), ("蓝图", "Blueprint"), ("金彩", "Golden Colour"), ("蜀彩", "Shu Colour"),
         ("飞腾", "Soaring"), ("墨香", "Ink"), ("红印", "Red Seal")),
        (("图文快印", "Print Shop"), ("印务", "Printing"), ("包装印刷", "Packaging"), ("数码快印", "Copy Centre")),
        (week(("08:30", "20:00")), week(("09:00", "18:00"), closed=("sun",)), week(("00:00", "24:00"))),
        (D("名片 500张 Business cards x500", "300g 铜版纸，双面彩印，次日取。Double-sided colour, next-day pickup.",
           "39.00", "80.00", (100, 500), 5, 120),
         D("A3 海报 20张 A3 posters x20", "高清彩色海报，可加急。Full colour, rush available.", "49.00", "90.00",
           (80, 300), 5, 120),
         D("定制礼盒 50个 Gift boxes x50", "含设计，印 logo。Design and logo print included.", "399.00", "680.00",
           (20, 80), 2, 180),
         D("扫码菜单 100张 QR menus x100", "防水覆膜桌贴。Laminated table stickers with your QR code.", "69.00", "120.00",
           (50, 200), 3, 120)),
        {5: ("名片印得很清晰，第二天就取了。", "The posters came out sharp and the colours matched my file.",
             "老板帮忙改了排版，很耐心。"),
         4: ("质量不错，就是取件时排了一会儿队。", "Good print quality; the proof took two rounds."),
         3: ("印刷还行，纸张比样品薄一点。", "OK, but the colours were slightly darker than on screen."),
         2: ("名片裁歪了，要求重印还收钱。", "The boxes were ready a week late.")},
    ),
    Kind(
        "coding", "training", 4, "6-14 岁少儿编程和机器人课。Coding and robotics for ages 6 to 14.",
        SCHOOLS, (("编程学院", "Coding Academy"), ("少儿编程", "Kids Coding"), ("机器人编程", "Robotics Lab")),
        ({**week(("15:00", "21:00")), "sat": [["08:30", "20:30"]], "sun": [["08:30", "20:30"]]},
         week(("09:00", "21:00"), closed=("mon",))),
        (D("少儿编程体验课 Coding trial class", "6-12 岁，60 分钟 Scratch 体验。60 minutes of Scratch, ages 6-12.",
           "9.90", "199.00", (60, 300), 1, 60),
         D("暑期编程营 5天 Summer coding camp (5 days)", "每天 3 小时，做出自己的小游戏。Three hours a day; build your own game.",
           "699.00", "1200.00", (20, 80), 1, 120),
         D("机器人体验课 Robotics trial class", "用积木搭建并编程小车。Build and program a robot car.", "19.90", "180.00",
           (40, 200), 1, 60)),
        {5: ("老师很耐心，孩子回家还在做自己的小游戏。", "My son built his first Scratch game in an hour. Great teacher.",
             "小班上课，老师会一个个看代码。"),
         4: ("课程不错，就是停车不方便。", "Good class; the room was a bit small for eight kids."),
         3: ("体验课太短，主要在推销长期课程。", "Fine, but the trial was mostly a sales pitch."),
         2: ("老师临时换人，孩子跟不上。", "The class started 30 minutes late.")},
    ),
    Kind(
        "language", "training", 3, "雅思、少儿英语和口语小班。IELTS, children's English and small speaking classes.",
        SCHOOLS, (("英语学校", "English School"), ("外语培训", "Language Centre"), ("雅思中心", "IELTS Centre")),
        (week(("09:00", "21:00"), closed=("mon",)),
         {**week(("15:00", "21:00")), "sat": [["08:30", "20:30"]], "sun": [["08:30", "20:30"]]}),
        (D("雅思冲刺 4课时 IELTS sprint (4 lessons)", "小班 6 人以内。A small class of up to 6.", "799.00", "1280.00",
           (20, 100), 2, 120),
         D("少儿英语体验课 Kids' English trial", "外教 45 分钟，4-10 岁。45 minutes with a native teacher, ages 4-10.",
           "9.90", "150.00", (60, 300), 1, 60),
         D("英语口语 8课时 Spoken English (8 lessons)", "每班 8 人以内。Classes of up to 8.", "399.00", "680.00",
           (30, 120), 2, 120)),
        {5: ("外教发音标准，课堂气氛很好。", "My speaking score went from 5.5 to 7 after the sprint.",
             "老师会针对弱项布置练习，很有用。"),
         4: ("老师很好，教材有点旧。", "Helpful teacher; the classroom was noisy."),
         3: ("课程一般，和网上课差不多。", "OK lessons, but the class was bigger than promised."),
         2: ("约课很难，经常被取消。", "The teacher kept changing and I made no progress.")},
    ),
    Kind(
        "music", "training", 3, "钢琴和古筝一对一课程。One-to-one piano and guzheng lessons.",
        SCHOOLS, (("钢琴学校", "Piano School"), ("音乐教室", "Music Studio"), ("琴行", "Piano House")),
        (week(("10:00", "21:00"), closed=("mon",)),
         {**week(("15:00", "21:00")), "sat": [["09:00", "20:00"]], "sun": [["09:00", "20:00"]]}),
        (D("钢琴体验课 Piano trial lesson", "一对一 45 分钟。One-to-one, 45 minutes.", "49.00", "260.00", (40, 150), 1, 60),
         D("古筝体验课 Guzheng trial lesson", "一对一 45 分钟，提供乐器。One-to-one, 45 minutes, instrument provided.",
           "39.00", "200.00", (40, 150), 1, 60),
         D("钢琴 10课时 Piano course (10 lessons)", "每周一次，含琴房练习。Weekly, practice room included.",
           "1280.00", "1980.00", (10, 60), 1, 180)),
        {5: ("老师很温柔，女儿第一节课就弹出了小星星。", "Patient teacher and a lovely grand piano.", "琴房隔音好，练琴很安静。"),
         4: ("老师专业，约时间有点难。", "Good lesson; the waiting area is tiny."),
         3: ("体验课还行，钢琴有点走音。", "The lesson was fine, the piano needed tuning."),
         2: ("老师迟到了二十分钟。", "It felt rushed and the teacher kept checking her phone.")},
    ),
    Kind(
        "estate", "estate", 1, "租房、二手房买卖和估价。Rentals, second-hand homes and valuations.",
        (("安家", "Anjia"), ("房满满", "Full House"), ("锦城", "Jincheng"), ("天府", "Tianfu"), ("蜀都", "Shudu"),
         ("宜居", "Livable"), ("金钥匙", "Golden Key")),
        (("地产", "Realty"), ("房产经纪", "Property Agents"), ("置业", "Homes"), ("租房中心", "Rentals")),
        (week(("09:00", "19:00"), closed=("sun",)), week(("08:30", "20:00"), closed=("sun",))),
        (D("租房中介费五折 Rental fee 50% off", "签约时抵扣一半中介费。Half the agency fee on signing.",
           "199.00", "399.00", (30, 150), 1, 90),
         D("看房专车 Viewing tour by car", "一次带看 5 套房源。Five homes in one trip.", "19.90", "99.00", (50, 200), 2, 60),
         D("二手房估价 Home valuation", "经纪人上门评估，出书面报告。An agent visits and writes up a valuation.",
           "9.90", "200.00", (40, 150), 1, 90)),
        {5: ("经纪人很靠谱，一个周末就找到了合适的房子。", "The agent showed us five flats in one afternoon and found the one.",
             "合同条款讲得很清楚，没有隐藏费用。"),
         4: ("房源不错，就是回消息有点慢。", "Helpful agent; a couple of listings were already taken."),
         3: ("看了几套都和照片不太一样。", "OK service, but the car tour ran late."),
         2: ("签约时不认中介费五折。", "The listings were out of date and the agent was pushy.")},
    ),
    Kind(
        "gadgets", "hardware", 1, "智能门锁、扫地机器人和手机配件。Smart locks, robot vacuums and phone accessories.",
        (("蜀智", "Shu Smart"), ("云智", "Cloud"), ("极客", "Geek"), ("智享", "Smart Life"), ("熊猫", "Panda"),
         ("锦江", "Jinjiang"), ("未来", "Future"), ("星河", "Galaxy")),
        (("智能家居", "Smart Home"), ("数码", "Gadgets"), ("数码生活馆", "Digital Life")),
        (week(("10:00", "22:00")), week(("09:30", "21:30"))),
        (D("智能门锁上门安装 Smart lock install", "含上门及调试，不含锁体。Visit and setup; the lock is not included.",
           "129.00", "299.00", (40, 200), 2, 120),
         D("扫地机器人保养 Robot vacuum service", "清洁、换滤网、固件升级。Cleaning, a new filter and a firmware update.",
           "89.00", "168.00", (50, 250), 3, 90),
         D("手机贴膜 Screen protector fitted", "钢化膜 + 贴膜服务。Tempered glass, fitted for you.", "29.00", "68.00",
           (100, 400), 3, 90)),
        {5: ("师傅上门装锁很快，还教我设置指纹。", "My robot vacuum runs like new after the service.", "贴膜没有气泡，手法很专业。"),
         4: ("服务好，就是预约要等两天。", "Good service; the shop was hard to find in the mall."),
         3: ("贴膜还行，边缘有点翘。", "Fine, but they tried to sell me a new phone case."),
         2: ("门锁装好第二天就报警没电。", "They lost the screws of my vacuum's brush.")},
    ),
    Kind(
        "hair", "salon", 8, "剪发、烫染和护理。Cuts, perms, colour and treatments.",
        SALONS, (("美发沙龙", "Hair Salon"), ("造型", "Hair Studio"), ("理发店", "Barbers")),
        (week(("10:00", "21:00")), week(("10:00", "21:00"), closed=("tue",))),
        (D("洗剪吹 Cut & blow-dry", "资深发型师。A senior stylist.", "38.00", "88.00", (100, 500), 4, 60),
         D("烫染套餐 Perm + colour", "含护理。Treatment included.", "268.00", "588.00", (40, 200), 2, 90),
         D("男士精剪 Men's cut", "含洗发和造型。Wash and styling included.", "28.00", "58.00", (100, 400), 4, 60)),
        {5: ("发型师很懂我想要的，剪完特别满意。", "Best haircut in years, and no hard sell.", "染的颜色很自然，护理也做得很仔细。"),
         4: ("剪得不错，就是等了半小时。", "Nice cut; the blow-dry was a bit quick."),
         3: ("剪得一般，比想象的短。", "An OK haircut, but they pushed a membership card."),
         2: ("烫完头发很干，像稻草。", "The colour came out orange.")},
    ),
    Kind(
        "nails", "salon", 4, "美甲和手足护理。Manicures, pedicures and hand care.",
        SALONS, (("美甲", "Nails"), ("美甲工作室", "Nail Studio"), ("美甲坊", "Nail Bar")),
        (week(("10:00", "21:00")), week(("11:00", "22:00"), closed=("tue",))),
        (D("美甲 单色 Gel manicure", "纯色或猫眼。Plain or cat-eye.", "59.00", "128.00", (60, 300), 3, 60),
         D("法式美甲 French manicure", "经典法式白边。The classic white tip.", "79.00", "158.00", (60, 300), 3, 60),
         D("手足护理 Hand & foot care", "去角质、修甲、保湿。Scrub, trim and moisturise.", "69.00", "138.00",
           (60, 300), 3, 60)),
        {5: ("美甲师手很稳，款式好看又持久。", "The gel lasted three weeks without a chip.", "环境干净，工具一客一消毒。"),
         4: ("很好看，就是做了两个小时。", "Lovely nails; the chairs could be comfier."),
         3: ("颜色和样板有点差别。", "Fine, but one nail chipped after a week."),
         2: ("指甲边上被磨破了。", "A rushed job with uneven polish.")},
    ),
    Kind(
        "teahouse", "other", 2, "竹椅、盖碗茶和川剧，老成都的下午。Bamboo chairs, covered-bowl tea and Sichuan opera.",
        (("鹤鸣", "Heming"), ("悦来", "Yuelai"), ("顺兴", "Shunxing"), ("望江", "Riverview"), ("老巷", "Old Lane"),
         ("竹林", "Bamboo Grove")),
        (("茶馆", "Teahouse"), ("茶社", "Tea Club")),
        (week(("08:00", "23:00")), week(("09:00", "22:00"))),
        (D("盖碗茶双人 Tea for two", "竹椅、盖碗茶，茶水续到打烊。Bamboo chairs and covered-bowl tea, refilled all day.",
           "29.00", "50.00", (100, 400), 4, 60),
         D("茶点双人套餐 Tea and snacks for two", "盖碗茶 2 杯 + 瓜子 + 糕点。Two teas, sunflower seeds and pastries.",
           "48.00", "78.00", (80, 300), 4, 60),
         D("川剧之夜 + 盖碗茶 Opera night with tea", "晚上 8 点变脸表演，含一杯茶。The 8 pm face-changing show with a tea.",
           "120.00", "180.00", (40, 160), 4, 60)),
        {5: ("在竹椅上喝一下午盖碗茶，太巴适了。", "A classic Chengdu teahouse: jasmine tea, bamboo chairs, mahjong.",
             "掺茶师傅续水很勤，很有老成都的味道。"),
         4: ("茶不错，周末人多有点吵。", "A lovely tea garden; the snacks were ordinary."),
         3: ("茶一般，座位有点挤。", "OK tea, but no shade in the afternoon."),
         2: ("茶叶不新鲜，服务员不理人。", "The tea was stale and the cups were chipped.")},
    ),
    Kind(
        "laundry", "other", 1, "水洗、干洗和熨烫，次日取。Washing, dry cleaning and ironing, ready the next day.",
        (("净", "Pure"), ("洁", "Clean"), ("白云", "White Cloud"), ("清风", "Fresh Breeze"), ("阳光", "Sunshine")),
        (("洗衣店", "Laundry"), ("干洗店", "Dry Cleaners")),
        (week(("00:00", "24:00")), week(("08:00", "22:00"))),
        (D("洗衣 5件 Laundry x5", "水洗或干洗 5 件。Five items, washed or dry-cleaned.", "49.00", "90.00", (80, 300), 3, 90),
         D("羽绒服清洗 Down jacket cleaning", "专业羽绒清洗，不跑绒。Cleaned without losing down.", "39.00", "68.00",
           (60, 250), 3, 90),
         D("床品四件套清洗 Bedding set wash", "被套、床单、枕套全套。Duvet cover, sheet and pillowcases.", "45.00", "80.00",
           (60, 250), 3, 90)),
        {5: ("衬衫洗得很干净，熨得也平整。", "Spotless shirts, ready the next day.", "羽绒服洗完很蓬松，没有跑绒。"),
         4: ("洗得干净，就是取件要三天。", "Clean clothes, slightly crumpled when folded."),
         3: ("洗得还行，有一件没去掉污渍。", "OK, but one stain is still there."),
         2: ("毛衣洗缩水了。", "They lost a button off my coat.")},
    ),
    Kind(
        "bookshop", "other", 1, "选书、手冲咖啡和周末读书会。Books, pour-over coffee and a weekend book club.",
        (("纸灯笼", "Paper Lantern"), ("锦书", "Jinshu"), ("墨香", "Ink Scent"), ("拾光", "Golden Hours"),
         ("青柠", "Lime")),
        (("书店", "Books"), ("书屋", "Book House")),
        (week(("10:00", "22:00")), week(("09:30", "21:30"))),
        (D("咖啡 + 购书九折 Coffee and 10% off a book", "一杯手冲咖啡，任选图书九折。A pour-over coffee and 10% off any book.",
           "25.00", "38.00", (80, 300), 3, 60),
         D("读书会入场 Book club entry", "周六下午读书会，含饮品。The Saturday afternoon book club with a drink.",
           "19.90", "40.00", (40, 160), 2, 60)),
        {5: ("选书很有品味，角落里看书很安静。", "A great shelf of Sichuan history and good coffee.", "读书会很有意思，认识了不少朋友。"),
         4: ("环境好，咖啡一般。", "A lovely shop; the English section is small."),
         3: ("书不多，更像咖啡馆。", "OK, more café than bookshop."),
         2: ("座位太少，店员催人走。", "The book club was cancelled without notice.")},
    ),
    Kind(
        "florist", "other", 1, "鲜花花束、每周送花和花艺课。Bouquets, weekly flowers and arranging classes.",
        (("花间", "Among Flowers"), ("芙蓉", "Hibiscus"), ("小雏菊", "Daisy"), ("花语", "Flower Talk"), ("春日", "Spring Day")),
        (("花店", "Florist"), ("花艺", "Flower Studio")),
        (week(("09:00", "21:00")), week(("08:30", "20:30"))),
        (D("玫瑰花束 11枝 Bouquet of 11 roses", "当天鲜切，可写卡片。Cut today, with a card.", "99.00", "168.00", (60, 250), 3, 60),
         D("每周鲜花 4次 Weekly flowers x4", "每周一束当季花。A seasonal bunch every week.", "129.00", "199.00", (30, 120), 2, 90),
         D("花艺体验课 Flower arranging class", "90 分钟，作品带回家。90 minutes; take your bouquet home.", "88.00", "158.00",
           (30, 120), 2, 60)),
        {5: ("花很新鲜，包装也漂亮，女朋友很喜欢。", "The roses lasted more than a week.", "花艺课老师讲得很细，做的花束带回家了。"),
         4: ("花不错，就是配送晚了一小时。", "A beautiful bouquet, a bit smaller than the photo."),
         3: ("花还行，有两枝有点蔫。", "OK flowers, nothing special."),
         2: ("花拿到时已经打蔫了。", "Wrong colours and no apology.")},
    ),
)

BY_KEY = {k.key: k for k in KINDS}

# Replies that fit the rating they answer (by band).
REPLIES: dict[int, tuple[str, ...]] = {
    5: ("感谢您的支持，欢迎再来！", "Thank you! See you again soon.", "谢谢好评，我们会继续努力。"),
    4: ("谢谢您的好评和建议，我们会做得更好。", "Thank you, and thanks for the tip: we are working on it."),
    3: ("谢谢反馈，您提的问题我们会改进。", "Thanks for the honest feedback; we will do better next time."),
    2: ("非常抱歉给您带来不好的体验，请联系店长，我们会妥善处理。",
        "We are sorry this visit let you down. Please ask for the manager next time; we want to put it right."),
}
