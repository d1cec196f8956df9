/* The child environment builder (preload/envp.c). */
#include <stdlib.h>

#include "check.h"
#include "base/envp.h"

#define LIB "/opt/fl/libfaultline.so"
static const char vars[] = "FAULTLINE_OUT=rel\0FAULTLINE_SAMPLE=1\0FAULTLINE_FOLLOW=1";

static const char *get(char **envp, const char *name)
{
	size_t n = strlen(name);
	const char *found = NULL;
	int count = 0;
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') {
			found = *e + n + 1;
			count++;
		}
	return count == 1 ? found : count ? "(twice)" : NULL;
}

static size_t count(char **envp)
{
	size_t n = 0;
	while (envp && envp[n])
		n++;
	return n;
}

static struct fl_envp build(char **in, const char *link)
{
	struct fl_envp e;
	CHECK(fl_envp_build(&e, in, link, LIB, vars, sizeof(vars), "/abs/out") == 0);
	return e;
}

static void clean_env_gets_everything_back(void)
{
	char *in[] = {"A=1", "PATH=/bin", NULL};
	struct fl_envp e = build(in, "12:exec:5:7");
	CHECK_STR(get(e.envp, "A"), "1");
	CHECK_STR(get(e.envp, "PATH"), "/bin");
	CHECK_STR(get(e.envp, "LD_PRELOAD"), LIB);
	CHECK_STR(get(e.envp, "FAULTLINE_PARENT"), "12:exec:5:7");
	CHECK_STR(get(e.envp, "FAULTLINE_OUT"), "/abs/out");
	CHECK_STR(get(e.envp, "FAULTLINE_SAMPLE"), "1");
	CHECK_EQ_U64(count(e.envp), 7);
	fl_envp_release(&e);
}

static void null_envp_is_empty(void)
{
	struct fl_envp e = build(NULL, "1:fork:0:2");
	CHECK_STR(get(e.envp, "LD_PRELOAD"), LIB);
	CHECK_EQ_U64(count(e.envp), 5);
	fl_envp_release(&e);
}

static void preload_kept_or_prepended(void)
{
	char *has[] = {"LD_PRELOAD=/x.so:" LIB, NULL};
	char *other[] = {"LD_PRELOAD=/x.so /y.so", NULL};
	char *similar[] = {"LD_PRELOAD=" LIB ".old", NULL};
	struct fl_envp e = build(has, "1:exec:0:2");
	CHECK_STR(get(e.envp, "LD_PRELOAD"), "/x.so:" LIB);
	fl_envp_release(&e);
	e = build(other, "1:exec:0:2");
	CHECK_STR(get(e.envp, "LD_PRELOAD"), LIB ":/x.so /y.so");
	fl_envp_release(&e);
	e = build(similar, "1:exec:0:2");
	CHECK_STR(get(e.envp, "LD_PRELOAD"), LIB ":" LIB ".old");
	fl_envp_release(&e);
}

/* A child gets the shim back where the user's LD_PRELOAD had it: an
 * object put before it (its own allocator, a counter) stays before it. */
static void preload_order_kept(void)
{
	char v1[] = "LD_PRELOAD=/x.so:" LIB ":/y.so", v2[] = "LD_PRELOAD=/x.so " LIB,
	     v3[] = "LD_PRELOAD=" LIB " /x.so";
	char *start1[] = {v1, NULL}, *start2[] = {v2, NULL}, *start3[] = {v3, NULL};
	char *now1[] = {"LD_PRELOAD=/x.so:/y.so", NULL}, *now2[] = {"LD_PRELOAD=/x.so", NULL};
	char *changed[] = {"LD_PRELOAD=/z.so", NULL};
	struct fl_envp e;
	fl_envp_hide(start1, LIB); /* the shim's start: LIB second */
	CHECK_STR(start1[0], "LD_PRELOAD=/x.so:/y.so");
	e = build(now1, "1:exec:0:2");
	CHECK_STR(get(e.envp, "LD_PRELOAD"), "/x.so:" LIB ":/y.so");
	fl_envp_release(&e);
	fl_envp_hide(start2, LIB); /* LIB last, space-separated */
	e = build(now2, "1:exec:0:2");
	CHECK_STR(get(e.envp, "LD_PRELOAD"), "/x.so:" LIB);
	fl_envp_release(&e);
	e = build(changed, "1:exec:0:2"); /* fewer entries now: at the end */
	CHECK_STR(get(e.envp, "LD_PRELOAD"), "/z.so:" LIB);
	fl_envp_release(&e);
	fl_envp_hide(start3, LIB); /* LIB first again, as record sets it */
	e = build(now2, "1:exec:0:2");
	CHECK_STR(get(e.envp, "LD_PRELOAD"), LIB ":/x.so");
	fl_envp_release(&e);
}

static void stale_link_and_program_options_replaced(void)
{
	char *in[] = {"FAULTLINE_PARENT=9:fork:1:1", "FAULTLINE_SAMPLE=77", "B=2", NULL};
	struct fl_envp e = build(in, "3:posix_spawn:4:5");
	CHECK_STR(get(e.envp, "FAULTLINE_PARENT"), "3:posix_spawn:4:5");
	CHECK_STR(get(e.envp, "FAULTLINE_SAMPLE"), "1");
	CHECK_STR(get(e.envp, "B"), "2");
	fl_envp_release(&e);
}

static void not_followed_strips_only_us(void)
{
	char *in[] = {"LD_PRELOAD=/x.so:" LIB ":/y.so", "FAULTLINE_OUT=/o", "C=3", NULL};
	char *only[] = {"LD_PRELOAD=" LIB, "C=3", NULL};
	struct fl_envp e = build(in, NULL);
	CHECK_STR(get(e.envp, "LD_PRELOAD"), "/x.so:/y.so");
	CHECK_STR(get(e.envp, "C"), "3");
	CHECK(get(e.envp, "FAULTLINE_PARENT") == NULL);
	fl_envp_release(&e);
	e = build(only, NULL);
	CHECK(get(e.envp, "LD_PRELOAD") == NULL);
	CHECK_EQ_U64(count(e.envp), 1);
	fl_envp_release(&e);
}

static void large_environment(void)
{
	static char big[2000][64];
	static char *in[2001];
	struct fl_envp e;
	for (int i = 0; i < 2000; i++) {
		snprintf(big[i], sizeof(big[i]), "VAR%d=%0*d", i, 50, i);
		in[i] = big[i];
	}
	e = build(in, "1:exec:2:3");
	CHECK_EQ_U64(count(e.envp), 2005);
	CHECK_STR(get(e.envp, "VAR1999"), big[1999] + 8);
	fl_envp_release(&e);
	CHECK(e.mem == NULL);
}

static void list_has(void)
{
	CHECK(fl_envp_list_has(LIB, LIB));
	CHECK(fl_envp_list_has("a.so " LIB, LIB));
	CHECK(!fl_envp_list_has(LIB "x", LIB));
	CHECK(!fl_envp_list_has("", LIB));
}

int main(void)
{
	clean_env_gets_everything_back();
	null_envp_is_empty();
	preload_kept_or_prepended();
	preload_order_kept();
	stale_link_and_program_options_replaced();
	not_followed_strips_only_us();
	large_environment();
	list_has();
	return check_result();
}
