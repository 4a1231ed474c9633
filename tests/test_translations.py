"""The Russian and Kazakh catalogues: complete, in step with the code, and actually used at run time.

The catalogues (`locale/<lang>/LC_MESSAGES/django.po`) are committed; the compiled `.mo` files are not, so
this module compiles them with Babel (as `make messages` does) when they are missing or older than the
`.po`. Checking the catalogues against the code needs GNU gettext's xgettext, which `make test` installs.
"""

import gettext as gettext_module
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from portfolio.models import Fund, Stage
from tests.factories import FundFactory

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
LANGUAGES = ("ru", "kk")
PLURAL_FORMS = {
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) "
        "? 1 : 2);"
    ),
    "kk": "nplurals=2; plural=(n!=1);",
}
# What the repository's makemessages run leaves out (see the Makefile), plus what never holds source.
NOT_SCANNED = (
    ".venv",
    "node_modules",
    "staticfiles",
    ".tmp",
    ".git",
    "locale",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "test-results",
    "bench-results",
    "db.sqlite3",
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def load_catalogue(path: Path):
    with path.open("rb") as po_file:
        return read_po(po_file)


def entries(catalogue):
    """Every message of the catalogue but the header."""
    return [message for message in catalogue if message.id]


def key(message) -> str:
    """A readable identity of a message: its context (if any), msgid and msgid_plural."""
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    text = " | ".join(ids)
    return f"[{message.context}] {text}" if message.context else text


def translations(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def placeholders(text: str) -> tuple[list[str], int]:
    """The %-placeholders of a string (sorted) and how many literal `%%` it holds."""
    literal = text.count("%%")
    return sorted(PLACEHOLDER.findall(text.replace("%%", ""))), literal


def listing(items) -> str:
    return "\n  ".join(items) if items else "(none)"


def reset_django_translations():
    """Forget every catalogue loaded so far (what Django's autoreloader does when a .mo changes)."""
    gettext_module._translations.clear()
    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = trans_real.Local()


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """Compile the catalogues with Babel, as `make messages` does, if a .mo is missing or stale."""
    stale = [
        lang
        for lang in LANGUAGES
        if not po_path(lang).with_suffix(".mo").exists()
        or po_path(lang).with_suffix(".mo").stat().st_mtime < po_path(lang).stat().st_mtime
    ]
    if stale:
        pybabel = Path(sys.executable).with_name("pybabel")
        result = subprocess.run(
            [str(pybabel), "compile", "--domain=django", f"--directory={LOCALE_DIR}"],
            capture_output=True,
            text=True,
            check=False,
        )
        for lang in stale:
            mo = po_path(lang).with_suffix(".mo")
            assert mo.exists() and mo.stat().st_mtime >= po_path(lang).stat().st_mtime, (
                f"pybabel compile did not write {mo}:\n{result.stdout}\n{result.stderr}"
            )
        reset_django_translations()
    yield


@pytest.fixture(scope="module")
def extracted_catalogues(tmp_path_factory):
    """Run makemessages over a copy of the project, with the committed catalogues, and read the result."""
    if shutil.which("xgettext") is None:
        pytest.fail(
            "GNU gettext (xgettext) is not installed, so the catalogues cannot be checked against the code. "
            "`make test` installs it (scripts/with-services.sh); or run `apt-get install gettext`."
        )
    project = tmp_path_factory.mktemp("makemessages") / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(*NOT_SCANNED))
    for lang in LANGUAGES:
        target = project / "locale" / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy2(po_path(lang), target / "django.po")
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete"]
    command += [f"--locale={lang}" for lang in LANGUAGES]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    return {
        lang: load_catalogue(project / "locale" / lang / "LC_MESSAGES" / "django.po") for lang in LANGUAGES
    }


# --- the catalogues themselves ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_header_declares_its_language_plural_forms_and_utf8(lang):
    catalogue = load_catalogue(po_path(lang))
    headers = dict(catalogue.mime_headers)
    assert headers["Language"] == lang
    assert headers["Plural-Forms"] == PLURAL_FORMS[lang]
    assert headers["Content-Type"].lower() == "text/plain; charset=utf-8"
    assert not catalogue.fuzzy, "The header is marked fuzzy: compilers would skip the whole catalogue."


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_of_the_catalogue_is_translated_and_none_is_fuzzy(lang):
    catalogue = load_catalogue(po_path(lang))
    assert entries(catalogue), f"The {lang} catalogue is empty."
    untranslated = [key(m) for m in entries(catalogue) if not all(s.strip() for s in translations(m))]
    fuzzy = [key(m) for m in entries(catalogue) if m.fuzzy]
    assert not untranslated, f"Untranslated in {lang}:\n" + "\n".join(untranslated)
    assert not fuzzy, f"Fuzzy (ignored at run time) in {lang}:\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plural_entry_has_as_many_forms_as_the_language_needs(lang):
    catalogue = load_catalogue(po_path(lang))
    wrong = [
        key(m) for m in entries(catalogue) if m.pluralizable and len(translations(m)) != catalogue.num_plurals
    ]
    assert not wrong, f"Plural entries without {catalogue.num_plurals} forms in {lang}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_msgid(lang):
    problems = []
    for message in entries(load_catalogue(po_path(lang))):
        source = message.id[-1] if message.pluralizable else message.id
        expected = placeholders(source)
        for text in translations(message):
            if placeholders(text) != expected:
                problems.append(f"{key(message)!r} -> {text!r}")
    assert not problems, f"Placeholders changed in {lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_passes_gnu_gettexts_format_check(lang):
    if shutil.which("msgfmt") is None:
        pytest.fail(
            "GNU gettext (msgfmt) is not installed; `make test` installs it (scripts/with-services.sh)."
        )
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(po_path(lang))],
        capture_output=True,
        text=True,
        check=False,
    )
    # xgettext takes a literal "% o" (as in "% of target") for a placeholder; such a msgid is never
    # %-formatted, so the fix is in the code: reword it, or put `# xgettext:no-python-format` before it.
    literal_percent = [
        f"{key(m)!r} at " + ", ".join(f"{path}:{line}" for path, line in m.locations)
        for m in entries(load_catalogue(po_path(lang)))
        if "python-format" in m.flags and "%" in str(m.id) and not placeholders(str(m.id))[0]
    ]
    assert result.returncode == 0, (
        f"msgfmt --check rejects the {lang} catalogue:\n{result.stderr}\n"
        "Marked python-format only because of a literal '%':\n  " + "\n  ".join(literal_percent)
    )


def test_the_catalogues_hold_exactly_the_strings_marked_for_translation_in_the_code(extracted_catalogues):
    for lang in LANGUAGES:
        committed = {key(m) for m in entries(load_catalogue(po_path(lang)))}
        in_code = {key(m) for m in entries(extracted_catalogues[lang])}
        missing = sorted(in_code - committed)
        stale = sorted(committed - in_code)
        assert not missing and not stale, (
            f"The {lang} catalogue is out of date; run `make makemessages` and translate.\n"
            f"Marked in the code but missing from the catalogue:\n  {listing(missing)}\n"
            f"In the catalogue but no longer in the code:\n  {listing(stale)}"
        )


def test_makemessages_keeps_every_committed_translation(extracted_catalogues):
    for lang in LANGUAGES:
        committed = {key(m): translations(m) for m in entries(load_catalogue(po_path(lang)))}
        changed = [
            key(m)
            for m in entries(extracted_catalogues[lang])
            if key(m) in committed and (m.fuzzy or translations(m) != committed[key(m)])
        ]
        assert not changed, f"makemessages would change or fuzzy these {lang} entries:\n" + "\n".join(changed)


# --- the translations at run time ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "log_in", "heading"),
    [
        ("ru", "Войти", "Вход в fundtracker"),
        ("kk", "Кіру", "fundtracker жүйесіне кіру"),
        ("en", "Log in", "Log in to fundtracker"),
    ],
)
def test_the_login_page_speaks_the_language_the_browser_asks_for(client, lang, log_in, heading):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=lang)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in body
    assert f'value="{log_in}"' in body
    assert heading in body


@pytest.mark.django_db
def test_the_language_chosen_in_the_switcher_wins_over_the_browser(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'value="Кіру"' in body


@pytest.mark.django_db
def test_a_model_validation_message_comes_out_in_russian():
    fund = FundFactory.build(project_band_min=20, project_band_max=15)
    with translation.override("ru"):
        with pytest.raises(ValidationError) as raised:
            fund.full_clean()
        messages = raised.value.message_dict
    assert messages["project_band_max"] == ["Максимальное число проектов не может быть меньше минимального."]


def test_stage_names_and_model_names_read_in_kazakh():
    with translation.override("kk"):
        assert [str(label) for label in Stage.labels] == [
            "Әзірлеу",
            "Дайындық кезеңі",
            "Өндіріс (негізгі түсірілім)",
            "Постөндіріс",
            "Материалдарды тапсыру",
            "Шығарылды",
            "Тоқтатылды",
        ]
        assert str(Fund._meta.verbose_name) == "қор"
        assert str(Fund._meta.get_field("target_size").verbose_name) == "мақсатты көлем"
