"""Demo sites and annual reports, and synthetic suppliers for scale tests (`demo load --suppliers N`).

Figures are made up, deterministic (seeded) and plausible for small electronics and metal-finishing plants;
they describe no real company.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.orgs.credit_code import check_character
from portal.orgs.models import Organisation, OrgKind
from portal.reports.models import AnnualReport, ReportVersion
from portal.sites.models import Site

DISTRICTS = ("440303", "440304", "440305", "440306", "440307", "440309", "440310", "440311")
INDUSTRIES = ("C3982", "C3360", "C3921", "C3399")


def q(value, unit: str) -> dict:
    return {"v": str(value), "u": unit}


def report_data(rng: random.Random, scale: float) -> dict:
    """One year of plausible figures; `scale` grows a little every year."""
    electricity = int(rng.uniform(800_000, 3_000_000) * scale)
    water = int(rng.uniform(20_000, 90_000) * scale)
    wastewater = int(water * rng.uniform(0.6, 0.85))
    cod = round(rng.uniform(30, 80), 1)
    generated = round(rng.uniform(5, 40) * scale, 2)
    stored_end = round(generated * rng.uniform(0.05, 0.2), 2)
    return {
        "production": {"output_value": q(int(rng.uniform(3000, 30000) * scale), "10k_yuan"),
                       "staff": q(int(rng.uniform(80, 900)), "person"), "operating_days": q(rng.choice((280, 300, 310)),
                                                                                          "day")},
        "energy": {"electricity": q(electricity, "kWh"),
                   "electricity_renewable": q(int(electricity * rng.uniform(0, 0.15)), "kWh"),
                   "natural_gas": q(int(rng.uniform(5_000, 60_000) * scale), "Nm3")},
        "water": {"intake_municipal": q(water, "m3"), "reused": q(int(water * rng.uniform(0.1, 0.4)), "m3")},
        "wastewater": {"volume": q(wastewater, "m3"), "destination": {"v": "municipal"},
                       "pollutants": [{"pollutant": {"v": "COD"}, "concentration": q(cod, "mg_L"),
                                       "load": q(round(cod * wastewater / 1_000_000, 3), "t")}]},
        "hazardous_waste": {"lines": [{
            "code": {"v": "900-041-49"}, "name": {"v": "废包装桶及含油抹布"}, "stored_start": q(0, "t"),
            "generated": q(generated, "t"), "transferred": q(round(generated - stored_end, 2), "t"),
            "stored_end": q(stored_end, "t"), "handler": {"v": "深圳市演示环保科技有限公司"},
            "handler_licence": {"v": "演示许可证编号-001"}, "manifests": {"v": "演示联单若干"}}]},
    }


def _accepted_report(org: Organisation, site: Site, year: int, data: dict) -> AnnualReport:
    decided = utcnow() - timedelta(days=365 * (2026 - year))
    report = AnnualReport(organisation_id=org.id, site=site, year=year, status="accepted", data=data,
                          submitted_at=decided, accepted_at=decided,
                          explanations={"hazardous_waste.lines.0.code": "演示数据：该代码来自名录，平台副本尚未收录。"})
    report.versions.append(ReportVersion(number=1, data=data, explanations=report.explanations, submitted_at=decided,
                                         decision="accepted", decided_at=decided))
    return report


def load_demo_reports(organisations: dict[str, Organisation]) -> int:
    """Sites and three years of reports for the demo suppliers: two accepted years, and last year's draft."""
    created = 0
    for key, name, permit in (("supplier", "宝安一厂", "simplified"), ("supplier2", "龙华工厂", "registration"),
                              ("tier2", "光明电镀车间", "key")):
        org = organisations[key]
        if db.session.scalars(select(Site).where(Site.organisation_id == org.id)).first():
            continue
        permit_number = f"{org.credit_code}001P" if permit != "registration" else None
        site = Site(organisation_id=org.id, name=name, district=org.district, permit_category=permit,
                    main_products="演示产品", permit_number=permit_number)
        db.session.add(site)
        # The same draws every year, grown a little: a plant's figures move gradually, not at random.
        for offset, year in enumerate((2022, 2023)):
            data = report_data(random.Random(org.credit_code), 1 + 0.08 * offset)
            db.session.add(_accepted_report(org, site, year, data))
        production = report_data(random.Random(org.credit_code), 1.1)["production"]
        db.session.add(AnnualReport(organisation_id=org.id, site=site, year=2024, status="draft",
                                    data={"production": production}))
        created += 4
    return created


def load_scale(suppliers: int, years: int) -> int:
    """Synthetic suppliers, one site each, `years` accepted reports each: for query-count tests and benchmarks."""
    existing = db.session.scalar(select(db.func.count()).select_from(Organisation).where(
        Organisation.name_zh.like("规模测试企业%")))
    created = 0
    for serial in range(existing, suppliers):
        first17 = f"91440300MA5K{serial:05d}"
        rng = random.Random(serial)
        org = Organisation(kind=OrgKind.SUPPLIER, credit_code=first17 + check_character(first17),
                           name_zh=f"规模测试企业{serial:04d}", district=rng.choice(DISTRICTS),
                           industry_code=rng.choice(INDUSTRIES))
        site = Site(organisation=org, name="一厂", district=org.district, permit_category="registration")
        db.session.add_all([org, site])
        db.session.flush()
        for offset in range(years):
            data = report_data(random.Random(serial), 1 + 0.05 * offset)
            db.session.add(_accepted_report(org, site, 2026 - years + offset, data))
        created += 1
        if created % 100 == 0:
            db.session.flush()
    return created
