"""Benchmark: the coding screen on a 50,000-word transcript with 2,000 codings across 60 codes,
and the documents list of a 2,000-document project (issue 4's speed targets).

Run: ``.venv/bin/python bench/bench_tui.py`` (about a minute; builds its projects in a
temporary directory, seeded).

How it measures: the real app runs headless under Pilot. Each interaction's latency is the
time from posting the key (or opening the screen) to the *last* screen update it caused,
taken from a wrapper around ``App._display`` that also turns the update into terminal bytes
(what a real terminal driver would write), so rendering is included. Pilot's idle waits add
no screen updates, so they do not count. Ratios are against baselines measured in the same
run, since this machine is shared and noisy:

* first paint of the coding screen  vs  first paint of a screen with one Static;
* cursor move / apply / undo         vs  a cursor move in a plain TextArea holding the same
  text with no codings (the cost of highlighting, side panel and tree on top of Textual);
* documents list (2,000 rows)       vs  a stock DataTable given the same 2,000 rows of
  literal strings, measured the same way (the cost of the query and the screen on top of
  Textual's table).

Opening a list is timed as a coder sees it, with no repaint forced (``fill_timing``): until
the first screenful is in the bytes written to the terminal, until every row is in the
table, and the longest freeze of the event loop meanwhile (``StallMeter``: nothing, not
even a key, is handled while the loop is blocked). A filter keystroke and a cursor move in
the list are timed like the coding screen's keys.

Since the coding screen reads text and codings in one pass and shows them in one render,
"text shown" and "first paint (with codings)" measure the same moment (two samples of it).

Targets (issue 4): first paint < 1 s, p95 < 50 ms for cursor move, apply and undo, the
2,000-document list < 1 s, and the UI never frozen while rows arrive.
"""

from __future__ import annotations

import asyncio
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

_VOCAB = (
    "I felt warm and safe but then the image went away and I could not hold it my gran "
    "kitchen kind voice fear trust hard easy calm breath body heavy light imagine compassion "
    "picture someone face friend tired busy really quite sort of think know because never "
    "always sometimes"
)
WORDS = tuple(_VOCAB.split())
N_WORDS = 50_000
N_CODINGS = 2_000
N_DOCS = 2_000
SEED = 20261123


# ------------------------------------------------------------------------------- fixtures


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    return " ".join(words).capitalize() + rng.choice(".?!")


def build_transcript_project(root: Path) -> tuple[Path, str]:
    """One transcript of N_WORDS words, a 60-code codebook, N_CODINGS codings (coder bench)."""
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.codings import import_codings
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants
    from themeqa.services.project import open_project

    rng = random.Random(SEED)
    files = root / "files"
    files.mkdir(parents=True)
    (files / "participants.csv").write_text(
        "id,condition,session,timepoints\n"
        + "".join(f"P{i:02d},M,S1,initial\n" for i in range(1, 21)), encoding="utf-8")
    # 12 superordinate themes with 4 subordinate themes each = 60 codes
    lines = ["codebook: bench", "title: Bench codebook", "description: generated", "themes:"]
    labels = []
    for t in range(1, 13):
        lines += [f"  - label: '{t}'", f"    name: Theme {t}",
                  f"    definition: Generated theme {t} about {rng.choice(WORDS)}",
                  "    children:"]
        labels.append(str(t))
        for c in "abcd":
            lines += [f"      - label: {t}{c}", f"        name: Sub theme {t}{c}",
                      f"        definition: Part of theme {t}, {rng.choice(WORDS)}"]
            labels.append(f"{t}{c}")
    (files / "codebook.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    parts, words = ["Session S1 (generated)\n\n"], 0
    turns = []  # (content start, end)
    pos = len(parts[0])
    while words < N_WORDS:
        speaker = "Facilitator" if rng.random() < 0.2 else f"P{rng.randint(1, 20):02d}"
        body = " ".join(_sentence(rng) for _ in range(rng.randint(1, 5)))
        label = f"{speaker}: "
        turns.append((pos + len(label), pos + len(label) + len(body)))
        chunk = label + body + "\n\n"
        parts.append(chunk)
        pos += len(chunk)
        words += len(body.split())
    text = "".join(parts)
    name = "S1_bench.txt"
    (files / name).write_text(text, encoding="utf-8")
    with (files / "codings.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["document", "start", "end", "code", "coder", "layer", "quote"])
        for _ in range(N_CODINGS):
            a, b = rng.choice(turns)
            s = rng.randint(a, max(a, b - 20))
            e = min(b, s + rng.randint(20, 400))
            w.writerow([name, s, e, rng.choice(labels), "bench", "coder", 0])
    project = open_project(root / "project", create=True, actor="bench")
    try:
        import_participants(project, files / "participants.csv")
        import_codebook(project, files / "codebook.yaml")
        import_files(project, [files / name], session="S1", timepoint="initial",
                     kind="transcript")
        import_codings(project, files / "codings.csv")
    finally:
        project.close()
    return root / "project", name


def build_documents_project(root: Path) -> Path:
    """N_DOCS written responses: 400 participants x 5 questions."""
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants
    from themeqa.services.project import open_project

    rng = random.Random(SEED + 1)
    files = root / "files"
    files.mkdir(parents=True)
    n_people = N_DOCS // 5
    (files / "participants.csv").write_text(
        "id,condition,session,timepoints\n"
        + "".join(f"P{i:03d},{'MI'[i % 2]},S{i % 20 + 1},initial\n"
                  for i in range(1, n_people + 1)), encoding="utf-8")
    with (files / "written.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["participant", "q1", "q2", "q3", "q4", "q5"])
        for i in range(1, n_people + 1):
            w.writerow([f"P{i:03d}", *(_sentence(rng) + " " + _sentence(rng)
                                       for _ in range(5))])
    project = open_project(root / "project", create=True, actor="bench")
    try:
        import_participants(project, files / "participants.csv")
        import_files(project, [files / "written.csv"], timepoint="initial", kind="written")
    finally:
        project.close()
    return root / "project"


# ------------------------------------------------------------------------------- timing


class Stamps:
    """Wraps ``App._display`` so each screen update is also turned into terminal bytes."""

    def __init__(self, app) -> None:
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)

        app._display = display


async def press(app, key: str) -> None:
    """Dispatch a key the way the app does for bindings (priority ones first)."""
    if not await app._check_bindings(key, priority=True):
        await app._check_bindings(key)


async def latency(pilot, act, done=None) -> float:
    """Seconds from the action to the end of the screen update that shows its result.

    Pilot's idle waits (20 ms sleeps) are kept outside the timed region: the action runs,
    queued messages are handled, background work is awaited with ``done``, then the screen
    update is forced (what Textual's refresh timer would do) and rendered to bytes.
    """
    app = pilot.app
    await pilot.pause()
    t0 = time.perf_counter()
    await act()
    if done is not None:
        for _ in range(20_000):
            if done():
                break
            await asyncio.sleep(0.001)
    for _ in range(10):
        await asyncio.sleep(0)
    app.screen._on_timer_update()
    return time.perf_counter() - t0


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


# ------------------------------------------------------------------------------- scenarios


async def baseline_paint() -> list[float]:
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Static

    class Plain(Screen):
        def compose(self):
            yield Static("themeqa")

    out = []
    app = App()
    async with app.run_test(size=(150, 40)) as pilot:
        Stamps(app)
        for _ in range(5):
            out.append(await latency(pilot, lambda: app.push_screen(Plain())))
            app.pop_screen()
    return out


async def baseline_textarea(text: str, moves: int) -> tuple[list[float], list[float]]:
    """A stock read-only TextArea with the same text: first paint, then cursor moves."""
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import TextArea

    class Plain(Screen):
        def compose(self):
            yield TextArea(text, read_only=True, soft_wrap=True, id="plain")

    app = App()
    paint, moves_out = [], []
    async with app.run_test(size=(150, 40)) as pilot:
        Stamps(app)
        for _ in range(3):
            async def push() -> None:
                await app.push_screen(Plain())

            paint.append(await latency(pilot, push))
            app.pop_screen()
        await app.push_screen(Plain())
        await pilot.pause()
        app.screen.query_one(TextArea).focus()
        for i in range(moves):
            key = "down" if i % 4 else "right"
            moves_out.append(await latency(pilot, lambda k=key: press(app, k)))
    return paint, moves_out


# ------------------------------------------------------------------------ the documents list


class FrameWatch:
    """Like ``Stamps``, and notes when a given text first reaches the terminal bytes.

    Why: "the first screenful is shown" must mean the rows are on screen, not that they were
    handed to a widget that still has to measure them before it can paint.
    """

    def __init__(self, app) -> None:
        self.needle: str | None = None
        self.seen: float | None = None
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                data = renderable.render_segments(app.console)
                if self.seen is None and self.needle is not None and self.needle in data:
                    self.seen = time.perf_counter()

        app._display = display


class StallMeter:
    """How long the event loop went without running a task that asks to wake every ms.

    Keys, mouse and repaints are handled on that loop, so a gap is how long the screen was
    frozen: what a coder feels while rows are still arriving.
    """

    def __init__(self) -> None:
        self.gaps: list[tuple[float, float]] = []
        self._last = 0.0
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self.gaps, self._last = [], time.perf_counter()
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.gaps.append((self._last, now))
            self._last = now

    def stop(self) -> None:
        """Stop, closing the gap still open (the loop may be just leaving a stall)."""
        if self._task is not None:
            self._task.cancel()
        self.gaps.append((self._last, time.perf_counter()))

    def worst_after(self, t: float) -> float:
        """The longest freeze after time ``t`` (a gap spanning ``t`` counts from ``t``)."""
        return max((end - max(start, t) for start, end in self.gaps if end > t), default=0.0)


async def fill_timing(pilot, watch: FrameWatch, push, needle: str, full) -> tuple:
    """Open a screen of rows as a coder would and time it without forcing any repaint.

    Returns a dict: ``first`` when a frame written to the terminal holds ``needle`` (a row
    near the bottom of the first screenful); ``full`` when ``full()`` is true (every row
    added and measured, so the scrollbar and End reach the last one); ``stall`` the longest
    the UI was frozen after the first screenful appeared, until both; ``freeze`` the longest
    from the push on (a table that shows nothing until it has measured everything freezes
    before its first screenful, which ``stall`` alone would not see).
    """
    await pilot.pause()
    meter = StallMeter()
    watch.needle, watch.seen = needle, None
    meter.start()
    await asyncio.sleep(0.01)
    t0 = time.perf_counter()
    await push()
    t_full = None
    for _ in range(120_000):
        if t_full is None and full():
            t_full = time.perf_counter()
        if t_full is not None and watch.seen is not None:
            break
        await asyncio.sleep(0.001)
    meter.stop()
    seen, watch.needle = watch.seen, None
    if t_full is None or seen is None:
        raise RuntimeError("the rows never arrived")
    return {"first": seen - t0, "full": t_full - t0, "stall": meter.worst_after(seen),
            "freeze": meter.worst_after(t0)}


_FILL = ("first", "full", "stall", "freeze")


def _table_full(screen, n: int, selector: str = "DataTable") -> bool:
    """Every row of ``n`` added and measured: the table's scrollable height holds them all."""
    try:
        table = screen.query_one(selector)
    except Exception:
        return False
    return table.row_count >= n and table.virtual_size.height >= n + 1


async def baseline_table(rows: list[tuple], needle: str, moves: int = 20,
                         ) -> dict[str, list[float]]:
    """A stock DataTable given the same rows as literal strings in one ``add_rows``;
    then cursor moves in it (the baseline for moving and filtering in the list)."""
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import DataTable

    class Table(Screen):
        def compose(self):
            yield DataTable()

        def on_mount(self):
            t = self.query_one(DataTable)
            t.add_columns(*(f"c{i}" for i in range(len(rows[0]))))
            t.add_rows(rows)

    app = App()
    out: dict[str, list[float]] = {k: [] for k in (*_FILL, "move")}
    async with app.run_test(size=(150, 40)) as pilot:
        watch = FrameWatch(app)
        for _ in range(3):
            screen = Table()

            async def push(screen=screen) -> None:
                app.push_screen(screen)

            timing = await fill_timing(
                pilot, watch, push, needle, lambda s=screen: _table_full(s, len(rows)))
            for k in _FILL:
                out[k].append(timing[k])
            if len(out["first"]) < 3:
                app.pop_screen()
        screen.query_one(DataTable).focus()
        for _ in range(moves):
            out["move"].append(await latency(pilot, lambda: press(app, "down")))
    return out


async def coding_screen(project: Path, name: str, moves: int, applies: int) -> dict:
    from themeqa.tui.app import ThemeqaApp
    from themeqa.tui.components.coding_screen import CodingScreen
    from themeqa.tui.gateway import ServicesGateway

    app = ThemeqaApp(ServicesGateway(project, None, "bench"), "bench")
    res: dict[str, list[float]] = {"text": [], "paint": [], "move": [], "apply": [],
                                   "undo": []}
    async with app.run_test(size=(150, 40)) as pilot:
        Stamps(app)
        for what, ready in (("text", "text_shown"), ("paint", "loaded")) * 3:
            def opened(ready=ready) -> bool:
                return isinstance(app.screen, CodingScreen) and getattr(app.screen, ready)

            async def open_() -> None:
                app.open_document(name)

            res[what].append(await latency(pilot, open_, opened))
            await pilot.pause()
            for _ in range(400):
                if app.screen.loaded:
                    break
                await asyncio.sleep(0.01)
            text = app.screen.doc_view.text
            app.pop_screen()
        app.open_document(name)
        for _ in range(400):
            if isinstance(app.screen, CodingScreen) and app.screen.loaded:
                break
            await asyncio.sleep(0.01)
        screen = app.screen
        await pilot.pause()
        screen.doc_view.cursor_blink = False
        for i in range(moves):
            key = "down" if i % 4 else "right"
            res["move"].append(await latency(pilot, lambda k=key: press(app, k)))
        for _ in range(applies):
            await pilot.press("n", "t")
            if not screen.recent:
                await pilot.press("c", "1", "a", "enter")  # the first code, via the palette
                await pilot.press("n", "t")
            res["apply"].append(await latency(pilot, lambda: press(app, "alt+1")))
            if screen.services.has_service("undo", "undo"):
                v = screen.version
                res["undo"].append(await latency(pilot, lambda: press(app, "ctrl+z"),
                                                 lambda v=v: screen.version > v))
    return res | {"document": text}


async def documents_list(project: Path, moves: int = 20,
                         ) -> tuple[dict[str, list[float]], list[tuple], str]:
    """Opening the documents screen on N_DOCS documents, timed by ``fill_timing``; then
    cursor moves, and filter edits (each a keystroke's worth: the list re-filtered, shown).

    Also returns the rows as strings and the needle, for the baseline table.
    """
    from themeqa.tui.app import ThemeqaApp
    from themeqa.tui.components.documents_screen import DocumentsScreen, _row
    from themeqa.tui.gateway import ServicesGateway

    app = ThemeqaApp(ServicesGateway(project, None, "bench"), "bench")
    out: dict[str, list[float]] = {k: [] for k in (*_FILL, "move", "filter")}
    async with app.run_test(size=(150, 40)) as pilot:
        watch = FrameWatch(app)
        rows = [tuple(str(v) for v in _row(d)) for d in app.services.documents("bench")]
        needle = rows[29][0]  # the 30th document: near the bottom of the first screenful
        for _ in range(1200):  # let the start screen finish, so it does not share the loop
            if _table_full(app.screen, len(rows), "#documents"):
                break
            await asyncio.sleep(0.05)
        for _ in range(3):
            screen = DocumentsScreen()

            async def push(screen=screen) -> None:
                app.push_screen(screen)

            timing = await fill_timing(
                pilot, watch, push, needle,
                lambda s=screen: _table_full(s, len(rows), "#documents"))
            for k in _FILL:
                out[k].append(timing[k])
            if len(out["first"]) < 3:
                app.pop_screen()
        table = screen.query_one("#documents")
        for _ in range(moves):
            out["move"].append(await latency(pilot, lambda: press(app, "down")))
        flt = screen.query_one("#filter")
        # typing "p1", "p12", deleting back to "" (every document again): each edit
        # changes the number of rows, which is how ``latency`` knows it was handled
        for text in ("p1", "p12", "p1", "") * max(1, moves // 4):
            need = sum(all(w in " ".join(r).casefold() for w in text.split()) for r in rows)

            async def edit(text=text) -> None:
                flt.value = text

            out["filter"].append(await latency(
                pilot, edit, lambda need=need: table.row_count == need))
    return out, rows, needle


def main() -> None:
    moves = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    applies = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        project, name = build_transcript_project(Path(tmp) / "one")
        docs_project = build_documents_project(Path(tmp) / "many")
        print(f"built projects in {time.perf_counter() - t0:.1f} s "
              f"({N_WORDS:,} words, {N_CODINGS:,} codings, 60 codes; {N_DOCS:,} documents)")
        base_paint = asyncio.run(baseline_paint())
        res = asyncio.run(coding_screen(project, name, moves, applies))
        base_text, base_move = asyncio.run(baseline_textarea(res.pop("document"), moves))
        docs, rows, needle = asyncio.run(documents_list(docs_project))
        base_table = asyncio.run(baseline_table(rows, needle))

    def row(label, xs, base, target):
        if not xs:
            print(f"{label:44} {'(service missing)':>40}")
            return
        med, hi = statistics.median(xs), p95(xs)
        ratio = med / statistics.median(base)
        print(f"{label:44} {len(xs):4d} {med * 1000:9.1f} {hi * 1000:9.1f} {ratio:8.1f}  "
              f"{target}")

    print(f"\n{'measure (latency to last screen update)':44} {'n':>4} {'median ms':>9} "
          f"{'p95 ms':>9} {'ratio':>8}  target")
    row("baseline: first paint, one Static", base_paint, base_paint, "")
    row("baseline: first paint, stock TextArea, same text", base_text, base_paint, "")
    row("coding screen: text shown", res["text"], base_paint, "")
    row("coding screen first paint (with codings)", res["paint"], base_paint, "< 1000 ms")
    row("baseline: cursor move, plain TextArea", base_move, base_move, "")
    row("cursor move (coding screen)", res["move"], base_move, "p95 < 50 ms")
    row("apply code (quick key, committed)", res["apply"], base_move, "p95 < 50 ms")
    row("undo (ctrl+z, patched)", res["undo"], base_move, "p95 < 50 ms")
    # each against the same measure of a stock DataTable holding the same rows
    for key, what, target in (("first", "first screenful shown", "< 1000 ms"),
                              ("full", f"all {N_DOCS:,} rows in", ""),
                              ("freeze", "longest freeze, opening", ""),
                              ("stall", "freeze after 1st screen", "< 50 ms"),
                              ("move", "cursor move", "p95 < 50 ms")):
        row(f"DataTable baseline: {what}", base_table[key], base_table[key], "")
        row(f"documents list: {what}", docs[key], base_table[key], target)
    row("documents list: filter keystroke", docs["filter"], base_table["move"], "p95 < 50 ms")


if __name__ == "__main__":
    main()
