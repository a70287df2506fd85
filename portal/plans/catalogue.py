"""What an upgrade plan is made of: the kinds of measure the programme supports and the indicators a plan's
baseline and expected reductions are stated in (the same ones the annual data reports)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

MEASURES = (
    ("wastewater", _l("Wastewater treatment upgrade")),
    ("vocs_rto", _l("VOCs capture and treatment: RTO / RCO")),
    ("vocs_carbon", _l("VOCs capture and treatment: activated carbon")),
    ("dust", _l("Dust collection")),
    ("noise", _l("Noise control")),
    ("hazardous_storage", _l("Hazardous waste storage")),
    ("energy_efficiency", _l("Energy efficiency")),
    ("rooftop_solar", _l("Rooftop solar")),
    ("cleaner_production", _l("Cleaner production")),
    ("other", _l("Other")),
)
MEASURE_LABELS = dict(MEASURES)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    unit: str
    # Where the annual data holds it: ("field", section, key) or ("pollutant", section, table, code, column).
    source: tuple


INDICATORS = (
    Indicator("wastewater", _l("Wastewater discharged"), "m3", ("field", "wastewater", "volume")),
    Indicator("COD", _l("COD load"), "t", ("pollutant", "wastewater", "pollutants", "COD", "load")),
    Indicator("NH3N", _l("Ammonia nitrogen load"), "t", ("pollutant", "wastewater", "pollutants", "NH3N", "load")),
    Indicator("TP", _l("Total phosphorus load"), "t", ("pollutant", "wastewater", "pollutants", "TP", "load")),
    Indicator("SO2", _l("SO₂ emissions"), "t", ("pollutant", "air", "emissions", "SO2", "amount")),
    Indicator("NOx", _l("NOx emissions"), "t", ("pollutant", "air", "emissions", "NOx", "amount")),
    Indicator("PM", _l("Particulate emissions"), "t", ("pollutant", "air", "emissions", "PM", "amount")),
    Indicator("VOCs", _l("VOCs emissions"), "t", ("pollutant", "air", "emissions", "VOCs", "amount")),
    Indicator("electricity", _l("Electricity consumed"), "MWh", ("field", "energy", "electricity")),
    Indicator("ghg", _l("Scope 1 and 2 emissions"), "tCO2", ("derived", "ghg")),
)
INDICATOR_KEYS = tuple(i.key for i in INDICATORS)
