"""Why a lifecycle event happened, in the words a department would record.

Written for the demo in the usual wording of such records; a reason per license type
where one fits, a general one per kind of event otherwise.
"""

from __future__ import annotations

from zhengzhao.model.lifecycle import EventKind

__all__ = ["reason"]

_KIND = EventKind


def reason(type_key: str, kind: EventKind) -> str:
    """The reason for an event of ``kind`` on a license of type ``type_key``."""
    return _REASONS.get((type_key, kind)) or _GENERAL_REASONS[kind]


_GENERAL_REASONS = {
    _KIND.ANNUAL_INSPECTION: "年度检验合格",
    _KIND.EXTENDED: "有效期届满前申请延续",
    _KIND.CORRECTED: "登记事项有误，依申请更正",
    _KIND.SUSPENDED: "依法暂扣",
    _KIND.RELEASED: "暂扣期满，依法发还",
    _KIND.MORTGAGED: "办理抵押登记",
    _KIND.PLEDGED: "办理质押登记",
    _KIND.DISCHARGED: "解除抵押（质押）登记",
    _KIND.REVOKED: "依法吊销",
    _KIND.CANCELLED: "依申请注销",
    _KIND.ABOLISHED: "依法废止",
    _KIND.EXPIRED: "有效期届满，未办理延续",
}
_REASONS = {
    ("resident-identity-card", _KIND.EXTENDED): "有效期满，换领居民身份证",
    ("resident-identity-card", _KIND.CANCELLED): "户口注销，居民身份证同时注销",
    ("resident-identity-card", _KIND.CORRECTED): "住址登记有误，依申请更正",
    ("household-register", _KIND.CANCELLED): "迁出本户，注销户口登记",
    ("household-register", _KIND.CORRECTED): "住址登记有误，依申请更正",
    ("social-security-card", _KIND.EXTENDED): "有效期满，换发社会保障卡",
    ("social-security-card", _KIND.CANCELLED): "持卡人申请注销社会保障卡",
    ("social-security-card", _KIND.CORRECTED): "变更金融账户",
    ("medical-insurance-certificate", _KIND.CANCELLED): "终止参保，注销医保电子凭证",
    ("motor-vehicle-driving-licence", _KIND.EXTENDED): "有效期满，换发机动车驾驶证",
    ("motor-vehicle-driving-licence", _KIND.SUSPENDED): "饮酒后驾驶机动车，暂扣六个月",
    ("motor-vehicle-driving-licence", _KIND.RELEASED): "暂扣期满，发还机动车驾驶证",
    (
        "motor-vehicle-driving-licence",
        _KIND.REVOKED,
    ): "醉酒驾驶机动车，吊销机动车驾驶证",
    ("motor-vehicle-registration-certificate", _KIND.ANNUAL_INSPECTION): (
        "机动车安全技术检验合格"
    ),
    ("motor-vehicle-registration-certificate", _KIND.MORTGAGED): (
        "办理机动车抵押登记（汽车消费贷款）"
    ),
    ("motor-vehicle-registration-certificate", _KIND.PLEDGED): "办理机动车质押备案",
    ("motor-vehicle-registration-certificate", _KIND.CANCELLED): (
        "机动车达到强制报废标准，注销登记"
    ),
    (
        "motor-vehicle-registration-certificate",
        _KIND.CORRECTED,
    ): "车身颜色登记有误，更正",
    ("marriage-certificate", _KIND.CANCELLED): "办理离婚登记",
    ("birth-medical-certificate", _KIND.ABOLISHED): "签发信息有误，出生医学证明作废",
    ("real-estate-certificate", _KIND.MORTGAGED): "办理个人住房贷款抵押登记",
    ("real-estate-certificate", _KIND.DISCHARGED): "贷款结清，注销抵押登记",
    ("real-estate-certificate", _KIND.CANCELLED): "房屋征收，注销不动产登记",
    ("real-estate-certificate", _KIND.CORRECTED): "坐落登记有误，依申请更正",
    (
        "academic-certificate",
        _KIND.ABOLISHED,
    ): "经复查以不正当手段取得，学历证书予以撤销",
    ("degree-certificate", _KIND.REVOKED): "经复查存在学术不端行为，撤销学位",
    ("professional-qualification-certificate", _KIND.REVOKED): (
        "以不正当手段取得资格证书，予以撤销"
    ),
    (
        "vocational-skill-level-certificate",
        _KIND.REVOKED,
    ): "考核违纪，撤销职业技能等级证书",
    ("business-licence", _KIND.ANNUAL_INSPECTION): "年度报告公示，抽查合格",
    (
        "business-licence",
        _KIND.REVOKED,
    ): "成立后无正当理由超过六个月未开业，吊销营业执照",
    ("business-licence", _KIND.CANCELLED): "决议解散，清算完结，申请注销登记",
    ("business-licence", _KIND.CORRECTED): "住所登记有误，依申请更正",
    ("food-business-licence", _KIND.EXTENDED): "有效期届满前申请延续食品经营许可",
    ("food-business-licence", _KIND.SUSPENDED): "违反食品安全法律法规，暂扣许可证",
    ("food-business-licence", _KIND.RELEASED): "整改合格，发还食品经营许可证",
    ("food-business-licence", _KIND.REVOKED): "严重违反食品安全法律法规，吊销许可证",
    ("food-business-licence", _KIND.CANCELLED): "经营者申请终止食品经营，注销许可证",
    ("food-business-licence", _KIND.CORRECTED): "经营场所登记有误，依申请更正",
    ("public-institution-legal-person-certificate", _KIND.ANNUAL_INSPECTION): (
        "事业单位年度报告审核通过"
    ),
    ("public-institution-legal-person-certificate", _KIND.CANCELLED): (
        "举办单位决定撤销，注销登记"
    ),
    ("social-organisation-legal-person-certificate", _KIND.ANNUAL_INSPECTION): (
        "年度检查合格"
    ),
    ("social-organisation-legal-person-certificate", _KIND.REVOKED): (
        "连续两年未参加年度检查，撤销登记"
    ),
    ("social-organisation-legal-person-certificate", _KIND.CANCELLED): (
        "完成章程规定的宗旨，申请注销登记"
    ),
    ("enterprise-investment-project-registration-certificate", _KIND.ABOLISHED): (
        "项目终止实施，备案证明废止"
    ),
    ("enterprise-investment-project-registration-certificate", _KIND.CORRECTED): (
        "总投资调整，更正备案信息"
    ),
}
