"""Risk flags: what must reach a person whatever the intent model says.

Five flags, each a set of patterns written for recall (a missed legal threat or crisis post
costs far more than a false alarm, which only sends a post to the inbox), with the common
figures of speech carved out ("killing it", "dying to try", "this price is criminal").

Patterns are lexicons of concepts, not copies of sentences: each flag names its concept
words once (in English, Spanish, French, German, Portuguese, Italian and Dutch), and the
patterns combine them. Text is folded first (case, accents, curly quotes), so a pattern
is written once in lower-case ASCII; a few key words also accept their one-letter typos
(swapped, dropped or doubled letters: "laywer", "myslef").

Example:
    >>> risk_flags("my laywer will hear about this")
    ('legal_threat',)
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["RISK_FLAGS", "risk_flags"]

RISK_FLAGS = ("legal_threat", "safety", "personal_data", "harassment", "self_harm")


# --- building blocks --------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_COMBINING = re.compile(r"[\u0300-\u036f]")
# Real words that a typo of a concept word would otherwise turn into ("lawyer" -> "layer").
_REAL_WORDS = frozenset({"layer"})


def _fold(text: str) -> str:
    """Lower case without accents or curly quotes: "Straße" -> "strasse", "Tribunal é" -> "tribunal e"."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_QUOTES))).casefold()


def _typos(*words: str) -> str:
    """A regex group for the words and their one-letter typos, keeping the first letter."""
    variants: set[str] = set()
    for word in words:
        variants.add(word)
        for i in range(1, len(word)):
            variants.add(word[:i] + word[i + 1 :])  # dropped letter
            variants.add(word[:i] + word[i] + word[i:])  # doubled letter
            if i + 1 < len(word):
                variants.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])  # swapped pair
    kept = sorted(variants - _REAL_WORDS, key=lambda v: (-len(v), v))
    return "(?:" + "|".join(map(re.escape, kept)) + ")"


def _masked(*words: str) -> str:
    """A regex group for swear words with their vowels censored or leet-spelt ("b*tch", "c#nt")."""
    censor = {"a": "[a*@4#%$!._]", "e": "[e*3#%$!._]", "i": "[i*1!#%$._]", "o": "[o*0#%$!._]",
              "u": "[u*#%$!._v]"}
    return "(?:" + "|".join("".join(censor.get(ch, re.escape(ch)) for ch in w) for w in words) + ")"


def _any(*patterns: str) -> re.Pattern[str]:
    """One pattern for all; every alternative starts a word, and saying so once up front lets
    the regex engine skip the other positions cheaply (about a third faster)."""
    return re.compile(r"(?<!\w)(?=\w)(?:" + "|".join(f"(?:{pattern})" for pattern in patterns) + ")")


def _near(left: str, right: str, words: int = 4) -> str:
    """`left` then `right` with at most `words` words between them."""
    return rf"(?:{left})(?:\W+\w+){{0,{words}}}?\W+(?:{right})"


def _either(a: str, b: str, words: int = 4) -> str:
    """`a` and `b` in either order, at most `words` words apart."""
    return f"{_near(a, b, words)}|{_near(b, a, words)}"


def _raised(text: str, risky: re.Pattern[str], figurative: re.Pattern[str]) -> bool:
    """Whether a risky phrase appears outside every figure of speech that overlaps it. Most posts
    have no risky phrase at all, so that is asked first and figures of speech only after."""
    if risky.search(text) is None:
        return False
    harmless = [match.span() for match in figurative.finditer(text)]
    return any(
        not any(start < end_ and start_ < end for start_, end_ in harmless)
        for start, end in (match.span() for match in risky.finditer(text))
    )


# Who a threat, insult or injury can be about. Used by several flags.
_KIN = (
    r"son|daughter|kids?|child(?:ren)?|baby|toddler|dad|mum|mom|mother|father|wife|husband|"
    r"partner|friend|brother|sister|nan|gran|grandma|grandad|grandpa|nephew|niece|boy|girl|"
    r"dog|cat|puppy|kitten"
)
_PERSON_SUBJECT = rf"\b(?:i|he|she|we|they|someone|somebody|a\s+(?:customer|child|kid|woman|man)|(?:my|our|his|her|their)\s+(?:little\s+|\d+\s*(?:yo|year\s+old)\s+)?(?:{_KIN}))\b"
_BODY = (
    r"hands?|fingers?|thumbs?|arms?|legs?|foot|feet|toes?|head|face|eyes?|mouth|lips?|tongue|"
    r"skin|back|neck|knees?|ankles?|wrists?|hips?|chest|nose|tooth|teeth|ears?|scalp|"
    r"shoulders?|ribs?|throat|forehead|chin|palm"
)


# --- legal_threat -----------------------------------------------------------------------

_LAWYER = (
    rf"{_typos('lawyer', 'attorney', 'solicitor')}s?|barristers?|legal\s+(?:team|department|dept|"
    r"counsel|rep(?:resentative)?s?|advisers?|advisors?)|counsel|law\s?firm|"
    r"abogad[oa]s?|avocats?|(?:rechts)?anwalt|anwaltin|anwalte|advogad[oa]s?|avvocat[oi]|advocaa?t(?:en)?"
)
_MY = (
    r"my|our|mi|mis|nuestro|nuestros|mon|mes|notre|nos|mein|meinen|meinem|meine|unser|unseren|"
    r"meu|meus|nosso|nossa|il\s+mio|mio|mia|miei|mijn|onze"
)
_SUE = rf"su(?:e|es|ed|ing|eing|in'?)|{_typos('lawsuit')}s?"
_REGULATOR = (
    r"ftc|cfpb|bbb|cma|fca|fcc|sec|ico|ofcom|ofgem|ofwat|asa|acma|accc|trading\s+standards|"
    r"ombuds(?:man|men|person|service)|attorney\s+general'?s?(?:\s+office)?|state\s+attorney|"
    r"regulators?|consumer\s+(?:protection|rights|financial\s+protection)(?:\s+\w+)?|"
    r"better\s+business\s+bureau|financial\s+conduct\s+authority|competition\s+and\s+markets|"
    r"police|authorities|citizens\s+advice|which\?|dgccrf|procon|ocu|consumentenbond|"
    r"verbraucherzentrale|autorita|agcm|acm"
)
_LEGAL = _any(
    # suing, in its verb forms with an object or an auxiliary, and lawsuits
    rf"\b(?:{_SUE})\b(?:\W+(?:you|u|ya|yall|y'all|them|him|her|the|your|ur|this|that|every|\w+\s+(?:for|over|if|unless|into)))",
    rf"\b(?:will|'ll|ll|shall|gonna|going\s+to|go\s+to|intend\s+to|plan(?:ning)?\s+to|about\s+to|"
    rf"ready\s+to|want\s+to|wanna|threaten\w*\s+to|and|or|be|been|start|considering|next\s+step\s+is)\s+(?:{_SUE})\b",
    rf"\b(?:{_SUE})\b\s+(?:is|it\s+is|it's|incoming|coming|filed|pending)\b|\b(?:{_typos('lawsuit')})s?\b",
    r"\bfil(?:e|es|ed|ing)\s+(?:a\s+)?(?:law)?suit\b|\bclass[-\s]?action\b|\blitigat\w+",
    # lawyers acting for the author
    rf"\b(?:{_MY})\s+(?:\w+\s+)?(?:{_LAWYER})\b(?!\s+(?:general|friend|mate|buddy|pal|neighbou?r|"
    r"colleague|cousin|sister|brother|mum|mom|dad|prefere?e?|favou?rite|amig[oa]|ami|freund|amic[oa]|vriend|"
    r"preferid[oa]|preferit[oa]|recommended|loves?|likes?|says\s+(?:hi|hello)|bought|ordered|wears?))",
    _near(
        r"\b(?:contact\w*|call\w*|email\w*|phon\w*|rang|ring\w*|consult\w*|speak\w*|spoke|talk\w*|"
        r"hire\w*|hiring|retain\w*|engag\w*|instruct\w*|involv\w*|get(?:ting)?|got|see(?:ing)?|"
        r"pass\w*|forward\w*|cc'?d|copied|hablad[oa]|hablar|contactar|contacter|contacte|saisir|"
        r"einschalten|eingeschaltet|kontaktier\w*|falei|falar|contatei|contattat\w*|sentito|inschakel\w*|ingeschakeld)",
        rf"(?:{_LAWYER})\b", 5,
    ),
    rf"\b(?:{_LAWYER})\s+(?:\w+\s+){{0,2}}?(?:will|'ll|shall|is|are|'re|'s|has|have|says|said|told|"
    r"advised|drafting|sending|looking|involved|in\s+touch|on\s+(?:it|this|you)|neemt|nimmt|meldet|vous\s+enverra)\b",
    r"\b(?:lawyer|lawyering)(?:ed)?\s+up\b|\bno\s+win\s+no\s+fee\b",
    # courts
    r"\b(?:to|in|into|through|before|via|at)\s+(?:the\s+)?(?:county\s+|small[-\s]\w+\s+|civil\s+|high\s+|"
    r"district\s+|magistrates'?\s+|federal\s+|supreme\s+)?courts?\b(?!\s+of\s+public)",
    rf"\bsmall[-\s]{_typos('claims', 'claim')}\b|\bcourt\s+(?:case|claim|action|proceedings|summons|date|hearing|order)s?\b|\bsummons\b|\btribunal\w*",
    r"\b(?:issu\w+|start\w*|begin\w*|commenc\w+|legal|court|formal)\s+proceedings\b|\bproceedings\s+against\b",
    r"\blegal\s+(?:action|proceedings|steps|route|remed(?:y|ies)|claim|case|letter|notice|challenge|recourse|measures)\b",
    _near(r"\b(?:further|pursu\w+|tak\w+|go\w*|proceed\w*|act\w*|escalat\w+|deal\w*)", r"legally\b", 3),
    r"\bcease\s+and\s+desist\b|\bletter\s+before\s+(?:action|claim)\b|\bdemand\s+letter\b|\bformal\s+notice\b|"
    r"\bclaim\s+for\s+(?:damages|compensation)\b|\bdamages\s+claim\b|\bbreach\s+of\s+(?:the\s+)?(?:contract|"
    r"consumer|gdpr|data\s+protection|warranty|statutory)|\bcharge\s?backs?\b",
    # regulators and police
    _near(r"\b(?:report\w*|complain\w*|complaint|escalat\w+|fil(?:e|ed|ing)|lodg\w+|rais\w+|refer\w*|contact\w*|tell\w*|go\w*)",
          rf"(?:to|with)\s+(?:the\s+|my\s+|our\s+|your\s+)?(?:local\s+|state\s+)?(?:{_REGULATOR})\b", 4),
    r"\b(?:trading\s+standards|ombuds(?:man|men|person|service)|cfpb|attorney\s+general'?s\s+office|"
    r"consumer\s+financial\s+protection\s+bureau|better\s+business\s+bureau)\b",
    # other languages
    rf"\b{_typos('denunci')}\w*|\bdemandar\w*|\bdemandare\w*|\buna\s+demanda\b|"
    r"\b(?:juicio|juzgado|hoja\s+de\s+reclamaciones)\b|\bacciones\s+legales\b|\bvia\s+judicial\b",
    r"\bporter\s+plainte\b|\bplainte\s+contre\b|\bje\s+porte\s+plainte\b|\bpoursuites?\b|\bpoursuivre\s+en\s+justice\b|"
    r"\ben\s+justice\b|\bmise\s+en\s+demeure\b|\bhuissier\b",
    r"\bverklag\w+|\bklage\b|\bklagen\b|\b(?:vor|vors|zum|ans)\s+gericht\b|\banzeige\s+(?:gegen|erstatt\w*)|\berstatte\w*\s+anzeige\b|"
    r"\bstrafanzeige\b|\brechtliche\s+schritte\b|\babmahnung\b|\b(?:rechts)?anwalt\b",
    r"\bprocessar\w*|\bprocesso\s+(?:judicial|contra)\b|\bna\s+justica\b|\bacao\s+judicial\b",
    r"\bquerela\w*|\bfar(?:e|vi|ti|gli)?\s+causa\b|\bfaccio\s+causa\b|\bazion[ei]\s+legal[ei]\b|\bin\s+tribunale\b",
    r"\b(?:naar|bij|voor)\s+de\s+rechter\b|\brechtszaak\b|\baanklagen\b|\baangifte\b|\bjuridische\s+stappen\b|\bingebrekestelling\b",
)
_LEGAL_FIGURATIVE = _any(
    r"\b(?:i'?d|i\s+would|would)\s+sue\s+(?:for|over)\s+(?:that|this)\b",
    r"\bsu(?:e|ing)\s+me\s+for\s+(?:lov|lik|want|wear|buy)\w*",
    r"\battorney\s+general\s+of\b",
)


def _legal_threat(folded: str) -> bool:
    """legal_threat: the author says they will, or did, take legal or regulatory action: suing,
    lawyers acting for them, courts, small claims, formal notices, regulators and police,
    chargebacks, in all seven languages. It leaves out law as a topic or a job ("my lawyer
    friend", "I'm a solicitor", "food court", "law and order"), the legal words of hype
    ("criminal price", "should be illegal") and jokes ("I'd sue for that comfort")."""
    return _raised(folded, _LEGAL, _LEGAL_FIGURATIVE)


# --- safety -----------------------------------------------------------------------------

_SAFETY = _any(
    # fire, smoke, heat, explosions, electricity, gas
    rf"\b(?:{_typos('caught')}|catch(?:ing|es)?|cought|set\s+(?:\w+\s+){{0,3}}?on|burst\s+into|went\s+up\s+in|on|started\s+a)\s+(?:fire|flames?)\b",
    r"\b(?:caught|set\s+(?:\w+\s+){0,3}?)alight\b|\bflames?\b|\bfire\s+(?:hazard|risk|brigade|service|department|fighters?|engine)\b|\bon\s+fire\b",
    r"\bburning\s+(?:smell|plastic|rubber|odou?r)|\bsmell\w*\s+(?:of\s+|like\s+)?(?:burning|burnt|gas|smoke)\b|"
    r"\b(?:burnt|burned|gas|smoke)\s+smell\b|\bscorch\w*|\bsmoulder\w*|\bsmolder\w*",
    r"\bsmok(?:e|es|ed|ing)\b(?!\s+(?:hot|free|salmon|ham|bacon|cheese|paprika|glasses?|detector\s+test))",
    r"\bmelt(?:ed|ing|s)?\b(?!\s+in\s+(?:your|my|the)\s+mouth)|\bexplo(?:d\w*|sions?)|\bblew\s+up\b|\bblown\s+up\b|"
    r"\b(?:battery|batteries|power\s?bank|cell)\s+(?:\w+\s+){0,2}?(?:swell\w*|swollen|bulg\w+|leak\w*|puff\w*)|\bswell(?:ed|ing)\s+up\b",
    r"\boverheat\w*|\b(?:too|so|very|really|dangerously)\s+hot\s+(?:to\s+touch|it\s+burn\w*)|\bhot\s+to\s+the\s+touch\b|"
    r"\bspark(?:s|ed|ing|ling)?\b(?!\s+(?:joy|conversation|interest|debate))",
    r"\belectr(?:ic|ical)\s+shocks?\b|\belectrocut\w*|\bshock(?:ed)?\s+(?:me|him|her|us|my|from|off)\b|\bgot\s+a\s+(?:\w+\s+)?shock\s+(?:from|off)\b|"
    r"\b(?:exposed|live|bare|loose)\s+wires?\b",
    r"\bgas\s+leak\w*|\bleak\w*\s+gas\b|\bcarbon\s+monoxide\b|\bco\s+alarm\b|\b(?:toxic|chemical|noxious)\s+(?:fumes?|smell|gas)\b|\bfumes\b",
    # people hurt
    r"\binjur\w*|\bwound\w*|\bbleed\w*|\bbled\b|\bblood\w*|\bstitches\b|\bconcuss\w*|\bbruis\w+|\bblister\w*|\bscald\w*|"
    r"\bfractur\w*|\bsprain\w*|\bbroken\s+(?:bones?|arm|leg|wrist|ankle|nose|rib|toe|finger)|\bfaint\w*|\bunconscious\b|\bpassed\s+out\b",
    _near(r"\b(?:cut|cuts|cutting|burn\w*|slic\w+|gash\w*|hurt\w*|injur\w*|broke|broken|trapp\w*|crush\w*|hit|bang\w*|"
          r"bump\w*|stab\w*|pinch\w*|scratch\w*|grazed?|bit|struck|sliced)",
          rf"(?:my|his|her|their|our|your|its|a|the)\s+(?:\w+\s+)?(?:{_BODY})\b", 2),
    rf"\b(?:{_BODY})\s+(?:is|was|got|were|are|has\s+been|now)?\s*(?:cut|burnt|burned|bleeding|broken|swollen|blistered|scalded)\b",
    rf"(?:{_PERSON_SUBJECT}|\b(?:i'?m|im|he'?s|she'?s|they'?re))\s+(?:is\s+|was\s+|am\s+|are\s+|were\s+|got\s+|been\s+|badly\s+|so\s+|now\s+)*(?:burned|burnt|scalded|hurt|injured|bleeding|bruised|electrocuted|poisoned)\b",
    r"\bboiling\s+(?:water|oil|liquid)\s+(?:\w+\s+)?(?:went|spilled|spilt|splashed|sprayed|poured|shot|everywhere|all\s+over)",
    r"\b(?:contains?|contained|had|has|with)\s+(?:\w+\s+)?(?:peanuts?|nuts|gluten|sesame|shellfish|milk|dairy|egg|soy|latex)\b(?=.*\b(?:free|allerg|label|said|says)\w*)",
    r"\bburn(?:s|ed|t)?\s+(?:me|him|her|us|them|the\s+(?:baby|kid|child|cot|bed|sheets|carpet|table|house))\b|\b(?:chemical|second[-\s]degree|third[-\s]degree)\s+burns?\b|\bgot\s+burn(?:ed|t)\b",
    r"\bhurt\s+(?:me|him|her|us|them|myself|himself|herself|themselves)\b|\bhurt\s+(?:my|his|her|our|their)\s+(?!wallet|feelings|pride|bank|pocket|budget|eyes\s+to\s+look)",
    r"\bchok(?:e|ed|es|ing)\b|\bswallow(?:ed|ing)?\b(?!\s+(?:the\s+price|my\s+pride))|\binhal\w+|\bsuffocat\w*|\bstrangl\w*|\bdrown\w*|"
    r"\bcouldn'?t\s+breathe\b|\bcan'?t\s+breathe\b|\bsmall\s+parts?\s+(?:came|come|fell|fall|broke|break|loose)",
    rf"\bpoison\w*|\bfood\s+poison\w*|\bsick\s+(?:after|from)\b|\bvomit\w*|\bthrew\s+up\b|\bthrowing\s+up\b|\brash\b|\b{_typos('allergic', 'allergy', 'allergies')}|\ballerg\w+|\banaphyla\w*|\bepi-?pen\b",
    r"\bmou?ld(?:y)?\b(?!\s+(?:breaker|breaking))|\b(?:piece|bit|shard|fragment|chunk|sliver)s?\s+of\s+(?:glass|metal|plastic|wire|wood)\b|"
    r"\b(?:glass|metal|plastic|wire|maggots?|insects?|cockroach\w*|worms?|needles?)\s+in\s+(?:the|my|our|his|her)\s+\w+",
    r"\bhospital\w*|\ba\s*&\s*e\b|\bemergency\s+(?:room|vet|department|services)\b|\b(?:the\s+)?er\b(?=\s+(?:last|after|because|with|tonight|now))|"
    r"\bambulance\w*|\bparamedics?\b|\bdoctor\s+(?:said|says)\b|\bvet\s+(?:says|said|bills?)\b|\b(?:911|999|112)\b",
    # collapses, falls and crashes with a person, failed brakes
    # "crashed" only with a person as its subject or object: apps crash all day long
    rf"{_PERSON_SUBJECT}\s+(?:\w+\s+)?crashed\b|\bcrash\w*\s+into\s+(?:me|him|her|us|them|my|a\s+(?:child|kid|person|pedestrian))\b|\b(?:car|bike|road|traffic)\s+crash\b",
    _either(r"\b(?:collaps\w*|fell|fallen|falling|fall|gave\s+way|gave\s+out|tipped(?:\s+over)?|toppled|snapped|came\s+loose|came\s+off|slipped|tripped|thrown|threw\s+me|shatter\w*)\b",
            _PERSON_SUBJECT + r"|\b(?:me|him|her|us|them)\b|\b(?:" + _KIN + r")\b", 4),
    r"\bbrakes?\s+(?:\w+\s+)?(?:fail\w*|gave\s+out|stopped|don'?t|didn'?t|won'?t|not\s+work\w*)|\b(?:no|lost)\s+brakes\b",
    r"\b(?:could|would|might|nearly|almost)\s+(?:have\s+)?(?:killed|died|lost\s+my\s+(?:house|home|life))\b(?!\s+(?:laugh\w*|of\s+(?:laughter|shame|embarrassment)))",
    r"\bhazard\w*|\bdangerous\b(?!ly\s+good)|\bunsafe\b|\bdeath\s*trap\b|\blethal\b|\bsafety\s+(?:issue|concern|risk|hazard|problem)s?\b|"
    r"\brecall(?:ed|s)?\b|\bsharp\s+edges?\b",
    # other languages
    r"\b(?:prendi\w*|cogi\w*|agarr\w*|tom\w*)\s+fuego\b|\bincendi\w*|\ben\s+llamas\b|\bchispas\b|\bhumo\b|\ba\s+quemado\b|\bquem\w+|"
    r"\bse\s+(?:ha\s+)?cort\w+|\bherid\w+|\bexplot\w+|\bdescarga\s+electrica\b|\batragant\w+|\basfixi\w+|\bintoxica\w+|\burgencias\b|\bpeligro\w*|\bmoho\b|\bfuga\s+de\s+gas\b",
    r"\bpris\s+feu\b|\bprend\w*\s+feu\b|\ben\s+feu\b|\bdepart\s+de\s+feu\b|\bflammes\b|\bfumee\b|\betincelles?\b|\bbrul\w+|\bcoupure\b|"
    r"\b(?:s'est|me\s+suis|se\s+sont|t'es)\s+(?:\w+\s+)?(?:coupe|brule|blesse|etouffe)\w*|\bdecharge\s+electrique\b|\bblesse\w*|\betouff\w*|\bmoisissure\w*|\bfuite\s+de\s+gaz\b",
    r"\bbrand(?:gefahr|wunde|geruch|schaden)\b|\bbrannte\b|\bgebrannt\b|\bverbrannt\w*|\bverbrueh\w*|\bverbruh\w*|"
    r"\bfeuer\b|\bqualm\w*|\brauch\w*|\bfunken\b|\bstromschlag\b|\bverletz\w*|\bgeschnitten\b|\bverschluck\w*|\berstick\w*|\bvergift\w*|"
    r"\bkrankenhaus\b|\bnotaufnahme\b|\bgefahrlich\w*|\bschimmel\w*|\bgasgeruch\b",
    r"\bpeg\w*\s+fogo\b|\bem\s+chamas\b|\bfumaca\b|\bfaiscas?\b|\bchoque\s+eletrico\b|\bferid[oa]s?\b|\bengasg\w+|\bmofo\b|\bbolor\b|\bvazamento\s+de\s+gas\b|\bperigos\w*",
    r"\bpreso\s+fuoco\b|\bprende\s+fuoco\b|\bin\s+fiamme\b|\bscintill\w+|\bbruciat\w*|\bustion\w*|\btagliat\w+|\bscossa\b|\bferit[oaie]\b|\besplo\w+|"
    r"\bsoffoc\w+|\bintossica\w+|\bospedale\b|\bpronto\s+soccorso\b|\bpericolos\w+|\bmuffa\b|\bfuga\s+di\s+gas\b",
    r"\bin\s+(?:de\s+)?brand\b|\bvuur\b|\brook\w*|\bvonken\b|\bverbrand\w*|\bgesneden\b|\bsneed\b|\bgewond\w*|\bontplof\w*|\bverslik\w*|\bstikken\b|"
    r"\bvergiftig\w*|\bziekenhuis\b|\bgevaarlijk\w*|\bgaslek\b|\belektrische\s+schok\b",
)
_SAFETY_FIGURATIVE = _any(
    r"\b(?:sales?|team|deals?|prices?|we|you|i|they|it|this|that|she|he|you\s+guys)\s+(?:are|is|was|were|'re|'s|be|been)\s+(?:\w+\s+)?on\s+fire\b",
    r"\bon\s+fire\s+(?:this|with|today|lately|right\s+now)\b",
    r"\bfire\s+(?:deal|sale|price|drop|fit)s?\b",
    r"\brecall(?:s|ed)?\s+(?:that|the\s+(?:name|time|day)|when|how|seeing|ordering|buying|reading)\b|\b(?:i|can't|cannot|don't)\s+recall\b",
    r"\bchok(?:e|ed|ing)\s+on\s+(?:my|the)\s+(?:coffee|tea|drink|laugh\w*)\b|\bhard\s+to\s+swallow\b",
    r"\b(?:blew|blown)\s+up\s+(?:on|with|my\s+(?:phone|notifications|inbox))\b|\bflames?\s+emoji\b|\bheart\s+melt\w*|\bmelt\w*\s+my\s+heart\b",
    r"\bhospitality\b|\bhazard\s+(?:a\s+)?guess\b",
)


def _safety(folded: str) -> bool:
    """safety: physical danger to people or pets from a product, a store or a delivery: fire,
    smoke, sparks, burning smells, overheating, explosions and swollen batteries, electric
    shock, gas leaks and carbon monoxide, burns and scalds, cuts, injuries and broken bones,
    choking and swallowing, poisoning, allergic reactions and contamination (mould, glass,
    metal), falls and collapses or crashes with a person involved, brakes failing, hospitals
    and ambulances, hazards and recalls. It leaves out hype and idiom ("this hoodie is fire",
    "smoking hot deals", "killing it", "dying to try", "that price hurt my wallet", "crash
    course", "broke the internet") and damage to things alone ("arrived broken")."""
    return _raised(folded, _SAFETY, _SAFETY_FIGURATIVE)


# --- personal_data ----------------------------------------------------------------------

# Not a fediverse handle ("@acme@mastodon.social"), which is public by design.
_EMAIL_AT = re.compile(r"[\w.+-]@[\w-]")
_HANDLE_OR_LINK = re.compile(r"(?<![\w.+-])@\w+(?:@[\w.-]+)?|https?://\S+")
_EMAIL = re.compile(r"(?<![@\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
# A run of digits with single separators ("+44 7700 900123", "(555) 010-4477").
_DIGIT_RUN = re.compile(r"(?<![\w#/.,:])(?<!\d[ .\-)(])\+?\(?\d(?:(?:[ .\-]|\)\s?|\s?\()?\d)+(?![\w/])")
_REFERENCE = re.compile(
    r"\b(?:order|ord|ref|reference|tracking|track|invoice|inv|ticket|case|booking|parcel|shipment|"
    r"confirmation|transaction|receipt|account\s+no|item|sku|serial|model|pedido|commande|"
    r"bestellung|sendung|ordine|bestelling|encomenda|parcel|package|pakket|paket|colis|paquete|pacco|pacote|mine\s+was)\w*\s*(?:number|no\.?|num|id|#|:)?\s*(?:is|was|=|es|est|ist|e|é|is\s+nu)?\s*[#:]?\s*$",
    re.IGNORECASE,
)
_PHONE_CUE = re.compile(
    r"\b(?:call|ring|text|phone|mobile|mob|cell|tel|whatsapp|number|nummer|numero|telefon\w*|"
    r"telephone|portable|movil|handy|bel|appel\w*|llam\w*|chiama\w*|ligue|contact)\w*\W{0,3}(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
_CARD_CUE = re.compile(r"\b(?:card|visa|mastercard|amex|debit|credit|tarjeta|carte|karte|cartao|carta)\w*\W+(?:\w+\W+){0,3}$", re.IGNORECASE)
_CARD_SHAPE = re.compile(r"[\d \-]+")
_US_PHONE = re.compile(r"(?:\(\d{3}\)\s?|\d{3}[ .\-])\d{3}[ .\-]\d{4}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b", re.IGNORECASE)
_ID_NUMBER = re.compile(
    r"\b(?:ssn|social\s+security(?:\s+(?:number|no))?|national\s+insurance(?:\s+(?:number|no))?|ni\s+(?:number|no)|"
    r"nino|bsn|burgerservicenummer|sofinummer|dni|nie|nif|cpf|codice\s+fiscale|steuer-?id|personalausweis\w*|"
    r"ausweisnummer|numero\s+de\s+securite\s+sociale|numero\s+fiscal|tax\s+id|national\s+id|id\s+(?:card\s+)?number|"
    r"passport(?:\s+(?:number|no|#))?|passeport|pasaporte|reisepass\w*|passaporto|paspoort|passaporte|"
    r"driver'?s\s+licen[cs]e(?:\s+(?:number|no))?|licen[cs]e\s+number)"
    r"\W{0,3}(?:(?:is|was|=|number|no|nr|numero|nummer|:|#)\W{0,3}){0,3}[a-z]{0,3}\s?\d(?:[ .\-]?[\dA-Z]){5,14}\b",
    re.IGNORECASE,
)
_SSN_SHAPE = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_NI_SHAPE = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
_STREET_EN = r"street|st|road|rd|avenue|ave|av|lane|ln|drive|dr|close|way|court|ct|place|pl|crescent|cres|boulevard|blvd|terrace|grove|gardens|square|sq|parkway|pkwy|highway|hwy|row|mews|walk|hill|park|rise|view"
_STREET_EU_FIRST = r"rue|avenue|boulevard|bd|chemin|allee|impasse|place|quai|calle|c/|avenida|avda|paseo|plaza|carrer|camino|rua|travessa|largo|praca|via|viale|piazza|corso|vicolo|strada"
# German and Dutch street names are compounds ("Hauptstraße 5", "Kerkstraat 12").
_STREET_SUFFIXES = ("strasse", "str", "weg", "allee", "platz", "gasse", "damm", "ufer", "straat", "laan",
                    "plein", "gracht", "kade", "singel", "dijk", "steeg")
_WORD_THEN_NUMBER = re.compile(r"([^\W\d_]{4,})\.?\s+\d{1,4}[a-z]?\b")
_ADDRESS = re.compile(
    # "221B Baker Street", "1600 Amphitheatre Pkwy"
    rf"\b\d{{1,5}}[a-z]?,?\s+(?:[A-Z][\w'-]*\s+){{1,3}}(?i:{_STREET_EN})\b\.?"
    # "14 rue de la Paix", "Calle Mayor 12", "Via Roma 10"
    rf"|\b\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?i:{_STREET_EU_FIRST})\s+\w"
    rf"|\b(?i:{_STREET_EU_FIRST})\s+(?:(?:de|del|de\s+la|des|du|di|della|do|da|dos|das|d')\s*)?[A-Z\u00c0-\u00dd][\w'-]+(?:\s+[\w'-]+){{0,3}}?,?\s+\d{{1,4}}[a-z]?\b"
    # postcodes: UK, US state + ZIP, FR/DE/ES/IT city, NL, PT
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
    r"|,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"
    r"|\b\d{5}\s+[A-Z\u00c0-\u00dd][a-z\u00df-\u00ff]+"
    r"|\b\d{4}\s?[A-Z]{2}\s+[A-Z][a-z]+"
    r"|\b\d{4}-\d{3}\s+[A-Z][a-z]+"
    # "flat 3", "apt 4B"
    r"|\b(?i:flat|apt|apartment|suite|unit)\.?\s+\d+[a-z]?,?\s+\d{1,5}\s+[A-Z]"
)


def _personal_data(text: str) -> bool:
    """personal_data: someone's private data posted in public: Luhn-valid card numbers, IBANs
    (mod-97 checked), email addresses, phone numbers (international, UK/EU national and US
    formats, or any long number introduced as a phone number), US social security numbers,
    national ids and passport numbers introduced as such, and street addresses (English
    number-first forms, European street-first forms and compound street names, postcodes).
    It leaves out order, tracking and reference numbers (even Luhn-valid ones introduced as
    such), dates, prices, versions, card endings ("ending 4421"), free-phone prefixes and a
    street named without a house number ("the store on Baker Street")."""
    if not _EMAIL_AT.search(text) and not any(map(str.isdigit, _HANDLE_OR_LINK.sub(" ", text))):
        return False  # every pattern below needs an email's "@" or a digit outside handles and links
    if _EMAIL.search(text) or _ADDRESS.search(text) or _ID_NUMBER.search(text):
        return True
    if any(_fold(m.group(1)).endswith(_STREET_SUFFIXES) for m in _WORD_THEN_NUMBER.finditer(text)):
        return True
    if _SSN_SHAPE.search(text) or _NI_SHAPE.search(text):
        return True
    if any(_iban_valid(match.group()) for match in _IBAN.finditer(text)):
        return True
    return any(_sensitive_number(text, match) for match in _DIGIT_RUN.finditer(text))


def _sensitive_number(text: str, match: re.Match[str]) -> bool:
    """Whether a run of digits is a card or phone number rather than an order id or a date."""
    before = text[max(0, match.start() - 40) : match.start()]
    run = match.group()
    digits = "".join(ch for ch in run if ch.isdigit())
    if _REFERENCE.search(before) and not _CARD_CUE.search(before):
        return False
    if 13 <= len(digits) <= 19 and _luhn(digits) and _CARD_SHAPE.fullmatch(run):
        return True
    if _PHONE_CUE.search(before) and 8 <= len(digits) <= 15:
        return True
    if run.startswith("+"):
        return 8 <= len(digits) <= 15
    if run.startswith("0") and not run.startswith("00"):
        return 10 <= len(digits) <= 12 and not digits.startswith(("0800", "0900"))
    return _US_PHONE.fullmatch(run) is not None


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _iban_valid(candidate: str) -> bool:
    """The ISO 13616 mod-97 check, which an order id or a random code passes one time in 97."""
    compact = "".join(candidate.split()).upper()
    if not 15 <= len(compact) <= 34:
        return False
    rotated = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rotated)) % 97 == 1


# --- harassment -------------------------------------------------------------------------

_STAFF = (
    r"staff|agents?|reps?|representatives?|drivers?|couriers?|delivery\s+(?:guy|man|men|driver|person|girl|boy)|"
    r"postm[ae]n|managers?|boss|bosses|ceo|founder|owner|cashiers?|employees?|workers?|assistants?|advis[oe]rs?|"
    r"team|operators?|moderators?|admins?|woman|women|man|men|guy|guys|girl|girls|lady|ladies|bloke|person|"
    r"people|whoever|clerk|receptionist|waiter|waitress|security\s+guard|"
    r"bezorger|repartidor|livreur|fahrer|entregador|fattorino|kassiererin|cajer[oa]|atendente|commess[oa]"
)
_YOU = r"you|u|ya|ye|yall|y'all|you're|youre|ur|ure|u\s+r|you\s+(?:are|lot|guys|people|all|two)"
# Words that can stand between a target and an insult: "you lot are absolute morons".
_FILLER = (
    r"are|is|was|were|r|'re|all|such|so|a|an|just|bunch|of|total|complete|absolute|utter|proper|right|real|"
    r"really|the|biggest|most|pack|load|truly|utterly|completely|totally|like|being|incredibly|bloody|damn|"
    r"f\w*(?:ing|in'?)|effing|sad|little|big"
)
_STRONG_INSULT = (
    _masked("bitch", "bitches", "cunt", "cunts", "twat", "twats", "whore", "whores", "slut", "sluts", "wanker",
            "wankers", "arsehole", "arseholes", "asshole", "assholes", "bastard", "bastards", "dickhead", "dickheads",
            "motherfucker", "motherfuckers", "prick", "pricks", "bellend", "tosser", "tossers", "scumbag",
            "scumbags")
    + r"|subhuman|sub-human|vermin|brain[-\s]?dead|brainless|waste\s+of\s+(?:space|oxygen|air|skin|a\s+life)|"
    r"zero\s+brain\s+cells|pieces?\s+of\s+(?:shit|s\*+t|garbage|trash|crap|filth)|"
    r"gilipollas|pendej[oa]s?|cabron\w*|hij[oa]s?\s+de\s+puta|subnormal\w*|capull[oa]s?|zorra|connard\w*|connasse|conne|"
    r"abruti\w*|salope\w*|encule\w*|ta\s+gueule|arschloch\w*|wichser|vollidiot\w*|trottel|hurensohn\w*|missgeburt|"
    r"otari[oa]s?|babaca\w*|filh[oa]s?\s+da\s+puta|tomar\s+no\s+cu|vai\s+se\s+foder|coglion\w+|stronz[oaie]|"
    r"vaffanculo|testa\s+di\s+cazzo|klootzak\w*|kutwijf|teringlijer|mongool|eikel|sukkel"
)
_INSULT = (
    r"idiot\w*|idiota\w*|idioten|moron\w*|imbecil\w*|cretin\w*|muppets?|losers?|clowns?|scum|trash|garbage|"
    r"pathetic|useless|worthless|incompetent\w*|thick|stupid|dumb(?:ass)?|fat|ugly|crooks?|thie(?:f|ves)|pigs?|cows?|"
    r"dimwits?|halfwits?|retard\w*|parasites?|rats?|animals?|freaks?|inutil\w*|estupid\w*|tont[oa]s?|incompetentes|debiles?|"
    r"dumm\w*|blod\w*|deficient[ei]|incapac\w+|idioot"
)
_HARM_VERB = (
    r"smash|punch|kick|beat|batter|stab|shoot|slap|strangle|choke|hurt|kill|murder|break|bash|deck|knock|"
    r"glass|cut|burn|torch|run\s+over|hunt|find|get|visit|teach|wait\s+(?:for|outside)|come\s+for|coming\s+for|"
    r"come\s+after|coming\s+after|go\s+after|track\s+down|sort\s+out"
)
_PERSON_OBJECT = rf"you|u|ya|yall|y'all|him|her|them|(?:that|the|this|your|ur|those|these|every|each)\s+(?:\w+\s+)?(?:{_STAFF})"
_HARASSMENT = _any(
    rf"\b(?:{_STRONG_INSULT})\b",
    rf"\b(?:{_YOU})\s+(?:(?:{_FILLER})\s+){{0,5}}(?:{_INSULT})\b",
    rf"\b(?:{_STAFF})\s+(?:[\w']+\s+)?(?:(?:{_FILLER})\s+){{1,5}}(?:{_INSULT})\b",
    rf"\b(?:{_INSULT})\s+(?:[\w-]+\s+){{0,2}}(?:{_STAFF})\b",
    r"\b(?:stupid|dumb|fat|ugly|useless|thick|lazy|silly|old|miserable)\s+(?:cows?|pigs?|sows?|hags?|witch|slags?|gits?|oafs?)\b",
    r"\b(?:f+u+c+k+\w*|f[*#@%$!._]+c?k\w*|f[*#@%$!._]{2,}|fck|fk|fuk|screw|sod)\s+(?:you|u|ya|off|your|ur|all\s+of\s+you|the\s+lot)\b|"
    r"\bstfu\b|\bshut\s+(?:up|your\s+(?:mouth|face|trap))\b|\bgo\s+to\s+hell\b|\bdrop\s+dead\b|\bgo\s+(?:and\s+)?die\b|\bdie\s+in\s+a\s+(?:ditch|fire|hole)\b",
    # threats of violence and stalking
    rf"\b(?:i'?ll|i\s+will|i'?m\s+(?:going\s+to|gonna|coming\s+to)|i\s+am\s+(?:going\s+to|gonna)|im\s+(?:going\s+to|gonna)|"
    rf"we'?ll|gonna|someone\s+(?:should|needs\s+to|ought\s+to|will)|somebody\s+(?:should|needs\s+to)|wanna|want\s+to)\s+"
    rf"(?:\w+\s+)?(?:{_HARM_VERB})\s+(?:\w+\s+)?(?:{_PERSON_OBJECT})\b",
    rf"\b(?:{_HARM_VERB})\s+(?:your|his|her|their|that|the)\s+(?:\w+\s+)?(?:face|head|legs?|teeth|neck|skull|jaw|nose|arms?|kneecaps?)\b",
    rf"\b(?:i'?m|im|i\s+am)\s+coming\s+for\b|\bcoming\s+for\s+(?:you|him|her|them)\b|\bhunt\w*\s+(?:\w+\s+)?down\b|"
    rf"\bwatch\s+your\s+back\b(?!\s+pockets?)|\byou'?(?:ll|re\s+going\s+to|re\s+gonna)\s+(?:regret|pay)\b|\bregrets?\s+the\s+day\b|"
    rf"\b(?:you'?re|ur|you\s+are)\s+(?:so\s+)?dead\b(?!\s+(?:right|on|cute|funny))|\bteach\s+(?:\w+\s+){{0,3}}?a\s+lesson\b|"
    rf"\bmake\s+(?:[\w']+\s+){{0,4}}?life\s+(?:hell|a\s+(?:living\s+)?hell|a\s+misery)\b|\bwon'?t\s+(?:enjoy|like)\s+it\b|"
    rf"\b(?:wait\w*|be\s+waiting)\s+(?:for|outside)\s+(?:\w+\s+){{0,4}}?(?:{_PERSON_OBJECT})\b|"
    rf"\bmeet\s+me\s+(?:outside|in\s+the\s+car\s*park|after\s+(?:your|his|her)\s+shift)\b|\bsee\s+how\s+tough\b",
    r"\b(?:deserve|deserves|should|ought\s+to)\s+(?:to\s+)?(?:be\s+|get\s+)?(?:beaten|shot|hanged|hung|killed|hurt|punched|slapped|stabbed|"
    r"die|suffer|rot|burn)\b|\bburn\s+(?:\w+\s+){0,3}?down\b|\btorch\s+(?:your|the|his|her|their)\b|\b(?:with|while)\s+(?:you|the\s+staff|them|staff|everyone)\s+(?:\w+\s+)?(?:inside|in\s+it)\b",
    r"\b(?:go\s+)?(?:kill|kil)\s+(?:your\s*selves|yourselves|yourself|urself|ur\s+self)\b|\bkys\b",
    rf"\bhope\s+(?:you|u|ya|he|she|they|(?:your|ur|the|that|this)\s+(?:\w+\s+)?(?:{_STAFF}))\s+(?:\w+\s+)?(?:die|dies|crash\w*|"
    r"gets?\s+(?:hurt|cancer|run\s+over|what|killed|beaten|hit|sacked|fired)|rots?|burns?|suffers?|chokes?|drowns?)\b|"
    r"\bget\s+what'?s\s+coming\b|\bwhat'?s\s+coming\s+to\s+(?:them|him|her|you)\b",
    # doxxing
    r"\bdox\w*|\bhome\s+address\b|\bwhere\s+(?:you|he|she|they|(?:your|ur|that|the|his|her)\s+(?:\w+\s+){0,2}?\w+)\s+lives?\b|"
    r"\b(?:found|find|got|have|posting|post|sharing|share|leak\w*|expos\w+)\s+(?:\w+\s+){0,2}?(?:his|her|their|your)\s+(?:\w+'?s?\s+)?"
    r"(?:facebook|instagram|insta|tiktok|linkedin|profile|address|number|house|kids|family|school|plate\s+number|car)\b|"
    r"\bplate\s+number\b|\bsharing\s+it\s+everywhere\b",
    # other languages: threats and stalking
    r"\bte\s+voy\s+a\s+(?:buscar|matar|partir|pegar|encontrar)|\bos\s+voy\s+a\s+(?:buscar|matar)|\bse\s+donde\s+vives\b|"
    r"\bje\s+vais\s+(?:te|vous|le|la)\s+(?:retrouver|tuer|frapper|casser)|\bje\s+vais\s+retrouver\s+ce|\bje\s+sais\s+ou\s+tu\s+habites\b|"
    r"\bich\s+(?:finde|kriege|krieg|erwische)\s+(?:dich|euch|den|die|ihn|sie)\b|\bich\s+weiss\s+wo\s+du\s+wohnst\b|\bich\s+bring\s+(?:dich|euch)\s+um\b|"
    r"\bvou\s+(?:atras|te\s+pegar|te\s+matar|pegar\s+voce)|\bsei\s+onde\s+voce\s+mora\b|"
    r"\bvi\s+vengo\s+a\s+(?:cercare|prendere)|\bti\s+vengo\s+a\s+(?:cercare|prendere)|\bso\s+dove\s+abiti\b|\bti\s+ammazzo\b|"
    r"\bik\s+weet\s+waar\s+(?:je|jij|die|hij|zij|jullie)\b|\bik\s+kom\s+(?:je|jullie)\s+halen\b|\bik\s+maak\s+(?:je|jullie)\s+af\b",
    # other languages: insults aimed at people
    rf"\b(?:eres|sois|ere|ustedes\s+son|vosotros\s+sois|t'es|tu\s+es|vous\s+etes|bande\s+d'?|du|ihr|ihr\s+seid|sie\s+sind|"
    rf"voces|voce|seus|sei|siete|jij\s+bent|je\s+bent|jullie\s+zijn|stelletje)\s+(?:\w+\s+){{0,3}}?(?:{_INSULT})\b",
)
_HARASSMENT_FIGURATIVE = _any(
    r"\b(?:i|i'm|im|me|myself)\s+(?:\w+\s+){0,2}?(?:like\s+)?(?:such\s+)?an?\s+(?:idiot|moron|clown|muppet|loser|pig|cow)\b",
    r"\b(?:stupid|silly|dumb)\s+me\b|\b(?:stupid|dumb|sick|insane|crazy|ridiculous)\s+(?:good|cheap|fast|cute|nice|comfy)\b",
    r"\bkill(?:ing)?\s+it\b|\bkill\s+for\b|\bmurder\s+(?:a|an|some)\b",
)


def _harassment(folded: str) -> bool:
    """harassment: abuse aimed at staff or people: insults (including censored spellings such
    as "b*tch", "c*nts" and leet), dehumanising words, threats of violence, stalking and
    doxxing (home addresses, "I know where you live", sharing someone's profile), and wishing
    harm ("hope your driver crashes", "go die"), in all seven languages. It leaves out insults
    aimed at oneself ("I felt like an idiot", "stupid me") or at things ("the new ad is dumb"),
    slang praise ("sick", "a beast", "killer"), and appetite idioms ("I'd kill for", "I could
    murder a pizza")."""
    return _raised(folded, _HARASSMENT, _HARASSMENT_FIGURATIVE)


# --- self_harm --------------------------------------------------------------------------

_MYSELF = _typos("myself") + r"|my\s+self|meself"
_SELF_HARM = _any(
    rf"\b(?:kill\w*|kil|kll|end(?:ing)?|hurt\w*|harm\w*|cut\w*|off(?:ing)?|hang(?:ing)?|unalive|starv\w*|burn\w*|drown\w*)\s+(?:{_MYSELF})\b",
    rf"\b(?:{_typos('suicide', 'suicidal')}|suicid\w+|su1c1de|sewerslide|self[-\s]?harm\w*|selfharm\w*|kms|unalive)\b",
    r"\bend(?:ing)?\s+(?:it\s+all|my\s+(?:own\s+)?life|everything|things|it)\b|\btak\w+\s+my\s+(?:own\s+)?life\b|"
    r"\bwant\s+(?:it|this|everything)\s+(?:all\s+)?to\s+(?:end|stop|be\s+over)\b|\bmake\s+it\s+(?:all\s+)?stop\b",
    r"\b(?:want|wnat|wan|wamt|wanna|wana|going|ready|wish|wishing|like|rather|deserve)\s+(?:to\s+)?(?:die|be\s+dead|not\s+exist|disappear|vanish)\b|"
    r"\bwish\s+i\s+(?:was|were)\s+(?:dead|never\s+born|gone)\b|\bwish\s+i\s+(?:wasn'?t|weren'?t)\s+(?:alive|here|born)\b",
    r"\b(?:don'?t|dont|do\s+not|didn'?t|no\s+longer)\s+(?:want|wanna|wish)\s+(?:to\s+)?(?:live|be\s+alive|be\s+here|wake\s+up|exist|go\s+on|"
    r"carry\s+on|keep\s+going|be\s+around)\b|\b(?:never|not)\s+(?:to\s+)?wake\s+up\b|\b(?:not|never)\s+come\s+back\b",
    r"\bcan'?t\s+(?:go\s+on|do\s+this|take\s+(?:it|this|life)|cope|keep\s+going|carry\s+on)(?:\s+any\s*more)?\b|\b(?:given|giving|give)\s+up\s+on\s+(?:life|living|everything)\b|"
    r"\bdone\s+with\s+(?:life|living|everything|it\s+all|this\s+(?:life|world)|existing|being\s+alive)\b|\btired\s+of\s+(?:living|being\s+alive|life)\b",
    r"\b(?:life|living)\s+(?:is|isn'?t|is\s+not|ain'?t|not)\s+(?:\w+\s+)?worth\s+(?:living|it)\b|\bnot\s+worth\s+living\b|"
    r"\bnothing\s+(?:left\s+)?(?:to|for\s+me\s+to)\s+live\s+for\b|\bno(?:thing|\s+one|\s+reason|\s+point)?\s+(?:left\s+)?(?:for\s+me\s+)?to\s+live\s+for\b|"
    r"\bno\s+(?:reason|point|purpose|sense)\s+(?:for\s+me\s+)?(?:in\s+|to\s+|of\s+)?(?:live|living|going\s+on|carry\w*\s+on|being\s+alive|life|existing|staying\s+alive)\b|"
    r"\b(?:point|sense|purpose|reason)\s+(?:in|of|to|for)\s+(?:me\s+)?(?:living|being\s+alive|going\s+on|carrying\s+on|existing|life)\b|\bno\s+point\s+(?:going|carrying)\s+on\b",
    r"\bbetter\s+off\s+(?:dead|without\s+me|if\s+i\s+(?:was|were)(?:n'?t)?\s+(?:gone|dead|here))\b|"
    r"\b(?:nobody|no\s*one|noone|no-one)\s+(?:would|will|'d|wd|is\s+going\s+to|even)\s+(?:even\s+)?(?:miss|notice|care|cry)\b|\bwon'?t\s+be\s+(?:around|here)\s+(?:to|much|for|tomorrow|any\s*more)\b",
    r"\b(?:goodbye|farewell|suicide|last)\s+(?:note|letter|message|post)s?\b|\bgoodbye\s+cruel\b|\b(?:say\w*|said)\s+goodbye\s+to\s+(?:everyone|everybody|you\s+all|all\s+of\s+you)\b|"
    r"\b(?:left|leaving|written|wrote|writing)\s+(?:\w+\s+)?letters?\s+(?:for|to)\s+(?:my|everyone)\b",
    r"\b(?:pills|tablets|rope|razor|blades?|noose|gun)\s+(?:are\s+|is\s+)?(?:ready|lined\s+up|counted|saved|stockpiled|laid\s+out)|"
    r"\b(?:have|got|bought|saved|counted|stockpiled)\s+(?:all\s+)?(?:the|my|enough)\s+(?:pills|tablets|rope)\b|\boverdos\w*|\bod(?:ing)?\s+on\b",
    r"\b(?:my|be\s+my|is\s+my)\s+last\s+(?:night|day)\b(?!\s+(?:at|of|in|on\s+(?:the\s+)?(?:job|holiday)|here\s+at|before))|\blast\s+(?:night|day)\s+(?:alive|on\s+earth)\b",
    rf"\bnot\s+safe\s+(?:with|around|from|by)\s+(?:{_MYSELF})\b|\bcan'?t\s+keep\s+(?:{_MYSELF})\s+safe\b|\bdon'?t\s+trust\s+(?:{_MYSELF})\b",
    r"\bjump\w*\s+(?:off|from|out\s+of)\s+(?:a|the|my|this|our)?\s*(?:\w+\s+)?(?:bridge|roof|building|balcony|window|cliff|tower|ledge|car\s*park|"
    r"platform|motorway|overpass)\b|\b(?:jump\w*|step\w*|walk\w*|throw\w*\s+myself)\s+in\s+front\s+of\s+(?:a|the)\s+(?:train|bus|car|lorry|truck|tube)\b|\bthinking\s+(?:about|of)\s+jumping\b|\b(?:been\s+|started\s+)?cutting\s+again\b|\bhurting\s+myself\b",
    # other languages
    r"\bquiero\s+morir\w*|\bganas\s+de\s+morir\b|\bme\s+quiero\s+matar\b|\bmatarme\b|\bsuicid\w+|\bquitarme\s+la\s+vida\b|\bacabar\s+con\s+(?:todo|mi\s+vida)\b|"
    r"\bno\s+quiero\s+(?:seguir\s+)?vivir\b|\b(?:ganas|razones|motivos|fuerzas)\s+(?:de|para)\s+(?:seguir\s+)?vivir\b|\bmejor\s+sin\s+mi\b|\bnadie\s+me\s+(?:echaria|extranaria)\b",
    r"\bje\s+veux\s+mourir\b|\benvie\s+de\s+mourir\b|\bme\s+(?:suicider|tuer)\b|\ben\s+finir\b|\bmettre\s+fin\s+a\s+(?:mes\s+jours|ma\s+vie)\b|"
    r"\bplus\s+envie\s+de\s+vivre\b|\bme\s+foutre\s+en\s+l'?air\b|\bpersonne\s+ne\s+me\s+regrett\w*",
    r"\bich\s+will\s+(?:nicht\s+mehr\s+leben|sterben|tot\s+sein|nicht\s+mehr)\b|\bnicht\s+mehr\s+leben\b|\b(?:mich|mir)\s+(?:\w+\s+)?(?:umbringen|umzubringen|das\s+leben\s+(?:zu\s+)?nehmen)\b|"
    r"\bselbstmord\w*|\bsuizid\w*|\bkeinen\s+sinn\s+mehr\b|\bsinn\s+mehr\s+im\s+leben\b",
    r"\bquero\s+morrer\b|\bme\s+matar\b|\btirar\s+a\s+(?:minha\s+)?(?:propria\s+)?vida\b|\bnao\s+aguento\s+mais\b|\bnao\s+quero\s+mais\s+viver\b|"
    r"\bacabar\s+com\s+tudo\b|\bsentido\s+(?:em\s+)?viver\b|\bsentido\s+na\s+vida\b",
    r"\bvoglio\s+morire\b|\buccidermi\b|\bammazzarmi\b|\btogliermi\s+la\s+vita\b|\bfarla\s+finita\b|\bnon\s+voglio\s+piu\s+vivere\b|"
    r"\bnon\s+ce\s+la\s+faccio\s+piu\b|\bnessuno\s+sentirebbe\s+la\s+mia\s+mancanza\b",
    r"\bik\s+wil\s+(?:dood|niet\s+meer\s+leven|er\s+niet\s+meer\s+zijn)\b|\bniet\s+meer\s+leven\b|\bzelfmoord\w*|\bsuicide\w*|"
    r"\bmezelf\s+(?:van\s+kant\s+maken|iets\s+aandoen|doden)\b|\ber\s+een\s+eind\s+aan\s+maken\b|\bgeen\s+zin\s+meer\s+in\s+(?:het\s+)?leven\b",
)
_SELF_HARM_FIGURATIVE = _any(
    r"\bending\s+it\s+all\W+(?:last\s+day|with\s+a|on\s+a|in\s+style)",
    r"\bdie\s+(?:of|from)\s+(?:boredom|laugh\w*|embarrassment|shame|happiness|cuteness|excitement)\b|\bto\s+die\s+for\b",
    r"\bend\s+it\s+(?:early|now)\s+(?:and|then)\s+(?:go|get)\b|\bend(?:ing)?\s+things\s+(?:with|between)\b|\bend\s+it\s+with\s+(?:him|her|them)\b",
    r"\bcutting\s+(?:the\s+)?(?:tags?|labels?|hair|costs?)\b",
)


def _self_harm(folded: str) -> bool:
    """self_harm: suicidal ideation, self-harm and indirect crisis language, in all seven
    languages: wanting to die or disappear, ending one's life, plans and means ("pills
    ready", "goodbye note", "my last night"), feeling a burden ("better off without me",
    "nobody would miss me"), hopelessness ("nothing left to live for", "no point in living"),
    not being safe with oneself, and slang ("kms", "unalive"). It leaves out the everyday
    death idioms ("dying to try", "to die for", "I'm dead 😂", "kill me now, Monday",
    "killing it", "my phone died"), "last night of the sale", and "go kill yourselves",
    which is harassment."""
    return _raised(folded, _SELF_HARM, _SELF_HARM_FIGURATIVE)


# --- the public function ----------------------------------------------------------------

def risk_flags(text: str) -> tuple[str, ...]:
    """The risk flags a text raises, in `RISK_FLAGS` order (empty when none)."""
    folded = _fold(text)
    found = {
        "legal_threat": _legal_threat(folded),
        "safety": _safety(folded),
        "personal_data": _personal_data(text),
        "harassment": _harassment(folded),
        "self_harm": _self_harm(folded),
    }
    return tuple(flag for flag in RISK_FLAGS if found[flag])
