"""The catalogues stay in step with the code, and no template shows a person text that is not marked
for translation.

Template check: every template is cut into tokens by Django's own lexer; a text token outside
{% translate %} / {% blocktranslate %} (and outside {% comment %}) that still holds a letter, once
its HTML tags, entities and placeholders are taken out, is an unmarked string. Text in the
attributes people read (aria-label, title, alt, placeholder) counts too."""

import re
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType

BASE_DIR = Path(settings.BASE_DIR)
LANGUAGES = ["ru", "fa"]
# The same as `make messages` (Makefile).
MAKEMESSAGES_IGNORE = ["tests/*", "scripts/*", "staticfiles/*", "media/*"]
# Where marked strings live (what `make messages` reads, tests and scripts aside), and the catalogues.
# The project's own apps come from INSTALLED_APPS, so a new app cannot be left out.
PROJECT_APPS = sorted(
    {
        Path(app.path).relative_to(BASE_DIR).parts[0]
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(BASE_DIR)
    }
    - {".venv"}  # installed packages, when the virtual environment lives in the checkout
)
SOURCE_DIRS = [*PROJECT_APPS, "strategy_tracker", "templates", "locale"]

# Template directories, each checked on its own: a directory whose strings another branch is still
# marking is skipped here, with the reason, until it lands.
TEMPLATE_DIRS = {"templates": None} | {
    f"{app}/templates": None for app in PROJECT_APPS if (BASE_DIR / app / "templates").is_dir()
}

TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
LETTER = re.compile(r"[^\W\d_]")
READ_ATTRIBUTES = re.compile(r"""\b(aria-label|title|alt|placeholder)\s*=\s*["']([^"']*)["']""")
CODE = re.compile(r"\b\d+(\.\d+)*\.[a-z]\b")  # logframe codes such as 1.1.1.a are not words
PLACEHOLDER = "\x00"
# Text that is not language: none so far. Add an entry only with the reason it needs no translation
# (a code, a unit symbol, a name that is the same in every language).
ALLOWED = {
    "--",  # the e-mail signature separator
}


def unmarked_strings(source: str) -> list[str]:
    # The template as a reader's text: marked text and every {{ }} / {% %} become a placeholder
    # (no letter), so that tags split by a placeholder (<a href="{{ url }}">) are still whole tags.
    parts, depth, in_comment = [], 0, False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            in_comment = {"comment": True, "endcomment": False}.get(name, in_comment)
            depth += {"blocktranslate": 1, "blocktrans": 1, "endblocktranslate": -1, "endblocktrans": -1}.get(
                name, 0
            )
        if token.token_type == TokenType.TEXT and not depth and not in_comment:
            parts.append(token.contents)
        else:
            parts.append(PLACEHOLDER)
    text = "".join(parts)
    found = [value.strip() for _name, value in READ_ATTRIBUTES.findall(text) if LETTER.search(value)]
    text = CODE.sub(" ", ENTITY.sub(" ", TAG.sub(" ", text)))
    for piece in (p.strip() for p in re.split(rf"[\s{PLACEHOLDER}]{{2,}}|\n|{PLACEHOLDER}", text)):
        if piece and piece not in ALLOWED and LETTER.search(piece):
            found.append(piece)
    return found


def templates_in(directory: str) -> list[Path]:
    root = BASE_DIR / directory
    return sorted(p for p in root.rglob("*") if p.suffix in (".html", ".txt"))


@pytest.mark.parametrize("directory", list(TEMPLATE_DIRS))
def test_every_template_string_is_marked_for_translation(directory):
    if TEMPLATE_DIRS[directory]:
        pytest.skip(TEMPLATE_DIRS[directory])
    problems = {
        str(path.relative_to(BASE_DIR)): strings
        for path in templates_in(directory)
        if (strings := unmarked_strings(path.read_text()))
    }
    assert problems == {}, "wrap these in {% translate %} or {% blocktranslate %}"


def test_the_check_finds_unmarked_text_and_passes_marked_text():
    assert unmarked_strings("<p>Not marked</p>") == ["Not marked"]
    assert unmarked_strings('<nav aria-label="Site">') == ["Site"]
    assert unmarked_strings("<li>{{ n }} activities</li>") == ["activities"]
    assert unmarked_strings('{% load i18n %}<p>{% translate "Marked" %}</p>') == []
    assert unmarked_strings("{% blocktranslate %}All <b>{{ x }}</b> marked{% endblocktranslate %}") == []
    assert unmarked_strings("<p>{{ a }} – {{ b }} &amp; (1.1.1.a)</p>") == []
    assert unmarked_strings("{% comment %}A note for developers{% endcomment %}") == []


def _msgids(path: Path) -> set[tuple]:
    with path.open("rb") as f:
        catalog = read_po(f)
    return {
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id
    }


def test_the_catalogues_are_up_to_date_with_the_code(tmp_path, monkeypatch):
    """`make messages` would change nothing: every marked string has its entry, and no entry is stale.
    It runs on a copy of the code and catalogues, so the committed files are never touched."""
    for name in SOURCE_DIRS:
        shutil.copytree(
            BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages", locale=LANGUAGES, no_location=True, ignore_patterns=MAKEMESSAGES_IGNORE, verbosity=0
    )
    for language in LANGUAGES:
        committed = BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
        fresh = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
        assert committed.exists(), f"no catalogue for {language}: run `make messages`"
        missing = _msgids(fresh) - _msgids(committed)
        stale = _msgids(committed) - _msgids(fresh)
        assert (missing, stale) == (set(), set()), f"locale/{language} is out of date: run `make messages`"


# Languages whose translation is still under way on another branch: expected to fail until it lands.
TRANSLATION_IN_PROGRESS: dict[str, str] = {}
SHIPPED_LANGUAGES = [
    pytest.param(code, marks=pytest.mark.xfail(strict=False, reason=TRANSLATION_IN_PROGRESS[code]))
    if code in TRANSLATION_IN_PROGRESS
    else code
    for code, _name in settings.LANGUAGES
    if code != "en"  # English is the language of the msgids
]


def incomplete_entries(po_file) -> list[str]:
    """Entries a reader of that language would see in English, or in a translation nobody has confirmed:
    untranslated, fuzzy, or a plural entry missing one of the language's plural forms."""
    catalog = read_po(po_file)
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        msgid = message.id[0] if message.pluralizable else message.id
        strings = message.string if message.pluralizable else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(strings):
            problems.append(f"untranslated: {msgid!r}")
    return problems


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_shipped_language_is_translated_completely(language):
    path = BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{language} is in settings.LANGUAGES but has no catalogue: run `make messages`"
    with path.open("rb") as f:
        problems = incomplete_entries(f)
    assert problems == [], f"locale/{language}: {len(problems)} entries to translate or confirm"


def test_the_completeness_check_finds_untranslated_fuzzy_and_missing_plural_forms():
    def check(entries: str) -> list[str]:
        header = (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 '
            '&& (n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n'
        )
        return incomplete_entries(BytesIO((header + entries).encode()))

    assert check('msgid "Done"\nmsgstr "Готово"\n') == []
    assert check('msgid "Done"\nmsgstr ""\n') == ["untranslated: 'Done'"]
    assert check('#, fuzzy\nmsgid "Done"\nmsgstr "Сделано"\n') == ["fuzzy: 'Done'"]
    plural = 'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s день"\nmsgstr[1] "%(n)s дня"\n'
    assert check(plural) == ["untranslated: '%(n)s day'"]  # the third form ("5 дней") is missing
    assert check(plural + 'msgstr[2] "%(n)s дней"\n') == []
