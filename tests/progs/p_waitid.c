/*
 * Runs a child program and reaps it with waitid, then prints what waitid
 * said and the child's whole-life minor faults from the parent's own
 * getrusage(RUSAGE_CHILDREN) (the child is its only one): the oracle for
 * the wait line's figures.
 *
 *   p_waitid MODE PROG [ARGS...]
 *
 * MODE: pid (P_PID, blocking), all (P_ALL, blocking), nohang (P_ALL with
 * WNOHANG, polled), peek (a WNOWAIT look first, then P_PID, blocking),
 * cancel (a thread blocked in waitid is cancelled after 0.1 s, as waitid
 * is a cancellation point; then the child is killed and reaped).
 * Prints "code=C status=S same_pid=1 c_minflt=N" ("cancelled=1 " first
 * in mode cancel).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child;

static void *blocked_wait(void *arg)
{
	siginfo_t info;
	(void)arg;
	waitid(P_PID, (id_t)child, &info, WEXITED);
	return NULL; /* reached only if the cancel did not act */
}

int main(int argc, char **argv)
{
	siginfo_t info;
	struct rusage ru;
	pid_t pid;
	const char *mode;
	int r;
	if (argc < 3)
		return 2;
	mode = argv[1];
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execv(argv[2], argv + 2);
		_exit(127);
	}
	memset(&info, 0, sizeof(info));
	if (!strcmp(mode, "pid")) {
		r = waitid(P_PID, (id_t)pid, &info, WEXITED);
	} else if (!strcmp(mode, "all")) {
		r = waitid(P_ALL, 0, &info, WEXITED);
	} else if (!strcmp(mode, "nohang")) {
		struct timespec ms = {0, 1000000};
		for (;;) {
			info.si_pid = 0;
			r = waitid(P_ALL, 0, &info, WEXITED | WNOHANG);
			if (r != 0 || info.si_pid != 0)
				break;
			nanosleep(&ms, NULL);
		}
	} else if (!strcmp(mode, "cancel")) {
		pthread_t th;
		void *res = NULL;
		struct timespec tenth = {0, 100000000};
		child = pid;
		pthread_create(&th, NULL, blocked_wait, NULL);
		nanosleep(&tenth, NULL);
		pthread_cancel(th);
		pthread_join(th, &res);
		printf("cancelled=%d ", res == PTHREAD_CANCELED);
		kill(pid, SIGKILL);
		r = waitid(P_PID, (id_t)pid, &info, WEXITED);
	} else if (!strcmp(mode, "peek")) {
		r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT);
		if (r == 0 && info.si_pid == pid) {
			memset(&info, 0, sizeof(info));
			r = waitid(P_PID, (id_t)pid, &info, WEXITED);
		}
	} else {
		return 2;
	}
	if (r != 0) {
		perror("p_waitid: waitid");
		return 1;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("code=%d status=%d same_pid=%d c_minflt=%ld\n", info.si_code, info.si_status,
	       info.si_pid == pid, ru.ru_minflt);
	return 0;
}
