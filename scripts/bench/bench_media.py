"""Media uploads against the real server (`python -m app`, embedded default, filesystem storage).

1. Peak memory of one 4 MB JPEG upload, each measurement on a freshly started server. A 100 KB photo
   is uploaded first, so imports and first-use caches are not charged (and no heap of the size under
   test is left over to be reused). Then the peak resident size (VmHWM) is reset through
   /proc/PID/clear_refs, the upload is sent, and the growth of the peak over the resident size just
   before is the figure, as a multiple of the file size. Two kinds of 4 MB JPEG: a 12 MP phone-like
   photo and a dense 5 MP one (more bytes per pixel). Same-run baseline: the same measurement for the
   100 KB photo. Target: growth <= 2x the file size.
2. 50 concurrent uploads of a 1 MB phone-like photo, each to its own pet, sent at once by Node over 50
   connections: errors and latency percentiles. Same-run baseline: 50 concurrent GET /v1/pets/{id}.
   Target: no error, p99 <= 2 s.

    .venv/bin/python -m scripts.bench.bench_media [--rounds 3] [--concurrent 50]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import tempfile
from pathlib import Path

import httpx
from PIL import Image, ImageFilter

from scripts.bench.live_support import NODE_DIR, Server, median, pct, rss_kib, run_node_script, serve, verdict

TARGET_GROWTH = 2.0
TARGET_P99_S = 2.0
PASSWORD = "correct-horse-1"
BOUNDARY = "walky-bench"
UPLOADS = NODE_DIR / "uploads.mjs"


def photo_like(size: tuple[int, int], target_bytes: int, *, grain: int) -> bytes:
    """A JPEG of about `target_bytes`: smooth colour fields plus sensor-like grain, quality searched."""
    rng = random.Random(7)
    small = Image.frombytes("RGB", (size[0] // 16, size[1] // 16), rng.randbytes(size[0] // 16 * (size[1] // 16) * 3))
    image = small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    noise = Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).point(lambda v: v * grain // 255)
    image = Image.merge("RGB", [Image.eval(band, lambda v: v) for band in image.split()])
    image.paste(Image.merge("RGB", [noise] * 3), mask=Image.new("L", size, 40))
    best = b""
    for quality in range(60, 99, 2):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        best = out.getvalue()
        if len(best) >= target_bytes:
            break
    return best


def vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def reset_peak(pid: int) -> None:
    # "5" resets the peak resident set size (Linux >= 4.0).
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def owner_with_pet(client: httpx.AsyncClient, email: str) -> tuple[dict[str, str], str]:
    registered = await client.post(
        "/v1/auth/register",
        json={"email": email, "password": PASSWORD, "role": "owner", "firstName": "Ada", "lastName": "Bench"},
    )
    registered.raise_for_status()
    headers = {"Authorization": f"Bearer {registered.json()['data']['accessToken']}"}
    pet = await client.post(
        "/v1/pets", headers=headers, json={"name": "Rex", "species": "dog", "ageYears": 3, "weightKg": 20}
    )
    pet.raise_for_status()
    return headers, pet.json()["data"]["id"]


def multipart(data: bytes) -> bytes:
    """The request body, built once: the load generator shares the 2 cores with the server."""
    head = b"--" + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n'
    return head + b"Content-Type: image/jpeg\r\n\r\n" + data + b"\r\n--" + BOUNDARY.encode() + b"--\r\n"


async def upload(client: httpx.AsyncClient, headers: dict[str, str], pet_id: str, body: bytes) -> httpx.Response:
    return await client.post(
        f"/v1/pets/{pet_id}/photos",
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        content=body,
    )


async def peak_growth(server: Server, data: bytes, warm_up: bytes) -> float:
    """Peak RSS growth of one upload, in multiples of the file size."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        headers, pet_id = await owner_with_pet(client, f"mem{random.getrandbits(48):x}@example.com")
        body = multipart(data)
        (await upload(client, headers, pet_id, multipart(warm_up))).raise_for_status()
        await asyncio.sleep(0.5)
        reset_peak(server.pid)
        before = rss_kib(server.pid)
        (await upload(client, headers, pet_id, body)).raise_for_status()
        growth_kib = vm_hwm_kib(server.pid) - before
    return growth_kib * 1024 / len(data)


async def owners_with_pets(server: Server, count: int) -> list[tuple[dict[str, str], str]]:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        return [await owner_with_pet(client, f"c{random.getrandbits(48):x}@example.com") for _ in range(count)]


def concurrent(server: Server, data: bytes | None, count: int) -> tuple[list[float], int]:
    """Latencies (s) and error count of `count` simultaneous requests: uploads of `data`, or pet reads.

    Sent by Node (node/uploads.mjs): a Python client on the same 2 cores spent more time pushing 50
    bodies than the server took to take them in.
    """
    owners = asyncio.run(owners_with_pets(server, count))
    body_file = Path(tempfile.mkstemp(prefix="walky-bench-upload-")[1])
    body_file.write_bytes(multipart(data) if data is not None else b"")
    suffix = "/photos" if data is not None else ""
    requests = [
        {"token": headers["Authorization"].removeprefix("Bearer "), "path": f"/v1/pets/{pet_id}{suffix}"}
        for headers, pet_id in owners
    ]
    try:
        result = run_node_script(
            UPLOADS,
            {
                "url": server.url,
                "requests": requests,
                "bodyFile": str(body_file) if data else None,
                "boundary": BOUNDARY,
            },
            timeout_s=180,
            what="uploads",
        )
    finally:
        body_file.unlink(missing_ok=True)
    return [ms / 1000 for ms in result["latencies"]], int(result["errors"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrent", type=int, default=50)
    args = parser.parse_args()
    files = {
        "4 MB phone 12 MP": photo_like((4032, 3024), 4_000_000, grain=60),
        "4 MB dense 5 MP": photo_like((2600, 1950), 4_000_000, grain=255),
        "baseline 100 KB": photo_like((800, 600), 100_000, grain=20),
    }
    one_mb = photo_like((2000, 1500), 1_000_000, grain=60)
    for name, data in [*files.items(), ("1 MB concurrent", one_mb)]:
        print(f"{name}: {len(data) / 1e6:.2f} MB", flush=True)
    growth: dict[str, list[float]] = {name: [] for name in files}
    p99s: list[float] = []
    base_p99s: list[float] = []
    errors = 0
    # Hundreds of accounts are registered from one address: lift the login/register rate limit.
    env = {"WALKY_AUTH_RATE_LIMIT": "100000/minute"}
    for round_no in range(1, args.rounds + 1):
        for name, data in files.items():
            with serve("app", env) as server:
                ratio = asyncio.run(peak_growth(server, data, files["baseline 100 KB"]))
            growth[name].append(ratio)
            print(f"round {round_no} {name:18} peak RSS growth {ratio:5.2f}x the file", flush=True)
        with serve("app", env) as server:
            latencies, failed = concurrent(server, one_mb, args.concurrent)
            base, _ = concurrent(server, None, args.concurrent)
            errors += failed
            p99s.append(pct(latencies, 0.99))
            base_p99s.append(pct(base, 0.99))
            print(
                f"round {round_no} {args.concurrent} concurrent uploads: p50 {pct(latencies, 0.5):.3f} s "
                f"p99 {p99s[-1]:.3f} s errors {failed}; baseline GET p99 {base_p99s[-1]:.3f} s",
                flush=True,
            )
    print(f"\nmedian over {args.rounds} round(s):")
    for name in files:
        value = median(growth[name])
        met = f" [{verdict(value <= TARGET_GROWTH)}]" if name.startswith("4 MB") else " (baseline)"
        print(f"  {name:18} peak RSS growth {value:5.2f}x the file size (target <= {TARGET_GROWTH:g}x){met}")
    p99 = median(p99s)
    print(
        f"  {args.concurrent} concurrent uploads p99 {p99:.3f} s ({p99 / median(base_p99s):.1f}x the GET baseline), "
        f"errors {errors} [{verdict(p99 <= TARGET_P99_S and errors == 0)}]"
    )


if __name__ == "__main__":
    main()
