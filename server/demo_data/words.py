"""Words the generators draw from: pools taken once from Faker (zh_CN and en), and a few lists
written by hand where Faker's own text would look odd in a sales team's CRM."""

from __future__ import annotations

import functools

from faker import Faker
from faker.providers.address.zh_CN import Provider as ZhAddress
from faker.providers.company.zh_CN import Provider as ZhCompany
from faker.providers.person.zh_CN import Provider as ZhPerson

from app.core.pinyin import pinyin_keys

INDUSTRIES = ("科技", "贸易", "实业", "电子", "机械", "食品", "化工", "物流", "建材", "医药", "服饰", "家居",
              "信息技术", "文化传媒", "农业", "汽车配件", "包装", "环保", "新能源", "精密仪器", "纺织", "餐饮管理")
ORG_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
ZH_TOPICS = ("报价", "合同续签", "新品推介", "回款", "售后服务", "年度框架协议", "样品确认", "交期", "春节备货")
EN_TOPICS = ("quote", "contract renewal", "new product line", "payment", "after-sales service", "delivery date")
ZH_SUBJECTS = {"call": "电话回访：{t}", "meeting": "{t}沟通会", "visit": "上门拜访（{t}）", "task": "跟进{t}",
               "note": "备忘：{t}"}
EN_SUBJECTS = {"call": "Call about {t}", "meeting": "Meeting: {t}", "visit": "Site visit ({t})",
               "task": "Follow up on {t}", "note": "Note: {t}"}

# --- the demo's hand-written flavour ---------------------------------------------------------------
#: the cities the demo's customers sit in, with their telephone area codes
CITY_AREA_CODES = {
    "北京": "010", "上海": "021", "天津": "022", "重庆": "023", "广州": "020", "深圳": "0755", "杭州": "0571",
    "南京": "025", "苏州": "0512", "宁波": "0574", "无锡": "0510", "武汉": "027", "成都": "028", "西安": "029",
    "长沙": "0731", "郑州": "0371", "济南": "0531", "青岛": "0532", "沈阳": "024", "大连": "0411",
    "厦门": "0592", "福州": "0591", "合肥": "0551", "昆明": "0871", "东莞": "0769", "佛山": "0757",
    "温州": "0577", "哈尔滨": "0451", "石家庄": "0311", "南昌": "0791",
}
#: bigger cities get more customers
CITY_WEIGHTS = {"上海": 9, "北京": 8, "深圳": 8, "广州": 7, "杭州": 6, "苏州": 5, "南京": 4, "成都": 4, "武汉": 4}
ZH_TITLES = ("总经理", "副总经理", "采购经理", "采购专员", "财务主管", "财务经理", "仓储主管", "技术总监",
             "生产经理", "质量经理", "行政主管", "销售总监", "运营经理", "董事长助理", "项目经理", "设备主管")
EN_TITLES = ("General Manager", "Purchasing Manager", "Buyer", "Finance Director", "Operations Manager",
             "Supply Chain Lead", "Plant Manager", "Quality Manager", "Office Manager", "Project Manager")
ZH_NOTES = (
    "客户对价格比较敏感，希望年底前给出阶梯报价。",
    "采购流程需要走三家比价，决策人是总经理。",
    "上次交货晚了两天，客户有意见，下次务必提前确认物流。",
    "对新品很感兴趣，要求先寄样品试用。",
    "回款一般在月底，财务对接人比较好沟通。",
    "明年预算增加约两成，有机会扩大合作范围。",
    "竞争对手在压价，需要强调我们的售后响应速度。",
    "已发送报价单，等待客户内部审批。",
    "客户计划春节前备货，需提前锁定产能。",
    "老客户，合作五年以上，关系稳定。",
    "新接手的采购经理，需要重新建立信任。",
    "要求开具增值税专用发票，开票信息已更新。",
)
EN_NOTES = (
    "Price-sensitive; asked for volume tiers before year end.",
    "Three quotes required for every purchase; the GM signs off.",
    "Last delivery was two days late - confirm shipping early next time.",
    "Interested in the new product line; wants samples first.",
    "Pays at month end; the finance contact is easy to work with.",
    "Budget grows next year; room to widen the account.",
    "Quote sent, waiting for internal approval.",
    "Long-standing customer, steady relationship.",
)
ZH_FREE_MAIL = ("qq.com", "163.com", "126.com", "sina.com", "aliyun.com", "foxmail.com")
#: people named like the global search demo's example (the most common name in China)
NAMESAKE = "张伟"


class Words:
    """Pools of names and phrases drawn once from Faker, so a row costs a few random picks."""

    def __init__(self, seed: int) -> None:
        zh, en = Faker("zh_CN"), Faker("en_US")
        zh.seed_instance(seed)
        en.seed_instance(seed + 1)
        self.zh_surnames = list(ZhPerson.last_names)
        self.zh_given = list(ZhPerson.first_names)
        self.zh_prefixes = list(ZhCompany.company_prefixes)
        self.zh_cities = list(ZhAddress.cities)
        self.en_companies = sorted({en.company() for _ in range(4000)})
        self.en_first = sorted({en.first_name() for _ in range(1500)})
        self.en_last = sorted({en.last_name() for _ in range(1500)})
        self.en_cities = sorted({en.city() for _ in range(600)})
        self.zh_jobs = sorted({zh.job()[:80] for _ in range(600)})
        self.en_jobs = sorted({en.job()[:80] for _ in range(600)})
        self.zh_text = [zh.paragraph(nb_sentences=3) for _ in range(400)]
        self.en_text = [en.paragraph(nb_sentences=3) for _ in range(400)]
        self.en_domains = sorted({en.free_email_domain() for _ in range(60)})
        self.zh_domains = list(ZH_FREE_MAIL)
        self.demo_cities = list(CITY_AREA_CODES)
        self.demo_city_weights = [CITY_WEIGHTS.get(city, 2) for city in self.demo_cities]
        self._pinyin: dict[str, tuple[str, str]] = {}

    def pinyin(self, name: str) -> tuple[str, str]:
        keys = self._pinyin.get(name)
        if keys is None:
            keys = self._pinyin[name] = pinyin_keys(name)
        return keys


@functools.lru_cache(maxsize=4)
def words(seed: int) -> Words:
    return Words(seed)
