#!/bin/sh
# make check-browser: loads the demo report in headless Chromium (no
# network), checks that every chart rendered (SVG present, laid out, every
# series non-empty), that each flame graph rendered, zooms on a click (the
# clicked frame fills the width), highlights a search and reports its share,
# that a click on a table header sorts it, that nothing logged a console
# error or tried the network, and that a phone-sized window needs no
# horizontal scrolling;
# saves screenshots as BUILD/report-1280.png and BUILD/report-phone.png.
# Exit 0 pass, 77 skip (no Chromium and no way to install it), else fail.
#   sh tests/browser/check.sh [REPORT.html]
set -u
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	[ "$(id -u)" -eq 0 ] || skip "chromium is not installed (as root: apt-get install chromium)"
	echo "check-browser: installing chromium"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >"$BUILD/chromium-install.log" 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >"$BUILD/chromium-install.log" 2>&1; } ||
		skip "chromium could not be installed (see $BUILD/chromium-install.log)"
	browser=$(command -v chromium) || skip "chromium installed but not on PATH"
fi

report=${1:-}
if [ -z "$report" ]; then
	sh samples/demo.sh "${BUILD#$top/}" >"$BUILD/demo.log" 2>&1 || { tail -20 "$BUILD/demo.log"; fail "make demo failed"; }
	report=$top/demo/report.html
fi
[ -s "$report" ] || fail "no report at '$report'"

work=$BUILD/browser
rm -rf "$work"
mkdir -p "$work/profile"
charts=$(grep -o '<svg class="chart"' "$report" | wc -l)
[ "$charts" -ge 5 ] || fail "only $charts charts in $report"
flames=$(grep -o '<svg class="flame"' "$report" | wc -l)
[ "$flames" -ge 2 ] || fail "only $flames flame graphs in $report"

# The probe is added to a copy, after the report's own script.
sed 's|</body>|<script>\
(function () {\
	var bad = [], n = 0;\
	document.querySelectorAll("svg.chart").forEach(function (s) {\
		var r = s.getBoundingClientRect(), marks = s.querySelectorAll("path,rect,line,circle,text").length;\
		n++;\
		if (r.width < 200 \|\| r.height < 60 \|\| marks < 5) bad.push((s.id \|\| "svg") + " not laid out " + Math.round(r.width) + "x" + Math.round(r.height) + " marks=" + marks);\
		s.querySelectorAll(".series,.cell,.bar").forEach(function (e) {\
			var b = e.getBBox();\
			if (!(b.width > 0 \|\| b.height > 0)) bad.push((s.id \|\| "svg") + ": an empty " + e.getAttribute("class"));\
		});\
	});\
	var nf = 0;\
	document.querySelectorAll("figure.flame").forEach(function (fig) {\
		var s = fig.querySelector("svg.flame"), id = s.id, W = +s.getAttribute("data-w");\
		var frames = s.querySelectorAll("g.fr"), q = fig.querySelector("input"), out = fig.querySelector("output");\
		var r = s.getBoundingClientRect(), pick = null, pw = W;\
		nf++;\
		if (fig.querySelector(".fl-ctl").hidden) bad.push(id + ": the script did not show the controls");\
		if (r.width < 200 \|\| r.height < 10 \|\| frames.length < 3) bad.push(id + " not laid out " + Math.round(r.width) + "x" + Math.round(r.height) + " frames=" + frames.length);\
		frames.forEach(function (g) {\
			var w = +g.querySelector("rect").getAttribute("width");\
			if (w > 0 ? w < pw : false) { pw = w; pick = g; }\
		});\
		if (!pick) { bad.push(id + ": no frame narrower than the graph"); return; }\
		pick.querySelector("rect").dispatchEvent(new MouseEvent("click", {bubbles: true}));\
		var zw = +pick.querySelector("rect").getAttribute("width");\
		if (Math.abs(zw - W) > 0.01) bad.push(id + ": a click on a frame of width " + pw + " left it " + zw + " wide, not " + W);\
		if (pick.getBoundingClientRect().width < r.width * 0.9) bad.push(id + ": the zoomed frame is not drawn full width");\
		fig.querySelector("button").click();\
		if (Math.abs(+pick.querySelector("rect").getAttribute("width") - pw) > 0.01) bad.push(id + ": reset zoom did not restore the width");\
		q.value = pick.getAttribute("data-n");\
		q.dispatchEvent(new Event("input"));\
		var hits = s.querySelectorAll("rect.hit").length;\
		if (!hits \|\| !pick.querySelector("rect.hit")) bad.push(id + ": searching \x27" + q.value + "\x27 highlighted " + hits + " frames");\
		if (!/matched: .*%/.test(out.textContent)) bad.push(id + ": the search says \x27" + out.textContent + "\x27");\
		if (getComputedStyle(s.querySelector("rect.hit") \|\| s).fill === getComputedStyle(s.querySelector("rect:not(.hit)")).fill) bad.push(id + ": a hit looks like any frame");\
		pick.querySelector("rect").dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));\
		if (!/%/.test(out.textContent)) bad.push(id + ": hover shows \x27" + out.textContent + "\x27");\
	});\
	var st = document.querySelector("table.sort"), sorted = "none";\
	if (st ? st.rows.length > 2 : false) {\
		st.rows[0].cells[0].click();\
		sorted = st.rows[0].cells[0].getAttribute("aria-sort");\
		if (!sorted) bad.push("a click on a table header did not sort it");\
	}\
	var over = document.documentElement.scrollWidth - window.innerWidth;\
	document.body.setAttribute("data-check", (bad.length ? "FAIL " + bad.slice(0, 10).join("; ") : "OK") + " charts=" + n + " flames=" + nf + " sorted=" + sorted + " overflow=" + over);\
	if (bad.length) console.error("faultline-check: " + bad.join("; "));\
})();\
</script></body>|' "$report" >"$work/page.html"

run() { # WIDTH HEIGHT ARGS...
	w=$1 h=$2
	shift 2
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --no-default-browser-check \
		--disable-extensions --hide-scrollbars --user-data-dir="$work/profile" \
		--proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND" \
		--enable-logging=stderr --v=0 --window-size="$w,$h" "$@" "file://$work/page.html"
}

status=0
for size in 1280 390; do
	run "$size" 900 --dump-dom >"$work/dom-$size.html" 2>"$work/log-$size.txt" ||
		{ tail -5 "$work/log-$size.txt"; fail "chromium failed at width $size"; }
	check=$(sed -n 's/.*data-check="\([^"]*\)".*/\1/p' "$work/dom-$size.html" | head -1)
	echo "width $size: $check"
	case $check in
	"OK charts=$charts flames=$flames sorted="*" overflow="*) ;;
	*) echo "  expected: OK charts=$charts flames=$flames"; status=1 ;;
	esac
	over=${check##*overflow=}
	[ "${over:-1}" -le 0 ] 2>/dev/null || { echo "  the page is wider than a $size px window by $over px"; status=1; }
	if grep -E 'CONSOLE|Uncaught|net::ERR|Failed to load' "$work/log-$size.txt" | grep -v 'CONSOLE.*"faultline-check: ' >/dev/null; then
		grep -E 'CONSOLE|Uncaught|net::ERR|Failed to load' "$work/log-$size.txt" | head -5
		echo "  console errors or network access at width $size"
		status=1
	fi
done

# Screenshots of the report itself (not the probe copy), tall enough for the charts.
height=$(( 2000 + charts * 520 ))
[ $height -le 16000 ] || height=16000
cp "$report" "$work/page.html"
run 1280 "$height" --screenshot="$BUILD/report-1280.png" >/dev/null 2>&1 || status=1
run 390 "$height" --screenshot="$BUILD/report-phone.png" >/dev/null 2>&1 || status=1
for png in "$BUILD/report-1280.png" "$BUILD/report-phone.png"; do
	[ -s "$png" ] && echo "screenshot: $png" || { echo "no screenshot $png"; status=1; }
done
[ $status -eq 0 ] && echo "check-browser: ok, $charts charts and $flames flame graphs rendered" || echo "check-browser: FAILED"
exit $status
