"""Personal names for synthetic holders, by naming tradition.

The lists were written for this project from common knowledge of Chinese and
Xinjiang naming, not taken from any register or data set: frequent Han surnames and
given-name characters, and given names of the Turkic, Tajik and Mongol traditions in
their usual Chinese transliteration. Uyghur, Kazakh, Kyrgyz and Tajik names are
written given name, middle dot, father's given name (艾力·买买提); Mongol names as
one given name (巴特尔); Han, Hui and Xibe names as surname and given name.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "FEMALE_GIVEN",
    "HAN_FEMALE_CHARACTERS",
    "HAN_MALE_CHARACTERS",
    "HAN_SURNAMES",
    "HUI_SURNAMES",
    "MALE_GIVEN",
    "STYLE_OF",
    "XIBE_SURNAMES",
    "NameStyle",
]


class NameStyle(StrEnum):
    """How a tradition builds a full name."""

    SURNAME = "surname"  # 王建国: surname, then one or two given characters
    PATRONYMIC = "patronymic"  # 艾力·买买提: given name · father's given name
    SINGLE = "single"  # 巴特尔: a given name alone


# Roughly in order of frequency, so that weights falling with rank look natural.
HAN_SURNAMES = tuple(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭"
    "吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱"
    "秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
HUI_SURNAMES = tuple("马杨丁李白海沙哈冶王张金穆纳苏韩周田撒兰")
XIBE_SURNAMES = tuple("关佟安吴韩何杨富郭赵常巴")

HAN_MALE_CHARACTERS = tuple(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国志文成峰新东海"
    "亮晨博睿航泽宏锋庆春江山永兵毅德胜光荣立"
)
HAN_FEMALE_CHARACTERS = tuple(
    "芳娜敏静丽艳娟霞燕玲婷雪慧颖琳倩欣晶莉梅红兰萍洁佳怡蕾瑶琪月悦雨馨涵诗梦思可"
    "秀英玉凤青婉嘉桂琴丹"
)

_UYGHUR_MALE = (
    "艾力 买买提 阿不都热合曼 艾克拜尔 吐尔逊 阿里木 艾尔肯 买合木提 依明 肉孜 阿迪力"
    " 努尔麦麦提 热合曼 伊力哈木 亚森 卡德尔 玉素甫 吾斯曼 阿不都拉 艾买提 司马义"
    " 吐尔洪 麦麦提敏 伊斯拉木 阿不都克力木 帕尔哈提 迪力夏提 阿尔斯兰 木拉提 伊力夏提"
    " 凯赛尔 艾合买提 热西提 阿不力孜 斯拉木 塔依尔 沙吾提 哈斯木 吾买尔 托合提 克然木"
    " 吐尔地 努尔艾力 买买提江 艾则孜 居来提 依沙克 尼亚孜 吐逊江 艾山 阿布都外力"
    " 赛买提 祖农"
).split()
_UYGHUR_FEMALE = (
    "古丽米热 阿依古丽 帕提古丽 热依拉 米热古丽 阿依努尔 迪丽努尔 古丽娜尔 努尔尼沙"
    " 布维热木 阿依夏木 祖丽胡玛尔 热娜古丽 再努尔 玛依拉 帕丽达 古丽巴哈尔 迪丽拜尔"
    " 阿米娜 海尼沙 阿孜古丽 努尔古丽 米娜瓦尔 苏比努尔 祖力皮亚 哈丽旦 图尔荪古丽"
    " 美合日阿依 阿依先木 帕孜丽娅 热孜亚 古扎丽努尔 迪娜拉 阿曼古丽 排孜丽亚"
    " 麦尔哈巴 努尔比亚 吐尼莎 茹仙古丽"
).split()
_KAZAKH_MALE = (
    "努尔兰 叶尔兰 别克 哈那提 叶尔江 阿斯哈尔 达吾列提 加那尔别克 巴合提 叶尔波力"
    " 木拉提 阿依登 赛力克 波拉提 哈比包拉 吾拉力 叶尔肯 加依达尔 江布尔 阿曼"
    " 马合沙提 托列吾汗 努尔别克 叶森 沙肯 库尔曼 哈斯木 达列力汗 塔布斯 哈力木 胡安"
    " 叶尔扎提 加肯 阿达依 朱马汗"
).split()
_KAZAKH_FEMALE = (
    "古丽娜尔 阿依达娜 古丽巴汗 沙吾列 阿依古丽 加娜尔 哈丽玛 努尔古丽 巴合提古丽"
    " 阿克玛热 玛依努尔 古丽扎达 阿依恒 别克扎达 萨乌列 吉别克 阿娜尔 阿依努尔 达娜"
    " 阿丽玛 娜孜古丽 沙依拉 库拉依 阿依江 哈孜依拉"
).split()
_KYRGYZ_MALE = (
    "阿斯卡尔 托合提别克 吐尔逊别克 卡德尔别克 马纳斯 阿达力 苏来曼 库尔班 朱马"
    " 艾尔肯别克 阿不都热依木 阿曼别克 吾麦尔 吐尔干 托列克 阿勒木 巴克特 库尔曼别克"
    " 沙巴提 玉山"
).split()
_KYRGYZ_FEMALE = (
    "古丽加玛丽 阿依加玛丽 布茹丽 阿依吐鲁克 努尔加玛丽 古丽巴热 加米拉 阿依努尔"
    " 吐尔孙古丽 玛依拉 阿依沙 阿克努尔 古丽米拉 布阿依夏木"
).split()
_TAJIK_MALE = (
    "巴亚克 阿米尔 热甫卡提 米尔扎 阿布都拉 沙迪克 拉齐尼 塔西甫拉提 买买提沙"
    " 吐尔地汗 阿布都卡德尔 达吾提 库尔班江 喀迪尔 比里力"
).split()
_TAJIK_FEMALE = (
    "古丽比亚 阿依木 米日古丽 古丽且克热 阿依努尔 比比古丽 古丽巴哈尔 娜斯然 夏比亚"
    " 阿依加马丽 扎热古丽"
).split()
_MONGOL_MALE = (
    "巴特尔 孟克 巴音 额尔敦 宝音 那顺 乌力吉 朝鲁 布仁 达来 道尔吉 巴图 苏和"
    " 格日勒图 吉日嘎拉 那仁 巴雅尔 图门 额尔德尼 扎那 阿拉坦 策仁"
).split()
_MONGOL_FEMALE = (
    "其其格 乌兰 萨仁 托娅 乌云 娜仁 高娃 斯琴 敖登 图雅 格日乐 乌日娜 苏布达 塔娜"
    " 萨日娜 其木格 娜布其"
).split()

#: The naming tradition of each ethnicity the demo generates.
STYLE_OF = {
    "汉": NameStyle.SURNAME,
    "回": NameStyle.SURNAME,
    "锡伯": NameStyle.SURNAME,
    "满": NameStyle.SURNAME,
    "维吾尔": NameStyle.PATRONYMIC,
    "哈萨克": NameStyle.PATRONYMIC,
    "柯尔克孜": NameStyle.PATRONYMIC,
    "塔吉克": NameStyle.PATRONYMIC,
    "乌孜别克": NameStyle.PATRONYMIC,
    "蒙古": NameStyle.SINGLE,
}

#: Given names by ethnicity, for the patronymic and single-name traditions.
MALE_GIVEN: dict[str, tuple[str, ...]] = {
    "维吾尔": tuple(_UYGHUR_MALE),
    "乌孜别克": tuple(_UYGHUR_MALE),
    "哈萨克": tuple(_KAZAKH_MALE),
    "柯尔克孜": tuple(_KYRGYZ_MALE),
    "塔吉克": tuple(_TAJIK_MALE),
    "蒙古": tuple(_MONGOL_MALE),
}
FEMALE_GIVEN: dict[str, tuple[str, ...]] = {
    "维吾尔": tuple(_UYGHUR_FEMALE),
    "乌孜别克": tuple(_UYGHUR_FEMALE),
    "哈萨克": tuple(_KAZAKH_FEMALE),
    "柯尔克孜": tuple(_KYRGYZ_FEMALE),
    "塔吉克": tuple(_TAJIK_FEMALE),
    "蒙古": tuple(_MONGOL_FEMALE),
}
