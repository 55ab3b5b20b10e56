"""UK postcodes: validation, normalisation and the region each postcode area lies in.

The table is kept in the project on purpose: no outside service sees a signatory's postcode.
A postcode area that straddles a border counts to its main region, except the districts
listed in `DISTRICT_REGIONS`, which are common enough to matter for a count by region.
"""

import re

from django.db import models


class Region(models.TextChoices):
    NORTH_EAST = "north-east", "North East"
    NORTH_WEST = "north-west", "North West"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east-midlands", "East Midlands"
    WEST_MIDLANDS = "west-midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"
    CROWN_DEPENDENCIES = "crown-dependencies", "Channel Islands and Isle of Man"
    OUTSIDE_UK = "outside-uk", "Outside the UK"


_AREAS = {
    Region.NORTH_EAST: "NE DH SR TS DL",
    Region.NORTH_WEST: "M L WA WN BL OL SK CW CH PR BB FY LA CA",
    Region.YORKSHIRE: "LS BD HD HX WF S DN HU YO HG",
    Region.EAST_MIDLANDS: "NG DE LE LN NN",
    Region.WEST_MIDLANDS: "B CV WV WS DY WR HR ST TF SY",
    Region.EAST: "CB CM CO IP NR PE SG AL LU SS EN WD",
    Region.LONDON: "E EC N NW SE SW W WC BR CR HA UB TW IG RM SM",
    Region.SOUTH_EAST: "BN CT GU HP ME MK OX PO RG RH SL SO TN KT DA",
    Region.SOUTH_WEST: "BA BH BS DT EX GL PL SN SP TA TQ TR",
    Region.SCOTLAND: "AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE",
    Region.WALES: "CF LD LL NP SA",
    Region.NORTHERN_IRELAND: "BT",
    Region.CROWN_DEPENDENCIES: "GY JE IM",
}

#: Postcode area (the leading letters) to region.
AREA_REGIONS = {area: region for region, areas in _AREAS.items() for area in areas.split()}

#: Districts (the outward code) whose region differs from their area's main region.
DISTRICT_REGIONS = {
    **{f"CH{n}": Region.WALES for n in (5, 6, 7, 8)},
    **{f"SY{n}": Region.WALES for n in range(15, 26)},
    **{f"EN{n}": Region.LONDON for n in range(1, 6)},
    **{f"KT{n}": Region.LONDON for n in (1, 2, 3, 4, 5, 6, 9)},
    **{f"DA{n}": Region.LONDON for n in (5, 6, 7, 8, 14, 15, 16, 17, 18)},
    "TD15": Region.NORTH_EAST,
}

# Outward code (area letters, district digit, optional digit or letter), then the inward
# code (sector digit and two unit letters, which never use C, I, K, M, O or V).
_POSTCODE = re.compile(
    r"^(?P<outward>(?P<area>[A-Z]{1,2})[0-9][A-Z0-9]?)(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})$"
)


class InvalidPostcode(ValueError):
    """The text is not a UK postcode this project knows."""


def normalise_postcode(value):
    """Return the postcode in its standard form ("SW1A 1AA"), or raise InvalidPostcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    match = _POSTCODE.match(compact)
    if not match or match["area"] not in AREA_REGIONS:
        raise InvalidPostcode(value)
    return f"{match['outward']} {match['inward']}"


def region_for_postcode(postcode):
    """The region of a postcode (normalised or not); OUTSIDE_UK for an empty postcode."""
    if not postcode:
        return Region.OUTSIDE_UK
    outward = normalise_postcode(postcode).split(" ")[0]
    area = re.match(r"[A-Z]+", outward)[0]
    return DISTRICT_REGIONS.get(outward, AREA_REGIONS[area])
