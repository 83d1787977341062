"""Public institutions (事业单位) and social organisations (社会团体) for the demo.

Written for the demo: the kinds of institution most counties and prefectures set up,
with the department that sponsors each, and the topics societies gather around, with
their supervising unit.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SECTORS", "SOCIETY_TOPICS", "Sector", "SocietyTopic"]


@dataclass(frozen=True, kw_only=True)
class Sector:
    """A kind of public institution (事业单位)."""

    key: str
    suffix: str
    """The name after the place (and an ordinal, for schools): 人民医院, 中学."""
    sponsor: str
    """The sponsoring department after the place: 卫生健康委员会."""
    purpose: str
    funding: str
    canteen: bool
    """Whether it runs a canteen with its own food business licence."""


@dataclass(frozen=True, kw_only=True)
class SocietyTopic:
    """What a social organisation (社会团体) gathers around."""

    name: str
    """The name after the place: 摄影家协会."""
    scope: str
    supervisor: str
    """The supervising unit after the place: 文学艺术界联合会."""


SECTORS = (
    Sector(
        key="school",
        suffix="中学",
        sponsor="教育局",
        purpose="实施初中、高中学历教育，促进基础教育发展。",
        funding="财政拨款",
        canteen=True,
    ),
    Sector(
        key="primary-school",
        suffix="小学",
        sponsor="教育局",
        purpose="实施小学义务教育，促进基础教育发展。",
        funding="财政拨款",
        canteen=True,
    ),
    Sector(
        key="hospital",
        suffix="人民医院",
        sponsor="卫生健康委员会",
        purpose="为人民身体健康提供医疗与护理保健服务。医疗、预防、保健、教学。",
        funding="财政补助",
        canteen=True,
    ),
    Sector(
        key="maternity",
        suffix="妇幼保健院",
        sponsor="卫生健康委员会",
        purpose="为妇女儿童提供保健与医疗服务。孕产保健、儿童保健、妇女保健。",
        funding="财政补助",
        canteen=False,
    ),
    Sector(
        key="disease-control",
        suffix="疾病预防控制中心",
        sponsor="卫生健康委员会",
        purpose="开展疾病预防控制工作，保障公众健康。疾病监测、预防接种管理、卫生检验。",
        funding="财政拨款",
        canteen=False,
    ),
    Sector(
        key="library",
        suffix="图书馆",
        sponsor="文化体育广电和旅游局",
        purpose="为群众提供公共文化服务。图书借阅、信息咨询、文化讲座。",
        funding="财政补助",
        canteen=False,
    ),
    Sector(
        key="real-estate-registration",
        suffix="不动产登记中心",
        sponsor="自然资源局",
        purpose="承担不动产登记具体工作。不动产登记受理、审核、登簿、发证。",
        funding="财政拨款",
        canteen=False,
    ),
    Sector(
        key="media",
        suffix="融媒体中心",
        sponsor="党委宣传部",
        purpose="开展新闻宣传与公共信息服务。新闻采编、广播电视节目制作、新媒体运营。",
        funding="财政补助",
        canteen=False,
    ),
)

SOCIETY_TOPICS = (
    SocietyTopic(
        name="摄影家协会",
        scope="摄影艺术交流、展览、培训",
        supervisor="文学艺术界联合会",
    ),
    SocietyTopic(
        name="书法家协会",
        scope="书法艺术交流、展览、培训",
        supervisor="文学艺术界联合会",
    ),
    SocietyTopic(
        name="餐饮行业协会",
        scope="行业交流、业务培训、咨询服务、行业自律",
        supervisor="商务局",
    ),
    SocietyTopic(
        name="个体劳动者协会",
        scope="政策宣传、业务培训、权益维护",
        supervisor="市场监督管理局",
    ),
    SocietyTopic(
        name="果业协会",
        scope="林果技术推广、品牌建设、市场信息服务",
        supervisor="农业农村局",
    ),
    SocietyTopic(
        name="养蜂协会",
        scope="养蜂技术交流、培训、产品推介",
        supervisor="农业农村局",
    ),
    SocietyTopic(
        name="计算机学会",
        scope="学术交流、科普宣传、技术咨询",
        supervisor="科学技术协会",
    ),
    SocietyTopic(
        name="老年人体育协会",
        scope="组织老年人体育健身活动、赛事、培训",
        supervisor="文化体育广电和旅游局",
    ),
    SocietyTopic(
        name="浙江商会",
        scope="联络会员、信息交流、投资咨询、权益维护",
        supervisor="工商业联合会",
    ),
    SocietyTopic(
        name="河南商会",
        scope="联络会员、信息交流、投资咨询、权益维护",
        supervisor="工商业联合会",
    ),
    SocietyTopic(
        name="志愿者协会",
        scope="组织志愿服务、志愿者培训、公益宣传",
        supervisor="共青团委员会",
    ),
)
