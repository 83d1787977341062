"""Words for synthetic businesses: industries, trade names, company types.

Written for the demo. Industry codes are the two-digit divisions of GB/T 4754-2017
(国民经济行业分类) that enterprise investment project codes carry; business scopes
follow the wording of the national standard list of business scope entries.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COMPANY_TYPES",
    "INDUSTRIES",
    "TRADE_NAMES",
    "Industry",
]


@dataclass(frozen=True, kw_only=True)
class Industry:
    """A line of business of enterprises and individual businesses."""

    key: str
    word: str
    """The industry word of a company name: 餐饮 in 丝路餐饮有限公司."""
    scope: str
    """The business scope a licence prints."""
    company_weight: int
    """How common it is among enterprises, relative to the others."""
    project_share: float
    """The share of its enterprises with a filed investment project."""
    code: str
    """The GB/T 4754-2017 division."""
    code_name: str
    shop_weight: int = 0
    """How common it is among individual businesses."""
    shop_words: tuple[str, ...] = ()
    """What an individual business of the industry calls itself: 拉面馆, 超市."""
    food_format: str | None = None
    """The main format of its food business licence, ``None`` if it needs none."""
    food_items: str = ""
    """The business items of that food licence."""


_FOOD_RETAIL_ITEMS = (
    "预包装食品（含冷藏冷冻食品）销售；散装食品（不含冷藏冷冻食品）销售"
)

INDUSTRIES = (
    Industry(
        key="catering",
        word="餐饮",
        scope="餐饮服务；食品销售（仅销售预包装食品）。",
        company_weight=8,
        shop_weight=22,
        shop_words=("餐厅", "饭馆", "拉面馆", "烤肉店", "馕店", "抓饭店"),
        food_format="餐饮服务经营者",
        food_items="热食类食品制售；冷食类食品制售",
        project_share=0.01,
        code="62",
        code_name="餐饮业",
    ),
    Industry(
        key="food-retail",
        word="食品",
        scope="食品销售；日用百货销售；农副产品销售。",
        company_weight=6,
        shop_weight=14,
        shop_words=("超市", "便利店", "食品店", "干果店"),
        food_format="食品销售经营者",
        food_items=_FOOD_RETAIL_ITEMS,
        project_share=0.02,
        code="52",
        code_name="零售业",
    ),
    Industry(
        key="agriculture",
        word="农业科技",
        scope="农作物种植；农业技术推广服务；农副产品销售。",
        company_weight=10,
        shop_weight=3,
        shop_words=("农资店", "种植园"),
        project_share=0.16,
        code="01",
        code_name="农业",
    ),
    Industry(
        key="fruit-processing",
        word="果业",
        scope="农副产品加工；干果、坚果加工；农产品的生产、销售、加工、运输、贮藏。",
        company_weight=5,
        project_share=0.2,
        code="13",
        code_name="农副食品加工业",
    ),
    Industry(
        key="livestock",
        word="畜牧",
        scope="牲畜饲养；畜禽收购；饲料销售。",
        company_weight=4,
        shop_weight=2,
        shop_words=("养殖场",),
        project_share=0.16,
        code="03",
        code_name="畜牧业",
    ),
    Industry(
        key="cotton",
        word="棉业",
        scope="棉花加工；棉、麻销售；纺纱加工。",
        company_weight=4,
        project_share=0.16,
        code="17",
        code_name="纺织业",
    ),
    Industry(
        key="construction",
        word="建筑工程",
        scope="房屋建筑和市政基础设施项目工程总承包；建设工程施工。",
        company_weight=10,
        project_share=0.06,
        code="47",
        code_name="房屋建筑业",
    ),
    Industry(
        key="trade",
        word="商贸",
        scope="日用百货销售；五金产品零售；服装服饰零售；家用电器销售。",
        company_weight=14,
        shop_weight=15,
        shop_words=("百货店", "服装店", "五金店", "家电商行"),
        project_share=0.02,
        code="51",
        code_name="批发业",
    ),
    Industry(
        key="logistics",
        word="物流",
        scope="道路货物运输（不含危险货物）；普通货物仓储服务；国内货物运输代理。",
        company_weight=7,
        shop_weight=3,
        shop_words=("货运部",),
        project_share=0.12,
        code="54",
        code_name="道路运输业",
    ),
    Industry(
        key="tourism",
        word="旅游",
        scope="旅游业务；旅游开发项目策划咨询；票务代理服务。",
        company_weight=5,
        project_share=0.1,
        code="72",
        code_name="商务服务业",
    ),
    Industry(
        key="software",
        word="信息技术",
        scope="软件开发；信息技术咨询服务；信息系统集成服务。",
        company_weight=6,
        project_share=0.04,
        code="65",
        code_name="软件和信息技术服务业",
    ),
    Industry(
        key="energy",
        word="新能源",
        scope="太阳能发电技术服务；风力发电技术服务；发电业务、输电业务、供（配）电业务。",
        company_weight=3,
        project_share=0.4,
        code="44",
        code_name="电力、热力生产和供应业",
    ),
    Industry(
        key="auto-repair",
        word="汽车服务",
        scope="机动车修理和维护；汽车零配件零售；洗车服务。",
        company_weight=4,
        shop_weight=8,
        shop_words=("汽车修理部", "汽修店", "轮胎店"),
        project_share=0.01,
        code="81",
        code_name="机动车、电子产品和日用产品修理业",
    ),
    Industry(
        key="real-estate",
        word="房地产开发",
        scope="房地产开发经营；物业管理；住房租赁。",
        company_weight=3,
        project_share=0.32,
        code="70",
        code_name="房地产业",
    ),
    Industry(
        key="culture",
        word="文化传媒",
        scope="组织文化艺术交流活动；广告设计、代理；会议及展览服务。",
        company_weight=4,
        project_share=0.02,
        code="87",
        code_name="文化艺术业",
    ),
    Industry(
        key="beauty",
        word="美容美发",
        scope="理发服务；生活美容服务。",
        company_weight=0,
        shop_weight=8,
        shop_words=("理发店", "美发店", "美容院"),
        project_share=0.0,
        code="80",
        code_name="居民服务业",
    ),
)

TRADE_NAMES = (
    "丝路 天山 昆仑 雪莲 金沙 绿洲 胡杨 博格达 阿尔泰 帕米尔 塔里木 天池 红柳 西域"
    " 驼铃 戈壁 金穗 百川 鑫源 恒通 宏达 瑞丰 华美 盛世 嘉禾 和顺 兴旺 吉祥 富民 丰收"
    " 众诚 安达 顺达 骏马 雄鹰 石榴籽 馕香 果香 棉都 金果 玉龙 白杨 天马 沙漠 雪峰"
    " 明珠 金桥 新丝路 瀚海 长风"
).split()

# Company types as licences print them, with how common each is.
COMPANY_TYPES = (
    ("有限责任公司(自然人投资或控股)", 55),
    ("有限责任公司(自然人独资)", 25),
    ("有限责任公司(非自然人投资或控股的法人独资)", 7),
    ("股份有限公司(非上市、自然人投资或控股)", 5),
    ("有限责任公司(国有独资)", 3),
)
