/*
 * The process tree: every traced image, how it was created (fork, vfork,
 * posix_spawn, exec), when it ran and how it ended.
 */
#include <string.h>

#include "reports/report.h"
#include "reports/report_tree.h"

static json_t *exit_json(const struct fl_proc *p)
{
	json_t *e;
	if (!p->exit.present)
		return json_null();
	e = json_object();
	json_object_set_new(e, "how", json_string(p->exit.how ? p->exit.how : "unknown"));
	json_object_set_new(e, "status",
			    p->exit.status >= 0 ? json_integer(p->exit.status) : json_null());
	json_object_set_new(e, "signal",
			    p->exit.signal > 0 ? json_integer(p->exit.signal) : json_null());
	/* Known only from the parent's wait line: the process itself wrote
	 * nothing (SIGKILL, the OOM killer). */
	json_object_set_new(e, "from_wait", json_boolean(p->exit.from_wait));
	return e;
}

static void add_proc(json_t *arr, const struct fl_proc *p, const struct fl_report_opts *o,
		     int depth)
{
	json_t *j, *kids;
	if (fl_report_selected(o, p)) {
		j = json_object();
		kids = json_array();
		json_object_set_new(j, "key", json_string(p->key));
		json_object_set_new(j, "pid", json_integer(p->pid));
		json_object_set_new(j, "ppid", json_integer(p->ppid));
		json_object_set_new(j, "parent",
				    p->parent ? json_string(p->parent->key) : json_null());
		json_object_set_new(j, "link", json_string(fl_link_name(p->link)));
		json_object_set_new(j, "depth", json_integer(depth));
		json_object_set_new(j, "exe", p->exe ? json_string(p->exe) : json_null());
		json_object_set_new(j, "argv", p->argv ? json_deep_copy(p->argv) : json_array());
		json_object_set_new(j, "start_ns", json_integer((json_int_t)p->start_realtime_ns));
		json_object_set_new(j, "end_ns",
				    json_integer((json_int_t)(p->start_realtime_ns + p->end_t)));
		json_object_set_new(j, "duration_ns", json_integer((json_int_t)p->end_t));
		json_object_set_new(j, "exit", exit_json(p));
		json_object_set_new(j, "killed",
				    json_boolean(!p->exit.present || p->exit.from_wait));
		json_object_set_new(j, "errors", json_integer((json_int_t)p->nerrors));
		for (size_t i = 0; i < p->nchildren; i++)
			json_array_append_new(kids, json_string(p->children[i]->key));
		json_object_set_new(j, "children", kids);
		json_array_append_new(arr, j);
	}
	/* An exec image continues its process: same depth. */
	for (size_t i = 0; i < p->nchildren; i++)
		add_proc(arr, p->children[i], o,
			 p->children[i]->link == FL_LINK_EXEC ? depth : depth + 1);
}

/* A vfork or posix_spawn child runs nothing of the shim's until it execs:
 * its first image is the program it exec'd, so the child is a process and
 * an exec at once. (A clone with CLONE_VM|CLONE_VFORK is linked as "clone",
 * like a fork-like clone whose child writes its own image first: those
 * cannot be told apart here.) */
static int started_by_exec(const struct fl_proc *p)
{
	return p->parent && (p->link == FL_LINK_VFORK || p->link == FL_LINK_SPAWN);
}

json_t *fl_report_tree(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *r = json_object(), *arr = json_array();
	size_t forks = 0, execs = 0, killed = 0, sigs = 0;
	for (size_t i = 0; i < m->nroots; i++)
		add_proc(arr, m->roots[i], o, 0);
	json_object_set_new(r, "processes", arr);
	json_object_set_new(r, "findings", json_array());
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		if (!fl_report_selected(o, p))
			continue;
		if (p->link == FL_LINK_EXEC)
			execs++;
		else if (p->parent)
			forks++;
		if (started_by_exec(p))
			execs++;
		if (!p->exit.present || p->exit.from_wait)
			killed++;
		if (p->exit.present && p->exit.signal > 0)
			sigs++;
	}
	json_object_set_new(r, "children", json_integer((json_int_t)forks));
	json_object_set_new(r, "execs", json_integer((json_int_t)execs));
	if (killed)
		fl_finding_add(
		    r, "tree.no_exit", "warn",
		    "A process killed by SIGKILL (or the OOM killer) gets no chance to "
		    "write anything: the kernel tears down its address space at once, so "
		    "its trace ends at the last tick the shim flushed.",
		    "%zu process%s ended without an exit record (killed by SIGKILL or "
		    "crashed hard); their traces end at the last flush",
		    killed, killed == 1 ? "" : "es");
	if (sigs)
		fl_finding_add(r, "tree.signal", "warn",
			       "A fatal signal ends the process where it stands; the kernel frees "
			       "its memory but nothing the program meant to do at exit runs.",
			       "%zu process%s died from a signal", sigs, sigs == 1 ? "" : "es");
	return r;
}

static void exit_text(json_t *p, char *buf, size_t len)
{
	json_t *e = json_object_get(p, "exit");
	const char *how;
	if (json_is_null(e)) {
		snprintf(buf, len, "killed?");
		return;
	}
	how = json_string_value(json_object_get(e, "how"));
	if (json_is_integer(json_object_get(e, "signal")))
		snprintf(buf, len, "signal %lld",
			 (long long)json_integer_value(json_object_get(e, "signal")));
	else if (how && !strcmp(how, "exec"))
		snprintf(buf, len, "exec");
	else if (json_is_integer(json_object_get(e, "status")))
		snprintf(buf, len, "exit %lld",
			 (long long)json_integer_value(json_object_get(e, "status")));
	else
		snprintf(buf, len, "exit");
}

void fl_report_tree_text(json_t *sec, FILE *f)
{
	json_t *arr = json_object_get(sec, "processes"), *p;
	size_t i;
	uint64_t t0 = UINT64_MAX;
	char b1[32], b2[32], ex[32];
	json_array_foreach(arr, i, p)
	{
		uint64_t s = (uint64_t)json_integer_value(json_object_get(p, "start_ns"));
		if (s < t0)
			t0 = s;
	}
	fprintf(f, "%-12s %-11s %9s %9s  %-10s %s\n", "PID", "HOW", "START", "TIME", "END",
		"COMMAND");
	json_array_foreach(arr, i, p)
	{
		int depth = (int)json_integer_value(json_object_get(p, "depth"));
		char pid[64], cmd[160];
		json_t *argv = json_object_get(p, "argv"), *a;
		size_t k, off = 0;
		snprintf(pid, sizeof(pid), "%*s%lld", depth > 10 ? 20 : 2 * depth, "",
			 (long long)json_integer_value(json_object_get(p, "pid")));
		cmd[0] = 0;
		json_array_foreach(argv, k, a)
		{
			int n = snprintf(cmd + off, sizeof(cmd) - off, "%s%s", k ? " " : "",
					 json_string_value(a) ? json_string_value(a) : "");
			if (n < 0 || (size_t)n >= sizeof(cmd) - off) {
				snprintf(cmd + sizeof(cmd) - 4, 4, "...");
				break;
			}
			off += (size_t)n;
		}
		if (!cmd[0])
			snprintf(cmd, sizeof(cmd), "%s",
				 json_string_value(json_object_get(p, "exe")) ?: "?");
		exit_text(p, ex, sizeof(ex));
		fprintf(f, "%-12s %-11s %9s %9s  %-10s %.43s\n", pid,
			json_is_string(json_object_get(p, "parent"))
			    ? json_string_value(json_object_get(p, "link"))
			    : "-",
			fl_fmt_ns(
			    b1, sizeof(b1),
			    (double)((uint64_t)json_integer_value(json_object_get(p, "start_ns")) -
				     t0)),
			fl_fmt_ns(b2, sizeof(b2),
				  (double)json_integer_value(json_object_get(p, "duration_ns"))),
			ex, cmd);
	}
	fl_findings_render(sec, f);
}
