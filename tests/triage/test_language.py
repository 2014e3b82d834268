"""Language detection: the seven languages considered, short posts included."""

from __future__ import annotations

from socialcx.triage.language import detect_languages


def test_short_posts_in_each_language_are_told_apart():
    posts = {
        "@acme where is my order??": "en",
        "great, charged twice 🙃 thanks @acme": "en",
        "¿dónde está mi pedido? llevo dos semanas esperando": "es",
        "mon colis n'est toujours pas arrivé": "fr",
        "Ich warte seit 10 Tagen auf meine Lieferung": "de",
        "cadê meu pedido? já paguei faz uma semana": "pt",
        "dov'è il mio ordine? nessuna risposta": "it",
        "waar blijft mijn bestelling nou": "nl",
    }

    assert detect_languages(list(posts)) == list(posts.values())


def test_what_cannot_be_told_is_none():
    assert detect_languages(["👍", "", "12345"]) == [None, None, None]


def test_a_language_outside_the_list_is_not_forced_to_english():
    assert detect_languages(["where is my order"], languages=("es", "fr")) != ["en"]
