"""Messages to people: the outbox entity, the Sender port and one adapter per channel (email, push, SMS)."""
