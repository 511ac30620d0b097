"""The departments of each of the 26 regions of 2007 (SPEC §4.1), by INSEE code.

The regions as they were until the 2016 reform, which the 2007 report and the registry
use: 96 metropolitan departments (Corsica as 2A and 2B) in 22 regions, and the four
overseas departments of 2007, each a region of its own (Mayotte, a department only from
2011, is not one of them).
"""

from __future__ import annotations

from shared.regions import REGIONS

# Region code -> its departments' codes.
DEPARTMENTS_OF: dict[str, tuple[str, ...]] = {
    "11": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "21": ("08", "10", "51", "52"),
    "22": ("02", "60", "80"),
    "23": ("27", "76"),
    "24": ("18", "28", "36", "37", "41", "45"),
    "25": ("14", "50", "61"),
    "26": ("21", "58", "71", "89"),
    "31": ("59", "62"),
    "41": ("54", "55", "57", "88"),
    "42": ("67", "68"),
    "43": ("25", "39", "70", "90"),
    "52": ("44", "49", "53", "72", "85"),
    "53": ("22", "29", "35", "56"),
    "54": ("16", "17", "79", "86"),
    "72": ("24", "33", "40", "47", "64"),
    "73": ("09", "12", "31", "32", "46", "65", "81", "82"),
    "74": ("19", "23", "87"),
    "82": ("01", "07", "26", "38", "42", "69", "73", "74"),
    "83": ("03", "15", "43", "63"),
    "91": ("11", "30", "34", "48", "66"),
    "93": ("04", "05", "06", "13", "83", "84"),
    "94": ("2A", "2B"),
    "01": ("971",),
    "02": ("972",),
    "03": ("973",),
    "04": ("974",),
}
assert list(DEPARTMENTS_OF) == list(REGIONS)

# Department code -> its region's code.
REGION_OF: dict[str, str] = {
    department: region
    for region, departments in DEPARTMENTS_OF.items()
    for department in departments
}

OVERSEAS: tuple[str, ...] = ("01", "02", "03", "04")
