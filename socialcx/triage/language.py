"""Language of a mention, with lingua (a well-kept, offline detector).

Only the languages a care team is likely to meet are considered. lingua's high-accuracy mode is
needed for posts this short (its fast mode calls "where is my order??" German) but manages about
1,600 posts a second on two cores, so plainly English posts — no letter outside ASCII, and a
common word no other considered language uses — are called English without asking it. Handles, hashtags
and links are left out of what it reads. A text too short or too mixed to tell gives None.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

__all__ = ["DEFAULT_LANGUAGES", "detect_languages"]

DEFAULT_LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl")

_ENGLISH_ONLY = frozenset(
    "the and my you your you're i'm im it's don't dont can't cant won't where what why who how this that "
    "with have has were been not for from just got get when they but would could should about please "
    "thanks thank any anyone there their our we're i've i'll to at are do does did be now out all like "
    "help still today hours days guys hey".split()
)
_NON_ASCII_LETTER = re.compile(r"(?![\x00-\x7f])[^\W\d_]")
_WORD = re.compile(r"[a-z']+")
_NOISE = re.compile(r"https?://\S+|[@#]\w+")  # handles, hashtags and links say nothing of the language


def detect_languages(texts: Sequence[str], languages: Sequence[str] = DEFAULT_LANGUAGES) -> list[str | None]:
    """ISO 639-1 codes for each text (None where the detector cannot tell), in order."""
    results: list[str | None] = ["en" if "en" in languages and _plainly_english(text) else None for text in texts]
    unsure = [index for index, result in enumerate(results) if result is None]
    cleaned = [_NOISE.sub(" ", texts[index]) for index in unsure]
    detected = _detector(tuple(languages)).detect_languages_in_parallel_of(cleaned)
    for index, language in zip(unsure, detected):
        results[index] = None if language is None else language.iso_code_639_1.name.lower()
    return results


def _plainly_english(text: str) -> bool:
    if _NON_ASCII_LETTER.search(text):  # emoji are fine; accented letters are not
        return False
    return not _ENGLISH_ONLY.isdisjoint(_WORD.findall(_NOISE.sub(" ", text).lower()))


@functools.cache
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    chosen = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in languages]
    return LanguageDetectorBuilder.from_languages(*chosen).with_minimum_relative_distance(0.1).build()
