#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# guide.py DUPTO PAGE...: what the documentation tells an administrator to
# write, the tool accepts. Every literal block of the pages that is a
# configuration file (its first statement starts with port, sensor, group or
# rule) must compile with "DUPTO compile -", and every "dupto rule add
# [index N] RULE" line of a literal block must compile as "rule RULE": one
# TAP line each, so that a change of the language that the pages do not
# follow fails here rather than on an administrator's box.

import re
import subprocess
import sys

KEYWORDS = ('port', 'sensor', 'group', 'rule')


def literal_blocks(lines):
    """(first line number, text) of each reStructuredText literal block: the
    indented lines after a paragraph ending in '::'."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.rstrip().endswith('::'):
            i += 1
            continue
        base = len(line) - len(line.lstrip())
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        start = j
        body = []
        while j < len(lines):
            cur = lines[j]
            if cur.strip() and len(cur) - len(cur.lstrip()) <= base:
                break
            body.append(cur)
            j += 1
        while body and not body[-1].strip():
            body.pop()
        if body:
            indent = min(len(b) - len(b.lstrip()) for b in body if b.strip())
            yield start + 1, '\n'.join(b[indent:] for b in body) + '\n'
        i = max(j, i + 1)


# The compiler's listing ("rule 0, line 1: ..."), which is not a file.
LISTING = re.compile(r'^rule \d+, line \d+:')
# A shell session's prompt ("# ", "sensor1# "), which a file's comment is not.
PROMPT = re.compile(r'^[\w-]*# (dupto|ip|tc|tcpdump|ethtool|apt-get|for|bridge|modprobe|echo|vi)\b')


def is_config(text):
    for line in text.splitlines():
        words = line.split()
        if PROMPT.match(line) or LISTING.match(line):
            return False
        if not words or words[0].startswith('#'):
            continue
        return words[0] in KEYWORDS
    return False


# "# dupto rule add ...", "dupto rule add ...", an end-of-line "  # comment"
RULE_ADD = re.compile(r'^(?:\S*# )?dupto rule add (?:index \d+ )?(.*?)(?:\s{2,}#.*)?$')


def main():
    dupto, pages = sys.argv[1], sys.argv[2:]
    n = failed = 0
    for page in pages:
        with open(page, encoding='utf-8') as f:
            lines = f.read().splitlines()
        name = page.rsplit('/', 1)[-1]
        for lineno, text in literal_blocks(lines):
            checks = []
            if is_config(text):
                checks.append((lineno, 'the configuration compiles', text))
            for k, line in enumerate(text.splitlines()):
                m = RULE_ADD.match(line.strip())
                if m:
                    checks.append((lineno + k, '"dupto rule add %s" compiles' % m.group(1),
                                   'rule %s\n' % m.group(1)))
            for where, what, source in checks:
                n += 1
                run = subprocess.run([dupto, 'compile', '-'], input=source,
                                     capture_output=True, text=True)
                if run.returncode == 0:
                    print('ok %d - %s:%d: %s' % (n, name, where, what))
                else:
                    failed += 1
                    print('not ok %d - %s:%d: %s' % (n, name, where, what))
                    for out in (source, run.stderr):
                        for l in out.splitlines():
                            print('# ' + l)
    if n == 0:
        print('not ok 1 - the pages have configuration blocks to check')
        n, failed = 1, 1
    print('1..%d' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
