/* explain: every mechanism has a name and a text, names are unique and
 * round-trip, findings carry both. */
#include <string.h>

#include "check.h"
#include "analysis/explain.h"

int main(void)
{
	for (int i = 0; i < FL_MECH_COUNT; i++) {
		const char *n = fl_explain_name(i), *t = fl_explain_text(i);
		CHECK(n && *n && strcmp(n, "unknown"));
		CHECK(t && strlen(t) > 40 && strlen(t) < 400);
		CHECK(fl_explain_lookup(n) == i);
		/* one or two sentences */
		int dots = 0;
		for (const char *p = t; *p; p++)
			dots += (*p == '.' && (p[1] == ' ' || !p[1]));
		CHECK(dots >= 1 && dots <= 2);
	}
	CHECK(fl_explain_lookup("nope") == -1);
	CHECK(fl_explain_lookup(NULL) == -1);
	CHECK_STR(fl_explain_name(FL_MECH_COUNT), "unknown");
	json_t *obj = json_object();
	fl_explain_add(obj, "cow.copied", FL_SEV_INFO, FL_MECH_COW, "child copied %d%%", 25);
	fl_explain_add(obj, "tlb.reach", FL_SEV_WARN, FL_MECH_TLB_REACH, "beyond reach");
	json_t *arr = json_object_get(obj, "findings");
	CHECK(json_array_size(arr) == 2);
	json_t *f = json_array_get(arr, 0);
	CHECK_STR(json_string_value(json_object_get(f, "text")), "child copied 25%");
	CHECK_STR(json_string_value(json_object_get(f, "mechanism")), "cow");
	CHECK_STR(json_string_value(json_object_get(f, "severity")), "info");
	CHECK(strstr(json_string_value(json_object_get(f, "explain")), "Copy-on-write") != NULL);
	json_decref(obj);
	return check_result();
}
