/*
 * gen_trace N DIR: writes a synthetic but schema-valid trace of N events
 * (lines) into DIR/4242.ndjson, for the analyzer benchmark: heap allocs and
 * frees with 1000 stacks, fault sample batches, counters, residency and io
 * lines, in roughly the proportions of a busy real trace.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000000;
	char path[4096];
	static uint64_t live[4096];
	long seq = 1, t = 1000;
	if (argc < 3) {
		fprintf(stderr, "usage: gen_trace N DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/4242.ndjson", argv[2]);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fprintf(f, "{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":4242,\"ppid\":1,\"parent\":{\"pid\":1,"
		   "\"kind\":\"none\"},\"exe\":\"/bin/synthetic\",\"argv\":[\"synthetic\"],"
		   "\"start_realtime_ns\":1700000000000000000,\"start_monotonic_ns\":1,"
		   "\"page_size\":4096,\"mem_total\":25769803776,\"swap_total\":0,"
		   "\"overcommit_memory\":0,\"rlimit_stack\":8388608,\"tlb\":{\"l1d_4k\":64,"
		   "\"l1d_2m\":64,\"l2_4k\":2048,\"l2_2m\":2048,\"l2_1g\":0,\"source\":\"synthetic\"},"
		   "\"probes\":{},\"options\":{\"interval_ms\":100,\"large\":65536,\"sample\":1}}\n");
	fprintf(f, "{\"e\":\"maps\",\"t\":1,\"seq\":%ld,\"why\":\"start\",\"vmas\":["
		   "[\"0x400000\",\"0x401000\",\"r-xp\",\"0x0\",1,\"/bin/synthetic\"],"
		   "[\"0x10000000\",\"0x90000000\",\"rw-p\",\"0x0\",0,\"\"],"
		   "[\"0x7ff000000000\",\"0x7ff000021000\",\"rw-p\",\"0x0\",0,\"[stack]\"]]}\n",
		seq++);
	for (int s = 1; s <= 1000 && seq < n; s++)
		fprintf(f, "{\"e\":\"stack\",\"t\":2,\"seq\":%ld,\"id\":%d,\"frames\":[\"0x400%03x\","
			   "\"0x400100\",\"0x400200\",\"0x400300\"]}\n",
			seq++, s, s);
	while (seq < n) {
		uint64_t r = next();
		unsigned k = (unsigned)(r % 100);
		t += 1000;
		if (k < 70) { /* heap: replace a random live block */
			unsigned slot = (unsigned)(r >> 8) % 4096;
			if (live[slot]) {
				fprintf(f, "{\"e\":\"free\",\"t\":%ld,\"seq\":%ld,\"tid\":4242,"
					   "\"addr\":\"0x%llx\",\"size\":64}\n",
					t, seq++, (unsigned long long)live[slot]);
				live[slot] = 0;
			} else {
				live[slot] = 0x10000000ull + ((r >> 20) % 0x7000000ull) * 16;
				fprintf(f, "{\"e\":\"alloc\",\"t\":%ld,\"seq\":%ld,\"tid\":4242,"
					   "\"fn\":\"malloc\",\"addr\":\"0x%llx\",\"size\":64,"
					   "\"stack\":%u,\"weight\":64}\n",
					t, seq++, (unsigned long long)live[slot], (unsigned)(r >> 40) % 1000 + 1);
			}
		} else if (k < 90) { /* a batch of 8 fault samples */
			fprintf(f, "{\"e\":\"faults\",\"t\":%ld,\"seq\":%ld,\"period\":1,\"lost\":0,"
				   "\"samples\":[",
				t, seq++);
			for (int i = 0; i < 8; i++)
				fprintf(f, "%s[\"0x%llx\",\"0x400%03x\",4242,%ld,0]", i ? "," : "",
					0x10000000ull + ((next() >> 16) % 0x80000ull) * 4096,
					(unsigned)(r >> 32) % 4096, t + i);
			fputs("]}\n", f);
		} else if (k < 95) {
			fprintf(f, "{\"e\":\"counters\",\"t\":%ld,\"seq\":%ld,\"minflt\":%ld,\"majflt\":0,"
				   "\"ru_minflt\":%ld,\"ru_majflt\":0,\"dtlb_load_misses\":null,"
				   "\"dtlb_store_misses\":null,\"rss_anon\":%ld,\"rss_file\":1048576,"
				   "\"rss_shmem\":0,\"vsz\":2147483648,\"swap\":0,\"pte_bytes\":65536,"
				   "\"stack_vma\":135168,\"committed_as\":1073741824,"
				   "\"commit_limit\":12884901888,\"oom_score\":666,\"tracking_faults\":null}\n",
				t, seq, seq, seq, seq * 4096);
			seq++;
		} else if (k < 98) {
			fprintf(f, "{\"e\":\"residency\",\"t\":%ld,\"seq\":%ld,\"why\":\"tick\","
				   "\"method\":\"pagemap_scan\",\"vmas\":3,\"regions\":[[\"0x10000000\","
				   "\"0x90000000\",%u,0,0,%u,0,0,-1,-1]]}\n",
				t, seq++, (unsigned)(r % 500000), (unsigned)(r % 500000));
		} else {
			fprintf(f, "{\"e\":\"io\",\"t\":%ld,\"seq\":%ld,\"fds\":[[3,\"/data/f\",%ld,%ld]]}\n",
				t, seq, seq, seq * 4096);
			seq++;
		}
	}
	fprintf(f, "{\"e\":\"exit\",\"t\":%ld,\"seq\":%ld,\"how\":\"exit\",\"status\":0,\"signal\":0,"
		   "\"ru_minflt\":1,\"ru_majflt\":0,\"ru_utime_ns\":1,\"ru_stime_ns\":1,"
		   "\"ru_maxrss_kb\":1}\n",
		t + 1000, seq);
	return fclose(f) == 0 ? 0 : 1;
}
