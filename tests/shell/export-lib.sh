# Helpers for the export tests (t72xx): the heap report's sites against an
# export's stacks. Sourced after lib.sh.

# sites_agree REPORT_JSON FOLDED LIST FIELD: every site of the heap report's
# table LIST (run with a --top that lists them all) is in the folded stacks
# with the same total of FIELD, and every folded stack is one of those sites.
# A report site shows its first 6 frames from the site frame, innermost
# first; a folded stack holds every frame, root first, with the allocator's
# plumbing (operator new, strdup, ...) below the site frame: a stack is the
# site whose frames it ends with, plumbing aside. Sites that share their 6
# frames are compared by their sum. Stacks of mmap calls are left out.
sites_agree() {
	python3 - "$@" <<-\PY
	import json, re, sys
	report, folded, table, field = sys.argv[1:5]
	shown = 6
	heap = json.load(open(report))["sections"]["heap"]
	def clean(n):
	    return "".join(":" if c == ";" else "?" if ord(c) < 0x20 or ord(c) == 0x7f else c for c in n)
	def name(fr):
	    if fr.get("func"):
	        return clean(fr["func"])
	    m = re.search(r"\(([^()]*)\)$", fr.get("text") or "")
	    return clean(m.group(1) if m else fr.get("addr") or "?")
	want, by_first = {}, {}
	for s in heap[table]:
	    key = (s["pid"], tuple(name(f) for f in s["frames"]) or ("[no backtrace]",))
	    want[key] = want.get(key, 0) + s[field]
	    by_first.setdefault((key[0], key[1][0]), []).append(key)
	got, errs = {}, []
	for line in open(folded):
	    stack, w = line.rstrip("\n").rsplit(" ", 1)
	    frames = stack.split(";")
	    if frames[-1] in ("mmap (anonymous)", "mmap (file)", "mremap"):
	        continue
	    pid = int(re.search(r"\[(\d+)\]$", frames[1]).group(1))
	    rev = frames[:1:-1]
	    match = None
	    for i in range(len(rev)):
	        for key in by_first.get((pid, rev[i]), []):
	            k = key[1]
	            if tuple(rev[i:i + len(k)]) == k and (len(k) == shown or i + len(k) == len(rev)):
	                match = key
	                break
	        if match:
	            break
	    if not match:
	        errs.append("a stack that is no %s site of the report: %s" % (table, line[:300]))
	        continue
	    got[match] = got.get(match, 0) + int(w)
	for key, v in want.items():
	    if got.get(key, 0) != v:
	        errs.append("%s site %s: report %d, export %d" % (table, key, v, got.get(key, 0)))
	print("%d %s sites, %d compared" % (len(heap[table]), table, len(want)))
	if not want:
	    errs.append("the report lists no %s site" % table)
	if errs:
	    print("\n".join(errs[:20]))
	    sys.exit(1)
	PY
}

# pprof_folded DECODER PROFILE TYPE: the samples of a gzip'd pprof profile
# decoded by DECODER (the pprof-format package's directory), as folded
# stacks weighted by sample type TYPE (alloc_space, ...): "TYPE;process
# [pid];frame;...;frame value", root first, one line per non-zero sample.
pprof_folded() {
	node - "$@" <<-\JS
	const fs = require("fs"), zlib = require("zlib");
	const [decoder, file, type] = process.argv.slice(2);
	const { Profile } = require(decoder);
	const p = Profile.decode(zlib.gunzipSync(fs.readFileSync(file)));
	const S = p.stringTable.strings;
	const vi = p.sampleType.findIndex(t => S[t.type] === type);
	if (vi < 0) { console.error("no sample type " + type); process.exit(1); }
	const fn = new Map(p.function.map(f => [Number(f.id), S[f.name]]));
	const loc = new Map(p.location.map(l => [Number(l.id), l.line.map(x => fn.get(Number(x.functionId))).reverse()]));
	for (const s of p.sample) {
	    const v = Number(s.value[vi]);
	    if (!v) continue;
	    const lab = k => s.label.find(l => S[l.key] === k);
	    const frames = s.locationId.slice().reverse().flatMap(id => loc.get(Number(id)));
	    console.log([type, S[lab("process").str] + " [" + Number(lab("pid").num) + "]", ...frames].join(";") + " " + v);
	}
	JS
}
