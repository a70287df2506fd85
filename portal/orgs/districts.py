"""Shenzhen's administrative districts by their GB/T 2260 area codes (positions 3-8 of a credit code)."""

from flask_babel import lazy_gettext as _l

# 440300 is the city itself; Dapeng New Area and the Shenzhen-Shanwei cooperation zone have no code of their
# own in GB/T 2260 and are recorded under the city code.
DISTRICTS = {
    "440303": _l("Luohu District"),
    "440304": _l("Futian District"),
    "440305": _l("Nanshan District"),
    "440306": _l("Bao'an District"),
    "440307": _l("Longgang District"),
    "440308": _l("Yantian District"),
    "440309": _l("Longhua District"),
    "440310": _l("Pingshan District"),
    "440311": _l("Guangming District"),
    "440300": _l("Shenzhen (city-level, Dapeng, Shenshan)"),
}


def district_choices():
    return [("", _l("— choose —"))] + [(code, name) for code, name in DISTRICTS.items()]


def district_name(code: str | None) -> str:
    return str(DISTRICTS.get(code or "", code or ""))
