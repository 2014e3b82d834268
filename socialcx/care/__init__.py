"""Care: what happens to a stored mention on its way to an answer. The playbook and the responder
decide; the outbox sends, once; the inbox holds what waits for a person; feedback and KPIs say how
well it went."""
