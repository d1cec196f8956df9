# make -j2 driving gcc over several files; the output is the program's.
case_setup() {
	command -v make >/dev/null && command -v gcc >/dev/null || skip_all "no make or gcc"
	for i in 1 2 3 4; do
		printf 'int f%d(int x) { int s = 0; for (int i = 0; i < x; i++) s += i %% %d; return s; }\n' \
			$i $((i + 2)) >"$SRC/f$i.c"
	done
	cat >"$SRC/main.c" <<'C'
#include <stdio.h>
int f1(int), f2(int), f3(int), f4(int);
int main(void) { printf("%d %d %d %d\n", f1(1000), f2(1000), f3(1000), f4(1000)); return 0; }
C
	printf 'VPATH = %s\nOBJ = main.o f1.o f2.o f3.o f4.o\nprog: $(OBJ)\n\t$(CC) -o $@ $(OBJ)\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n' \
		"$SRC" >"$SRC/Makefile"
}
case_run() {
	$RUN make -s -j2 -f "$SRC/Makefile" CC=gcc && ./prog
}
