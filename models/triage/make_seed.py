"""Write ``seed.csv``, the labelled seed set the default triage model is trained on.

Why generated: a team starting out has no labelled history, so the shipped model
learns from posts we wrote ourselves. Every phrasing in ``seed_templates.py`` was
written and labelled by hand (intent, sentiment, urgency); this script fills its
slots (order numbers, amounts, products, cities, handles…), frames it as a post on
X, Bluesky, Mastodon, Reddit, Hacker News or a blog/review site, sometimes joins two
phrasings into one multi-intent post, and adds the noise real posts carry (typos,
casing, abbreviations, emojis, hashtags). The noise never changes what a post means,
so the labels written with each phrasing stay true.

Deterministic: ``python models/triage/make_seed.py`` rewrites ``seed.csv`` byte for
byte (one seeded ``random.Random``, no set iteration, no clock). Standard library only.
It prints the counts per intent, sentiment, urgency and language that MODEL_CARD.md
quotes.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from seed_templates import BANKS  # noqa: E402  (sits next to this script)

SEED = 20261125
OUT = HERE / "seed.csv"

#: Rows per intent. Spam and other are kept large: in a real feed they are common,
#: and they are where "order", "refund" and "down" appear without meaning them.
TARGETS: dict[str, int] = {
    "order_status": 300,
    "shipping_delay": 290,
    "damaged_or_wrong_item": 280,
    "return_refund": 290,
    "billing_problem": 280,
    "account_access": 260,
    "product_question": 270,
    "store_info": 250,
    "outage_or_bug": 260,
    "service_complaint": 280,
    "praise": 270,
    "feature_request": 200,
    "spam": 250,
    "other": 440,
}

#: Multi-intent rule: a post is labelled with the part a care agent must act on
#: first, i.e. the part with the highest urgency; among parts of equal urgency,
#: the one earliest in this list.
PRECEDENCE: list[str] = [
    "account_access",
    "billing_problem",
    "damaged_or_wrong_item",
    "outage_or_bug",
    "return_refund",
    "shipping_delay",
    "order_status",
    "service_complaint",
    "product_question",
    "store_info",
    "feature_request",
    "praise",
    "other",
    "spam",
]

SENTIMENTS = {"-": "negative", "0": "neutral", "+": "positive"}
URGENCIES = {"l": "low", "n": "normal", "h": "high", "c": "critical"}
URGENCY_RANK = {"low": 0, "normal": 1, "high": 2, "critical": 3}

NON_ENGLISH_SHARE = 0.13
COMPOSED_SHARE = 0.12
#: Intents that report something gone wrong, even when phrased calmly.
PROBLEM_INTENTS = ["account_access", "billing_problem", "damaged_or_wrong_item", "outage_or_bug",
                   "shipping_delay", "service_complaint"]
#: Intents a care team acts on; spam and idle chatter are never half of a composed post.
CARE_INTENTS = [i for i in PRECEDENCE if i not in ("other", "spam")]


@dataclass(frozen=True)
class Phrasing:
    """One hand-written, hand-labelled phrasing with unfilled ``{slots}``."""

    intent: str
    text: str
    sentiment: str
    urgency: str
    lang: str
    composable: bool
    key: str  # "intent-n", the n-th phrasing of its bank: rows sharing it are near-copies


@dataclass(frozen=True)
class SeedRow:
    """A finished post and its labels; ``lang`` is kept for the summary only."""

    text: str
    intent: str
    sentiment: str
    urgency: str
    lang: str
    composed: bool
    phrasing: str  # the key of its (first) phrasing, so cross-validation can keep near-copies together


def load_phrasings() -> dict[str, list[Phrasing]]:
    """Parse the banks in ``seed_templates.py`` (``S U [LANG][!] | text`` per line)."""
    banks: dict[str, list[Phrasing]] = {}
    for intent, bank in BANKS.items():
        phrasings = []
        for number, line in enumerate(bank.strip().splitlines()):
            head, text = line.split(" | ", 1)
            composable = not head.endswith("!")
            fields = head.rstrip("!").split()
            if len(fields) == 1:
                fields = [fields[0][0], fields[0][1], "en"]
            sentiment, urgency, lang = fields
            phrasings.append(
                Phrasing(intent, text.strip(), SENTIMENTS[sentiment], URGENCIES[urgency], lang,
                         composable, f"{intent}-{number}")
            )
        banks[intent] = phrasings
    return banks


# --- slot fillers -----------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    """A fictional brand and its handles per channel."""

    name: str
    x_handles: tuple[str, ...]
    bluesky: str
    mastodon: str


BRANDS: list[Brand] = [
    Brand("Acme", ("@acme", "@AcmeSupport", "@AcmeHelp"), "@acme.bsky.social",
          "@AcmeSupport@mastodon.social"),
    Brand("Northwind", ("@northwind", "@NorthwindCares"), "@northwind.bsky.social",
          "@northwind@mastodon.online"),
    Brand("Globex", ("@Globex", "@GlobexHelp"), "@globex.com", "@help@globex.social"),
    Brand("Umbra", ("@umbrastore", "@UmbraCare"), "@umbra.bsky.social", "@UmbraCare@mstdn.social"),
    Brand("Pinecrest", ("@PinecrestOutdoors", "@AskPinecrest"), "@pinecrest.bsky.social",
          "@pinecrest@fosstodon.org"),
    Brand("Kestrel", ("@KestrelShop", "@KestrelHelp"), "@kestrel.bsky.social",
          "@kestrel@mastodon.social"),
    Brand("Brightcart", ("@brightcart", "@BrightcartHelp"), "@brightcart.bsky.social",
          "@brightcart@mas.to"),
    Brand("Lumen & Co", ("@LumenCo", "@LumenCoSupport"), "@lumenco.bsky.social",
          "@lumenco@mastodon.online"),
]
#: Acme is the project's example brand; the others keep the model from learning one name.
BRAND_WEIGHTS = [0.4] + [0.6 / (len(BRANDS) - 1)] * (len(BRANDS) - 1)

PRODUCTS = {
    "en": ["air fryer", "desk lamp", "phone case", "yoga mat", "coffee grinder", "backpack",
           "kettle", "mattress", "baby monitor", "electric toothbrush", "robot vacuum",
           "gaming chair", "blender", "duvet", "tent", "bike helmet", "standing desk",
           "suitcase", "frying pan", "office chair", "water bottle", "hoodie", "rain jacket",
           "smart watch", "sofa", "toaster", "laptop stand", "pram"],
    "es": ["móvil", "portátil", "abrigo", "cargador", "colchón", "sofá", "hervidor", "secador",
           "reloj", "patinete", "microondas"],
    "fr": ["chargeur", "manteau", "casque", "grille-pain", "canapé", "matelas", "téléphone",
           "aspirateur", "sac à dos", "vélo"],
    "de": ["Wasserkocher", "Kopfhörer", "Staubsauger", "Laptop", "Mantel", "Toaster", "Föhn",
           "Rucksack", "Fernseher"],
    "pt": ["celular", "notebook", "casaco", "secador", "carregador", "colchão",
           "fone de ouvido", "liquidificador", "ventilador"],
    "it": ["telefono", "caricabatterie", "divano", "materasso", "tostapane", "cappotto",
           "monopattino", "bollitore", "frullatore", "portatile"],
    "nl": ["koptelefoon", "stofzuiger", "laptop", "jas", "waterkoker", "broodrooster", "fiets",
           "blender", "tas", "lamp"],
}
WEAR = ["hoodie", "rain jacket", "jumper", "t-shirt", "dress", "fleece", "puffer jacket",
        "sweatshirt", "cardigan", "coat", "shirt", "skirt", "parka", "running top"]
ELECTRICAL = ["air fryer", "kettle", "phone charger", "space heater", "hair dryer", "power bank",
              "toaster", "electric blanket", "e-bike battery", "blender", "robot vacuum",
              "slow cooker", "extension lead"]
GADGETS = ["laptop", "tablet", "smart watch", "e-reader", "phone", "fitness tracker"]
CITIES = {
    "en": ["London", "Manchester", "Leeds", "Glasgow", "Bristol", "Birmingham", "Dublin",
           "Austin", "Chicago", "Denver", "Toronto", "Sydney", "Brighton", "Cardiff", "Boston",
           "Seattle", "Newcastle", "Edinburgh", "Portland", "Melbourne"],
    "es": ["Madrid", "Sevilla", "Valencia", "Bilbao", "Málaga", "Zaragoza"],
    "fr": ["Lyon", "Paris", "Lille", "Bordeaux", "Nantes", "Toulouse"],
    "de": ["Berlin", "München", "Köln", "Hamburg", "Leipzig", "Stuttgart"],
    "pt": ["Lisboa", "Porto", "São Paulo", "Braga", "Curitiba"],
    "it": ["Milano", "Roma", "Torino", "Napoli", "Bologna"],
    "nl": ["Amsterdam", "Utrecht", "Rotterdam", "Gent", "Eindhoven"],
}
DAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    "pt": ["segunda", "terça", "quarta", "quinta", "sexta"],
    "it": ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"],
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
}
MONTHS = {
    "en": ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov",
           "Dec"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "septiembre",
           "octubre", "noviembre", "diciembre"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre",
           "octobre", "novembre", "décembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "September", "Oktober",
           "November", "Dezember"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "setembro",
           "outubro", "novembro", "dezembro"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "settembre",
           "ottobre", "novembre", "dicembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "september",
           "oktober", "november", "december"],
}
COURIERS = {
    "en": ["DPD", "UPS", "Royal Mail", "FedEx", "Evri", "DHL", "USPS", "Canada Post", "Yodel",
           "Parcelforce", "Australia Post"],
    "es": ["SEUR", "Correos", "MRW", "GLS"],
    "fr": ["Colissimo", "Chronopost", "La Poste", "DPD"],
    "de": ["DHL", "Hermes", "GLS", "DPD"],
    "pt": ["CTT", "Correios", "DPD"],
    "it": ["BRT", "Poste Italiane", "GLS", "SDA"],
    "nl": ["PostNL", "DHL", "DPD"],
}
NAMES = ["Sarah", "Tom", "Priya", "Jamal", "Chloe", "Marco", "Aisha", "Ben", "Mei", "Oliver",
         "Fatima", "Luis", "Hannah", "Kwame", "Zoe", "Dev"]
ERRORS = ["Error 503", "error 500", "ERR_CONNECTION_TIMED_OUT", "502 Bad Gateway",
          "\"something went wrong\"", "Error 429", "a blank error box", "error code 0x80070"]
SPAM_DOMAINS = ["cryptogainz.xyz", "free-gifts-now.top", "earnfast.click", "promo-deals.shop",
                "bestreplica.store", "winbig.live", "followboost.biz", "getrich-daily.info"]
HANDLE_WORDS = ["jess", "dan", "mike", "sunny", "pixel", "coffee", "moon", "rae", "leo", "kat",
                "tiny", "big", "real", "the", "its", "official", "nova", "jay", "meg", "sam"]
ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def plural(noun: str) -> str:
    """English plural good enough for the product lists above."""
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


class Slots(dict[str, str]):
    """Fills ``{slots}`` lazily, once per row, so a slot used twice reads the same."""

    def __init__(self, rng: random.Random, lang: str, brand: Brand) -> None:
        super().__init__()
        self.rng = rng
        self.lang = lang
        self.brand = brand

    def __missing__(self, key: str) -> str:
        value = self._make(key)
        self[key] = value
        return value

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _money_style(self) -> str:
        """How this post writes money, e.g. ``£{v}`` or ``{v} €``, with ``{v}`` the number."""
        r = self.rng
        if self.lang == "en":
            return r.choice(["£{v}", "${v}", "${v}", "€{v}", "{v} USD", "{v} GBP"])
        if self.lang == "pt" and r.random() < 0.4:
            return "R$ {v}"
        spelled = "{v} euros" if self.lang in ("es", "fr", "pt") else "{v}€"
        return r.choice(["{v} €", "€{v}", spelled])

    def _money(self, value: int) -> str:
        cents = self.rng.choice([".99", ".00", ".50", "", "", ".49", ".95"])
        number = f"{value}{cents}"
        if self.lang != "en" and self["money_style"] != "€{v}":
            number = number.replace(".", ",")
        return self["money_style"].format(v=number)

    def _make(self, key: str) -> str:
        r, lang = self.rng, self.lang
        if key == "brand":
            return self.brand.name
        if key == "brand2":
            return r.choice([b.name for b in BRANDS if b != self.brand])
        if key in ("product", "product2"):
            choices = PRODUCTS[lang]
            if key == "product2":
                choices = [p for p in choices if p != self["product"]]
            return r.choice(choices)
        if key == "products":
            return plural(self["product"])
        if key == "wear":
            return r.choice(WEAR)
        if key == "wears":
            return plural(self["wear"])
        if key == "eproduct":
            return r.choice(ELECTRICAL)
        if key == "gadget":
            return r.choice(GADGETS)
        if key == "order":
            return r.choice([
                f"#A{self._digits(4)}", f"#{r.choice('ABCDEKM')}{self._digits(5)}",
                self._digits(9), f"ORD-{self._digits(6)}",
                f"#{self._digits(3)}-{self._digits(7)}-{self._digits(7)}",
                f"A{self._digits(4)}-{self._digits(4)}", f"#{self._digits(8)}",
            ])
        if key == "track":
            return r.choice([
                "1Z" + "".join(r.choice(ALNUM) for _ in range(6)) + self._digits(10),
                f"{r.choice(['JD', 'RM', 'LX', 'CP'])}{self._digits(9)}GB",
                f"9400 1{self._digits(3)} {self._digits(4)} {self._digits(4)} {self._digits(4)}"
                f" {self._digits(2)}",
                self._digits(10), f"H{self._digits(2)}{r.choice(ALNUM)}{self._digits(12)}",
            ])
        if key == "money_style":
            return self._money_style()
        if key == "amount_value":
            return str(r.choice([r.randint(5, 60), r.randint(20, 150), r.randint(100, 900)]))
        if key == "amount":
            return self._money(int(self["amount_value"]))
        if key == "amount2":
            # Always the smaller figure: what the customer expected, agreed or saw first.
            return self._money(max(1, int(int(self["amount_value"]) * r.uniform(0.3, 0.8))))
        if key == "n":
            return str(r.randint(3, 14))
        if key == "k":
            return r.choice(["3", "4", "5", "6", "three", "four", "five"])
        if key == "weeks":
            return r.choice(["2", "3", "4", "5", "6", "three", "four", "six"])
        if key == "city":
            return r.choice(CITIES[lang])
        if key == "day":
            day = r.choice(DAYS[lang])
            return day.lower() if lang == "en" and r.random() < 0.3 else day
        if key == "date":
            day, month = r.randint(1, 28), r.choice(MONTHS[lang])
            if lang == "en":
                suffix = "th" if day in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(
                    day % 10, "th")
                return r.choice([f"{month} {day}", f"{day} {month}", f"the {day}{suffix}",
                                 f"{day:02d}/{r.randint(1, 12):02d}"])
            return f"{day}. {month}" if lang == "de" else (
                f"{day} de {month}" if lang in ("es", "pt") else f"{day} {month}")
        if key == "courier":
            return r.choice(COURIERS[lang])
        if key == "name":
            return r.choice(NAMES)
        if key == "time":
            return r.choice(["9am", "10:30", "2pm", "this morning", "lunchtime", "8:15",
                             "midnight"])
        if key == "err":
            return r.choice(ERRORS)
        if key == "version":
            return f"{r.randint(4, 9)}.{r.randint(0, 12)}.{r.randint(0, 9)}"
        if key == "last4":
            return self._digits(4)
        if key == "link":
            return r.choice([
                "https://t.co/" + "".join(r.choice(ALNUM + "abcdefghkmnpqrstuvwxyz")
                                          for _ in range(10)),
                "https://imgur.com/a/" + "".join(r.choice(ALNUM + "abcdefgh") for _ in range(7)),
                "https://i.redd.it/" + "".join(r.choice("abcdefghijkmnpqrstuvwxyz0123456789")
                                               for _ in range(13)) + ".jpg",
            ])
        if key == "spamlink":
            return r.choice(["https://", "", "www."]) + r.choice(SPAM_DOMAINS) + r.choice(
                ["", "/claim", "/?ref=" + self._digits(5), "/win"])
        if key in ("handle", "handle2", "handle3"):
            return "@" + r.choice(HANDLE_WORDS) + r.choice(["_", "", "."]) + r.choice(
                HANDLE_WORDS) + r.choice(["", self._digits(2), self._digits(4)])
        if key == "pct":
            return r.choice(["50", "70", "80", "90"])
        if key == "promo":
            return "".join(r.choice(ALNUM[:24]) for _ in range(r.randint(4, 7)))
        raise KeyError(f"unknown slot {{{key}}}")


# --- composing, framing and noise ---------------------------------------------------


def combined_sentiment(parts: list[str]) -> str:
    """A post with any complaint is negative; otherwise any praise makes it positive."""
    if "negative" in parts:
        return "negative"
    return "positive" if "positive" in parts else "neutral"


def first_to_act(a: Phrasing, b: Phrasing) -> Phrasing:
    """The part a care agent handles first: higher urgency, then earlier in PRECEDENCE."""
    return min((a, b), key=lambda p: (-URGENCY_RANK[p.urgency], PRECEDENCE.index(p.intent)))


def can_join(primary: Phrasing, second: Phrasing) -> bool:
    """Whether ``second`` can ride along in a post about ``primary`` without reading false.

    The primary must be the part acted on first; critical posts stay alone (nobody adds
    an opening-hours question to an injury report), and a cheerful aside never rides on a
    complaint or on a problem report, however calmly worded.
    """
    if first_to_act(primary, second) is not primary or primary.urgency == "critical":
        return False
    cheerful = second.sentiment == "positive"
    troubled = primary.sentiment == "negative" or primary.intent in PROBLEM_INTENTS
    return not (cheerful and troubled)


def lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


def compose(primary: str, secondary: str, p: Phrasing, s: Phrasing, rng: random.Random) -> str:
    """Join two filled phrasings as one post; the acted-on part usually comes first."""
    if rng.random() < 0.7:
        sep = " " if primary[-1:] in ".?!" or not primary[-1:].isascii() else ". "
        joiner = rng.choice(["also", "oh and", "btw", "and", "plus", "PS", "side note:",
                             "also,"])
        return f"{primary}{sep}{joiner} {lower_first(secondary)}"
    sep = " " if secondary[-1:] in ".?!" or not secondary[-1:].isascii() else ". "
    if s.sentiment == "positive" and p.sentiment == "negative":
        joiner = rng.choice(["but", "but honestly", "however"])
    else:
        joiner = rng.choice(["also", "anyway,", "and", "separate thing:"])
    return f"{secondary}{sep}{joiner} {lower_first(primary)}"


PLATFORMS = ["x", "reddit", "bluesky", "mastodon", "hn", "blog", "review"]
THREADED = ("x", "bluesky", "mastodon")  # platforms where posts are replies in threads with photos
PLATFORM_WEIGHTS = [0.40, 0.17, 0.12, 0.09, 0.06, 0.09, 0.07]

LEAD_INS = {
    "en": {
        "neutral": ["hi", "hey", "hello,", "morning!", "quick one:", "ok so", "hi all,",
                    "Hi there,", "question:", "hey guys,"],
        "negative": ["Not one to complain usually.", "Long time customer here.", "ugh.",
                     "unbelievable.", "seriously?", "ok I'm annoyed now.",
                     "posting here because email got no answer:", "here we go again."],
        "positive": ["just have to say", "ok wow", "genuinely,", "happy customer here:"],
    },
    "es": {"neutral": ["hola", "buenas,"], "negative": ["en serio,"], "positive": ["qué bien,"]},
    "fr": {"neutral": ["bonjour", "salut,"], "negative": ["sérieusement,"],
           "positive": ["franchement,"]},
    "de": {"neutral": ["Hallo", "Hi,"], "negative": ["Ernsthaft,"], "positive": ["Ehrlich,"]},
    "pt": {"neutral": ["oi", "olá,"], "negative": ["sério,"], "positive": ["gente,"]},
    "it": {"neutral": ["ciao", "salve,"], "negative": ["sul serio,"], "positive": ["ragazzi,"]},
    "nl": {"neutral": ["hoi", "hallo,"], "negative": ["serieus,"], "positive": ["echt,"]},
}
SIGN_OFFS = {
    "en": {
        "neutral": ["thanks", "thanks in advance", "cheers", "ty", "pls", "🙏",
                    "any help appreciated", "thx"],
        "negative": ["smh", "ffs", "unreal", "not good enough", "sort it out",
                     "this is ridiculous", "thanks for nothing", "absolute joke"],
        "positive": ["thank you!", "you're the best", "❤️", "keep it up"],
    },
    "es": {"neutral": ["gracias", "un saludo"], "negative": ["vergonzoso"],
           "positive": ["¡gracias!"]},
    "fr": {"neutral": ["merci", "cordialement"], "negative": ["inadmissible"],
           "positive": ["merci !"]},
    "de": {"neutral": ["danke", "LG"], "negative": ["unfassbar"], "positive": ["danke!"]},
    "pt": {"neutral": ["obrigado", "obrigada"], "negative": ["absurdo"],
           "positive": ["valeu!"]},
    "it": {"neutral": ["grazie", "saluti"], "negative": ["vergognoso"],
           "positive": ["grazie mille!"]},
    "nl": {"neutral": ["bedankt", "groetjes"], "negative": ["belachelijk"],
           "positive": ["dankjewel!"]},
}
#: Background and closing sentences that make a forum or blog post long without adding an
#: intent of their own; only used on English problem reports, where they stay true.
STORY_OPENINGS = [
    "I've been a customer for years and never had a problem before.", "Long post, sorry.",
    "Tried the chat, tried email, now trying here.", "Not sure where else to post this.",
    "Posting this so others know what to expect.",
    "I really didn't want to have to post this publicly.",
    "I've gone back and forth with them for a while now, so here's the short version.",
]
STORY_CLOSINGS = [
    "Has anyone else had this? What did you do?",
    "Any advice on how to get this sorted would be appreciated.",
    "Will update if I ever hear back.",
    "Really disappointed, I used to recommend them to everyone.",
    "Edit: still nothing.", "Edit: formatting.", "I just want this fixed.",
    "Is this normal for them lately?",
]
STORY_INTENTS = PROBLEM_INTENTS + ["return_refund", "order_status"]
CHATTER_SIGN_OFFS = ["lol", "anyway", "idk", "just saying", "😂", "ha"]
EMOJIS = {
    "negative": ["😡", "😤", "🙄", "😠", "🤬", "😩", "😞", "💀", "🤦‍♀️", "🤦‍♂️", "👎", "😒", "😑"],
    "positive": ["😍", "🙌", "❤️", "💯", "🥰", "😊", "👏", "✨", "🔥", "💚", "😁", "🤩"],
    "neutral": ["🙏", "🤔", "👀", "😅", "📦", "🤷"],
    "spam": ["🔥", "💰", "🚀", "🎁", "💸", "✅", "👉"],
}
HASHTAGS = {
    "negative": ["#customerservice", "#fail", "#{brand}fail", "#neveragain", "#disappointed",
                 "#badservice"],
    "neutral": ["#help", "#question", "#{brand}", "#customerservice"],
    "positive": ["#happycustomer", "#shoutout", "#{brand}", "#love", "#goodservice"],
    "spam": ["#giveaway", "#crypto", "#ad", "#win", "#free", "#followback"],
    "chatter": ["#{brand}", "#random", "#mondaymood", "#thoughts"],
}
#: Intents a review-site post would carry a star rating on.
RATED_INTENTS = ["damaged_or_wrong_item", "shipping_delay", "return_refund", "service_complaint",
                 "praise"]
RATINGS = {"negative": ["1/5", "★☆☆☆☆", "2 stars.", "one star."],
           "positive": ["5/5", "★★★★★", "5 stars!", "★★★★☆"]}
ABBREVIATIONS = {
    "en": [("you", "u"), ("your", "ur"), ("you're", "ur"), ("please", "pls"),
           ("please", "plz"), ("thanks", "thx"), ("because", "bc"), ("are", "r"),
           ("with", "w/"), ("tomorrow", "tmrw"), ("people", "ppl"), ("really", "rly"),
           ("before", "b4"), ("want to", "wanna"), ("right now", "rn"),
           ("though", "tho"), ("okay", "ok"), ("by the way", "btw"), ("customer service", "CS"),
           ("I don't know", "idk"), ("about", "abt"), ("message", "msg"), ("minutes", "mins")],
    "es": [("que", "q"), ("porque", "xq"), ("también", "tb"), ("por favor", "porfa")],
    "fr": [("s'il vous plaît", "svp"), ("pourquoi", "pk"), ("beaucoup", "bcp"),
           ("aujourd'hui", "auj")],
    "de": [("vielleicht", "vllt"), ("nicht", "nich"), ("bitte", "bitte!!")],
    "pt": [("você", "vc"), ("porque", "pq"), ("também", "tb"), ("que", "q"), ("não", "ñ")],
    "it": [("perché", "xké"), ("non", "nn"), ("comunque", "cmq"), ("per", "x")],
    "nl": [("niet", "nie"), ("even", "ff"), ("bedankt", "thx")],
}
GREETING = re.compile(r"(hi|hey|hello|hola|bonjour|hallo|ol[aá]|oi|ciao|hoi)\b", re.IGNORECASE)
#: Words whose letters get stretched in emphasis ("pleaseee", "whyyy").
STRETCHABLE = ["so", "please", "still", "why", "love", "now", "help", "really", "nothing",
               "again", "what", "omg"]


def handle_for(platform: str, brand: Brand, rng: random.Random) -> str | None:
    """The brand handle a post on ``platform`` would @-mention, or None."""
    if platform == "x":
        return rng.choice(brand.x_handles)
    if platform == "bluesky":
        return brand.bluesky
    if platform == "mastodon":
        return brand.mastodon
    return None


def frame(text: str, intent: str, sentiment: str, brand: Brand, lang: str, composed: bool,
          rng: random.Random) -> str:
    """Dress a post as it would appear on a channel: handle, greeting, sign-off, tags.

    A composed post gets no greeting: "ugh." would land on whichever half comes first.
    """
    platform = rng.choices(PLATFORMS, PLATFORM_WEIGHTS)[0]
    care = intent in CARE_INTENTS and intent != "praise"
    mood = sentiment if intent != "spam" else "neutral"
    story = (platform in ("reddit", "blog", "review") and lang == "en"
             and sentiment == "negative" and intent in STORY_INTENTS and rng.random() < 0.45)
    if story:
        opening = " ".join(rng.sample(STORY_OPENINGS, k=rng.choice([1, 1, 2])))
        body = text[0].upper() + text[1:]
        text = f"{opening} {body}{'' if body[-1:] in '.?!' else '.'} {rng.choice(STORY_CLOSINGS)}"
    elif intent in CARE_INTENTS and not composed and not GREETING.match(text) and (
            rng.random() < 0.22):
        lead = rng.choice(LEAD_INS[lang][mood])
        if mood == "negative" and intent in ("feature_request",):
            lead = rng.choice(LEAD_INS[lang]["neutral"])
        text = f"{lead} {lower_first(text) if lead[-1:] in ',:' or lead.islower() else text}"
    if rng.random() < 0.18 and intent != "spam" and not text.lower().endswith(
            ("thanks", "thank you!", "thank you", "cheers")):
        if intent == "other":
            sign = rng.choice(CHATTER_SIGN_OFFS)
        elif intent in ("praise", "feature_request") and mood == "negative":
            sign = rng.choice(SIGN_OFFS[lang]["neutral"])
        else:
            sign = rng.choice(SIGN_OFFS[lang][mood if care or mood == "positive" else "neutral"])
        text = f"{text} {sign}" if text[-1:] in ".?!" or not text[-1:].isascii() else (
            f"{text}. {sign}" if rng.random() < 0.5 else f"{text} {sign}")
    if platform == "review" and intent in RATED_INTENTS and sentiment != "neutral":
        text = f"{text} {rng.choice(RATINGS[sentiment])}"
    if platform in THREADED and intent != "spam" and rng.random() < 0.12:
        # A photo or a screenshot: real posts of every kind carry links, not only spam.
        text = f"{text} {Slots(rng, lang, brand)['link']}"
    handle = handle_for(platform, brand, rng)
    if handle and platform in THREADED and intent != "spam" and rng.random() < 0.08:
        # A reply deep in a thread starts with the handles of everyone in it.
        others = Slots(rng, lang, brand)
        handle = " ".join([handle, *(others[f"handle{n}"] for n in ("", "2", "3")[: rng.randint(1, 3)])])
    if handle:
        where = rng.random()
        if where < 0.72:
            text = f"{handle} {text}"
        elif where < 0.88:
            text = f"{text} {handle}"
        if rng.random() < 0.12:
            tag_set = "spam" if intent == "spam" else (
                "chatter" if intent == "other" else sentiment)
            tags = rng.sample(HASHTAGS[tag_set], k=rng.choice([1, 1, 2]))
            brand_tag = re.sub(r"\W", "", brand.name)
            text = f"{text} " + " ".join(t.replace("{brand}", brand_tag) for t in tags)
    return text


def _protected(token: str) -> bool:
    """Tokens noise must not touch: handles, tags, links, numbers, amounts, emojis."""
    return any(c.isdigit() or c in "@#/$£€:★" for c in token) or not token.isascii()


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: swapped, dropped or doubled letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind < 0.75:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def add_noise(text: str, sentiment: str, intent: str, lang: str, rng: random.Random) -> str:
    """Typos, abbreviations, casing, punctuation and emojis; never a change of meaning."""
    if rng.random() < 0.28 and lang in ABBREVIATIONS:
        for long, short in ABBREVIATIONS[lang]:
            if rng.random() < 0.5:
                text = re.sub(rf"(?<![\w@#/']){re.escape(long)}(?![\w'])", short, text,
                              flags=re.IGNORECASE)
    if rng.random() < 0.3:
        words = text.split(" ")
        for i, w in enumerate(words):
            if len(w) >= 4 and w.isalpha() and not _protected(w) and rng.random() < 0.07:
                words[i] = typo(w, rng)
        text = " ".join(words)
    if rng.random() < 0.06:
        stretch = rng.choice(STRETCHABLE)
        text = re.sub(rf"\b{stretch}\b", stretch + stretch[-1] * rng.randint(2, 4), text,
                      count=1)
    casing = rng.random()
    shout = 0.1 if sentiment == "negative" else 0.03
    if casing < shout:
        text = " ".join(w if "http" in w or "@" in w else w.upper() for w in text.split(" "))
    elif casing < shout + 0.3:
        text = " ".join(w if _protected(w) else w.lower() for w in text.split(" "))
    elif casing < shout + 0.5 and text[:1].islower():
        text = text[0].upper() + text[1:]
    punct = rng.random()
    if punct < 0.12:
        text = text.rstrip(".!")
    elif punct < 0.18:
        text = " ".join(w if _protected(w) else re.sub(r"[.,']", "", w)
                        for w in text.split(" ")).strip()
    elif punct < 0.3 and sentiment == "negative":
        text = re.sub(r"\?(?=\s|$)", "?" * rng.randint(2, 4), text, count=1)
        text = re.sub(r"!(?=\s|$)", "!" * rng.randint(2, 4), text, count=1)
    if rng.random() < 0.25:
        pool = EMOJIS["spam" if intent == "spam" else sentiment]
        emojis = "".join(rng.choice(pool) for _ in range(rng.choice([1, 1, 1, 2, 3])))
        text = f"{text} {emojis}" if rng.random() < 0.85 else f"{emojis} {text}"
    return re.sub(r"\s+", " ", text).strip()


# --- generation ---------------------------------------------------------------------


def fill(template: str, slots: Slots) -> str:
    """Fill the slots of a phrasing; English gets "an" before a vowel ("an air fryer")."""
    text = template.format_map(slots)
    if slots.lang == "en":
        text = re.sub(r"\b([Aa]) (?=[aeiou])", r"\1n ", text)
    return text


def cycle(items: list[Phrasing], rng: random.Random) -> Iterator[Phrasing]:
    """Every phrasing once per round, in a fresh order each round, so none dominates."""
    while True:
        order = items[:]
        rng.shuffle(order)
        yield from order


def generate(rng: random.Random) -> list[SeedRow]:
    """All seed rows, intent by intent, shuffled; exact duplicates (any case) dropped."""
    banks = load_phrasings()
    english_care = [p for i in CARE_INTENTS for p in banks[i] if p.lang == "en"]
    rows: list[SeedRow] = []
    seen: set[str] = set()
    for intent, target in TARGETS.items():
        english = [p for p in banks[intent] if p.lang == "en"]
        foreign = [p for p in banks[intent] if p.lang != "en"]
        # Only parts that come after this intent in PRECEDENCE can be its second half.
        partners = [s for s in english_care
                    if s.composable and PRECEDENCE.index(s.intent) > PRECEDENCE.index(intent)]
        english_cycle, foreign_cycle = cycle(english, rng), cycle(foreign, rng)
        made, attempts = 0, 0
        while made < target:
            attempts += 1
            if attempts > target * 50:
                raise RuntimeError(f"{intent}: cannot make {target} distinct rows")
            brand = rng.choices(BRANDS, BRAND_WEIGHTS)[0]
            draw = rng.random()
            if draw < NON_ENGLISH_SHARE:
                row = next(foreign_cycle)
                slots = Slots(rng, row.lang, brand)
                text, sentiment, urgency = fill(row.text, slots), row.sentiment, row.urgency
                composed = False
            else:
                row = next(english_cycle)
                slots = Slots(rng, "en", brand)
                text = fill(row.text, slots)
                sentiment, urgency = row.sentiment, row.urgency
                wants_partner = draw < NON_ENGLISH_SHARE + COMPOSED_SHARE
                usable = [s for s in partners if can_join(row, s)]
                composed = wants_partner and bool(usable)
                if composed:
                    other = rng.choice(usable)
                    # Its own order number, amount and product: "also where's my other order".
                    second = fill(other.text, Slots(rng, "en", brand))
                    text = compose(text, second, row, other, rng)
                    sentiment = combined_sentiment([row.sentiment, other.sentiment])
            text = frame(text, intent, sentiment, brand, row.lang, composed, rng)
            text = add_noise(text, sentiment, intent, row.lang, rng)
            key = " ".join(text.casefold().split())
            if key in seen:
                continue
            seen.add(key)
            rows.append(SeedRow(text, intent, sentiment, urgency, row.lang, composed, row.key))
            made += 1
    rng.shuffle(rows)
    return rows


def write(rows: list[SeedRow], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text", "intent", "sentiment", "urgency", "phrasing"])
        writer.writerows((r.text, r.intent, r.sentiment, r.urgency, r.phrasing) for r in rows)


def check(rows: list[SeedRow]) -> None:
    """The promises MODEL_CARD.md makes about the set; a failure stops the script."""
    banks = load_phrasings()
    for intent, phrasings in banks.items():
        assert len(phrasings) >= 40, f"{intent}: only {len(phrasings)} phrasings"
    counts = Counter(r.intent for r in rows)
    assert set(counts) == set(PRECEDENCE), "every taxonomy intent needs rows"
    assert min(counts.values()) >= 150, counts
    assert len(rows) >= 3000
    non_english = sum(r.lang != "en" for r in rows) / len(rows)
    assert non_english >= 0.08, f"non-English share {non_english:.1%}"
    assert all("{" not in r.text for r in rows), "unfilled slot"


def summary(path: Path, rows: list[SeedRow]) -> str:
    """Counts read back from the written CSV (languages from the generator's own tags)."""
    with path.open(encoding="utf-8", newline="") as f:
        written = list(csv.DictReader(f))
    lines = [f"{len(written)} rows in {path.name}"]
    order: dict[str, list[str]] = {
        "intent": PRECEDENCE,
        "sentiment": list(SENTIMENTS.values()),
        "urgency": list(URGENCIES.values()),
    }
    for column, labels in order.items():
        counts = Counter(r[column] for r in written)
        lines.append(f"{column}: " + ", ".join(f"{k} {counts[k]}" for k in labels))
    langs = Counter(r.lang for r in rows)
    composed = sum(r.composed for r in rows)
    lengths = sorted(len(r.text) for r in rows)
    lines.append(f"composed multi-intent rows: {composed} ({composed / len(rows):.1%}); "
                 f"length in characters: median {lengths[len(lengths) // 2]}, "
                 f"90th percentile {lengths[len(lengths) * 9 // 10]}, max {lengths[-1]}")
    lines.append("language: " + ", ".join(
        f"{k} {v} ({v / len(rows):.1%})" for k, v in langs.most_common()))
    for intent in PRECEDENCE:
        mix = Counter((r.sentiment, r.urgency) for r in rows if r.intent == intent)
        parts = [f"{s}/{u} {n}" for (s, u), n in sorted(mix.items())]
        lines.append(f"  {intent}: " + ", ".join(parts))
    return "\n".join(lines)


def main() -> None:
    rows = generate(random.Random(SEED))
    check(rows)
    write(rows, OUT)
    print(summary(OUT, rows))


if __name__ == "__main__":
    main()
