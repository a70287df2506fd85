"""The demo programme: one large buyer, its suppliers, the authority and its technical agency.

Credit codes are synthetic (prefix 91440300MA5G, Shenzhen area code) with valid GB 32100-2015 check
characters; they do not belong to real companies.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.orgs.credit_code import check_character
from portal.orgs.models import MemberRole, Organisation, OrgKind

DEMO_PASSWORD = "GreenChain-2026"


def demo_code(serial: int) -> str:
    first17 = f"91440300MA5G{serial:05d}"
    return first17 + check_character(first17)


ORGANISATIONS = [
    # key, kind, serial, Chinese name, English name, district, industry code
    ("buyer", OrgKind.BUYER, 1, "鹏城通信技术有限公司", "Pengcheng Telecom Technology Co., Ltd.", "440307", "C3921"),
    ("supplier", OrgKind.SUPPLIER, 2, "深圳市绿源电路板有限公司", "Shenzhen Lvyuan Circuit Board Co., Ltd.", "440306",
     "C3982"),
    ("supplier2", OrgKind.SUPPLIER, 3, "深圳市华精五金制品有限公司", "Shenzhen Huajing Hardware Co., Ltd.", "440309",
     "C3360"),
    ("tier2", OrgKind.SUPPLIER, 4, "深圳市清河表面处理有限公司", "Shenzhen Qinghe Surface Treatment Co., Ltd.",
     "440311", "C3360"),
    ("authority", OrgKind.AUTHORITY, 5, "深圳市生态环境局（演示）", "Shenzhen Ecology and Environment Bureau (demo)",
     "440304", None),
    ("agency", OrgKind.AGENCY, 6, "深圳市生态环境技术审查中心（演示）",
     "Shenzhen Environmental Technical Review Centre (demo)", "440304", None),
]

USERS = [
    # e-mail, name, organisation key (None: platform admin), role
    ("admin@demo.local", "平台管理员", None, None),
    ("supplier@demo.local", "李环保", "supplier", MemberRole.ADMIN),
    ("staff@demo.local", "王数据", "supplier", MemberRole.STAFF),
    ("supplier2@demo.local", "陈五金", "supplier2", MemberRole.ADMIN),
    ("tier2@demo.local", "赵清河", "tier2", MemberRole.ADMIN),
    ("buyer@demo.local", "张采购", "buyer", MemberRole.ADMIN),
    ("reviewer@demo.local", "刘审查", "agency", MemberRole.ADMIN),
    ("authority@demo.local", "周监管", "authority", MemberRole.ADMIN),
]


def load_demo() -> int:
    """Creates whatever of the demo set is missing; returns how many records it added."""
    created = 0
    orgs: dict[str, Organisation] = {}
    for key, kind, serial, name_zh, name_en, district, industry in ORGANISATIONS:
        code = demo_code(serial)
        org = db.session.scalars(select(Organisation).where(Organisation.credit_code == code)).first()
        if org is None:
            org = Organisation(kind=kind, credit_code=code, name_zh=name_zh, name_en=name_en, district=district,
                               industry_code=industry, address=f"深圳市演示路{serial}号",
                               contact_name="演示联系人", contact_phone=f"0755-8888{serial:04d}",
                               contact_email=f"contact{serial}@demo.local")
            db.session.add(org)
            created += 1
        orgs[key] = org
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, org_key, role in USERS:
        if db.session.scalars(select(User).where(User.email == email)).first() is None:
            db.session.add(User(email=email, name=name, password_hash=password_hash,
                                organisation=orgs.get(org_key), role=role, is_platform_admin=org_key is None))
            created += 1
    db.session.flush()
    from portal.demo_reports import load_demo_reports
    from portal.funding.demo import load_demo_funding
    from portal.records.demo import load_demo_records

    created += load_demo_reports(orgs) + load_demo_records()
    db.session.flush()
    from portal.chains.demo import load_demo_chains

    created += load_demo_chains(orgs)
    db.session.flush()
    from portal.capacity.demo import load_demo_capacity

    created += load_demo_capacity(orgs)
    created += load_demo_funding(orgs)
    db.session.flush()
    from portal.public.demo import load_demo_notice

    return created + load_demo_notice(orgs)
