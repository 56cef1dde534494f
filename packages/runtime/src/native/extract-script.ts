/**
 * The Python program that reads a TensorFlow wheel (a zip) or an extracted wheel folder and copies
 * out only what the binding needs: the shared libraries, and the headers reachable through
 * `#include "…"` from the root headers (computed here, never a fixed list). Python is already a
 * requirement (pip downloads the wheel; node-gyp runs gyp on it), and its `zipfile` streams the
 * 788 MB library out of the zip without a dependency on our side.
 *
 * argv[1]: JSON `{ source, out, roots, includePrefix, libs, libPattern }`. Prints one JSON line:
 * `{ headers, unresolved, libs: {name: size}, metadata }` or `{ error, missing }` (exit 3).
 */
export const EXTRACT_SCRIPT = String.raw`
import json, os, re, shutil, sys, zipfile
a = json.loads(sys.argv[1])
src, out, prefix = a['source'], a['out'], a['includePrefix']
if os.path.isdir(src):
    names = set()
    for d, _, files in os.walk(src):
        for f in files:
            names.add(os.path.relpath(os.path.join(d, f), src).replace(os.sep, '/'))
    opener = lambda n: open(os.path.join(src, n), 'rb')
else:
    try:
        z = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError) as e:
        print(json.dumps({'error': 'not-a-wheel', 'missing': [str(e)]})); sys.exit(3)
    names = set(z.namelist())
    opener = z.open
missing = [r for r in a['roots'] if prefix + r not in names] + [l for l in a['libs'] if l not in names]
if missing:
    print(json.dumps({'error': 'no-c-api', 'missing': missing})); sys.exit(3)
inc = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
seen, todo, unresolved = set(), list(a['roots']), set()
while todo:
    h = todo.pop()
    if h in seen: continue
    seen.add(h)
    with opener(prefix + h) as f:
        text = f.read().decode('utf-8', 'replace')
    for m in inc.findall(text):
        if prefix + m in names: todo.append(m)
        else: unresolved.add(m)
def copy(name, dest):
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with opener(name) as f, open(dest, 'wb') as g:
        shutil.copyfileobj(f, g, 1 << 22)
for h in sorted(seen):
    copy(prefix + h, os.path.join(out, 'include', h))
libs = list(a['libs'])
if a.get('libPattern'):
    p = re.compile(a['libPattern'])
    libs += sorted(n for n in names if p.search(n))
sizes = {}
for l in libs:
    dest = os.path.join(out, 'lib', os.path.basename(l))
    copy(l, dest)
    sizes[os.path.basename(l)] = os.path.getsize(dest)
meta = [n for n in names if re.match(r'^[^/]+\.dist-info/METADATA$', n)]
metadata = ''
if meta:
    with opener(meta[0]) as f: metadata = f.read().decode('utf-8', 'replace')
print(json.dumps({'headers': sorted(seen), 'unresolved': sorted(unresolved), 'libs': sizes, 'metadata': metadata}))
`;
