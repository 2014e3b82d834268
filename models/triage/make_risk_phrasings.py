"""Write ``risk_phrasings.csv``: the table the triage tests use for risk flags.

Risk detection must have high recall, and a flag must not fire on everyday idiom, so
every flag has many phrasings that must raise it (``expected`` 1: typos, slang, other
languages) and near misses that must not (``expected`` 0: "killing it", "my lawyer
friend recommended you", an order id that looks like a card number). All texts were
written by hand; personal data is fictional (test card numbers, example.* domains,
drama-reserved phone ranges). ``python models/triage/make_risk_phrasings.py`` rewrites
the file identically; it checks that every card number in a positive passes the Luhn
test and that no card-like number in a near miss does.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent / "risk_phrasings.csv"

FLAGS = ["legal_threat", "safety", "personal_data", "harassment", "self_harm"]

# Each flag: (should be flagged, near misses that must not be).
PHRASINGS: dict[str, tuple[list[str], list[str]]] = {}

PHRASINGS["legal_threat"] = ([
    "I'll see you in court @acme",
    "my solicitor will be in touch about this",
    "my lawyer will be contacting you on Monday",
    "I am taking legal action against Acme",
    "refund me by friday or I'm filing in small claims court",
    "reporting you to trading standards today",
    "filing a complaint with the FTC and my state attorney general",
    "I've already contacted an attorney about the injury",
    "expect a letter from my lawyer",
    "going to sue you for every penny",
    "gonna sue u lol no seriously, I'm suing",
    "ill be suing northwind for this",
    "class action lawsuit incoming, dozens of us were double charged",
    "I will be pursuing this through the courts",
    "this is a breach of the Consumer Rights Act and I will take it further legally",
    "consider this formal notice before I start legal proceedings",
    "letter before action has been sent to your head office",
    "speaking to a no win no fee solicitor about my fall in your store",
    "my attorney says this is fraud and we're going to court",
    "you'll be hearing from my legal team",
    "I'm reporting Globex to the CFPB and taking you to court",
    "i will sue, i have screenshots of everything",
    "lawsuit. that's where this is heading @AcmeSupport",
    "small claims it is then. see you there",
    "I have instructed solicitors regarding the data breach",
    "we are consulting lawyers about a claim for damages",
    "my laywer will hear about this",
    "taking u to court, u thieves",
    "I'll be raising a claim with the ombudsman and then the courts",
    "sueing you is my next step",
    "voy a denunciaros, ya he hablado con mi abogado",
    "os pienso llevar a juicio por esto",
    "je vais porter plainte et contacter mon avocat",
    "vous aurez des nouvelles de mon avocat",
    "ich werde meinen Anwalt einschalten",
    "ich erstatte Anzeige gegen euch",
    "vou processar vocês, já falei com meu advogado",
    "vi denuncio, ho già contattato il mio avvocato",
    "ik stap naar de rechter hiermee",
    "mijn advocaat neemt contact met jullie op",
    "I'm reporting this to the police and my lawyer",
    "I've started a chargeback and I'm filing suit for the rest",
], [
    "my lawyer friend recommended you, great service",
    "this price is criminal 😂",
    "watching law and order reruns all weekend",
    "the food court at the mall has an acme now",
    "got my suit altered at the acme store, fits perfectly",
    "does this suit come in navy?",
    "legally obsessed with this hoodie",
    "I'm a solicitor and I need a laptop bag that fits a lot of files",
    "court shoes in size 5, do you have them?",
    "the basketball court near your store is packed today",
    "my attorney general of vibes says buy the jacket",
    "is the tennis court bag back in stock?",
    "that sale should be illegal, way too good",
    "case closed, this is the best kettle",
    "I'd sue for that level of comfort 😂",
    "my sister is a lawyer and loves your coats",
    "jury's still out on the new logo",
    "do you sell briefcases for law students?",
    "the returns policy is fair, no complaints",
    "filing my taxes then buying the air fryer",
    "ella es abogada y le encanta vuestra tienda",
    "mon avocat préféré porte vos chaussures 😂",
], )

PHRASINGS["safety"] = ([
    "the charger caught fire on my desk",
    "my kettle started smoking and sparking when I switched it on",
    "the heater melted and there were flames",
    "got an electric shock from the toaster",
    "my son cut his hand badly on the broken glass in the box",
    "found a piece of metal in the food, my daughter nearly swallowed it",
    "had an allergic reaction, the snack said nut free but has peanuts",
    "the stroller collapsed with my baby in it",
    "the e-bike battery exploded in the hallway",
    "the power bank swelled up and burned my hand",
    "slipped on a wet floor in your store and hurt my back",
    "a shelf fell on my son in the store",
    "the ladder broke and my dad fell, he's in A&E",
    "food poisoning after eating your ready meal, whole family sick",
    "the toy has small parts that came off, my toddler was choking",
    "exposed wires on the lamp, that's a fire hazard",
    "there's a burning smell coming from the air fryer and the plug is black",
    "the pressure cooker lid blew off and burned my arm",
    "the bike frame snapped while I was riding and I ended up in hospital",
    "carbon monoxide alarm went off after using your heater",
    "the chair leg gave way and I hit my head",
    "phone charger sparked and set the bedsheets alight",
    "the baby monitor got so hot it burned the cot",
    "my dog got sick after eating your treats, vet says poisoning",
    "the glass table shattered and cut my leg",
    "smoke coming out of the laptop, had to throw it outside",
    "the charger cought fire lol not funny actually, nearly lost my house",
    "the electric blanket scorched through and burnt my leg",
    "there's mould in the baby formula tin",
    "kid swallowed a magnet from the toy set, we're at the hospital",
    "the scooter brakes failed going downhill and i crashed",
    "gas smell from the camping stove, it leaked",
    "el cargador echó chispas y se prendió fuego",
    "mi hijo se ha cortado con el cristal roto del pedido",
    "le chargeur a pris feu dans la chambre",
    "j'ai reçu une décharge électrique en branchant l'appareil",
    "das Ladegerät hat gebrannt, Brandgefahr!",
    "mein Kind hat sich an einem Kleinteil verschluckt",
    "o carregador pegou fogo na tomada",
    "il caricabatterie ha preso fuoco",
    "de oplader vloog in brand",
    "my partner collapsed after an allergic reaction to your product, ambulance on the way",
], [
    "this hoodie is fire 🔥",
    "you guys are killing it with the new collection",
    "I'm dying to try the new blender",
    "the new album is a bomb",
    "crash course in returns, thanks for the help",
    "this deal is insane, I'm dead 😂",
    "burning question: do you ship to Canada?",
    "shocked by how fast the delivery was",
    "the sale broke the internet",
    "that price hurt my wallet lol",
    "smoking hot deals this weekend",
    "my feet are killing me, need new shoes",
    "the kettle boils in under a minute, love it",
    "fire sale on winter coats? count me in",
    "this candle smells amazing when it's lit",
    "heater works great, room warm in 5 minutes",
    "I'd kill for this jacket in green",
    "the knife set is so sharp, brilliant quality",
    "drop test: my phone case survived a fall down the stairs",
    "esta sudadera está que arde 🔥",
    "das neue Album ist der Hammer",
    "this toy has no small parts, great for toddlers",
], )

PHRASINGS["personal_data"] = ([
    "my card number is 4111 1111 1111 1111 can you check the charge",
    "charged twice on card 4242 4242 4242 4242, exp 12/27",
    "here's my card 5555555555554444 please refund it",
    "card used was 4012 8888 8888 1881 if that helps",
    "it's the amex 3782 822463 10005",
    "the card ending... well the full number is 6011-1111-1111-1117",
    "refund to 5105 1051 0510 5100 please",
    "my email is jane.porter84@example.com, please reply there",
    "contact me at sam_okafor@example.org",
    "email me: m.rossi1990@example.net, order never came",
    "reach me on ana.gomez@mail.example.com asap",
    "my login email is kev.d@example.co.uk and it's locked",
    "call me on 07700 900123, I've been waiting all day",
    "my number is +44 7700 900456 please ring",
    "phone: 020 7946 0018",
    "call me at (555) 010-0199 before 5",
    "my cell is 555-010-0147",
    "+1 202 555 0143 is my number, text me",
    "appelez-moi au 06 12 34 56 78",
    "mi teléfono es +34 612 34 56 78",
    "ruf mich an: +49 151 23456789",
    "bel me op 06-12345678",
    "ligue para +55 11 91234-5678",
    "my address is 221B Baker Street, London NW1 6XE, deliver it there",
    "parcel should go to 42 Willow Lane, Leeds LS6 2AB",
    "send it to 742 Evergreen Terrace, Springfield, OR 97403",
    "I live at 15 Rue des Lilas, 69003 Lyon",
    "Calle Mayor 12, 3ºB, 28013 Madrid es mi dirección",
    "address: Hauptstraße 5, 10115 Berlin",
    "deliver to flat 3, 18 Church Road, Bristol BS5 9JA please",
    "my full details: Jane Porter, 42 Willow Lane, Leeds LS6 2AB, 07700 900321",
    "name on order Tom Reyes, email tom.reyes@example.com, phone 07700 900654",
    "account email is priya.n@example.com and password is Summer2024!",
    "my passport number is 123456789 if you need to verify",
    "my date of birth is 14/03/1988 and my postcode is M1 4BT",
    "ssn 078-05-1120 was on the form you lost",
    "card 4111111111111111 cvv 123",
    "here is my iban GB82 WEST 1234 5698 7654 32 for the refund",
    "email:lucy.w@example.com phone:07700900777",
    "My addy is 9 Elm Close, Cardiff CF10 1AA lol send it",
    "i'm at 1600 Amphitheatre Pkwy Apt 4, Mountain View, CA 94043, where's my parcel",
    "my BSN is 123456782 — staat op de factuur",
], [
    "order #4111-2222-3333-4445 hasn't arrived",
    "tracking number 1Z999AA10123456784",
    "order number 1234 5678 9012 3456 still processing",
    "my order 100-2938475-6618293 is late",
    "it cost £49.99 on 12/03",
    "app version 5.12.3 keeps crashing",
    "call me maybe 🎶",
    "DM me and I'll send my email privately",
    "email me the invoice please",
    "can you call me? number is on my account",
    "I changed my phone number last week and now 2FA fails",
    "the store on Baker Street was closed",
    "Leeds store on Briggate, what time do you open?",
    "my card ending 4421 was charged twice",
    "what's your support email?",
    "I'm in London, do you deliver here?",
    "reference 9400 1118 9922 3845 1234 56",
    "price was 1,299.00 and now 999.00",
    "is 0800 number free to call?",
    "room 101 at the hotel, no package yet",
    "bought 3 for 2 on 04/05/2025",
    "postcode checker says you don't deliver to my area",
], )

PHRASINGS["harassment"] = ([
    "your support agent Sarah is a useless idiot",
    "I know where your delivery driver lives",
    "tell your CEO I'm coming for him",
    "whoever answered my call is a brainless moron",
    "I hope your staff get what's coming to them",
    "I'll find the guy who delivered my parcel and make him pay",
    "@AcmeSupport you're all worthless pieces of garbage",
    "stupid b*tch at the till needs to be fired",
    "if I see that manager again I'll smash his face in",
    "I'm going to wait outside the Leeds store for that employee",
    "your agent Tom should be ashamed, I found his facebook and I'm sharing it everywhere",
    "shut up you pathetic bot handlers",
    "everyone at Acme support is brain-dead trash",
    "go kill yourselves, all of you",
    "the driver was ugly and fat, no wonder he's a driver",
    "I'll make sure that cashier regrets the day she was born",
    "watch your back Priya",
    "dumb c*nts the lot of you",
    "posting the home address of your store manager so people can visit him",
    "someone should teach that manager a lesson with his fists",
    "u r a waste of oxygen, whoever runs this account",
    "that fat useless woman on chat should be sacked",
    "I will hunt down whoever cancelled my order",
    "you idiots can't even ship a box, morons",
    "I'll be waiting for your driver tomorrow, he won't enjoy it",
    "burn the store down with the staff inside",
    "your staff are subhuman",
    "hope the delivery guy crashes his van",
    "idiot customer service rep, you're too thick to do your job",
    "I'm gonna make your social media girl's life hell",
    "eres una inútil, te voy a buscar a la tienda",
    "bande d'abrutis, je vais retrouver ce livreur",
    "ihr seid alle dumme Idioten, ich finde den Fahrer",
    "vocês são uns idiotas, vou atrás desse atendente",
    "siete degli idioti, vi vengo a cercare",
    "stelletje idioten, ik weet waar die bezorger woont",
    "@AcmeHelp the woman who served me is a dumb cow",
    "moronic staff, zero brain cells between them",
    "tell your driver I've got his plate number and I'm coming for him",
    "your CEO is a crook and deserves to be beaten",
    "hey support guy, you're a loser who lives with his mum, pathetic",
    "someone needs to slap that store manager",
], [
    "your support agent Sarah was brilliant",
    "killing it with the new range",
    "the driver was so nice, give him a raise",
    "I'm mad about this jacket, in a good way",
    "this deal is stupid good",
    "the new ad is dumb but I love it",
    "your prices are insane (good insane)",
    "my kid is a little monster when he's tired, need a calmer night light",
    "manager at Leeds was helpful, thank you",
    "love the cheeky replies from the social team",
    "beat the crowds and shopped early",
    "I'm going to find the perfect gift at the Leeds store",
    "hunt for the best deal is over, found it here",
    "the box was a bit beaten up but the item was fine",
    "that fit is sick",
    "the customer in front of me was lovely",
    "this blender is a beast",
    "I'll be waiting for the sale tomorrow",
    "tell your driver thanks for waiting",
    "watch your back pockets, these jeans have deep ones",
    "el repartidor fue muy amable",
    "der Fahrer war super freundlich",
], )

PHRASINGS["self_harm"] = ([
    "i want to die",
    "I can't go on anymore",
    "I'm going to kill myself",
    "thinking about ending it all tonight",
    "there's no reason for me to live",
    "I don't want to be alive anymore",
    "nobody would miss me if I was gone",
    "I've been cutting myself again",
    "I've got the pills ready",
    "everyone would be better off without me",
    "i just want it all to end",
    "kms fr this time, not a joke",
    "I wrote my goodbye note",
    "i'm done with life",
    "can't take it anymore, thinking of jumping off the bridge",
    "I keep thinking about suicide",
    "suicidal thoughts every night since I lost my job",
    "I don't see the point in living",
    "this debt is too much, I'm going to end my life",
    "wnat to die, evryone hates me",
    "i wanna disappear forever and not wake up",
    "I hurt myself on purpose last night",
    "tonight is my last night",
    "I'm planning to overdose",
    "life isn't worth living anymore",
    "you took my last money and now I have nothing left to live for",
    "can't cope, want to end it",
    "might as well kill myself at this point, seriously",
    "no point going on, I've given up",
    "I'm thinking of taking my own life",
    "ya no quiero vivir",
    "quiero quitarme la vida",
    "je veux mourir",
    "j'ai envie d'en finir",
    "ich will nicht mehr leben",
    "ich denke daran, mich umzubringen",
    "não aguento mais viver",
    "quero morrer",
    "non voglio più vivere",
    "ik wil niet meer leven",
    "saying goodbye to everyone, this is it",
    "I'm not safe with myself right now",
], [
    "I'm dying to try the new air fryer",
    "this queue is killing me",
    "I'm dead 😂 this ad",
    "kill me now, monday meetings",
    "this deal is to die for",
    "killing it with the new collection",
    "my phone died again",
    "I could die happy with this hoodie",
    "dead tired after the sale",
    "ending it all: last day of my holiday",
    "the battery life is killing me",
    "I'd kill for free shipping",
    "last night of the sale, going out with a bang",
    "this cake is sinfully good, death by chocolate",
    "I'm done with this form, it won't submit",
    "my plants keep dying, need a better pot",
    "cutting the tags off my new jeans",
    "jumping for joy, parcel arrived",
    "over it, this queue is so long",
    "me muero de ganas de probarlo",
    "je meurs de rire",
    "ich sterbe vor Lachen",
], )


def luhn_ok(digits: str) -> bool:
    """The check digit test card numbers pass and most order ids fail."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


CARD_LIKE = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")


def card_numbers(text: str) -> list[str]:
    """Runs of 13-19 digits (spaces or dashes allowed) that could be a card number."""
    return [re.sub(r"\D", "", m) for m in CARD_LIKE.findall(text)
            if 13 <= len(re.sub(r"\D", "", m)) <= 19]


def check() -> None:
    for flag, (positives, near_misses) in PHRASINGS.items():
        assert len(positives) >= 40 and len(near_misses) >= 20, flag
        assert len(set(positives + near_misses)) == len(positives) + len(near_misses), flag
    positives, near_misses = PHRASINGS["personal_data"]
    for text in positives:
        for number in card_numbers(text):
            if number.startswith(("3", "4", "5", "6")) and len(number) in (15, 16):
                assert luhn_ok(number), f"not Luhn-valid: {text}"
    for text in near_misses:
        assert not any(luhn_ok(n) for n in card_numbers(text)), f"Luhn-valid near miss: {text}"


def main() -> None:
    check()
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text", "flag", "expected"])
        for flag in FLAGS:
            positives, near_misses = PHRASINGS[flag]
            writer.writerows((t, flag, 1) for t in positives)
            writer.writerows((t, flag, 0) for t in near_misses)
    counts = {f: (len(PHRASINGS[f][0]), len(PHRASINGS[f][1])) for f in FLAGS}
    print(f"{OUT.name}: " + ", ".join(f"{f} {p}+/{n}-" for f, (p, n) in counts.items()))


if __name__ == "__main__":
    main()
