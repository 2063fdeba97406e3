"""The data of Label Studio's IDNA 2008 check: src/labelstudio/ssrf/idna2008_tables.rs.

urllib3 2.x's `parse_url` encodes each non-ASCII host label with
`idna.encode(label.lower(), strict=True, std3_rules=True)`. What that call
reads comes from two places, both taken here from the Label Studio venv
itself, so the tables are the judge's own data:
- the `idna` package's `idnadata` (its Unicode version, newer than Python's):
  the PVALID, CONTEXTJ and CONTEXTO classes, joining types, scripts;
- CPython 3.11's `unicodedata` (Unicode 14.0.0) and `str.lower`: bidi classes,
  combining classes, general category M, NFC, lower case and the Cased /
  Case_Ignorable properties behind final sigma.

A label is accepted only if every code point (after `lower()`) is PVALID,
CONTEXTJ or CONTEXTO in idnadata *and* has a bidi class in Python's
unicodedata (`check_bidi` refuses a code point it does not know): "allowed"
below. Every per-code-point property goes into one run table, PROPS, each
field exact where the check reads it (the class everywhere but on code points
that have a lower case, which no lowered label holds; the rest on allowed code
points, or on what they decompose to, or on what lowers into them) and free
elsewhere, so that runs merge. Each assumption the Rust side
(src/labelstudio/ssrf/idna2008.rs) makes about the data is asserted here, so
a new idna or Python that breaks one fails the generator, not the check.

    tools/capture/.venv/bin/python tools/capture/idna_tables.py           (rewrites the file)
    tools/capture/.venv/bin/python tools/capture/idna_tables.py --stdout  (prints it; the test compares)
"""
import os
import sys
import unicodedata

import idna
import idna.idnadata as idnadata
from idna.intranges import _decode_range

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, 'src', 'labelstudio', 'ssrf', 'idna2008_tables.rs')
MAX = 0x110000
SURROGATES = range(0xD800, 0xE000)


def expand(ranges):
    out = set()
    for r in ranges:
        start, end = _decode_range(r)
        out.update(range(start, end))
    return out


def name(cp):
    return unicodedata.name(chr(cp), '')


PVALID = expand(idnadata.codepoint_classes['PVALID'])
CONTEXTJ = expand(idnadata.codepoint_classes['CONTEXTJ'])
CONTEXTO = expand(idnadata.codepoint_classes['CONTEXTO'])
assert not (PVALID & CONTEXTJ or PVALID & CONTEXTO or CONTEXTJ & CONTEXTO)


def known(cp):
    """`check_bidi` raises on a code point whose bidi class Python does not know."""
    return unicodedata.bidirectional(chr(cp)) != ''


VALID = {cp for cp in PVALID if known(cp)}
assert all(known(cp) for cp in CONTEXTJ | CONTEXTO), 'a context code point unknown to Python'
ALLOWED = VALID | CONTEXTJ | CONTEXTO  # what may reach check_bidi

# The context rules the Rust side implements (idna's valid_contextj / valid_contexto).
assert CONTEXTJ == {0x200C, 0x200D}, sorted(CONTEXTJ)
assert CONTEXTO == {0x00B7, 0x0375, 0x05F3, 0x05F4, 0x30FB} | set(range(0x660, 0x66A)) | set(range(0x6F0, 0x6FA))

# NFC. Hangul syllables decompose and recompose algorithmically; since no
# conjoining jamo is allowed, nothing allowed can compose with them, and the
# Rust side treats them as plain starters.
JAMO = {cp for cp in range(MAX) if name(cp).startswith(('HANGUL CHOSEONG', 'HANGUL JUNGSEONG', 'HANGUL JONGSEONG'))}
assert JAMO and not JAMO & ALLOWED


def canonical_mapping(cp):
    d = unicodedata.decomposition(chr(cp))
    if not d or d.startswith('<'):
        return None
    return [int(x, 16) for x in d.split()]


# Every allowed code point with a canonical decomposition is a primary
# composite (two code points, NFC-stable), and so is every composite in its
# decomposition: the pairs below both decompose and compose.
NEEDED = set()  # allowed code points and everything they decompose to
todo = list(ALLOWED)
while todo:
    cp = todo.pop()
    if cp in NEEDED:
        continue
    NEEDED.add(cp)
    m = canonical_mapping(cp)
    if m is not None:
        assert len(m) == 2 and unicodedata.normalize('NFC', chr(cp)) == chr(cp), hex(cp)
        todo.extend(m)
assert not JAMO & NEEDED

# The primary composites whose two parts can both occur in a decomposed label
# (a composite formed from others cannot turn back into an input character, so
# pairs starting elsewhere never decide the answer).
PAIRS = []
for cp in range(MAX):
    if cp in SURROGATES:
        continue
    m = canonical_mapping(cp)
    if m and len(m) == 2 and m[0] in NEEDED and m[1] in NEEDED and unicodedata.normalize('NFC', chr(cp)) == chr(cp):
        PAIRS.append((cp, m[0], m[1]))


# Lower case: CPython's str.lower (full mappings; U+03A3 gets final sigma in
# context, done on the Rust side with the casing field).
def lower(cp):
    return chr(cp).lower()


LOWER = {}
LOWER_SPECIAL = {}
for cp in range(MAX):
    if cp in SURROGATES:
        continue
    low = lower(cp)
    if low == chr(cp):
        continue
    # Needed when the result decides anything: when it is made of allowed code
    # points, or when the code point itself is allowed (then lower case must
    # turn it into something refused). Otherwise both are refused.
    if not (cp in ALLOWED or all(ord(c) in ALLOWED for c in low)):
        continue
    if len(low) == 1:
        LOWER[cp] = ord(low)
    else:
        LOWER_SPECIAL[cp] = low
# Code points whose lower case is made of allowed ones: their casing and
# lower case must be exact.
LOWERS_INTO = {cp for cp in range(MAX) if cp not in SURROGATES and all(ord(c) in ALLOWED for c in lower(cp))}


BIDI_NAMES = ['L', 'R', 'AL', 'AN', 'EN', 'ES', 'CS', 'ET', 'ON', 'BN', 'NSM', 'OTHER']
JOINING_NAMES = ['U', 'C', 'D', 'L', 'R', 'T']
CLASS_NAMES = ['DISALLOWED', 'PVALID', 'CONTEXTJ', 'CONTEXTO']
CASING_NAMES = ['OTHER', 'CASED', 'IGNORABLE']
SCRIPT_NAMES = ['OTHER', 'GREEK', 'HEBREW', 'KANA_HAN']

JOINING = {jt: expand(r) for jt, r in idnadata.joining_types.items()}
assert set(JOINING) <= set(JOINING_NAMES)
SCRIPT = {s: expand(r) for s, r in idnadata.scripts.items()}
KANA_HAN = SCRIPT['Hiragana'] | SCRIPT['Katakana'] | SCRIPT['Han']
assert not (SCRIPT['Greek'] & SCRIPT['Hebrew'] or (SCRIPT['Greek'] | SCRIPT['Hebrew']) & KANA_HAN)

# Lower case is idempotent, so a lowered label never holds a code point that
# has a lower case of its own: the class of those is free in PROPS and exact in
# CASED_VALID (some are PVALID, e.g. Cherokee capitals), read for the labels
# that `xn--` decoding makes, which nobody lowered.
assert all(lower(ord(c)) == c for cp in range(MAX) if cp not in SURROGATES for c in lower(cp))
HAS_LOWER = set(LOWER) | set(LOWER_SPECIAL)


def klass(cp):
    return 'PVALID' if cp in VALID else 'CONTEXTJ' if cp in CONTEXTJ else 'CONTEXTO' if cp in CONTEXTO else 'DISALLOWED'


def joining(cp):
    return next((jt for jt, cps in JOINING.items() if cp in cps), 'U')


def script(cp):
    return 'GREEK' if cp in SCRIPT['Greek'] else 'HEBREW' if cp in SCRIPT['Hebrew'] else 'KANA_HAN' if cp in KANA_HAN else 'OTHER'


def bidi(cp):
    b = unicodedata.bidirectional(chr(cp))
    return b if b in BIDI_NAMES else 'OTHER'


def casing(cp):
    """Cased and Case_Ignorable as CPython's final sigma reads them (it skips
    Case_Ignorable code points, then asks Cased), observed through str.lower."""
    c = chr(cp)
    alone = (c + '\u03a3').lower()[-1] == '\u03c2'  # not ignorable, and cased
    after_cased = ('A' + c + '\u03a3').lower()[-1] == '\u03c2'  # ignorable, or cased
    ahead = ('A\u03a3' + c).lower()[1] == '\u03c2'  # final unless c is cased and not ignorable
    if alone:
        assert after_cased and not ahead, hex(cp)
        return 'CASED'
    assert ahead, hex(cp)
    return 'IGNORABLE' if after_cased else 'OTHER'


# PROPS, one run table for all per-code-point properties: (name, values, what it
# is, where it must be exact). Each field is free outside its domain.
FIELDS = [
    ('CLASS', CLASS_NAMES, lambda cp: klass(cp), lambda cp: cp not in HAS_LOWER,
     "idnadata's class, DISALLOWED also for code points Python's unicodedata does not know "
     '(exact where there is no lower case: see CASED_VALID)'),
    ('BIDI', BIDI_NAMES, bidi, lambda cp: cp in ALLOWED, '`unicodedata.bidirectional` (OTHER: what no label may hold)'),
    ('JOINING', JOINING_NAMES, joining, lambda cp: cp in ALLOWED, "idnadata's `joining_types` (U: none)"),
    ('SCRIPT', SCRIPT_NAMES, script, lambda cp: cp in ALLOWED, "idnadata's `scripts` that CONTEXTO reads"),
    ('MARK', ['NO', 'YES'], lambda cp: 'YES' if unicodedata.category(chr(cp))[0] == 'M' else 'NO', lambda cp: cp in ALLOWED,
     '`unicodedata.category` M*'),
    ('UNNAMED', ['NO', 'YES'], lambda cp: 'YES' if unicodedata.combining(chr(cp)) == 0 and not name(cp) else 'NO',
     lambda cp: cp in ALLOWED, 'no `unicodedata.name` and combining class 0: `_combining_class` raises'),
    ('CASING', CASING_NAMES, casing, lambda cp: cp in LOWERS_INTO, "final sigma's reading (exact where lower case is allowed)"),
    ('CCC', None, lambda cp: unicodedata.combining(chr(cp)), lambda cp: cp in NEEDED,
     '`unicodedata.combining` (exact on allowed code points and their decompositions)'),
]


def props():
    """Greedy runs: a code point joins the run before when no field it must have
    differs there (fields the run left free take its values)."""
    starts, runs = [], []
    for cp in range(MAX):
        if cp in SURROGATES:
            continue
        want = [f[2](cp) if f[3](cp) else None for f in FIELDS]
        if runs and all(w is None or r is None or w == r for w, r in zip(want, runs[-1])):
            runs[-1] = [r if r is not None else w for w, r in zip(want, runs[-1])]
        elif any(w is not None for w in want):
            starts.append(cp if runs else 0)
            runs.append(want)
    layout, shift = [], 0
    for fname, names, *_ in FIELDS:
        bits = max(1, (len(names) - 1).bit_length()) if names else 8
        layout.append((fname, names, shift, bits))
        shift += bits
    assert shift <= 32
    packed = []
    for run in runs:
        value = 0
        for (fname, names, sh, bits), v in zip(layout, run):
            n = 0 if v is None else names.index(v) if names else v
            assert n < 1 << bits
            value |= n << sh
        packed.append(value)
    return layout, starts, packed


def toggles(member, domain):
    """A set as the code points where membership flips (the first turns it on)."""
    flips, inside = [], False
    for cp in range(MAX):
        if cp in domain and member(cp) != inside:
            inside = not inside
            flips.append(cp)
    return flips


def lower_runs():
    """(start, count, stride, delta): code points start, start+stride, ... map to cp + delta."""
    runs = []
    for cp in sorted(LOWER):
        delta = LOWER[cp] - cp
        if runs:
            start, count, stride, d = runs[-1]
            last = start + (count - 1) * stride
            if d == delta and (count == 1 and cp - last in (1, 2) or count > 1 and cp - last == stride):
                runs[-1] = (start, count + 1, cp - last, d)
                continue
        runs.append((cp, 1, 1, delta))
    return runs


def leb128(n):
    """An unsigned LEB128 varint: 7 bits a byte, low first, the high bit set on all but the last."""
    assert n >= 0
    out = []
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | 0x80 if n else byte)
        if not n:
            return out


def zigzag(n):
    """A signed number as an unsigned one for LEB128: 0, -1, 1, -2, ... as 0, 1, 2, 3, ..."""
    return n * 2 if n >= 0 else -n * 2 - 1


def rust_str(text):
    return ''.join('\\u{%x}' % ord(c) for c in text)


def hexes(values, per_line=10, fmt='0x{:X}'):
    items = [fmt.format(v) for v in values]
    lines = [', '.join(items[i:i + per_line]) + ',' for i in range(0, len(items), per_line)]
    return '\n'.join('    ' + line for line in lines)


def table(name_, doc, ty, values, per_line=10, fmt='0x{:X}'):
    import textwrap
    doc = ''.join(f'/// {line}\n' for line in textwrap.wrap(doc, 96))
    return f'{doc}pub(crate) static {name_}: [{ty}; {len(values)}] = [\n{hexes(values, per_line, fmt)}\n];\n'


def generate():
    import platform
    # The Rust side composes from starters only, and lower case runs are either dense or every other code point.
    assert all(unicodedata.combining(chr(a)) == 0 for _, a, _ in PAIRS)
    runs = lower_runs()
    assert all(count < 1 << 16 and stride in (1, 2) for _, count, stride, _ in runs)
    layout, starts, packed = props()
    # The big tables are byte streams (LEB128 varints of the differences between
    # neighbours, small indexes into short lists of values), which compress far
    # better than u32 arrays; the Rust side decodes each once, on first use.
    values = sorted(set(packed))
    assert len(values) <= 256 and starts[0] == 0
    seconds = sorted({b for _, _, b in PAIRS})
    assert len(seconds) <= 256
    by_composite = sorted(PAIRS)
    assert len({c for c, _, _ in PAIRS}) == len(PAIRS)
    last = [0]

    def gap(cp):
        d, last[0] = cp - last[0], cp
        return d
    out = [f'''// @generated by tools/capture/idna_tables.py: do not edit.
//
// From Label Studio 1.23.2's own environment: the `idna` package {idna.__version__}
// (idnadata for Unicode {idnadata.__version__}) and CPython {platform.python_version()}'s `unicodedata`
// (Unicode {unicodedata.unidata_version}) and `str.lower`. Regenerate with
//     tools/capture/.venv/bin/python tools/capture/idna_tables.py
// (tests/ssrf.rs fails when this file differs from what that prints).
//
// Each field of PROPS is exact where the check reads it (said below, and in
// the generator, which asserts what the check relies on) and free elsewhere,
// so that runs merge: "allowed" is PVALID, CONTEXTJ or CONTEXTO and known to
// Python's unicodedata, the only code points a label that passes may hold.
#![allow(dead_code)] // not every value is named by the check
''']
    out.append(table('PROPS_STARTS', 'Where each run of PROPS starts: the first at 0, each next one as its distance '
                     'from the one before (LEB128).', 'u8', [b for a, b in zip(starts, starts[1:]) for b in leb128(b - a)],
                     16, '{}'))
    out.append(table('PROPS', "Per-code-point properties, one run each: the index of the run's value in PROPS_VALUES.",
                     'u8', [values.index(v) for v in packed], 16, '{}'))
    out.append(table('PROPS_VALUES', 'The values of PROPS, fields packed as the constants below say.',
                     'u32', values, 8, '0x{:05X}'))
    for (fname, names, sh, bits), field in zip(layout, FIELDS):
        out.append(f'/// {field[4]}: (shift, bits) in PROPS_VALUES.\npub(crate) const {fname}: (u32, u32) = ({sh}, {bits});\n')
        if names and names != ['NO', 'YES']:
            out.append(f'/// The values of the {fname} field.\npub(crate) mod {fname.lower()} {{\n'
                       + ''.join(f'    pub(crate) const {n}: u8 = {i};\n' for i, n in enumerate(names)) + '}\n')
    out.append(table('CASED_VALID', 'PVALID code points that have a lower case (as flips: the first turns membership on).',
                     'u32', toggles(lambda cp: cp in VALID, HAS_LOWER)))
    last[0] = 0
    out.append(table('LOWER', '`str.lower` of one code point, as runs (start, count, stride, delta): start, '
                     'start + stride, ... (count of them) map to themselves + delta; only where it decides something '
                     "(the code point, or its lower case, allowed). LEB128, four a run: start's distance from the run "
                     "before's, count, stride, delta zigzag-coded (0, -1, 1, -2, ... as 0, 1, 2, 3, ...).",
                     'u8', [b for s_, c, st, d in runs for n in (gap(s_), c, st, zigzag(d)) for b in leb128(n)], 16, '{}'))
    out.append('/// `str.lower` where one code point becomes several.\n'
               f'pub(crate) static LOWER_SPECIAL: [(u32, &str); {len(LOWER_SPECIAL)}] = [\n'
               + hexes([f'(0x{cp:X}, "{rust_str(low)}")' for cp, low in sorted(LOWER_SPECIAL.items())], 4, '{}') + '\n];\n')
    last[0] = 0
    out.append(table('COMPOSITES', 'Primary composites (composite, first, second) whose parts occur in allowed labels, '
                     'sorted by composite. LEB128, three a composite: its distance from the one before, '
                     'first - composite zigzag-coded, and the index of second in SECONDS.',
                     'u8', [b for c, a, b2 in by_composite for n in (gap(c), zigzag(a - c), seconds.index(b2)) for b in leb128(n)],
                     16, '{}'))
    out.append(table('SECONDS', 'The second parts of COMPOSITES.', 'u32', seconds))
    return '\n'.join(out)


def main():
    text = generate()
    if '--stdout' in sys.argv[1:]:
        sys.stdout.write(text)
        return
    with open(OUT, 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)
    print(f'wrote {os.path.relpath(OUT, ROOT)}', file=sys.stderr)


if __name__ == '__main__':
    main()
