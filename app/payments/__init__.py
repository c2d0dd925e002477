"""Payments: the gateway port and its Stripe Connect and offline adapters, webhook verification and events."""
