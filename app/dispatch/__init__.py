"""Dispatch: find the nearest suitable walker for a booking and offer it to one walker at a time.

- `ranking`: pure ordering of candidates (distance band, rating, idle time).
- `candidates`: who may take a booking, searched in growing rings around the pickup.
- `dispatcher`: the offer cascade (it handles booking events), expiry timers, the sweeper and restart recovery.
- `offers`: the worker's `dispatch:accept` / `dispatch:decline` use cases.
"""
