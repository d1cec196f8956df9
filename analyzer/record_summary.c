#include "record_summary.h"

#include <dirent.h>
#include <string.h>

#include "faultline/schema.h"

/* NEEDSWORK: print the summary report once the model exists. */
void fl_record_summary(const char *dir, FILE *f)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;
	if (d) {
		while ((e = readdir(d)))
			if (strstr(e->d_name, FL_TRACE_FILE_EXT))
				files++;
		closedir(d);
	}
	fprintf(f, "faultline: trace of %d process%s written to %s\n", files, files == 1 ? "" : "es",
		dir);
	fprintf(f, "faultline: see it with: faultline report %s\n", dir);
}
