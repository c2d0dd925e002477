"""Rating aggregates kept on businesses and workers: `ratingSum` and `rating.count`, and `rating.average`.

The sum and the count move together in one atomic `$inc`, so concurrent reviews never lose one. The average
is then written with a compare-and-set on the (sum, count) that it was computed from: a writer whose numbers
are already stale gives way, and the writer of the last increment always succeeds (nothing changes the sum or
the count after it), so once the writers are done the stored average is exactly sum / count.
"""

from __future__ import annotations

from typing import Any

from app.domain.businesses import Rating
from app.store.documents import DocumentCollection, Update

# Two decimals are what a star rating shows; the exact figures stay in ratingSum and rating.count.
AVERAGE_DECIMALS = 2


def average(total: int, count: int) -> float:
    return round(total / count, AVERAGE_DECIMALS) if count > 0 else 0.0


async def apply_rating(col: DocumentCollection, doc_id: str, delta_sum: int, delta_count: int) -> Rating | None:
    """Add `delta_sum` stars over `delta_count` reviews (negative to take a review back); None if no document."""
    doc = await col.update_one({"id": doc_id}, Update(inc={"ratingSum": delta_sum, "rating.count": delta_count}))
    if doc is None:
        return None
    total, count = _figures(doc)
    rating = Rating(average=average(total, count), count=count)
    await col.update_one(
        {"id": doc_id, "ratingSum": total, "rating.count": count}, Update(set={"rating.average": rating.average})
    )
    return rating


def _figures(doc: dict[str, Any]) -> tuple[int, int]:
    rating = doc.get("rating") or {}
    return int(doc.get("ratingSum") or 0), int(rating.get("count") or 0)
