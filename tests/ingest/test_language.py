"""Language guessing from function words, on texts written here and the conformance files."""

from __future__ import annotations

import pytest

from tests.conftest import CONFORMANCE
from themeqa.ingest.language import detect_language

SAMPLES = {
    "en": "I think that it was the first time I could see her face, and it was warm and kind. "
          "We sat there for a while and nobody said anything, but it was not awkward at all.",
    "fr": "Je pense que c'était la première fois que je voyais son visage, et il était doux. "
          "Nous sommes restés là un moment et personne n'a rien dit, mais ce n'était pas gênant.",
    "de": "Ich glaube, dass es das erste Mal war, dass ich ihr Gesicht sehen konnte, und es war "
          "warm. Wir saßen eine Weile da und niemand sagte etwas, aber es war nicht unangenehm.",
    "nl": "Ik denk dat het de eerste keer was dat ik haar gezicht kon zien, en het was warm. "
          "We zaten daar een tijdje en niemand zei iets, maar het was helemaal niet ongemakkelijk.",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_each_language_is_recognised(lang):
    assert detect_language(SAMPLES[lang]) == lang


def test_short_or_empty_texts_keep_the_default():
    assert detect_language("Hard to picture.") == "en"
    assert detect_language("Sehr schön.", default="de") == "de"
    assert detect_language("12 34 56 " * 30) == "en"


@pytest.mark.conformance
@pytest.mark.parametrize(("name", "lang"), [
    ("fr_mlss_interview02_cp1252_crlf.txt", "fr"),
    ("de_haski_interview1.docx", "de"),
    ("nl_thesis_int3_headings.md", "nl"),
    ("en_mlss_interview12.txt", "en"),
])
def test_conformance_transcripts_by_language(name, lang):
    path = CONFORMANCE / "transcripts" / "good" / name
    if not path.exists():
        pytest.skip("../shared/conformance is absent")
    from themeqa.ingest.readers import read_source

    src = read_source(path)
    assert detect_language(" ".join(d.text for d in src.documents)) == lang
