"""Rendering messages: one template per kind and recipient role, translated and formatted for a locale. Pure.

`render(kind, role, locale, facts, links)` turns what happened (MessageFacts) into the email, push and SMS
texts of one recipient; deliveries call it for each person and channel.
"""
