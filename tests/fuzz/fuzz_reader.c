/*
 * libFuzzer target for the analyzer's input side: the bytes are one trace
 * file, read by the reader into the model, then every report section is
 * computed and rendered as text, JSON and HTML. Anything the sanitizers catch, a
 * leak or a crash is a bug; reporting bad input as errors is not.
 *
 *   make fuzz FUZZ_TIME=60     (seed corpus: tests/fuzz/corpus/)
 *
 * The input goes through a memfd so that the reader's own file path is the
 * one exercised, without touching the disk.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model/model.h"
#include "render/render_html.h"
#include "reports/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static FILE *sink;
	struct fl_model m;
	struct fl_report_opts o;
	json_t *r;

	if (fd < 0) {
		fd = memfd_create("fuzz-trace", MFD_CLOEXEC);
		sink = fopen("/dev/null", "w");
		if (fd < 0 || !sink)
			return -1;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return -1;
	if (fl_model_load(&m, path) < 0) {
		fl_model_release(&m);
		return 0;
	}
	fl_report_opts_init(&o);
	o.syms = NULL; /* paths in the input must not make us read files */
	r = fl_report_run(&m, &o, NULL, 0);
	fl_report_render_text(r, sink);
	json_dumpf(r, sink, JSON_COMPACT);
	fl_render_html(sink, r, &m, &o);
	json_decref(r);
	fl_model_release(&m);
	return 0;
}
