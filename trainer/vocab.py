"""The fixed vocabulary every layer shares: phases, outcomes, MI codes, analyser categories.

Kept in one small module with no imports so that persona files, the engine, the analyser and the
exports all agree on the same ids.
"""

# Phases of a persona's mood, from closed to open. `weerstand` is a side state (resistance).
PHASES = ("wantrouwend", "aftastend", "open", "betrokken", "weerstand")

# Default phase rules, checked in this order after every turn; the first that holds wins.
# A persona may override any of them under `phases:`.
DEFAULT_PHASE_RULES = {
    "weerstand": "trust < 15",
    "betrokken": "trust >= 70 and motivation >= 60",
    "open": "trust >= 50",
    "aftastend": "trust >= 30",
    "wantrouwend": "true",
}
PHASE_ORDER = ("weerstand", "betrokken", "open", "aftastend", "wantrouwend")

# Built-in outcomes of a conversation. `passed` says whether the outcome counts as a good result.
OUTCOMES = {
    "own_choice": {"nl": "Eigen keuze afgesproken", "en": "Own choice agreed", "passed": True},
    "postponed": {"nl": "Nog niet — later verder, met respect", "en": "Not yet — continue later, respectfully", "passed": True},
    "complied": {"nl": "Meegegaan zonder motivatie", "en": "Complied without motivation", "passed": False},
    "broken_off": {"nl": "Gesprek afgebroken", "en": "Conversation broken off", "passed": False},
}

# MITI 4.2-inspired behaviour codes for a trainee's line.
MI_CODES = (
    "question",
    "simple_reflection",
    "complex_reflection",
    "affirm",
    "seeking_collaboration",
    "emphasizing_autonomy",
    "giving_information",
    "persuade",
    "persuade_with_permission",
    "confront",
)

# What the controlling-language analyser can detect (sensitivities are keyed by these).
CONTROLLING_CATEGORIES = (
    "obligation",
    "surveillance",
    "sanction",
    "deciding_for",
    "dismissing_feelings",
    "pressure",
    "blame",
    "erasing_past",
)
SUPPORTIVE_CATEGORIES = (
    "choice",
    "rationale",
    "permission",
    "acknowledging",
    "reflecting",
    "affirming",
)
CATEGORIES = CONTROLLING_CATEGORIES + SUPPORTIVE_CATEGORIES

# Kinds of eerherstel cue a persona can offer.
CUE_KINDS = ("pride", "shame", "past_work", "reason", "feeling", "plan")

METERS = ("trust", "motivation")
METER_MIN, METER_MAX = 0, 100

DIFFICULTIES = ("makkelijk", "gemiddeld", "moeilijk")

# What a trainee's line does (the act classifier's labels, trainer.freetext.acts). Each maps to the MI codes the
# rubric counts; off_topic counts as nothing.
ACTS = (
    "open_question",
    "closed_question",
    "simple_reflection",
    "complex_reflection",
    "affirmation",
    "summary",
    "giving_information",
    "advice",
    "advice_with_permission",
    "autonomy_support",
    "seeking_collaboration",
    "directive",
    "off_topic",
)
ACT_CODES = {
    "open_question": ("question",),
    "closed_question": ("question",),
    "simple_reflection": ("simple_reflection",),
    "complex_reflection": ("complex_reflection",),
    "affirmation": ("affirm",),
    "summary": ("complex_reflection",),
    "giving_information": ("giving_information",),
    "advice": ("persuade",),
    "advice_with_permission": ("persuade_with_permission",),
    "autonomy_support": ("emphasizing_autonomy",),
    "seeking_collaboration": ("seeking_collaboration",),
    "directive": ("confront",),
    "off_topic": (),
}
# Names a persona's `reactions:` may use for several acts at once.
ACT_GROUPS = {
    "question": ("open_question", "closed_question"),
    "reflection": ("simple_reflection", "complex_reflection", "summary"),
    "advice_any": ("advice", "advice_with_permission"),
}
