"""Process-wide handles the actions share: records database, scenario library, settings.

Created lazily (rasa-sdk imports every module at start-up) and reused across requests.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Optional, Tuple

from actions.records import default_records as records  # noqa: F401 - re-exported
from actions.scenarios import ScenarioLibrary, default_scenarios_dir, load_scenarios

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_library: Optional[Tuple[Tuple, ScenarioLibrary]] = None


def store_name() -> str:
    return os.environ.get("STORE_NAME", "欧派")


def _scenario_signature(folder: Path) -> Tuple:
    # Trainers edit scenario files while the server runs: reload when any file changes.
    return tuple(
        sorted(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.glob("*.y*ml")
        )
    )


def scenario_library() -> ScenarioLibrary:
    global _library
    folder = default_scenarios_dir()
    signature = (str(folder), _scenario_signature(folder))
    with _lock:
        if _library is None or _library[0] != signature:
            _library = (signature, load_scenarios(folder))
        return _library[1]


_warm_started = threading.Event()
_warm_done = threading.Event()


def warm_up_in_background() -> None:
    """Load spaCy, jieba, the catalogue and the scenarios before the first trainee waits for them.

    rasa-sdk has no start-up hook; the glue modules call this when the action server imports them.
    """
    if _warm_started.is_set():
        return
    _warm_started.set()

    def work() -> None:
        try:
            from actions.scoring import load_catalogue, score_reply
            from actions.scoring.nlp import warm_up

            warm_up()
            load_catalogue()
            scenario_library()
            score_reply("bargain", "实在对不起,本店实行的是统一定价制度。")
        except Exception:  # noqa: BLE001 - the first real request reports the problem itself
            logger.exception("warm-up failed")
        finally:
            _warm_done.set()

    threading.Thread(target=work, name="warm-up", daemon=True).start()


def wait_until_warm(timeout: float = 60.0) -> None:
    """Requests wait for a running warm-up: importing spaCy from two threads at once breaks."""
    if _warm_started.is_set():
        _warm_done.wait(timeout)
