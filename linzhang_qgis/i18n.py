"""Translation: one context ("linzhang") for every string of the plugin, loaded from QGIS's locale.

``tr('{} spots').format(n)``: the source string is fixed English; resources/i18n holds the zh_CN
translation (.ts, compiled to .qm by ``make``). scripts/update_translations.py collects the strings.
"""
from __future__ import annotations

import os
from typing import Optional

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

CONTEXT = "linzhang"


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def tr_noop(text: str) -> str:
    """Marks a string for translation where it is defined; ``tr()`` translates it where it is shown."""
    return text


def qgis_locale() -> str:
    """The interface language QGIS uses, as a Qt locale name ("zh_CN", "en_US", ...).

    QGIS stores Simplified Chinese as "zh-Hans" in ``locale/userLocale``; only an override
    flag makes it win over the system locale.
    """
    settings = QgsSettings()
    user_locale = str(settings.value("locale/userLocale", "") or "")
    overridden = settings.value("locale/overrideFlag", False, type=bool)
    name = user_locale if (overridden or user_locale) and user_locale else QLocale().name()
    return normalise_locale(name)


def normalise_locale(name: str) -> str:
    lowered = name.replace("-", "_").lower()
    if lowered.startswith("zh") and not any(tag in lowered for tag in ("hant", "tw", "hk", "mo")):
        return "zh_CN"
    return name.replace("-", "_")


def translation_file(locale: str) -> str:
    return os.path.join(plugin_dir(), "resources", "i18n", f"linzhang_qgis_{locale}.qm")


def plugin_dir() -> str:
    return os.path.dirname(os.path.abspath(__file__))


def install_translator(locale: Optional[str] = None) -> Optional[QTranslator]:
    """Load and install the translation for ``locale`` (default: QGIS's); None when there is none."""
    path = translation_file(locale or qgis_locale())
    if not os.path.exists(path):
        return None
    translator = QTranslator()
    if not translator.load(path):
        return None
    QCoreApplication.installTranslator(translator)
    return translator


def remove_translator(translator: Optional[QTranslator]) -> None:
    if translator is not None:
        QCoreApplication.removeTranslator(translator)


def bilingual(translated: str, source: str) -> str:
    """An error sentence in Chinese and English whatever the locale: ``bilingual(tr(s).format(x), s.format(x))``.

    Under a Chinese locale ``translated`` is the Chinese; the English follows on its own line.
    Under English both are the same and the sentence appears once.
    """
    return translated if translated == source else f"{translated}\n{source}"
