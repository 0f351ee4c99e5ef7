# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of dupto's documentation: "make docs" builds it as
# HTML in build/docs, with every warning an error (scripts/check runs it).
# Only what Debian's python3-sphinx brings is used: its default theme
# (alabaster, a dependency of the package) and no extension, so a fresh
# bookworm box builds it with the packages of scripts/debian-packages.

import os
import re

project = 'dupto'
author = 'The dupto developers'
copyright = 'the dupto developers, GPL-2.0'

# The release number lives in one place, the header the module and the tool
# share; the pages carry it rather than a copy that would drift.
_top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(_top, 'kmod', 'version.h'), encoding='utf-8') as _f:
    _m = re.search(r'^#define DUPTO_VERSION "([^"]+)"$', _f.read(), re.M)
if not _m:
    raise RuntimeError('kmod/version.h: no #define DUPTO_VERSION "X.Y.Z" line')
release = _m.group(1)
version = release

root_doc = 'index'
language = 'en'
# Literal blocks are shell sessions and configuration files, not Python.
highlight_language = 'none'

html_theme = 'alabaster'
html_title = f'dupto {release}'
html_show_sourcelink = False
