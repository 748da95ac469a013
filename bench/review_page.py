"""How fast aligner serve is on a long alignment: a synthetic 20,000-bead run (seeded scores,
English and Yiddish sentences) in a fresh SQLite file; times each page render, the
next-low-confidence jump, the first edit (which copies the run into a review run) and later
edits.  Prints figures; asserts nothing.

    python bench/review_page.py [--beads 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert
from starlette.testclient import TestClient

from aligner.store.models import (
    AlignmentRun,
    Link,
    LinkSegment,
    Revision,
    Segment,
    SourceDocument,
    Version,
    Work,
)
from aligner.store.session import Database
from aligner.web.app import create_app


def build(db: Database, beads: int, seed: int) -> int:
    """A work with an English and a Yiddish version of ``beads`` sentences each, aligned 1-1."""
    rng = random.Random(seed)
    with db.session() as session:
        work = Work(slug="long", title="A long text")
        session.add(work)
        revisions = []
        for label, language, script, direction, word in (
            ("en", "en", "Latn", "ltr", "sentence"),
            ("yi", "yi", "Hebr", "rtl", "זאַץ"),
        ):
            text = "\n\n".join(f"{word} {n} <&>." for n in range(beads))
            raw = text.encode()
            document = SourceDocument(
                sha256=hashlib.sha256(raw).hexdigest(), filename=f"long.{label}.txt",
                encoding="utf-8", size=len(raw), raw=raw, text=text,
            )  # fmt: skip
            version = Version(
                work=work, label=label, language=language, script=script, direction=direction,
                role="original" if label == "en" else "translation",
            )  # fmt: skip
            revision = Revision(
                version=version, number=1, source_document=document, char_start=0,
                char_end=len(text), sha256=document.sha256,
            )  # fmt: skip
            session.add_all([document, version, revision])
            session.flush()
            session.execute(
                insert(Segment),
                [
                    {"revision_id": revision.id, "position": n, "kind": "sentence",
                     "paragraph": n, "sentence": 0, "start": 0, "end": 0,
                     "text": f"{word} {n} <&>."}
                    for n in range(beads)
                ],
            )  # fmt: skip
            revisions.append(revision)
        run = AlignmentRun(
            work_id=work.id, src_revision_id=revisions[0].id, tgt_revision_id=revisions[1].id,
            method="synthetic", model="none", code_version="bench",
            summary={"beads": beads, "mean_score": 0.0},
        )  # fmt: skip
        session.add(run)
        session.flush()
        ids = {
            side: [s.id for s in revision.segments]
            for side, revision in zip(("src", "tgt"), revisions, strict=True)
        }
        links = session.scalars(
            insert(Link).returning(Link.id, sort_by_parameter_order=True),
            [
                {"run_id": run.id, "position": n, "status": "auto",
                 "score": rng.betavariate(5, 1)}
                for n in range(beads)
            ],
        ).all()  # fmt: skip
        session.execute(
            insert(LinkSegment),
            [
                {"link_id": link, "segment_id": ids[side][n], "side": side}
                for n, link in enumerate(links)
                for side in ("src", "tgt")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beads", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1938)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        db.upgrade()
        start = time.perf_counter()
        run = build(db, args.beads, args.seed)
        print(f"built a run of {args.beads} beads in {time.perf_counter() - start:.1f} s")
        client = TestClient(create_app(db, "bench"), base_url="http://127.0.0.1")
        client.headers["X-Aligner-CSRF"] = client.get("/api/session").json()["csrf_token"]
        pages = -(-args.beads // 200)

        def get(path: str) -> None:
            response = client.get(path, follow_redirects=False)
            assert response.status_code in (200, 303), response.text[:200]

        rows = [
            ("works list", lambda: get("/")),
            ("page 1 (200 beads)", lambda: get(f"/runs/{run}?page=1")),
            (f"page {pages // 2}", lambda: get(f"/runs/{run}?page={pages // 2}")),
            (f"page {pages} (last)", lambda: get(f"/runs/{run}?page={pages}")),
            ("JSON page", lambda: get(f"/api/runs/{run}?page={pages // 2}")),
            ("next low-confidence", lambda: get(f"/runs/{run}/next-low?after={args.beads // 2}")),
        ]
        print(f"\nbefore any edit ({args.repeat} runs each)")
        for name, action in rows:
            median, worst = timed(action, args.repeat)
            print(f"  {name:28} median {median:7.1f} ms   worst {worst:7.1f} ms")
        start = time.perf_counter()
        first = client.post(
            f"/api/runs/{run}/edits", json={"action": "confirm", "position": 5, "version": 0}
        )
        assert first.status_code == 200, first.text
        print(f"\nfirst edit (copies {args.beads} beads into a review run): "
              f"{(time.perf_counter() - start) * 1000:.0f} ms")  # fmt: skip
        version = 1
        edit_times = []
        for position in range(10, 10 + 2 * args.repeat, 2):
            start = time.perf_counter()
            merged = client.post(
                f"/api/runs/{run}/edits",
                json={"action": "merge", "position": position, "version": version},
            )
            assert merged.status_code == 200, merged.text
            edit_times.append((time.perf_counter() - start) * 1000)
            version += 1
        median = statistics.median(edit_times)
        print(f"later edits (merge, renumbering the beads after): median {median:.0f} ms, "
              f"worst {max(edit_times):.0f} ms")  # fmt: skip
        print("\nunder review")
        for name, action in rows[1:4]:
            median, worst = timed(action, args.repeat)
            print(f"  {name:28} median {median:7.1f} ms   worst {worst:7.1f} ms")
        db.close()


if __name__ == "__main__":
    main()
