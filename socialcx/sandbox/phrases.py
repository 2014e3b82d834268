"""The words the scenario engine writes with: templates per intent and language, and the pools
its slots draw from. `{brand}` is the channel's way of naming the brand (`@acme`, `u/acme`,
`Acme`); the other slots are filled from `SLOTS`."""

from __future__ import annotations

__all__ = [
    "EMOJIS",
    "FIRST_NAMES",
    "INCIDENTS",
    "RISKS",
    "SLOTS",
    "SPAM_WORDS",
    "SUBREDDITS",
    "TAGS",
    "TEMPLATES",
    "WORDS",
]

# intent -> language -> templates
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "order_status": {
        "en": (
            "{brand} where is my order {order}?? placed it {when}, tracking hasn't moved",
            "{brand} hi, any update on order {order}? it still says processing",
            "hey {brand} my order {order} was supposed to arrive {when} and nothing. anyone??",
            "{brand} tracking for {order} has said 'out for delivery' since {when}…",
            "{brand} can you tell me the status of my order {order} please",
            "ordered a {item} from {brand} {when}, still no dispatch email. what's going on",
            "{brand} order {order} shows delivered but there's nothing at my door??",
        ),
        "es": ("{brand} ¿dónde está mi pedido {order}? hace una semana que lo hice",),
        "fr": ("{brand} où est ma commande {order} ? toujours rien reçu",),
        "de": ("{brand} wo bleibt meine Bestellung {order}? Seit einer Woche nichts",),
        "pt": ("{brand} cadê meu pedido {order}? já faz uma semana",),
    },
    "shipping_delay": {
        "en": (
            "{brand} why is shipping taking {days} days now? ordered {when}",
            "{brand} my parcel has been stuck at the depot for {days} days, is there a delay?",
            "{brand} is there a delivery delay in my area? my {item} was due {when}",
            "is {brand} delivery slow for everyone atm or just me",
            "{brand} your courier keeps rescheduling my delivery, third time now",
        ),
    },
    "refund": {
        "en": (
            "{brand} still waiting on my refund for {order}, returned it {when}",
            "{brand} how long do refunds take? sent back a {item} {when}",
            "{brand} I returned my {item} and haven't seen the {amount} back yet",
            "{brand} can I get a refund on a {item} that arrived broken?",
            "{brand} refund for order {order} please, it never arrived",
        ),
        "es": ("{brand} sigo esperando el reembolso del pedido {order}",),
        "fr": ("{brand} toujours pas reçu mon remboursement pour {order}",),
        "de": ("{brand} warte immer noch auf meine Erstattung für {order}",),
        "pt": ("{brand} ainda esperando o reembolso do pedido {order}",),
    },
    "store_hours": {
        "en": (
            "{brand} is the {store} store open on {day}?",
            "{brand} what time does the {store} shop close today?",
            "{brand} are you open on {day}? need to pick up a {item}",
            "{brand} opening hours for {store} over the holidays?",
        ),
    },
    "account_access": {
        "en": (
            "{brand} can't log into my account, the reset email never comes",
            "{brand} locked out of my account after the password reset, help",
            "{brand} app keeps saying my password is wrong, how do I reset it",
        ),
    },
    "complaint": {
        "en": (
            "{brand} worst customer service ever. {days} calls and nobody can help me",
            "really disappointed with {brand}, my {item} broke after {days} days",
            "{brand} charged me twice for the same order, please fix this",
            "{brand} your staff at {store} were so rude to me today",
            "never ordering from {brand} again. {item} arrived damaged and nobody replies",
            "great, charged twice 🙃 thanks {brand}",
            "{brand} been on hold for an hour. an HOUR.",
        ),
        "es": ("{brand} pésimo servicio, nadie me responde",),
        "fr": ("{brand} service client nul, personne ne répond",),
        "de": ("{brand} katastrophaler Kundenservice, niemand antwortet",),
        "pt": ("{brand} atendimento péssimo, ninguém responde",),
    },
    "praise": {
        "en": (
            "love the new {brand} app update, checkout is so much faster now",
            "shoutout to the team at {brand} {store}, super helpful today",
            "{brand} my {item} arrived a day early, thank you!!",
            "honestly {brand} customer service is the best, sorted my issue in 5 min",
            "obsessed with my new {item} from {brand}",
        ),
        "es": ("gracias {brand}, el pedido llegó antes de lo previsto",),
        "fr": ("merci {brand}, livraison super rapide !",),
        "de": ("danke {brand}, die Lieferung kam einen Tag früher!",),
        "pt": ("obrigada {brand}, chegou antes do prazo!",),
    },
    "spam": {
        "en": (
            "{brand} 🚀 earn $500/day from home, DM me 👉 {link}",
            "{brand} FREE gift cards for the first 100 people!!! {link}",
            "{brand} check my profile for crypto signals 📈💰 {link}",
            "{brand} want more followers? cheap & fast {link}",
        ),
    },
    "other": {
        "en": (
            "does anyone know if {brand} ships to ireland?",
            "{brand} do you do gift wrapping?",
            "walked past the new {brand} in {store}, looks nice",
            "{brand} any plans to bring back the old {item}?",
            "is the {brand} sale on {day} online too?",
        ),
    },
}

# incident topic -> (intent, templates): a surge of mentions about one thing
INCIDENTS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "checkout-outage": (
        "outage",
        {
            "en": (
                "is the {brand} app down?? can't check out",
                "{brand} website keeps giving me an error at payment",
                "{brand} checkout broken for anyone else? #{brand_name}down",
                "{brand} payment failed 3 times and now my card is blocked?!",
                "{brand} site is down AGAIN. been trying to order for an hour",
                "anyone else getting 'something went wrong' on {brand}? #{brand_name}down",
            ),
            "es": ("{brand} la app no funciona, no puedo pagar",),
            "fr": ("{brand} le site est en panne ? impossible de payer",),
            "de": ("{brand} ist die App down? Bezahlen geht nicht",),
        },
    ),
    "double-charge": (
        "complaint",
        {
            "en": (
                "{brand} just charged me TWICE for one order. check your payments people",
                "PSA: {brand} is double charging cards today, check your bank app",
                "{brand} two identical charges of {amount} on my card. explain?",
                "so {brand} took my money twice and support won't answer. great",
            ),
        },
    ),
}

# risk flag -> sentences that raise it when added to a mention
RISKS: dict[str, tuple[str, ...]] = {
    "legal_threat": ("my lawyer will hear about this", "see you in small claims court"),
    "personal_data": ("my number is 07700 900{digits}, call me", "email me at {handle}@gmail.com"),
    "safety": (
        "the {item} started smoking and nearly caught fire",
        "my kid got hurt by the {item}",
    ),
}

SLOTS: dict[str, tuple[str, ...]] = {
    "when": ("last monday", "3 days ago", "on the 12th", "two weeks ago", "yesterday", "last week"),
    "days": ("3", "5", "7", "10", "12", "14"),
    "item": (
        "blender",
        "running shoes",
        "phone case",
        "hoodie",
        "air fryer",
        "desk lamp",
        "backpack",
    ),
    "store": ("Leeds", "Bristol", "Manchester", "Glasgow", "Cardiff", "Brighton", "York"),
    "amount": ("£42.99", "$19.50", "€60", "£120", "$89"),
    "day": ("sunday", "saturday", "bank holiday monday", "boxing day"),
}

EMOJIS: dict[str, tuple[str, ...]] = {
    "negative": ("😡", "🙃", "😤", "🤦‍♀️", "😩", "💀"),
    "positive": ("🙌", "❤️", "😍", "👏", "✨"),
    "neutral": ("🤔", "👀", "📦", "🙏"),
}

TAGS: dict[str, tuple[str, ...]] = {
    "negative": ("#fail", "#customerservice", "#neveragain"),
    "positive": ("#love", "#happycustomer"),
    "neutral": ("#help", "#question"),
}

FIRST_NAMES = (
    "jess",
    "dan",
    "priya",
    "tom",
    "nora",
    "sam",
    "alex",
    "maria",
    "omar",
    "lucy",
    "ben",
    "aisha",
    "chris",
    "emma",
    "jamal",
    "sofia",
    "liam",
    "zoe",
    "raj",
    "hannah",
    "leo",
    "mia",
    "kofi",
    "ella",
)
WORDS = ("codes", "writes", "runs", "reads", "bakes", "travels", "games", "draws", "the_real", "uk")
SPAM_WORDS = ("crypto", "gains", "promo", "deals", "followers", "airdrop")
SUBREDDITS = ("mildlyinfuriating", "CustomerService", "AskUK", "personalfinance", "BuyItForLife")
