"""English country names, adjectives and demonyms as kremlin.ru writes them, to ISO 3166-1 alpha-2.

Names come from pycountry (short, official and common names, with "Iran, Islamic Republic of" also
read as "Islamic Republic of Iran" and "Iran"). What no package has is one small table below: the
adjectives of "the French side" / "the Emirati side", short forms the site uses ("UAE", "Turkey"),
the typo "Untied States" as published, the EU institutions (code ``EU``) and Russia's own names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import pycountry

#: Code of the institutions of the European Union (not ISO, but what the call record uses).
EU = "EU"

#: Names and short forms pycountry lacks, as they appear on en.kremlin.ru.
EXTRA_NAMES: Mapping[str, str] = MappingProxyType({
    "Turkey": "TR", "Republic of Turkey": "TR", "Republic of Türkiye": "TR",
    "United States": "US", "Untied States": "US", "Untied States of America": "US", "US": "US",
    "USA": "US", "U.S.": "US",
    "UK": "GB", "Britain": "GB", "Great Britain": "GB",
    "UAE": "AE", "Emirates": "AE", "Abu Dhabi": "AE",
    "Korea": "KR", "Republic of Korea": "KR", "DPRK": "KP",
    "Vatican": "VA", "Holy See": "VA",
    "Russia": "RU", "Syria": "SY", "Czech Republic": "CZ", "Ivory Coast": "CI", "Macedonia": "MK",
    "Kyrgyz Republic": "KG",
    "European Union": EU, "EU": EU, "European Council": EU, "European Commission": EU,
    "European Parliament": EU,
})

#: States the site names that ISO 3166 has no code for: known as places, with no code ("").
UNCODED_STATES: Mapping[str, str] = MappingProxyType({
    "South Ossetia": "", "Republic of South Ossetia": "", "Abkhazia": "", "Republic of Abkhazia": "",
    "Donetsk People's Republic": "", "Lugansk People's Republic": "", "Luhansk People's Republic": "",
    "DPR": "", "LPR": "",
    # International organisations: an office of theirs ("UN Secretary-General") belongs to no country.
    "UN": "", "United Nations": "", "NATO": "", "OSCE": "", "IAEA": "", "CSTO": "", "African Union": "",
    "Commonwealth of Independent States": "", "CIS": "", "Eurasian Economic Commission": "",
})

#: Adjectives and demonyms ("the Uzbek side", "British Prime Minister"), as "CODE Adjective/Other; ...";
#: "-stani" ones ("the Tajikistani side") are derived from the names.
_ADJECTIVE_TABLE = (
    "AE Emirati; AF Afghan; AL Albanian; AM Armenian; AO Angolan; AR Argentine/Argentinian; AT Austrian;"
    "AU Australian; AZ Azerbaijani; BA Bosnian; BD Bangladeshi; BE Belgian; BG Bulgarian; BH Bahraini;"
    "BO Bolivian; BR Brazilian; BY Belarusian; CA Canadian; CF Central African; CG Congolese; CH Swiss;"
    "CL Chilean; CN Chinese; CO Colombian; CU Cuban; CY Cypriot; CZ Czech; DE German; DK Danish;"
    "DZ Algerian; EE Estonian; EG Egyptian; ES Spanish; ET Ethiopian; FI Finnish; FR French; GB British;"
    "GE Georgian; GN Guinean; GR Greek; HR Croatian; HU Hungarian; ID Indonesian; IE Irish; IL Israeli;"
    "IN Indian; IQ Iraqi; IR Iranian; IS Icelandic; IT Italian; JO Jordanian; JP Japanese; KE Kenyan;"
    "KG Kyrgyz; KH Cambodian; KR Korean; KW Kuwaiti; KZ Kazakh; LA Lao; LB Lebanese; LK Sri Lankan;"
    "LT Lithuanian; LV Latvian; LY Libyan; MA Moroccan; MD Moldovan; ME Montenegrin; ML Malian;"
    "MN Mongolian; MT Maltese; MX Mexican; MY Malaysian; MZ Mozambican; NG Nigerian; NI Nicaraguan;"
    "NL Dutch; NO Norwegian; OM Omani; PE Peruvian; PH Filipino; PL Polish; PS Palestinian;"
    "PT Portuguese; QA Qatari; RO Romanian; RS Serbian; RU Russian; SA Saudi; SD Sudanese; SE Swedish;"
    "SG Singaporean; SI Slovenian; SK Slovak; SN Senegalese; SY Syrian; TH Thai; TJ Tajik; TM Turkmen;"
    "TN Tunisian; TR Turkish; UA Ukrainian; UG Ugandan; US American; UY Uruguayan; UZ Uzbek;"
    "VE Venezuelan; VN Vietnamese; YE Yemeni; ZA South African; ZW Zimbabwean"
)
ADJECTIVES: Mapping[str, str] = MappingProxyType({
    adjective: entry.strip()[:2]
    for entry in _ADJECTIVE_TABLE.split(";")
    for adjective in entry.strip()[3:].split("/")
})


def _pycountry_names() -> dict[str, str]:
    """Every English name pycountry knows for a country, in the word orders the site writes. A short
    head of an inverted name ("Korea" of "Korea, Democratic People's Republic of") never displaces a
    country's own name ("Congo")."""
    names: dict[str, str] = {}
    heads: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        official, common = getattr(country, "official_name", None), getattr(country, "common_name", None)
        for name in (country.name, official, common):
            if not name:
                continue
            base = re.sub(r"\s*\(.*?\)", "", re.sub(r"^the ", "", name)).strip()
            names[base] = code
            inverted = re.fullmatch(r"(.+?), (.+)", base)  # "Iran, Islamic Republic of"
            if inverted and " and " not in base:
                head, rest = inverted.groups()
                heads[head] = code if head not in heads else ""
                if rest.endswith((" of", " of the")):
                    names[f"{rest} {head}"] = code
    return names | {head: code for head, code in heads.items() if code and head not in names}


def _names() -> Mapping[str, str]:
    names = _pycountry_names()
    names.update(EXTRA_NAMES)
    names.update({f"{name}i": code for name, code in list(names.items()) if name.endswith("stan")})
    names.update(ADJECTIVES)
    names.update(UNCODED_STATES)
    return MappingProxyType(names)


#: Every name, official name, short form and adjective → its code.
NAMES: Mapping[str, str] = _names()

_ALTERNATIVES = "|".join(re.escape(name) for name in sorted(NAMES, key=len, reverse=True))
_PATTERN = re.compile(r"(?<![\w-])(?:the )?(" + _ALTERNATIVES + r")(?![\w-])")
#: A Russian region as the English site writes it: "Belgorod Region", "Stavropol Territory".
_RUSSIAN_REGION = re.compile(
    r"(?<![\w-])(?:the )?(?:[A-Z][\w-]+ )+(?:Region|Territory|Autonomous Area)(?![\w-])"
)


def country_code(phrase: str) -> str | None:
    """The code of a phrase that is exactly a country name or adjective ("the French Republic"), else None
    ("" for a state without an ISO code, such as South Ossetia)."""
    phrase = re.sub(r"^the |(?:'s|s')$", "", phrase.strip())
    return NAMES.get(phrase)


def find_countries(text: str) -> list[tuple[str, int, int]]:
    """Every country named in ``text``: (code, start, end), longest names first, left to right ("" for
    a state without an ISO code)."""
    found = [(NAMES[m.group(1)], m.start(), m.end()) for m in _PATTERN.finditer(text)]
    regions = [("RU", m.start(), m.end()) for m in _RUSSIAN_REGION.finditer(text)]
    regions = [r for r in regions if not any(start <= r[1] < end for _, start, end in found)]
    return sorted(found + regions, key=lambda span: span[1])
