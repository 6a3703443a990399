"""Text for the synthetic dataset: sentences assembled from parts, so that pages and exports carry texts of
realistic length. Every narrative starts with "Synthetic", so that generated progress can never be
mistaken for something a Range State reported."""

ACTIONS = [
    "Carry out",
    "Update",
    "Develop",
    "Strengthen",
    "Review and harmonise",
    "Establish",
    "Support",
    "Extend",
    "Assess",
    "Train staff for",
]
OBJECTS = [
    "camera-trap monitoring of the species and its prey",
    "the national action plan and its implementation report",
    "transboundary cooperation on habitat corridors",
    "anti-poaching patrols in key protected areas",
    "compensation schemes for livestock losses",
    "awareness programmes with local communities and herders",
    "the legal protection of the species and enforcement of penalties",
    "data sharing between the Range States' research institutions",
    "genetic sampling and analysis of the remaining populations",
    "management plans of the protected areas holding the species",
    "prey population surveys and hunting regulation",
    "control of illegal trade in skins and body parts",
]
PLACES = [
    "in the priority areas identified in the range-wide assessment",
    "in every Range State",
    "along the borders shared by neighbouring Range States",
    "in the core areas and the corridors between them",
    "where conflicts with livestock owners are most frequent",
    "with the support of the Secretariat and partner organisations",
]

NARRATIVE_OPENINGS = [
    "Synthetic entry: survey work continued in two protected areas",
    "Synthetic entry: the working group met twice",
    "Synthetic entry: a draft was circulated to the ministries concerned",
    "Synthetic entry: field teams completed the planned season",
    "Synthetic entry: funding was secured for the next phase",
    "Synthetic entry: activities were delayed by the late release of the budget",
    "Synthetic entry: training sessions were held for rangers and inspectors",
    "Synthetic entry: the results were presented at a national workshop",
]
NARRATIVE_DETAILS = [
    "Camera traps recorded the species at several new locations, and the records were shared with the national database.",
    "Local communities took part in the planning, and two agreements on grazing were signed.",
    "The report still lacks figures from the southern districts, which will follow in the next round.",
    "Patrol effort increased compared with the previous year; no poaching case was recorded in the core area.",
    "A consultant reviewed the legal framework and proposed amendments to the hunting law.",
    "Cooperation with the neighbouring Range State's reserve administration was formalised in a memorandum.",
    "Monitoring will continue, subject to the renewal of the project's funding.",
    "The indicator is partly met: the plan exists but has not yet been endorsed by the government.",
    "Prey counts were repeated on the same transects, allowing comparison with earlier years.",
    "Information material was distributed in schools of the buffer-zone villages.",
]
SOURCES = [
    "Synthetic: annual report of the protected area administration",
    "Synthetic: report of the national working group",
    "Synthetic: ministry letter to the Secretariat",
    "Synthetic: project progress report to the donor",
    "Synthetic: field survey database",
]
RETURN_COMMENTS = [
    "Please add the source of the figures.",
    "Say which protected areas this covers.",
    "The reporting date seems wrong; please check it.",
    "Please separate this year's work from earlier years.",
    "Add the amount spent, or say that it is not known.",
]
CORRECTION_REASONS = [
    "Corrected after the national report was published.",
    "Status corrected after the regional meeting.",
    "Narrative completed with the ministry's figures.",
]


def activity_text(rng) -> str:
    return f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} {rng.choice(PLACES)}."


def narrative(rng) -> str:
    details = rng.sample(NARRATIVE_DETAILS, rng.randint(1, 4))
    return f"{rng.choice(NARRATIVE_OPENINGS)}. {' '.join(details)}"
