"""Words and codes that personal licenses print, written for the demo.

School codes are the Ministry of Education's five-digit codes of well-known
universities; vehicle identifier prefixes (WMI) are those commonly seen on cars
built in China; qualification and occupation names follow the national catalogues'
wording. All are common knowledge, listed here by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BANKS",
    "COLOURS",
    "EDUCATION_OF_LEVEL",
    "HOUSEHOLD_OCCUPATIONS",
    "NATIVE_PLACES",
    "OCCUPATIONS",
    "QUALIFICATIONS",
    "SCHOOLS",
    "SHORT_CYCLE_MAJORS",
    "UNDERGRADUATE_MAJORS",
    "VEHICLES",
    "Major",
    "Qualification",
    "School",
    "VehicleModel",
]


@dataclass(frozen=True)
class School:
    name: str
    code: str
    in_region: bool
    """Whether the school is in Xinjiang (most holders studied there)."""


@dataclass(frozen=True)
class Major:
    name: str
    discipline: str
    """The discipline that names the degree: 工学 gives 工学学士."""
    years: int
    """The regular length of the undergraduate programme."""


@dataclass(frozen=True)
class Qualification:
    name: str
    level: str
    speciality: str


@dataclass(frozen=True)
class VehicleModel:
    brand_model: str
    """Brand and model as the certificate prints them."""
    wmi: str
    """The world manufacturer identifier, the first three VIN characters."""
    engine_prefix: str
    vehicle_type: str
    fuel: str
    weight: int
    """How often the model appears, relative to the others."""


SCHOOLS = (
    School("新疆大学", "10755", True),
    School("塔里木大学", "10757", True),
    School("新疆农业大学", "10758", True),
    School("石河子大学", "10759", True),
    School("新疆医科大学", "10760", True),
    School("新疆师范大学", "10762", True),
    School("喀什大学", "10763", True),
    School("伊犁师范大学", "10764", True),
    School("新疆艺术学院", "10765", True),
    School("新疆财经大学", "10766", True),
    School("北京大学", "10001", False),
    School("清华大学", "10003", False),
    School("南开大学", "10055", False),
    School("复旦大学", "10246", False),
    School("浙江大学", "10335", False),
    School("山东大学", "10422", False),
    School("郑州大学", "10459", False),
    School("武汉大学", "10486", False),
    School("四川大学", "10610", False),
    School("西安交通大学", "10698", False),
    School("陕西师范大学", "10718", False),
    School("兰州大学", "10730", False),
)

UNDERGRADUATE_MAJORS = (
    Major("计算机科学与技术", "工学", 4),
    Major("软件工程", "工学", 4),
    Major("土木工程", "工学", 4),
    Major("电气工程及其自动化", "工学", 4),
    Major("石油工程", "工学", 4),
    Major("汉语言文学", "文学", 4),
    Major("中国少数民族语言文学", "文学", 4),
    Major("英语", "文学", 4),
    Major("新闻学", "文学", 4),
    Major("临床医学", "医学", 5),
    Major("预防医学", "医学", 5),
    Major("护理学", "理学", 4),
    Major("药学", "理学", 4),
    Major("数学与应用数学", "理学", 4),
    Major("化学", "理学", 4),
    Major("会计学", "管理学", 4),
    Major("工商管理", "管理学", 4),
    Major("旅游管理", "管理学", 4),
    Major("经济学", "经济学", 4),
    Major("国际经济与贸易", "经济学", 4),
    Major("法学", "法学", 4),
    Major("思想政治教育", "法学", 4),
    Major("小学教育", "教育学", 4),
    Major("体育教育", "教育学", 4),
    Major("农学", "农学", 4),
    Major("园艺", "农学", 4),
    Major("动物医学", "农学", 5),
    Major("音乐学", "艺术学", 4),
)

SHORT_CYCLE_MAJORS = (
    "护理 会计 计算机应用技术 学前教育 小学教育 汽车检测与维修技术 建筑工程技术"
    " 电子商务 旅游管理 畜牧兽医 园艺技术 机电一体化技术 市场营销 石油化工技术"
    " 现代物流管理 酒店管理与数字化运营"
).split()

QUALIFICATIONS = (
    Qualification("一级造价工程师", "一级", "土木建筑工程"),
    Qualification("二级建造师", "二级", "建筑工程"),
    Qualification("一级建造师", "一级", "市政公用工程"),
    Qualification("监理工程师", "中级", "土木建筑工程"),
    Qualification("执业药师", "中级", "药学"),
    Qualification("会计专业技术资格", "中级", "会计"),
    Qualification("经济专业技术资格", "中级", "人力资源管理"),
    Qualification("经济专业技术资格", "初级", "工商管理"),
    Qualification("社会工作者职业资格", "中级", "社会工作实务"),
    Qualification("注册安全工程师", "中级", "化工安全"),
    Qualification("一级注册消防工程师", "一级", "消防安全技术实务"),
    Qualification("审计专业技术资格", "中级", "审计"),
    Qualification("统计专业技术资格", "中级", "统计"),
    Qualification("计算机技术与软件专业技术资格", "中级", "软件设计师"),
    Qualification("护士执业资格", "初级", "护理"),
)

OCCUPATIONS = (
    "电工 焊工 中式烹调师 中式面点师 西式面点师 保育师 育婴员 养老护理员 美发师"
    " 汽车维修工 农艺工 家畜饲养员 车工 钳工 茶艺师 电子商务师 保安员 健康管理师"
    " 企业人力资源管理师 家政服务员 砌筑工 钢筋工 果树工 棉花加工工"
).split()

VEHICLES = (
    VehicleModel("大众 SVW7152", "LSV", "DJS", "小型普通客车", "汽油", 9),
    VehicleModel("大众 FV7152", "LFV", "DLF", "小型普通客车", "汽油", 7),
    VehicleModel("丰田 GTM7250", "LVG", "2AR", "小型普通客车", "汽油", 7),
    VehicleModel("本田 HG7152", "LHG", "L15B", "小型普通客车", "汽油", 5),
    VehicleModel("日产 DFL7160", "LGB", "HR16", "小型普通客车", "汽油", 5),
    VehicleModel("别克 SGM7151", "LSG", "LDE", "小型普通客车", "汽油", 4),
    VehicleModel("哈弗 CC6460", "LGW", "GW4G15B", "小型越野客车", "汽油", 6),
    VehicleModel("吉利 MR7152", "L6T", "JLC4G15", "小型普通客车", "汽油", 6),
    VehicleModel("五菱 LZW6447", "LZW", "LJ479QN", "小型普通客车", "汽油", 5),
    VehicleModel("长安 SC7164", "LS5", "JL478QEE", "小型普通客车", "汽油", 5),
    VehicleModel("奇瑞 SQR7150", "LVV", "SQRE4G15", "小型普通客车", "汽油", 3),
    VehicleModel("比亚迪 BYD7152", "LGX", "BYD476ZQA", "小型普通客车", "汽油", 3),
    VehicleModel("比亚迪 BYD7005BEV", "LGX", "TZ200XSN", "小型普通客车", "纯电动", 4),
    VehicleModel(
        "比亚迪 BYD6470ST6HEV", "LGX", "BYD472QA", "小型越野客车", "插电式混合动力", 2
    ),
    VehicleModel("红旗 CA7200", "LFP", "CA4GB20", "小型普通客车", "汽油", 1),
    VehicleModel("江淮 HFC1041", "LJ1", "HFC4DA1", "轻型普通货车", "柴油", 3),
    VehicleModel("东风 DFH4250", "LGA", "DCI11", "重型半挂牵引车", "柴油", 1),
)

COLOURS = ("白", "黑", "银", "灰", "红", "蓝", "棕")

BANKS = (
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "中国邮政储蓄银行",
    "乌鲁木齐银行",
    "昆仑银行",
    "新疆农村信用社",
)

# Where many Han families of Xinjiang came from, for the household register's 籍贯.
NATIVE_PLACES = (
    "甘肃省天水市 河南省周口市 四川省南充市 陕西省渭南市 山东省菏泽市 江苏省徐州市"
    " 湖南省邵阳市 重庆市万州区 安徽省阜阳市 河北省邯郸市 浙江省温州市 湖北省黄冈市"
    " 宁夏回族自治区固原市 青海省西宁市"
).split()

# The household register's 文化程度 for each level of an academic certificate.
EDUCATION_OF_LEVEL = {
    "博士研究生": "博士研究生",
    "硕士研究生": "硕士研究生",
    "本科": "大学本科",
    "专科": "大学专科",
}

HOUSEHOLD_OCCUPATIONS = (
    "教师 医生 护士 公务员 工人 农民 个体经营者 司机 职员 销售人员 厨师 工程技术人员"
    " 牧民 会计"
).split()
