"""bilan's e-mail: addresses (addresses.py), the outbox of mails to send (outbox.py), how a
mail is built (message.py), the ways out — an SMTP relay or a folder (transport.py) — and
the sending of what the outbox holds (delivery.py)."""
