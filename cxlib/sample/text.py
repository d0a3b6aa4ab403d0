"""Comment templates for the synthetic sample: which phrases a customer writes about which experience.

Used only by :mod:`cxlib.sample`. Theme names here are the generator's truth labels; the analyst-owned
codebook in ``data/sample/codebook.yml`` is written independently of them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NEGATIVE", "POSITIVE", "NEUTRAL", "PII", "compose_comments", "truth_sentiment"]

#: theme -> (driver whose low rating triggers it, phrases)
NEGATIVE = {
    "slow_support": ("support_speed", [
        "Waited {n} minutes on hold before anyone picked up.",
        "It took {d} days to get a reply to my ticket.",
        "Support is painfully slow, still waiting for an answer.",
        "Nobody got back to me for {d} days.",
        "The wait time on the phone line is ridiculous.",
        "Response times from support have got much worse lately.",
    ]),
    "unhelpful_support": ("support_quality", [
        "The agent did not understand my problem at all.",
        "I was transferred {k} times and had to explain everything again.",
        "Support staff read from a script and could not help.",
        "The answer I got from support was wrong.",
        "Customer service was rude and unhelpful.",
    ]),
    "billing_confusion": ("billing_clarity", [
        "My invoice is confusing, I could not work out what I was charged for.",
        "I was charged twice this month.",
        "The bill had fees nobody explained to me.",
        "Billing statement is impossible to understand.",
        "Unexpected charge on my invoice again.",
    ]),
    "price_value": ("value_for_money", [
        "Too expensive for what you get.",
        "The price went up again and the service did not improve.",
        "Not worth the money compared to competitors.",
        "Overpriced plan, thinking about switching.",
    ]),
    "reliability": ("reliability", [
        "The app keeps crashing when I open reports.",
        "Another outage this week, lost {n} minutes of work.",
        "Service was down again on Monday.",
        "Frequent errors and the system freezes.",
    ]),
    "hard_to_use": ("ease_of_use", [
        "The interface is confusing and hard to navigate.",
        "Too many clicks to do simple things.",
        "I can never find the settings I need.",
        "Not intuitive at all, I needed a manual for basic tasks.",
    ]),
    "onboarding_pain": ("onboarding_experience", [
        "Setup took {d} days longer than promised.",
        "Onboarding was a mess, nobody explained the first steps.",
        "Getting started was difficult and the setup guide is outdated.",
    ]),
    "missing_features": ("product_features", [
        "It lacks basic features like export to Excel.",
        "Please add an integration with our CRM, it is missing.",
        "Still no dark mode and no offline support.",
    ]),
}

POSITIVE = {
    "easy_to_use": ("ease_of_use", [
        "Very easy to use.",
        "Simple and intuitive, my whole team picked it up quickly.",
        "Love how straightforward the dashboard is.",
    ]),
    "great_support": ("support_quality", [
        "The support team was fantastic and solved my issue.",
        "Great customer service, really helpful agent.",
        "Support went above and beyond, thank you!",
    ]),
    "good_value": ("value_for_money", [
        "Great value for the price.",
        "Fair pricing for what we get.",
        "Worth every penny.",
    ]),
    "reliable": ("reliability", [
        "Rock solid, never had an outage.",
        "Works reliably every day.",
        "Stable and dependable service.",
    ]),
}

NEUTRAL = [
    "Fine overall.", "No complaints.", "OK.", "It does the job.", "Nothing to add.",
    "Good.", "Happy enough.", "All good so far.", "No problems with billing this time.",
    "Average experience.",
]

FIRST = ["Sarah", "James", "Maria", "Ahmed", "Li", "Olga", "David", "Priya", "Lucas", "Emma"]
LAST = ["Jones", "Smith", "Garcia", "Khan", "Chen", "Ivanova", "Brown", "Patel", "Silva", "Muller"]
PHONES = ["+1 415-555-0134", "(415) 555-0199", "07700 900123", "+44 20 7946 0958",
          "+49 30 1234 5678", "555-867-5309"]

#: Personal-data suffixes; {first}, {last}, {phone} are filled in.
PII = [
    "Please call me back on {phone}.",
    "Email me at {first_l}.{last_l}@example.com if you need details.",
    "My name is {first} {last}, account manager knows me.",
    "Ask {first} in support, she was great. Reach me at {phone}.",
]


def _fill(template: str, rng: np.random.Generator) -> str:
    if "{" not in template:
        return template
    first, last = FIRST[rng.integers(len(FIRST))], LAST[rng.integers(len(LAST))]
    return template.format(
        n=int(rng.choice([15, 20, 30, 40, 45, 60, 90])), d=int(rng.integers(2, 9)),
        k=int(rng.integers(2, 5)), first=first, last=last, first_l=first.lower(),
        last_l=last.lower(), phone=PHONES[rng.integers(len(PHONES))],
    )


def compose_comments(ratings: dict[str, np.ndarray], has_comment: np.ndarray, pii: np.ndarray,
                     rng: np.random.Generator) -> tuple[list, list]:
    """Write one comment per respondent from their driver ratings (1–5).

    Low ratings (1–2) make the matching negative theme likely, 5s the positive one; at most two themes
    are written. Returns the comments (None where no comment) and their true theme labels ("|"-joined).
    """
    n = len(has_comment)
    pick = rng.random((n, len(NEGATIVE) + len(POSITIVE)))
    comments, labels = [None] * n, [""] * n
    neg = list(NEGATIVE.items())
    pos = list(POSITIVE.items())
    for i in np.flatnonzero(has_comment):
        chosen = []
        for j, (theme, (driver, _)) in enumerate(neg):
            r = ratings[driver][i]
            if (r <= 1 and pick[i, j] < 0.85) or (r == 2 and pick[i, j] < 0.45):
                chosen.append((pick[i, j], theme, NEGATIVE[theme][1]))
        for j, (theme, (driver, _)) in enumerate(pos, start=len(neg)):
            if ratings[driver][i] >= 5 and pick[i, j] < 0.35:
                chosen.append((pick[i, j], theme, POSITIVE[theme][1]))
        chosen.sort()
        chosen = chosen[:2]
        if chosen:
            parts = [_fill(phr[rng.integers(len(phr))], rng) for _, _, phr in chosen]
            labels[i] = "|".join(sorted(t for _, t, _ in chosen))
        else:
            parts = [NEUTRAL[rng.integers(len(NEUTRAL))]]
        if pii[i]:
            parts.append(_fill(PII[rng.integers(len(PII))], rng))
        comments[i] = " ".join(parts)
    return comments, labels


def truth_sentiment(themes: str) -> str:
    """The true sentiment of a comment from its theme labels ("|"-joined).

    "negative" when it voices any complaint (a complaint needs an answer, even beside praise),
    "positive" when it only praises, "neutral" when it voices neither.
    """
    names = [t for t in themes.split("|") if t]
    if any(t in NEGATIVE for t in names):
        return "negative"
    return "positive" if names else "neutral"
