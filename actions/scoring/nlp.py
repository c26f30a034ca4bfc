"""Lazy, cached jieba + spaCy start-up.

Importing :mod:`actions.scoring` stays cheap; the first reply scored pays for
loading jieba's dictionary, the domain dictionary and spaCy (about a second or
more, since spaCy's thinc probes for TensorFlow).  Everything after that reuses
the same objects.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    from spacy.language import Language
    from spacy.tokens import Doc

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DICTIONARY_DIR = PROJECT_ROOT / "data" / "dictionary"

_lock = threading.Lock()
logger = logging.getLogger(__name__)


def dictionary_files(directory: Path = DICTIONARY_DIR) -> list[Path]:
    """jieba user dictionaries of the project, in a stable order."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.txt"))


@lru_cache(maxsize=1)
def jieba_tokenizer() -> Any:
    """A dedicated jieba tokenizer with the domain dictionary loaded.

    A private instance keeps the scorer's dictionary from changing how other
    code in the same process (e.g. Rasa's JiebaTokenizer) segments text.
    """
    import jieba

    with _lock:
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for path in dictionary_files():
            try:
                tokenizer.load_userdict(str(path))
            except Exception as error:  # a bad line must not stop scoring
                logger.warning("跳过无法加载的词典 %s:%s", path, error)
        return tokenizer


class _Segmenter:
    """jieba without its HMM guesser: dictionary words only, faster and stable."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def cut(self, text: str, cut_all: bool = False) -> Any:
        return self.tokenizer.cut(text, cut_all=cut_all, HMM=False)


@lru_cache(maxsize=1)
def spacy_nlp() -> "Language":
    """A blank Chinese spaCy pipeline whose segmenter is our jieba tokenizer."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # spaCy's thinc imports TF
    import spacy

    tokenizer = jieba_tokenizer()
    with _lock:
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        # spaCy calls jieba_seg.cut(text, cut_all=False): hand it our instance.
        nlp.tokenizer.jieba_seg = _Segmenter(tokenizer)
        return nlp


def make_doc(text: str) -> "Doc":
    return spacy_nlp().make_doc(text)


def segment(text: str) -> list[str]:
    """jieba words of ``text`` (what the spaCy pipeline's tokenizer produces)."""
    return list(jieba_tokenizer().cut(text, cut_all=False, HMM=False))


def doc_from_words(words: list[str]) -> "Doc":
    """A spaCy Doc of already segmented words (skips re-aligning them to text)."""
    from spacy.tokens import Doc

    return Doc(spacy_nlp().vocab, words=words, spaces=[False] * len(words))


def warm_up() -> None:
    """Load everything now (e.g. when the action server starts)."""
    make_doc("您好,欢迎光临")
