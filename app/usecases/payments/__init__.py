"""Payment use cases, one module per family: payout onboarding, paying for a booking (intents), refunds, the
booking lifecycle's money side (settlement), Stripe webhooks, and the read models (views).

Money model: destination charges on Stripe Connect. The owner's card is authorised when they pay
(`capture_method=manual`); completion captures it, the platform keeps the application fee and the business is
paid the rest. Every change to a payment record is a compare-and-set on its `version`, and every state we
learn (from the gateway's answers or from webhooks, in any order) is joined into the record's payment lattice
(`app.domain.payment_events`), so the record only moves forward (see `records`).
"""
