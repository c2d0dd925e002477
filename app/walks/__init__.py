"""The walk, from "on my way" to the report card: pure rules and entities, one module per feature.

Request use cases live in app/usecases/walks/requests.py; the hot path (trail, tracking:location) is
app/usecases/live/walk_tracker.py.
"""
