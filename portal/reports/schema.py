"""What the annual environmental report asks, section by section.

This one description drives the forms, the validation, the Excel template and import, the comparison of
versions and the reviewer's per-field comments. Field keys are stable: they are stored in the database and
in users' spreadsheets. Units are codes of portal.reports.units.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Field:
    key: str
    label: object
    kind: str = "decimal"  # decimal | integer | text | choice | date | hw_code
    units: tuple[str, ...] = ()  # allowed unit codes, the first is the default
    minimum: float | None = 0
    maximum: float | None = None
    choices: tuple[tuple[str, object], ...] = ()
    required: str = "no"  # no | always | permit (required when the site holds a discharge permit)
    yoy: bool = False  # a change of more than ±50% on last year asks for an explanation
    hint: object | None = None
    max_length: int = 300
    past_only: bool = False  # a date of something that has happened: not after today

    @property
    def default_unit(self) -> str | None:
        return self.units[0] if self.units else None


@dataclass(frozen=True)
class Table:
    """Repeating lines (hazardous waste, certificates ...): each line has the same columns."""

    key: str
    label: object
    columns: tuple[Field, ...]
    required: str = "no"
    max_rows: int = 50


@dataclass(frozen=True)
class Section:
    key: str
    label: object
    items: tuple[Field | Table, ...]
    evidence: object  # what evidence counts for this section
    assistant_context: object  # what the side panel's assistant is asked about

    def item(self, key: str) -> Field | Table:
        return next(i for i in self.items if i.key == key)


POLLUTANTS_WATER = (("COD", _l("COD (chemical oxygen demand)")), ("NH3N", _l("Ammonia nitrogen (NH₃-N)")),
                    ("TP", _l("Total phosphorus")), ("TN", _l("Total nitrogen")), ("Cu", _l("Copper")),
                    ("Ni", _l("Nickel")), ("Cr", _l("Total chromium")), ("Cr6", _l("Hexavalent chromium")),
                    ("Pb", _l("Lead")), ("Cd", _l("Cadmium")), ("Hg", _l("Mercury")), ("As", _l("Arsenic")))
POLLUTANTS_AIR = (("SO2", _l("Sulphur dioxide (SO₂)")), ("NOx", _l("Nitrogen oxides (NOx)")),
                  ("PM", _l("Particulate matter")), ("VOCs", _l("VOCs (volatile organic compounds)")))
CERTIFICATES = (("iso14001", "ISO 14001"), ("iso50001", "ISO 50001"), ("iso45001", "ISO 45001"),
                ("cleaner_production", _l("Cleaner production audit")), ("other", _l("Other")))
RECTIFICATION = (("done", _l("Rectified")), ("in_progress", _l("Rectification in progress")),
                 ("not_started", _l("Not started")))
DESTINATIONS = (("municipal", _l("Municipal wastewater plant")), ("direct", _l("Direct to a water body")),
                ("none", _l("No wastewater discharged")))
MASS = ("t", "kg")

SECTIONS: tuple[Section, ...] = (
    Section("production", _l("Production"), (
        Field("output_value", _l("Industrial output value"), units=("10k_yuan", "yuan"), required="always", yoy=True,
              hint=_l("Used for the intensity figures (per 10,000 yuan of output).")),
        Field("main_products", _l("Main products and volumes"), kind="text", max_length=1000,
              hint=_l("For example: printed circuit boards 120,000 m²; connectors 3.5 million pieces.")),
        Field("staff", _l("Number of staff"), kind="integer", units=("person",), required="always", maximum=1_000_000),
        Field("operating_days", _l("Operating days"), kind="integer", units=("day",), required="always",
              maximum=366),
    ), evidence=_l("Statistical report or audited accounts for the output value."),
        assistant_context=_l("annual report production data")),
    Section("energy", _l("Energy"), (
        Field("electricity", _l("Electricity consumed"), units=("kWh", "MWh", "10k_kWh"), required="always",
              yoy=True, hint=_l("All electricity used on the site, including the part below.")),
        Field("electricity_renewable", _l("of which renewable or self-generated"), units=("kWh", "MWh", "10k_kWh"),
              hint=_l("Rooftop solar and green-power purchases; not multiplied by the grid factor.")),
        Field("natural_gas", _l("Natural gas"), units=("Nm3", "10k_Nm3", "m3_gas"), yoy=True),
        Field("diesel", _l("Diesel"), units=MASS, yoy=True),
        Field("gasoline", _l("Gasoline"), units=MASS, yoy=True),
        Field("coal", _l("Coal"), units=MASS, yoy=True),
        Field("lpg", _l("LPG"), units=MASS, yoy=True),
        Field("purchased_heat", _l("Purchased steam or heat"), units=("GJ", "MJ"), yoy=True),
    ), evidence=_l("Electricity and gas bills or meter readings for the twelve months; fuel purchase invoices."),
        assistant_context=_l("energy use and greenhouse gas emissions")),
    Section("water", _l("Water"), (
        Field("intake_municipal", _l("Water intake: municipal supply"), units=("m3", "t_water"), yoy=True),
        Field("intake_ground", _l("Water intake: groundwater"), units=("m3", "t_water")),
        Field("intake_surface", _l("Water intake: surface water"), units=("m3", "t_water")),
        Field("intake_other", _l("Water intake: other sources"), units=("m3", "t_water")),
        Field("reused", _l("Water reused or recycled"), units=("m3", "t_water")),
    ), evidence=_l("Water bills or meter records; the permit for groundwater or surface-water intake."),
        assistant_context=_l("water intake and reuse")),
    Section("wastewater", _l("Wastewater"), (
        Field("volume", _l("Wastewater discharged"), units=("m3", "t_water"), required="permit", yoy=True),
        Field("destination", _l("Where it goes"), kind="choice", choices=DESTINATIONS, required="permit"),
        Table("pollutants", _l("Pollutants in the discharged wastewater"), (
            Field("pollutant", _l("Pollutant"), kind="choice", choices=POLLUTANTS_WATER, required="always"),
            Field("concentration", _l("Average concentration"), units=("mg_L", "ug_L")),
            Field("load", _l("Annual load"), units=MASS, yoy=True),
        ), required="permit"),
    ), evidence=_l("Monitoring reports (self-monitoring or third party) and the permit execution report."),
        assistant_context=_l("wastewater discharge and pollutants")),
    Section("air", _l("Air emissions"), (
        Table("emissions", _l("Air pollutants"), (
            Field("pollutant", _l("Pollutant"), kind="choice", choices=POLLUTANTS_AIR, required="always"),
            Field("amount", _l("Annual emissions"), units=MASS, yoy=True),
            Field("facility", _l("Treatment facility"), kind="text"),
            Field("monitoring_report", _l("Monitoring report number"), kind="text"),
        ), required="permit"),
    ), evidence=_l("Monitoring reports for each outlet and the treatment facilities' operating records."),
        assistant_context=_l("air emissions and VOCs treatment")),
    Section("solid_waste", _l("General solid waste"), (
        Field("generated", _l("General industrial solid waste generated"), units=MASS, yoy=True),
        Field("utilised", _l("of which utilised or recycled"), units=MASS),
        Field("disposed", _l("of which disposed"), units=MASS),
    ), evidence=_l("Contracts and weighing records with the collectors."),
        assistant_context=_l("general industrial solid waste")),
    Section("hazardous_waste", _l("Hazardous waste"), (
        Table("lines", _l("Hazardous waste by code"), (
            Field("code", _l("Waste code (8 digits)"), kind="hw_code", required="always",
                  hint=_l("As in the National Hazardous Waste List (2025 edition), e.g. 900-041-49.")),
            Field("name", _l("Waste name"), kind="text", required="always"),
            Field("stored_start", _l("Stored at the start of the year"), units=MASS),
            Field("generated", _l("Generated"), units=MASS, required="always", yoy=True),
            Field("transferred", _l("Transferred to a licensed handler"), units=MASS, required="always"),
            Field("stored_end", _l("Stored at the end of the year"), units=MASS, required="always"),
            Field("handler", _l("Handler"), kind="text"),
            Field("handler_licence", _l("Handler's licence number"), kind="text"),
            Field("manifests", _l("Transfer manifest numbers"), kind="text", max_length=2000),
        )),
    ), evidence=_l("Transfer manifests, the handler's business licence and the hazardous waste ledger."),
        assistant_context=_l("hazardous waste codes, storage and transfer manifests")),
    Section("noise", _l("Noise"), (
        Field("day", _l("Boundary noise, day"), units=("dBA",), minimum=20, maximum=140),
        Field("night", _l("Boundary noise, night"), units=("dBA",), minimum=20, maximum=140),
    ), evidence=_l("The boundary noise monitoring report."), assistant_context=_l("boundary noise monitoring")),
    Section("certifications", _l("Certifications"), (
        Table("certificates", _l("Certificates and audits"), (
            Field("type", _l("Type"), kind="choice", choices=CERTIFICATES, required="always"),
            Field("number", _l("Certificate number"), kind="text"),
            Field("body", _l("Issued by"), kind="text"),
            Field("expiry", _l("Valid until"), kind="date"),
        )),
    ), evidence=_l("A copy of each certificate or the audit acceptance."),
        assistant_context=_l("ISO 14001 and cleaner production audit")),
    Section("violations", _l("Violations and penalties"), (
        Table("penalties", _l("Administrative penalties in the year"), (
            Field("date", _l("Date"), kind="date", required="always", past_only=True),
            Field("authority", _l("Authority"), kind="text", required="always"),
            Field("decision_number", _l("Decision number"), kind="text", required="always"),
            Field("amount", _l("Fine"), units=("yuan", "10k_yuan")),
            Field("rectification", _l("Rectification"), kind="choice", choices=RECTIFICATION, required="always"),
        )),
    ), evidence=_l("The penalty decision and the rectification evidence."),
        assistant_context=_l("violations, penalties and rectification")),
)

SECTION_KEYS = tuple(s.key for s in SECTIONS)
_BY_KEY = {s.key: s for s in SECTIONS}


def section(key: str) -> Section | None:
    return _BY_KEY.get(key)


@dataclass(frozen=True)
class FieldRef:
    """Where a value lives: section.field, or section.table.row.column for a line."""

    section: Section
    item: Field | Table
    column: Field | None = None
    row: int | None = None

    @property
    def path(self) -> str:
        if self.column is None:
            return f"{self.section.key}.{self.item.key}"
        return f"{self.section.key}.{self.item.key}.{self.row}.{self.column.key}"

    @property
    def spec(self) -> Field:
        return self.column or self.item


def field_at(path: str) -> Field | None:
    """The field a value path names: 'energy.electricity', or 'hazardous_waste.lines.0.code' for a line's column."""
    parts = path.split(".")
    sec = section(parts[0])
    item = next((i for i in sec.items if i.key == parts[1]), None) if sec and len(parts) > 1 else None
    if isinstance(item, Field) and len(parts) == 2:
        return item
    if isinstance(item, Table) and len(parts) == 4:
        return next((c for c in item.columns if c.key == parts[3]), None)
    return None
