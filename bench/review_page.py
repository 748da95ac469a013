"""How fast aligner serve is on a long alignment: a synthetic 20,000-bead run (seeded scores;
English and Yiddish one-sentence paragraphs brought in by aligner import) in a fresh SQLite
file; times each page render, the next-low-confidence jump, the first edit (which copies the
run into a review run) and later edits.  Prints figures; asserts nothing.

    python bench/review_page.py [--beads 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from aligner.cli import app as cli_app
from aligner.store.models import AlignmentRun, Link, LinkSegment, Segment
from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from aligner.web.app import create_app

WORK = "long"
SIDES = (("en", "sentence", ("--role", "original")), ("yi", "זאַץ", ("--translation-of", "en")))


def import_texts(db_url: str, folder: Path, beads: int) -> None:
    """An English original and its Yiddish translation of ``beads`` one-sentence paragraphs
    each, imported by ``aligner import`` as work ``long``."""
    runner = CliRunner()
    for label, word, role in SIDES:
        path = folder / f"{WORK}.{label}.txt"
        path.write_text("\n\n".join(f"{word} {n} <&>." for n in range(beads)), encoding="utf-8")
        result = runner.invoke(
            cli_app,
            ["--db", db_url, "import", str(path), "--work", WORK, "--lang", label, *role,
             "--unit", "paragraph"],
        )  # fmt: skip
        if result.exit_code != 0:
            raise SystemExit(result.output)


def store_run(db: Database, seed: int) -> int:
    """A run aligning the two texts 1-1, with seeded scores (beta(5, 1): about 3% below 0.5)."""
    rng = random.Random(seed)
    with db.session() as session:
        work = get_work(session, WORK)
        src, tgt = (get_version(work, label).current for label, _, _ in SIDES)
        assert src is not None and tgt is not None
        ids = [
            session.scalars(
                select(Segment.id).where(Segment.revision_id == revision.id)
                .order_by(Segment.position)
            ).all()
            for revision in (src, tgt)
        ]  # fmt: skip
        run = AlignmentRun(
            work_id=work.id, src_revision_id=src.id, tgt_revision_id=tgt.id,
            method="synthetic", model="none", code_version="bench",
            summary={"beads": len(ids[0]), "mean_score": 0.0},
        )  # fmt: skip
        session.add(run)
        session.flush()
        links = session.scalars(
            insert(Link).returning(Link.id, sort_by_parameter_order=True),
            [
                {"run_id": run.id, "position": n, "status": "auto",
                 "score": rng.betavariate(5, 1)}
                for n in range(len(ids[0]))
            ],
        ).all()  # fmt: skip
        session.execute(
            insert(LinkSegment),
            [
                {"link_id": link, "segment_id": ids[side][n], "side": name}
                for n, link in enumerate(links)
                for side, name in enumerate(("src", "tgt"))
            ],
        )
        return run.id


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst wall time of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


Timings = list[tuple[str, Callable[[], object]]]


def print_times(title: str, rows: Timings, repeat: int) -> None:
    print(f"\n{title} ({repeat} runs each)")
    for name, action in rows:
        median, worst = timed(action, repeat)
        print(f"  {name:28} median {median:7.1f} ms   worst {worst:7.1f} ms")


def time_edits(client: TestClient, run: int, beads: int, repeat: int) -> None:
    """The first edit (it copies the run into a review run) and ``repeat`` merges after it."""
    start = time.perf_counter()
    first = client.post(
        f"/api/runs/{run}/edits", json={"action": "confirm", "position": 5, "version": 0}
    )
    assert first.status_code == 200, first.text
    print(f"\nfirst edit (copies {beads} beads into a review run): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")  # fmt: skip
    edit_times = []
    for version, position in enumerate(range(10, 10 + 2 * repeat, 2), start=1):
        start = time.perf_counter()
        merged = client.post(
            f"/api/runs/{run}/edits",
            json={"action": "merge", "position": position, "version": version},
        )
        assert merged.status_code == 200, merged.text
        edit_times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(edit_times)
    print(f"later edits (merge, renumbering the beads after): median {median:.0f} ms, "
          f"worst {max(edit_times):.0f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beads", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1938)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        start = time.perf_counter()
        import_texts(db_url, Path(folder), args.beads)
        db = Database(db_url)
        run = store_run(db, args.seed)
        print(f"imported and aligned {args.beads} beads in {time.perf_counter() - start:.1f} s")
        client = TestClient(create_app(db, "bench"), base_url="http://127.0.0.1")
        client.headers["X-Aligner-CSRF"] = client.get("/api/session").json()["csrf_token"]
        pages = -(-args.beads // 200)

        def get(path: str) -> None:
            response = client.get(path, follow_redirects=False)
            assert response.status_code in (200, 303), response.text[:200]

        rows: Timings = [
            ("works list", lambda: get("/")),
            ("page 1 (200 beads)", lambda: get(f"/runs/{run}?page=1")),
            (f"page {pages // 2}", lambda: get(f"/runs/{run}?page={pages // 2}")),
            (f"page {pages} (last)", lambda: get(f"/runs/{run}?page={pages}")),
            ("JSON page", lambda: get(f"/api/runs/{run}?page={pages // 2}")),
            ("next low-confidence", lambda: get(f"/runs/{run}/next-low?after={args.beads // 2}")),
        ]
        print_times("before any edit", rows, args.repeat)
        time_edits(client, run, args.beads, args.repeat)
        print_times("under review", rows[1:4], args.repeat)
        db.close()


if __name__ == "__main__":
    main()
