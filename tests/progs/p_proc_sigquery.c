/* What the program sees of its own signal dispositions must not depend on
 * the shim: prints the dispositions of the fatal signals as queried with
 * sigaction and signal, installs and removes a handler, and checks that
 * its handler runs. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t got;

static void handler(int sig)
{
	got = sig;
}

static const char *name(void (*h)(int))
{
	return h == SIG_DFL ? "DFL" : h == SIG_IGN ? "IGN" : h == handler ? "handler" : "OTHER";
}

int main(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT, SIGBUS, SIGFPE,
				    SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM };
	struct sigaction sa, old;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], NULL, &old);
		printf("%d:%s:%#x ", sigs[i], name(old.sa_handler), old.sa_flags & ~0x04000000u);
	}
	printf("\n");
	printf("signal(SIGUSR1) returned %s\n", name(signal(SIGUSR1, handler)));
	raise(SIGUSR1);
	printf("handler got %d\n", got);
	printf("signal(SIGUSR1, DFL) returned %s\n", name(signal(SIGUSR1, SIG_DFL)));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGTERM, &sa, &old);
	printf("SIGTERM was %s\n", name(old.sa_handler));
	raise(SIGTERM); /* ignored */
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, &old);
	printf("SIGTERM was %s\n", name(old.sa_handler));
	sigaction(SIGTERM, NULL, &old);
	printf("SIGTERM is %s\n", name(old.sa_handler));
	return 0;
}
