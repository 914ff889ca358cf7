"""Translation catalogues of the portal: extract, update, compile and check.

    python scripts/i18n.py update    # extract the messages; refresh both catalogues
    python scripts/i18n.py compile   # .po -> .mo, next to each catalogue
    python scripts/i18n.py check     # exit 1 when a catalogue is stale or incomplete

The source language is Dutch: the interface strings in `portal/` and `templates/` are Dutch, so the
nl catalogue repeats every msgid as its msgstr; the en catalogue holds the English translations.
Messages are extracted as `babel.cfg` says, with the keywords in KEYWORDS. The catalogues carry no
locations (file and line numbers), are sorted and unwrapped, to keep their diffs small.

`update` never clears a fuzzy flag: a fuzzy entry (a guess Babel made for a changed msgid) counts
as untranslated until a person has checked it and removed the flag.
"""

from __future__ import annotations

import argparse
import copy
import io
import re
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from importlib import metadata
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING_FILE = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "portal" / "translations"
SOURCE_LOCALE = "nl"
TARGET_LOCALES = ("en",)
LOCALES = (SOURCE_LOCALE, *TARGET_LOCALES)
PROJECT = "DAS-portaal"
COPYRIGHT_HOLDER = "DAS-portaal"
HEADER_COMMENTS = {
    SOURCE_LOCALE: "# Dutch messages of the DAS-portaal: the source language, every msgstr is its msgid.\n"
    "# Written by `python scripts/i18n.py update`; do not edit.\n#",
    "en": "# English messages of the DAS-portaal.\n"
    "# `python scripts/i18n.py update` adds and removes messages; translate them here, then run\n"
    "# `python scripts/i18n.py check`.\n#",
}
# Keyword -> argument spec, as in `pybabel extract -k`: None means "first argument is the msgid".
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "_l": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "N_": None,  # marks a message translated later (gettext_noop)
}
# write_po: no line wrapping (multi-line messages, the mails, still break at their newlines).
WIDTH = 0

# A printf-style placeholder ("%%" included, so it can be skipped). Babel also takes "% " plus a
# letter for one ("54% en de rest"); in Dutch prose that is a percent sign, so the space flag is
# not accepted here.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>\w*)\))?(?P<flags>[-#0+]?(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?)(?P<type>[diouxXeEfFgGcrs%])"
)

MessageId = str | tuple[str, ...] | list[str]
Key = tuple[str, str | None]  # (singular msgid, context)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    with MAPPING_FILE.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(MAPPING_FILE))
    return method_map, options_map


def extract_messages() -> Catalog:
    """Every message in the sources, as a template catalogue (no translations, no locations)."""
    method_map, options_map = _mapping()
    template = Catalog(
        project=PROJECT,
        copyright_holder=COPYRIGHT_HOLDER,
        fuzzy=False,
        creation_date=datetime(2000, 1, 1),  # set from the catalogue when written; see _dates
    )
    for _filename, _lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(message, None, auto_comments=comments, context=context)
    return template


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, abort_invalid=True)


def render_catalog(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=WIDTH,
        no_location=True,
        sort_output=True,
        ignore_obsolete=True,
        include_previous=False,
    )
    return buffer.getvalue()


def write_catalog(path: Path, catalog: Catalog) -> bool:
    """Write the catalogue; True when the file changed. Obsolete (#~) entries are never written."""
    catalog.obsolete.clear()
    content = render_catalog(catalog)
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def _messages(catalog: Catalog) -> dict[Key, Message]:
    return {(_singular(m.id), m.context): m for m in catalog if m.id}


def _singular(msgid: MessageId) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _same_messages(old: Catalog, new: Catalog) -> bool:
    def shape(catalog: Catalog) -> list[tuple[object, ...]]:
        return sorted(
            (
                repr(m.id),
                m.context or "",
                repr(m.string),
                "fuzzy" in m.flags,
                tuple(m.auto_comments),
            )
            for m in catalog
            if m.id
        )

    return shape(old) == shape(new)


def _dates(new: Catalog, old: Catalog | None) -> None:
    """Keep the header dates of the catalogue on disk unless its messages change, so that running
    `update` twice changes nothing."""
    now = datetime.now().astimezone()
    if old is None:
        new.creation_date = now
        new.revision_date = now
        return
    new.creation_date = old.creation_date
    new.revision_date = old.revision_date if _same_messages(old, new) else now


def _version() -> str:
    try:
        return metadata.version("das-portaal")
    except metadata.PackageNotFoundError:
        return "0"


def new_catalog(locale: str) -> Catalog:
    catalog = Catalog(
        locale=locale,
        project=PROJECT,
        version=_version(),
        copyright_holder=COPYRIGHT_HOLDER,
        last_translator=PROJECT,
        language_team=PROJECT,
        fuzzy=False,
    )
    catalog.header_comment = HEADER_COMMENTS.get(
        locale, f"# {catalog.locale.english_name} messages of the DAS-portaal.\n#"
    )
    return catalog


def source_catalog(template: Catalog, old: Catalog | None) -> Catalog:
    """The Dutch catalogue: every msgid translated as itself."""
    catalog = new_catalog(SOURCE_LOCALE)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, str):
            string: MessageId = message.id
        else:
            singular, plural = message.id[0], message.id[1]
            string = tuple([singular] + [plural] * (catalog.num_plurals - 1))
        catalog.add(
            message.id,
            string,
            auto_comments=message.auto_comments,
            flags=message.flags - {"fuzzy"},
            context=message.context,
        )
    _dates(catalog, old)
    return catalog


def target_catalog(template: Catalog, locale: str, old: Catalog | None) -> Catalog:
    """A translated catalogue brought up to date with the sources: existing translations kept, new
    messages added untranslated, obsolete ones dropped. Babel may guess a translation for a changed
    msgid from a similar old one; such a guess is marked fuzzy and not used until checked."""
    if old is None:
        catalog = new_catalog(locale)
        for message in template:
            if message.id:
                catalog.add(
                    message.id,
                    "" if isinstance(message.id, str) else ("",) * catalog.num_plurals,
                    auto_comments=message.auto_comments,
                    flags=message.flags,
                    context=message.context,
                )
        _dates(catalog, None)
        return catalog
    before = copy.deepcopy(old)  # update() changes `old` in place
    old.update(
        template, no_fuzzy_matching=False, update_header_comment=False, update_creation_date=False
    )
    old.obsolete.clear()
    old.fuzzy = False
    _dates(old, before)
    return old


def update(template: Catalog | None = None) -> list[Path]:
    """Extract the messages and refresh every catalogue; returns the files that changed."""
    template = template if template is not None else extract_messages()
    changed = []
    for locale in LOCALES:
        path = po_path(locale)
        old = read_catalog(path, locale) if path.exists() else None
        if locale == SOURCE_LOCALE:
            catalog = source_catalog(template, old)
        else:
            catalog = target_catalog(template, locale, old)
        if write_catalog(path, catalog):
            changed.append(path)
    return changed


def compile_catalogs() -> list[Path]:
    """Write messages.mo next to each messages.po (fuzzy entries left out, as gettext does)."""
    written = []
    for locale in LOCALES:
        catalog = read_catalog(po_path(locale), locale)
        path = mo_path(locale)
        with path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(path)
    return written


def placeholders(text: str) -> Counter[str]:
    """The printf-style placeholders in a string, e.g. Counter({"%(year)s": 1}); "%%" left out."""
    found: Counter[str] = Counter()
    for match in PLACEHOLDER.finditer(text):
        if match.group("type") == "%":
            continue
        name = match.group("name")
        found[
            f"%({name}){match.group('type')}" if name is not None else f"%{match.group('type')}"
        ] += 1
    return found


def _format_error(text: str, names: Iterable[str]) -> str | None:
    """Why `text % values` would fail (as Jinja does for every _() in a template), or None."""
    values = {name: 1 for name in names}
    try:
        if values:
            text % values  # noqa: B018
        else:
            text % ()  # noqa: B018
    except (ValueError, TypeError, KeyError) as error:
        return str(error)
    return None


def _describe(message: Message) -> str:
    text = _singular(message.id).replace("\n", "\\n")
    if len(text) > 70:
        text = text[:67] + "..."
    return f"{text!r}" + (f" (context {message.context!r})" if message.context else "")


def translation_problems(message: Message, locale: str) -> list[str]:
    """Placeholder problems of one translated message: the same %(name)s placeholders as the
    msgid, and a string that can be %-formatted."""
    problems: list[str] = []
    if not message.python_format:
        return problems
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
    for index, string in enumerate(strings):
        if not string:
            continue
        source = ids[min(index, len(ids) - 1)]  # plural forms 1, 2, ... answer to the plural msgid
        expected, actual = placeholders(source), placeholders(string)
        if len(ids) > 1:
            # plural forms may leave out the count (e.g. "one file" for %(num)d files)
            expected_names = set(placeholders(ids[0])) | set(placeholders(ids[1]))
            if not set(actual) <= expected_names:
                problems.append(
                    f"{locale}: {_describe(message)}: placeholders {sorted(actual)} not in msgid"
                )
                continue
        elif expected != actual:
            problems.append(
                f"{locale}: {_describe(message)}: placeholders {sorted(actual.elements())} "
                f"differ from the msgid's {sorted(expected.elements())}"
            )
            continue
        names = [m.group("name") for m in PLACEHOLDER.finditer(string) if m.group("name")]
        error = _format_error(string, names)
        if error and not _format_error(source, names):
            problems.append(
                f"{locale}: {_describe(message)}: translation cannot be formatted ({error})"
            )
    return problems


def problems(template: Catalog | None = None) -> list[str]:
    """Everything wrong with the catalogues, one line each; an empty list when all is well."""
    template = template if template is not None else extract_messages()
    wanted = _messages(template)
    found: list[str] = []
    for locale in LOCALES:
        path = po_path(locale)
        if not path.exists():
            found.append(f"{locale}: {_relative(path)} is missing (run `update`)")
            continue
        catalog = read_catalog(path, locale)
        present = _messages(catalog)
        for key in sorted(wanted.keys() - present.keys(), key=str):
            found.append(
                f"{locale}: missing from the catalogue (run `update`): {_describe(wanted[key])}"
            )
        for key in sorted(present.keys() - wanted.keys(), key=str):
            found.append(
                f"{locale}: obsolete in the catalogue (run `update`): {_describe(present[key])}"
            )
        if catalog.obsolete:
            found.append(f"{locale}: {len(catalog.obsolete)} obsolete (#~) entries (run `update`)")
        for key, message in sorted(present.items(), key=lambda item: str(item[0])):
            if key in wanted and message.id != wanted[key].id:
                found.append(f"{locale}: plural form changed (run `update`): {_describe(message)}")
            if locale == SOURCE_LOCALE:
                if _source_string(message) != message.string:
                    found.append(
                        f"{locale}: msgstr differs from the msgid (run `update`): {_describe(message)}"
                    )
            elif "fuzzy" in message.flags:
                found.append(
                    f"{locale}: fuzzy, check the translation and remove the flag: {_describe(message)}"
                )
            elif not message.string or (
                not isinstance(message.string, str) and not all(message.string)
            ):
                found.append(f"{locale}: untranslated: {_describe(message)}")
            found.extend(translation_problems(message, locale))
    return found


def _source_string(message: Message) -> MessageId:
    if isinstance(message.id, str):
        return message.id
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return tuple([message.id[0]] + [message.id[1]] * (len(forms) - 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("update", help="extract the messages and refresh the catalogues")
    commands.add_parser("compile", help="compile the catalogues to .mo files")
    commands.add_parser("check", help="exit 1 when a catalogue is stale or incomplete")
    args = parser.parse_args(argv)

    if args.command == "update":
        template = extract_messages()
        changed = update(template)
        names = ", ".join(_relative(path) for path in changed)
        print(f"{len(template)} messages; " + (f"updated {names}" if changed else "no changes"))
        return 0
    if args.command == "compile":
        for path in compile_catalogs():
            print(f"wrote {_relative(path)}")
        return 0
    found = problems()
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} problem(s)", file=sys.stderr)
        return 1
    print("catalogues complete and up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
